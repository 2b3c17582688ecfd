/**
 * Fleet memory: one monitor process holding 1, 10, 100 and 1,000 models, each the
 * monitor's own ModelMonitor (apps/monitor/src/core) at the default configuration with 20
 * numeric features, fed 5,000 predictions and 5,000 labels (label of prediction i after
 * prediction i + LABEL_LAG), time passed in, `tick` every 100 events. In-process, no Kafka
 * and no ClickHouse: it measures the monitor's state, not its edges.
 *
 *   npm run bench:fleet                       (prerequisites: none beyond `npm ci`)
 *   FLEET_SIZES=1,10 npm run bench:fleet
 *   FLEET_HEAPS=default npm run bench:fleet   (only Node's default heap; default: also --optimize-for-size)
 *
 * Each fleet size runs in a fresh child process (node --expose-gc), so its RSS is its own.
 * Printed per size: RSS and heap after gc(), their growth over the same process before any
 * model was made (the baseline), the checkpoint bytes per model (JSON.stringify of
 * `toCheckpoint().state`, what the checkpointer writes on every checkpoint), the drift
 * reference's bytes (stored once per content, apart), the checkpoint's parts (where the
 * state is), and events/s against a same-run baseline that only generates the events.
 */
import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import type { LabelEvent, PredictionEvent } from '@vigil/contracts';
import { mulberry32 } from '@vigil/monitoring';
import { DEFAULT_MODEL_CONFIG, effectiveConfig } from '../apps/monitor/src/core/model-config';
import { ModelMonitor } from '../apps/monitor/src/core/model-monitor';
import { printBenchTable, BenchRow } from './table';

const FEATURES = 20;
const EVENTS_PER_MODEL = Number(process.env.FLEET_EVENTS ?? 5_000);
const LABEL_LAG = 200;
const CHUNK = 100; // predictions fed to one model before the next model's turn (round robin)
const T0 = Date.UTC(2026, 0, 1);
const FEATURE_NAMES = Array.from({ length: FEATURES }, (_, f) => `f${f}`);
const MiB = 1048576;

interface Sample {
  models: number;
  rssMiB: number;
  heapMiB: number;
  heapTotalMiB: number;
  arrayBuffersMiB: number;
  baseRssMiB: number;
  baseHeapMiB: number;
  checkpointBytesPerModel: number;
  referenceBytesPerModel: number;
  parts: Record<string, number>;
  eventsPerS: number;
  generateOnlyEventsPerS: number;
}

function gcNow(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

function prediction(model: string, i: number, rand: () => number): PredictionEvent {
  const numericFeatures: Record<string, number> = {};
  for (let f = 0; f < FEATURES; f++) numericFeatures[FEATURE_NAMES[f]] = (rand() + rand() + rand()) * (f + 1);
  const score = rand();
  return {
    eventId: `${model}-p${i}`,
    modelId: model,
    modelVersion: 'v1',
    eventTime: new Date(T0 + i * 1000),
    entityId: null,
    task: 'CLASSIFICATION',
    numericFeatures,
    categoricalFeatures: {},
    predictedClass: score >= 0.5 ? 'yes' : 'no',
    scores: { yes: score },
    predictedValue: null,
    latencyMs: 5 + rand() * 20,
    tags: {},
  };
}

function label(model: string, i: number, rand: () => number): LabelEvent {
  return {
    eventId: `${model}-l${i}`,
    predictionEventId: `${model}-p${i}`,
    modelId: model,
    eventTime: new Date(T0 + i * 1000 + 500),
    trueClass: rand() < 0.8 ? 'yes' : 'no',
    trueValue: null,
  };
}

/** Feeds every model its events, round robin in chunks; with `monitors` null it only generates them (the baseline). */
function feed(modelIds: string[], monitors: ModelMonitor[] | null): number {
  const rands = modelIds.map((_, k) => mulberry32(1000 + k));
  let sink = 0;
  const t0 = process.hrtime.bigint();
  for (let from = 0; from < EVENTS_PER_MODEL + LABEL_LAG; from += CHUNK) {
    for (let k = 0; k < modelIds.length; k++) {
      const id = modelIds[k];
      const rand = rands[k];
      const m = monitors?.[k];
      for (let i = from; i < from + CHUNK; i++) {
        if (i < EVENTS_PER_MODEL) {
          const p = prediction(id, i, rand);
          if (m) m.onPrediction(p);
          else sink += p.latencyMs;
        }
        const j = i - LABEL_LAG;
        if (j >= 0 && j < EVENTS_PER_MODEL) {
          const l = label(id, j, rand);
          if (m) m.onLabel(l);
          else sink += l.eventId.length;
        }
      }
      if (m) m.tick(T0 + Math.min(from + CHUNK, EVENTS_PER_MODEL) * 1000);
    }
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (sink < 0) console.log('unreachable');
  return (modelIds.length * EVENTS_PER_MODEL * 2) / seconds;
}

function measure(models: number): Sample {
  gcNow();
  const base = process.memoryUsage();
  const ids = Array.from({ length: models }, (_, k) => `model-${k}`);
  const generateOnlyEventsPerS = feed(ids.slice(0, Math.min(models, 100)), null);
  const config = effectiveConfig(DEFAULT_MODEL_CONFIG);
  let n = 0;
  const options = { snapshotIntervalMs: 60_000, clock: { now: () => T0 }, ids: { next: () => `id-${++n}` } };
  const monitors = ids.map((id) => new ModelMonitor(id, config, options));
  const eventsPerS = feed(ids, monitors);
  gcNow();
  const after = process.memoryUsage();
  let bytes = 0;
  let referenceBytes = 0;
  const parts: Record<string, number> = {};
  for (const m of monitors) {
    const checkpoint = m.toCheckpoint();
    if (checkpoint.reference) referenceBytes += Buffer.byteLength(JSON.stringify(checkpoint.reference.summary()));
    const state = checkpoint.state as unknown as Record<string, unknown>;
    bytes += Buffer.byteLength(JSON.stringify(state));
    for (const [key, value] of Object.entries(state)) parts[key] = (parts[key] ?? 0) + Buffer.byteLength(JSON.stringify(value ?? null));
  }
  for (const key of Object.keys(parts)) parts[key] = Math.round(parts[key] / models);
  return {
    models,
    rssMiB: after.rss / MiB,
    heapMiB: after.heapUsed / MiB,
    heapTotalMiB: after.heapTotal / MiB,
    arrayBuffersMiB: after.arrayBuffers / MiB,
    baseRssMiB: base.rss / MiB,
    baseHeapMiB: base.heapUsed / MiB,
    checkpointBytesPerModel: bytes / models,
    referenceBytesPerModel: referenceBytes / models,
    parts,
    eventsPerS,
    generateOnlyEventsPerS,
  };
}

function main(): void {
  const child = process.argv[2];
  if (child) {
    process.stdout.write(JSON.stringify(measure(Number(child))));
    return;
  }
  const sizes = (process.env.FLEET_SIZES ?? '1,10,100,1000').split(',').map(Number);
  const rows: BenchRow[] = [];
  const parts: string[] = [];
  // Node's defaults, then V8's --optimize-for-size (a smaller heap headroom: docs/monitor.md "Memory").
  const heaps = (process.env.FLEET_HEAPS ?? 'default,optimize-for-size').split(',');
  for (const size of sizes)
    for (const heap of heaps) {
      const out = execFileSync(process.execPath, ['--expose-gc', ...(heap === 'default' ? [] : [`--${heap}`]), ...process.execArgv, __filename, String(size)], {
        encoding: 'utf8',
        maxBuffer: 1 << 24,
      });
      const s = JSON.parse(out) as Sample;
      const load = loadavg()[0].toFixed(2);
      const perModelMiB = (s.rssMiB - s.baseRssMiB) / s.models;
      rows.push([
        `${s.models} model(s) × ${FEATURES} features, ${EVENTS_PER_MODEL} predictions + ${EVENTS_PER_MODEL} labels each; V8 heap ${heap}`,
        `RSS ${s.rssMiB.toFixed(0)} MiB (+${(s.rssMiB - s.baseRssMiB).toFixed(0)}, ${perModelMiB.toFixed(2)} MiB/model), heap ${s.heapMiB.toFixed(0)} MiB (+${(s.heapMiB - s.baseHeapMiB).toFixed(0)}) of ${s.heapTotalMiB.toFixed(0)} MiB committed, array buffers ${s.arrayBuffersMiB.toFixed(0)} MiB`,
        `checkpoint ${(s.checkpointBytesPerModel / 1024).toFixed(1)} kB/model (+ reference ${(s.referenceBytesPerModel / 1024).toFixed(0)} kB stored once); ${(s.eventsPerS / 1e3).toFixed(0)} k events/s, ratio ${(s.eventsPerS / s.generateOnlyEventsPerS).toFixed(3)} to generating only (${(s.generateOnlyEventsPerS / 1e3).toFixed(0)} k/s); baseline fresh process RSS ${s.baseRssMiB.toFixed(0)} MiB; load ${load}`,
      ]);
      const top = Object.entries(s.parts)
        .sort((a, b) => b[1] - a[1])
        .slice(0, 6)
        .map(([k, v]) => `${k} ${(v / 1024).toFixed(1)} kB`)
        .join(', ');
      parts.push(`  ${s.models} model(s), heap ${heap}: checkpoint parts per model: ${top}`);
    }
  printBenchTable(`bench:fleet (in-process ModelMonitor, default config; targets at 1,000 models: ≤ 1536 MiB RSS, ≤ 64 kB checkpoint per model)`, rows);
  console.log('\nwhere the checkpoint goes:');
  for (const line of parts) console.log(line);
}

main();
