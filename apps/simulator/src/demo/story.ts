import { ALERT_RULES, AlertRule, isAlertRule } from '@vigil/contracts';
import { VigilClient } from '@vigil/sdk';
import { LAGGING_LABEL_FACTOR, Scenario } from '../scenarios';
import { MalformedSink, runSimulation, SimulationProgress } from '../simulation';
import { TrafficOptions } from '../traffic';
import { clockOf, describeEvent, progressLine, secondsBetween } from './format';
import { DemoTimeoutError, FeedEvent, LifecycleFeed } from './lifecycle-feed';
import { clickhouseQuery, deploymentHistory, openIncidents, ServiceUrls, versionAccuracy } from './services';
import { summaryQueries } from './summary-queries';

export const MODEL_ID = 'card-fraud';

export interface StorySettings {
  /** Predictions per second. */
  rate: number;
  seed: number;
  /** Simulated seconds per wall second: 1800 s mean label delay / 3600 = labels ~0.5 s after their prediction. */
  timeScale: number;
  labelDelayMeanS: number;
  labelMissingShare: number;
  malformedShare: number;
  /** The monitor's MONITOR_METRIC_WINDOW: v1 needs a full window for its baseline. */
  metricWindow: number;
  steadySeconds: number;
  /** Least time the retrained version serves before the bad deployment, so it has snapshots to be the rollback baseline. */
  retrainedSeconds: number;
  afterRollbackSeconds: number;
  /** Accuracy at which a version counts as recovered. */
  recoveredAccuracy: number;
  /** Limit of every wait. */
  phaseTimeoutS: number;
}

export const DEFAULT_STORY: StorySettings = {
  rate: 40,
  seed: 42,
  timeScale: 3600,
  labelDelayMeanS: 1800,
  labelMissingShare: 0.1,
  malformedShare: 0.01,
  metricWindow: 300,
  steadySeconds: 30,
  retrainedSeconds: 20,
  afterRollbackSeconds: 12,
  recoveredAccuracy: 0.78,
  phaseTimeoutS: 90,
};

export interface StoryContext {
  vigil: VigilClient;
  malformed: MalformedSink;
  feed: LifecycleFeed;
  urls: ServiceUrls;
  /** Files (0600) holding this run's read and write API tokens, for the curls the summary prints. */
  tokenFiles: { read: string; write: string };
  database: string;
  settings: StorySettings;
  signal: AbortSignal;
  print: (line: string) => void;
}

/** Instants of the story (ms since the epoch), for the summary's timings. */
interface Milestones {
  start: number;
  driftOnset?: number;
  retrainRequested?: Extract<FeedEvent, { type: 'retrainRequested' }>;
  retrainedDeployed?: number;
  badDeploy?: number;
  rollbackRequested?: Extract<FeedEvent, { type: 'rollbackRequested' }>;
  rolledBack?: number;
  uncertainShift?: number;
  estimatedAlert?: AlertEvent;
  labelledAlert?: AlertEvent;
}

type AlertEvent = Extract<FeedEvent, { type: 'alert' }>;

const LOGS = '.infra/logs/services';
const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', abort);
      resolve();
    }, ms);
    const abort = () => {
      clearTimeout(timer);
      reject(new Error('interrupted'));
    };
    signal.addEventListener('abort', abort, { once: true });
  });

/**
 * The product's story, told live: steady traffic, concept drift, the monitor's alert,
 * the orchestrator's retrain request, the demo acting as training pipeline (v2), a bad
 * deployment (v3), the orchestrator's rollback request and the demo acting as deployer,
 * then inputs shifting while labels lag, where the CBPE estimate alerts before any label.
 * Each wait has a limit and fails with a DemoTimeoutError naming the log to read.
 */
export class Story {
  private readonly milestones: Milestones = { start: Date.now() };
  private phase = 'starting';
  private serving = '-';
  private current: SimulationProgress | null = null;
  private readonly sent = { predictions: 0, labels: 0, malformed: 0 };
  private ticker: NodeJS.Timeout | undefined;

  constructor(private readonly ctx: StoryContext) {}

  async run(): Promise<void> {
    const { feed } = this.ctx;
    feed.onEvent((event) => this.onEvent(event));
    this.ticker = setInterval(() => void this.tick(), 2_000);
    try {
      await this.steady();
      await this.conceptDrift();
      const incidentId = this.milestones.retrainRequested!.value.incidentId;
      await this.retrained(incidentId);
      await this.badDeployment();
      await this.rollback();
      await this.labelsLag();
    } finally {
      clearInterval(this.ticker);
    }
    await this.summary();
  }

  private async steady(): Promise<void> {
    const { settings } = this.ctx;
    this.announce(
      `1/6 steady traffic on v1: ${settings.rate} card-fraud predictions/s, labels ~${settings.labelDelayMeanS / settings.timeScale} s later, ${settings.malformedShare * 100} % malformed records`,
    );
    await this.traffic('1 steady', ['steady'], { servingVersion: 'v1', announce: true }, async () => {
      await sleep(settings.steadySeconds * 1000, this.ctx.signal);
      await this.untilAccuracy('v1', 0, `the monitor has no full window of ${settings.metricWindow} labels for v1`);
    });
  }

  private async conceptDrift(): Promise<void> {
    this.announce('2/6 concept drift: fraud becomes small online purchases from US/GB; v1 does not know (expected accuracy ≈ 0.71)');
    this.milestones.driftOnset = Date.now();
    await this.traffic('2 drift', ['concept-drift'], { servingVersion: 'v1', announce: false }, async () => {
      this.milestones.retrainRequested = await this.ctx.feed.waitFor(
        'retrainRequested',
        (e) => e.value.modelId === MODEL_ID && e.value.modelVersion === 'v1',
        this.timeoutMs(),
        `no RetrainRequested ${this.ctx.settings.phaseTimeoutS} s after the drift: see ${LOGS}/monitor.log (alerts) and ${LOGS}/orchestrator.log (decisions)`,
        this.ctx.signal,
      );
    });
  }

  private async retrained(incidentId: string): Promise<void> {
    const { vigil, settings } = this.ctx;
    this.announce('3/6 the demo plays the training pipeline: retraining on the drifted world...');
    await sleep(2_000, this.ctx.signal);
    await vigil.recordRetrainCompleted({ modelId: MODEL_ID, newVersion: 'v2', succeeded: true, incidentId });
    await vigil.recordModelDeployed({ modelId: MODEL_ID, version: 'v2', reason: 'retrain', incidentId, artifactUri: `models:/${MODEL_ID}/v2` });
    await vigil.flush();
    this.milestones.retrainedDeployed = Date.now();
    this.announce(`published RetrainCompleted v2 and ModelDeployed v2 (reason retrain, incident ${incidentId}); expected accuracy ≈ 0.83`);
    await this.traffic('3 retrained', ['concept-drift'], { servingVersion: 'v2', retrained: true, announce: false }, async () => {
      await this.ctx.feed.waitFor(
        'modelDeployed',
        (e) => e.value.version === 'v2',
        this.timeoutMs(),
        `ModelDeployed v2 never came back from Kafka: see ${LOGS}/orchestrator.log`,
        this.ctx.signal,
      );
      await sleep(settings.retrainedSeconds * 1000, this.ctx.signal);
      await this.untilAccuracy('v2', settings.recoveredAccuracy, `v2 did not reach accuracy ${settings.recoveredAccuracy}`);
    });
  }

  private async badDeployment(): Promise<void> {
    this.announce('4/6 someone deploys v3 by hand: it learned the amount effect backwards (expected accuracy ≈ 0.50)');
    this.milestones.badDeploy = Date.now();
    await this.traffic('4 bad deploy', ['concept-drift', 'bad-deployment'], { servingVersion: 'v2', retrained: true, badVersion: 'v3', announce: false }, async () => {
      this.milestones.rollbackRequested = await this.ctx.feed.waitFor(
        'rollbackRequested',
        (e) => e.value.modelId === MODEL_ID && e.value.fromVersion === 'v3',
        this.timeoutMs(),
        `no RollbackRequested ${this.ctx.settings.phaseTimeoutS} s after deploying v3: see ${LOGS}/orchestrator.log (probation decisions) and ${LOGS}/monitor.log`,
        this.ctx.signal,
      );
    });
  }

  private async rollback(): Promise<void> {
    const { vigil, settings } = this.ctx;
    const request = this.milestones.rollbackRequested!;
    this.announce(`5/6 the demo plays the deployer: rolling back to ${request.value.toVersion}`);
    await vigil.recordModelDeployed({ modelId: MODEL_ID, version: request.value.toVersion, reason: 'rollback', incidentId: request.value.incidentId });
    await vigil.flush();
    this.milestones.rolledBack = Date.now();
    await this.traffic('5 rolled back', ['concept-drift'], { servingVersion: request.value.toVersion, retrained: true, announce: false }, async () => {
      await this.ctx.feed.waitFor('modelDeployed', (e) => e.value.reason === 'rollback', this.timeoutMs(), `ModelDeployed (rollback) never came back from Kafka`, this.ctx.signal);
      await sleep(settings.afterRollbackSeconds * 1000, this.ctx.signal);
      await this.untilAccuracy(request.value.toVersion, settings.recoveredAccuracy, `${request.value.toVersion} did not recover accuracy ${settings.recoveredAccuracy}`);
    });
  }

  private async labelsLag(): Promise<void> {
    const { settings, feed } = this.ctx;
    const version = this.milestones.rollbackRequested!.value.toVersion;
    const lagS = (settings.labelDelayMeanS * LAGGING_LABEL_FACTOR) / settings.timeScale;
    this.announce(
      `6/6 requests move to where ${version} is unsure (accuracy ≈ 0.83 → 0.60, the truth still following its scores) while chargebacks lag (labels ~${lagS} s late): the estimate speaks before the labels`,
    );
    const onset = Date.now();
    this.milestones.uncertainShift = onset;
    const alertOf = (matches: (rule: AlertRule) => boolean, what: string): Promise<AlertEvent> =>
      feed.waitFor(
        'alert',
        (e) => e.receivedAt >= onset && e.value.modelVersion === version && isAlertRule(e.value.rule) && matches(e.value.rule),
        this.timeoutMs(),
        `no ${what} alert for ${version} ${settings.phaseTimeoutS} s after the shift: see ${LOGS}/monitor.log`,
        this.ctx.signal,
      );
    await this.traffic('6 labels lag', ['concept-drift', 'uncertain-shift', 'lagging-labels'], { servingVersion: version, retrained: true, announce: false }, async () => {
      [this.milestones.estimatedAlert, this.milestones.labelledAlert] = await Promise.all([
        alertOf((rule) => rule === 'estimated_accuracy_drop', 'estimated_accuracy_drop'),
        alertOf((rule) => ALERT_RULES[rule].needsLabels, 'label-based'),
      ]);
    });
  }

  /** Runs traffic while `goal` is pursued; stops it (abandoning labels still due) once the goal is met or failed. */
  private async traffic(phase: string, scenarios: Scenario[], lifecycle: NonNullable<TrafficOptions['lifecycle']>, goal: () => Promise<void>): Promise<void> {
    const { settings } = this.ctx;
    this.phase = phase;
    const stop = new AbortController();
    const interrupt = () => stop.abort();
    this.ctx.signal.addEventListener('abort', interrupt, { once: true });
    const run = runSimulation(
      {
        // One seed per phase: each phase draws new requests.
        seed: settings.seed + Number.parseInt(phase, 10),
        models: [MODEL_ID],
        // Enough traffic to outlast the phase's time limit; the phase stops it earlier.
        events: settings.rate * (settings.phaseTimeoutS + settings.steadySeconds + settings.retrainedSeconds + 60),
        rate: settings.rate,
        timeScale: settings.timeScale,
        labelDelayMeanS: settings.labelDelayMeanS,
        labelMissingShare: settings.labelMissingShare,
        progressIntervalMs: 250,
        lifecycle,
        scenario: { scenarios: [...scenarios, 'malformed'], changeAt: 0, spikeLength: 0, malformedShare: settings.malformedShare },
      },
      this.ctx.vigil,
      { malformed: this.ctx.malformed, signal: stop.signal, onProgress: (p) => (this.current = p) },
    );
    const outcome = await goal().then(
      () => null,
      (error: unknown) => ({ error }),
    );
    stop.abort();
    this.ctx.signal.removeEventListener('abort', interrupt);
    const stats = await run;
    this.sent.predictions += stats.predictions;
    this.sent.labels += stats.labels;
    this.sent.malformed += stats.malformed;
    this.current = null;
    if (outcome) throw outcome.error;
    if (stats.sendErrors > 0) throw new Error(`${stats.sendErrors} records could not be sent: ${stats.firstSendError}`);
  }

  /** Polls the monitor until `version` has a full window at or above `minimum`. */
  private async untilAccuracy(version: string, minimum: number, what: string): Promise<void> {
    const deadline = Date.now() + this.timeoutMs();
    for (;;) {
      const now = await versionAccuracy(this.ctx.urls, MODEL_ID, version);
      if (now && now.accuracy !== null && now.windowLabelled >= this.ctx.settings.metricWindow && now.accuracy >= minimum) return;
      if (Date.now() > deadline) {
        throw new DemoTimeoutError(`${what} within ${this.ctx.settings.phaseTimeoutS} s (last: ${JSON.stringify(now)}): see ${LOGS}/monitor.log`);
      }
      await sleep(1_000, this.ctx.signal);
    }
  }

  private timeoutMs(): number {
    return this.ctx.settings.phaseTimeoutS * 1000;
  }

  private elapsedS(at = Date.now()): number {
    return (at - this.milestones.start) / 1000;
  }

  private announce(text: string): void {
    this.ctx.print('');
    this.ctx.print(`${clockOf(this.elapsedS())} ==> ${text}`);
  }

  private onEvent(event: FeedEvent): void {
    if (event.type === 'modelDeployed' && event.value.modelId === MODEL_ID) this.serving = event.value.version;
    // Repeats of an open alert episode say nothing new.
    if (event.type === 'alert' && this.isRepeat(event)) return;
    for (const line of describeEvent(event)) this.ctx.print(`${clockOf(this.elapsedS(event.receivedAt))} ${line}`);
  }

  private isRepeat(event: Extract<FeedEvent, { type: 'alert' }>): boolean {
    const a = event.value;
    return this.ctx.feed.events.some(
      (e) =>
        e !== event &&
        e.type === 'alert' &&
        e.receivedAt <= event.receivedAt &&
        e.value.modelVersion === a.modelVersion &&
        e.value.rule === a.rule &&
        e.value.since.getTime() === a.since.getTime(),
    );
  }

  private async tick(): Promise<void> {
    if (this.ctx.signal.aborted) return;
    const [accuracy, incidents] = await Promise.all([versionAccuracy(this.ctx.urls, MODEL_ID, this.serving), openIncidents(this.ctx.urls, MODEL_ID)]);
    const c = this.current;
    this.ctx.print(
      progressLine({
        elapsedS: this.elapsedS(),
        phase: this.phase,
        serving: this.serving,
        predictions: this.sent.predictions + (c?.predictions ?? 0),
        labels: this.sent.labels + (c?.labels ?? 0),
        malformed: this.sent.malformed + (c?.malformed ?? 0),
        accuracy: accuracy?.accuracy ?? null,
        windowLabelled: accuracy?.windowLabelled ?? 0,
        estimatedAccuracy: accuracy?.estimatedAccuracy ?? null,
        openIncidents: incidents,
      }),
    );
  }

  private async summary(): Promise<void> {
    const { print, urls, tokenFiles, database, feed } = this.ctx;
    const m = this.milestones;
    const withToken = (file: string) => `-H "Authorization: Bearer $(cat ${file})"`;
    const firstAfter = (from: number, version: string, severity?: string) =>
      feed.events.find((e) => e.type === 'alert' && e.receivedAt >= from && e.value.modelVersion === version && (!severity || e.value.severity === severity));
    print('');
    print('==> Summary');
    print(`  predictions ${this.sent.predictions}, labels ${this.sent.labels}, malformed records ${this.sent.malformed}, story ${this.elapsedS().toFixed(0)} s`);
    const line = (label: string, from: number | undefined, event: FeedEvent | undefined) => {
      if (from === undefined) return;
      const what = event ? `${secondsBetween(from, event.receivedAt)}` : 'never';
      const detail = event?.type === 'alert' ? ` (${event.value.severity} ${event.value.rule})` : '';
      print(`    ${label.padEnd(36)} ${what}${detail}`);
    };
    print('  timings (as seen by this demo on Kafka):');
    line('drift onset → first alert', m.driftOnset, m.driftOnset ? firstAfter(m.driftOnset, 'v1') : undefined);
    line('drift onset → first CRITICAL alert', m.driftOnset, m.driftOnset ? firstAfter(m.driftOnset, 'v1', 'CRITICAL') : undefined);
    line('drift onset → RetrainRequested', m.driftOnset, m.retrainRequested);
    line('bad deploy (v3) → RollbackRequested', m.badDeploy, m.rollbackRequested);
    line('uncertain shift → estimated alert', m.uncertainShift, m.estimatedAlert);
    line('uncertain shift → first label-based', m.uncertainShift, m.labelledAlert);
    print('');
    print('  where things are:');
    print(`    ingestor      ${urls.ingestor}/health  ${urls.ingestor}/metrics`);
    print(`    monitor       ${urls.monitor}/health  ${urls.monitor}/metrics  ${urls.monitor}/models/${MODEL_ID}/metrics`);
    print(`    orchestrator  ${urls.orchestrator}/health  ${urls.orchestrator}/metrics  ${urls.orchestrator}/models/${MODEL_ID}`);
    print('');
    print(`  the model APIs need a bearer token (docs/api-auth.md); this run's are in ${tokenFiles.read} (read) and ${tokenFiles.write} (write)`);
    print(`  deployment history: curl ${withToken(tokenFiles.read)} ${urls.orchestrator}/models/${MODEL_ID}/history`);
    for (const d of await deploymentHistory(urls, MODEL_ID)) {
      print(`    ${d.deployedAt}  ${d.version}  ${d.reason.padEnd(8)} ${d.incidentId ?? ''}  by ${d.changedBy || '(Kafka, not the HTTP API)'}`);
    }
    print(`  (also /models/${MODEL_ID}/incidents and /models/${MODEL_ID}/decisions?limit=20)`);
    print(
      `  change a policy (write token): curl -X PUT ${withToken(tokenFiles.write)} -H 'content-type: application/json' ${urls.orchestrator}/models/${MODEL_ID}/policy -d '{"retrain": {"enabled": false}}'`,
    );
    print('');
    print(`  ClickHouse (database ${database}); try: curl '${urls.clickhouse}/?database=${database}' --data-binary "<query>"`);
    for (const query of summaryQueries(MODEL_ID)) {
      print('');
      print(`  -- ${query.title}`);
      print(`  ${query.sql}`);
      const result = await clickhouseQuery(urls, database, `${query.sql} FORMAT PrettyCompactNoEscapes`);
      for (const row of result.trimEnd().split('\n')) print(`    ${row}`);
    }
  }
}
