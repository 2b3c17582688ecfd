// Says, after the run, what the tests left open. jest.config.js sets forceExit, so an open
// Kafka connection or timer cannot keep jest alive; this names what would have, so the test
// that leaked it gets fixed instead of hidden. Cheaper than --detectOpenHandles (no async hooks).
const SETTLE_MS = 1000; // jest's own "did not exit one second after the test run" delay

class OpenHandlesReporter {
  async onRunComplete() {
    // A ref'd timer: with an unref'd one node could exit (code 0, no summary) while we wait.
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    const left = process.getActiveResourcesInfo().filter((type) => type !== 'TTYWrap' && type !== 'PipeWrap');
    if (left.length === 0) return;
    const counts = new Map();
    for (const type of left) counts.set(type, (counts.get(type) ?? 0) + 1);
    const summary = [...counts].map(([type, n]) => `${type} ×${n}`).join(', ');
    process.stderr.write(
      `\n[open-handles] still open ${SETTLE_MS} ms after the last test: ${summary}. ` +
        'forceExit ends the run anyway; a test or helper did not close a client, server or timer (afterAll).\n',
    );
  }
}

module.exports = OpenHandlesReporter;
