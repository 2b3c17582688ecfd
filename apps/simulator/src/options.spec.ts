import { parseSimulatorArgs } from './options';

describe('parseSimulatorArgs', () => {
  it('applies the documented defaults', () => {
    const { simulation, partitions } = parseSimulatorArgs([]);
    // 50 events/s x 60 s = 3000 events.
    expect(simulation).toMatchObject({
      seed: 42,
      models: ['card-fraud', 'basket-value'],
      events: 3000,
      rate: 50,
      timeScale: 600,
      labelDelayMeanS: 1800,
      labelMissingShare: 0.1,
      progressIntervalMs: 2000,
      scenario: { scenarios: ['steady'], changeAt: 0.5, spikeLength: 0.25, malformedShare: 0.05 },
    });
    expect(partitions).toBe(3);
  });

  it('reads combined scenarios and an event count', () => {
    const { simulation } = parseSimulatorArgs(['--scenario', 'sudden-drift,latency-spike', '--events', '500', '--rate', '0', '--models', 'basket-value']);
    expect(simulation.scenario.scenarios).toEqual(['sudden-drift', 'latency-spike']);
    expect(simulation).toMatchObject({ events: 500, rate: 0, models: ['basket-value'] });
  });

  it.each([
    [['--scenario', 'tornado'], 'unknown scenario "tornado"'],
    [['--rate', 'fast'], '--rate: expected a number >= 0, got "fast"'],
    [['--label-missing', '1.5'], '--label-missing: expected a share between 0 and 1'],
    [['--models', 'churn'], 'unknown model "churn"'],
    [['--events', '10', '--duration', '5'], 'exclude each other'],
    [['--rate', '0'], '--rate 0 (unthrottled) needs --events'],
    [['--colour'], "Unknown option '--colour'"],
  ])('refuses %j', (argv, message) => {
    expect(() => parseSimulatorArgs(argv)).toThrow(message);
  });
});
