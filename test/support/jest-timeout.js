// Integration tests wait on real servers (consumer group joins, topic deletion, restarts).
jest.setTimeout(120_000);
