import { Evidence } from '@vigil/contracts';
import { FeedEvent } from './lifecycle-feed';

/** What one progress line shows. */
export interface ProgressView {
  elapsedS: number;
  phase: string;
  serving: string;
  predictions: number;
  labels: number;
  malformed: number;
  /** The monitor's rolling accuracy of the serving version, null before its first labelled window. */
  accuracy: number | null;
  windowLabelled: number;
  /** Its CBPE-estimated accuracy over the latest window of predictions, labelled or not; null before the first estimate. */
  estimatedAccuracy: number | null;
  openIncidents: number | null;
}

const fixed = (value: number | null, digits: number) => (value === null ? '  -  ' : value.toFixed(digits));

export function clockOf(elapsedS: number): string {
  return `[${elapsedS.toFixed(0).padStart(4)} s]`;
}

export function progressLine(p: ProgressView): string {
  return [
    `${clockOf(p.elapsedS)} ${p.phase.padEnd(13)}`,
    `serving ${p.serving.padEnd(3)}`,
    `sent ${String(p.predictions).padStart(5)} predictions ${String(p.labels).padStart(5)} labels ${String(p.malformed).padStart(3)} malformed`,
    `accuracy ${fixed(p.accuracy, 3)} (${p.windowLabelled} labels), estimated ${fixed(p.estimatedAccuracy, 3)}`,
    `open incidents ${p.openIncidents ?? '?'}`,
  ].join(' | ');
}

export function evidenceLine(e: Evidence): string {
  const parts = [`${e.metric}${e.feature ? `[${e.feature}]` : ''} = ${e.value.toFixed(4)}`];
  if (e.threshold !== null) parts.push(`threshold ${e.threshold.toFixed(4)}`);
  if (e.baseline !== null) parts.push(`baseline ${e.baseline.toFixed(4)}`);
  parts.push(`n = ${e.sampleSize}`, `window ${e.windowStart.toISOString().slice(11, 19)}–${e.windowEnd.toISOString().slice(11, 19)}`);
  return parts.join(', ');
}

/** The lines printed when a lifecycle event arrives. */
export function describeEvent(event: FeedEvent): string[] {
  switch (event.type) {
    case 'alert': {
      const a = event.value;
      return [`ALERT ${a.severity} ${a.rule} on ${a.modelId} ${a.modelVersion}: ${a.message}`];
    }
    case 'retrainRequested': {
      const r = event.value;
      return [
        `RETRAIN REQUESTED for ${r.modelId} ${r.modelVersion} (incident ${r.incidentId}, policy ${r.policy})`,
        `  reason: ${r.reason}`,
        ...r.evidence.map((e) => `  evidence: ${evidenceLine(e)}`),
      ];
    }
    case 'rollbackRequested': {
      const r = event.value;
      return [
        `ROLLBACK REQUESTED for ${r.modelId}: ${r.fromVersion} → ${r.toVersion} (incident ${r.incidentId})`,
        `  reason: ${r.reason}`,
        ...r.evidence.map((e) => `  evidence: ${evidenceLine(e)}`),
      ];
    }
    case 'modelDeployed': {
      const d = event.value;
      return [`DEPLOYED ${d.modelId} ${d.version} (reason ${d.reason}${d.incidentId ? `, incident ${d.incidentId}` : ''})`];
    }
  }
}

/** Seconds between two instants, one decimal. */
export function secondsBetween(from: number, to: number): string {
  return `${((to - from) / 1000).toFixed(1)} s`;
}
