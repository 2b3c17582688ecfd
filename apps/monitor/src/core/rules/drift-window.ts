/** A closed drift window of a version: `rows` predictions whose event times span [start, end]. */
export interface ClosedDriftWindow {
  start: number;
  end: number;
  rows: number;
}

/** The event-time span every drift and quality evidence item carries. */
export function windowSpan(window: ClosedDriftWindow): { windowStart: Date; windowEnd: Date } {
  return { windowStart: new Date(window.start), windowEnd: new Date(window.end) };
}
