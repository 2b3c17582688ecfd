/** Reading the parallel metric arrays of a `metric_snapshots` row (libs/storage/migrations/020_monitor.sql). */

/** The metric a model's charts and sparkline show: accuracy for classification, MAE for regression. */
export const HEADLINE_METRICS = ['accuracy', 'mae'] as const;
export type HeadlineMetric = (typeof HEADLINE_METRICS)[number];

export function metricOf(names: readonly string[], values: readonly number[], name: string): number | null {
  const i = names.indexOf(name);
  return i < 0 ? null : Number(values[i]);
}

/** accuracy when the snapshot carries it, else MAE, else null (a snapshot before any label). */
export function headlineOf(names: readonly string[]): HeadlineMetric | null {
  return HEADLINE_METRICS.find((m) => names.includes(m)) ?? null;
}

/** ClickHouse's `DateTime('UTC')` text (`2026-01-01 00:00:00`) as epoch milliseconds. */
export function clickhouseTimeMs(text: string): number {
  return Date.parse(`${text.replace(' ', 'T')}Z`);
}
