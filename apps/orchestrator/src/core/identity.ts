import { createHash } from 'node:crypto';

export type LifecycleAction = 'retrain' | 'rollback';

function digest(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Formats 32 hex digits as a UUID-shaped string (version nibble 5: name-based). */
function uuidShape(hex: string): string {
  const h = `${hex.slice(0, 12)}5${hex.slice(13, 16)}${((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16)}${hex.slice(17, 32)}`;
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/**
 * Deterministic incident id: the same model, version, action and opening event give
 * the same id in every process and after every restart, which is what lets a
 * redelivered alert land on the incident it already opened.
 */
export function incidentIdFor(modelId: string, modelVersion: string, action: LifecycleAction, openingEventId: string): string {
  return `inc-${digest(JSON.stringify([modelId, modelVersion, action, openingEventId])).slice(0, 24)}`;
}

/** The eventId of the one request an incident produces: downstream dedupes on it. */
export function requestEventIdFor(incidentId: string): string {
  return uuidShape(digest(`request:${incidentId}`));
}
