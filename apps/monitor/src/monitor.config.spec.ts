import { loadMonitorConfig } from './monitor.config';

describe('monitor configuration', () => {
  it('reads the documented defaults (docs/monitor.md, the variables table) into the settings', () => {
    const config = loadMonitorConfig({});
    expect(config.httpPort).toBe(3002);
    expect(config.labelFlow).toEqual({ pauseAt: 5_000, resumeAt: 1_000, idleMs: 2_000 });
    expect(config.storageRetry).toEqual({ maxRetries: 6, initialDelayMs: 500, maxDelayMs: 5_000 });
    expect(config.alertmanager).toEqual({ url: '', resendMs: 60_000, dashboardUrl: '' });
    expect(config.modelDefaults).toMatchObject({ estimationReferenceSize: 2000, estimationWindow: 500 });
  });

  it('takes the CBPE defaults of every model from the environment (the demo sizes them for minutes)', () => {
    const config = loadMonitorConfig({ MONITOR_ESTIMATION_REFERENCE_SIZE: '600', MONITOR_ESTIMATION_WINDOW: '300' });
    expect(config.modelDefaults).toMatchObject({ estimationReferenceSize: 600, estimationWindow: 300 });
    expect(() => loadMonitorConfig({ MONITOR_ESTIMATION_WINDOW: '0' })).toThrow('MONITOR_ESTIMATION_WINDOW');
  });

  it('refuses settings that contradict each other, naming both variables', () => {
    expect(() => loadMonitorConfig({ MONITOR_LABEL_PAUSE_AT: '100', MONITOR_LABEL_RESUME_AT: '100' })).toThrow(
      'invalid monitor configuration: "MONITOR_LABEL_RESUME_AT" must be less than MONITOR_LABEL_PAUSE_AT',
    );
    expect(() => loadMonitorConfig({ MONITOR_STORAGE_RETRY_INITIAL_MS: '900', MONITOR_STORAGE_RETRY_MAX_MS: '800' })).toThrow(
      '"MONITOR_STORAGE_RETRY_MAX_MS" must be greater than or equal to MONITOR_STORAGE_RETRY_INITIAL_MS',
    );
    expect(() => loadMonitorConfig({ MONITOR_DETECTOR: 'magic' })).toThrow('"MONITOR_DETECTOR" must be one of [adwin, page-hinkley, ddm, eddm, hddm-a, hddm-w]');
  });
});
