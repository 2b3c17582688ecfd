import { getJson } from './api';
import { lineChart, Marker, PALETTE } from './charts';
import { duration, fmt, h, incidentHref, link, pct, section, time } from './dom';
import type { ModelView } from './types';

/** The model page: metric per version with markers, latency, coverage and quality, drift heatmap, delays, segments, timeline, deployments. */

function markersOf(view: ModelView): Marker[] {
  return [
    ...view.markers.deployments.map((d): Marker => ({
      t: d.t,
      kind: d.reason === 'retrain' ? 'retrain' : d.reason === 'rollback' ? 'rollback' : 'deployment',
      label: `deployed ${d.version} (${d.reason}) ${time(d.t * 1000)}`,
    })),
    ...view.markers.alerts.map((a): Marker => ({
      t: a.t,
      kind: a.severity === 'CRITICAL' ? 'critical' : 'alert',
      label: `${a.severity} ${a.rule} on ${a.version} ${time(a.t * 1000)}`,
    })),
    ...view.markers.incidents.map((i): Marker => ({ t: i.t, kind: 'incident', label: `incident: ${i.action} requested ${time(i.t * 1000)}` })),
  ];
}

function heatColor(drifted: boolean, value: number | null, threshold: number, pValue: boolean): string {
  if (value === null) return '#1b2130';
  // Closeness to the threshold in [0, 1]: 1 at (or past) it.
  const closeness = pValue ? Math.min(1, threshold / Math.max(value, 1e-12)) : Math.min(1, value / threshold);
  if (drifted) return '#e5484d';
  const g = Math.round(60 + 120 * closeness);
  return `rgb(${g}, ${Math.round(140 - 40 * closeness)}, 80)`;
}

function heatmap(view: ModelView): HTMLElement {
  const hm = view.charts.heatmap;
  if (hm.features.length === 0) return h('p', { class: 'muted' }, 'No drift windows yet for the serving version (the reference is still filling, or no drift window has closed).');
  const step = Math.max(1, Math.ceil(hm.windows.length / 60));
  const cols = hm.windows.map((_, i) => i).filter((i) => i % step === 0 || i === hm.windows.length - 1);
  const table = h(
    'table',
    { class: 'heatmap', id: 'drift-heatmap' },
    h('thead', {}, h('tr', {}, h('th', {}, 'feature (test, threshold)'), ...cols.map((i) => h('th', { class: 'tick', title: time(hm.windows[i] * 1000) }, '')))),
    h(
      'tbody',
      {},
      ...hm.features.map((f, fi) => {
        const test = hm.tests[f];
        const pValue = test.criterion === 'p-value<threshold';
        return h(
          'tr',
          {},
          h(
            'th',
            { class: 'feature' },
            f,
            h('div', { class: 'muted' }, `${test.test}: ${pValue ? 'p <' : 'stat >'} ${test.threshold}${test.source === 'default' ? ' (default)' : ''}`),
          ),
          ...cols.map((i) => {
            const v = hm.values[fi][i];
            const cell = h('td', {
              class: hm.drifted[fi][i] ? 'cell drifted' : 'cell',
              title: `${f} at ${time(hm.windows[i] * 1000)}: ${pValue ? 'p-value' : 'statistic'} ${fmt(v, 4)}`,
            });
            cell.style.background = heatColor(hm.drifted[fi][i], v, test.threshold, pValue);
            return cell;
          }),
        );
      }),
    ),
  );
  return h(
    'div',
    { class: 'scroll' },
    table,
    h('p', { class: 'muted' }, `Version ${hm.version}; ${hm.windows.length} windows from ${hm.windows.length ? time(hm.windows[0] * 1000) : '–'}. Red: drifted.`),
  );
}

function delayHistogram(view: ModelView): HTMLElement {
  const d = view.labelDelay;
  if (d.labels === 0) return h('p', { class: 'muted' }, 'No labels joined to predictions in this range (the ingestor writes both tables).');
  const max = Math.max(...d.buckets.map((b) => b.count), 1);
  return h(
    'div',
    {},
    h('p', {}, `${d.labels} labels; p50 ${duration(d.p50Seconds)}, p90 ${duration(d.p90Seconds)}, p99 ${duration(d.p99Seconds)}`),
    h(
      'div',
      { class: 'bars', id: 'label-delay' },
      ...d.buckets.map((b) =>
        h(
          'div',
          { class: 'bar-row' },
          h('span', { class: 'bar-label' }, b.label),
          h('span', { class: 'bar', style: `width:${(100 * b.count) / max}%` }),
          h('span', { class: 'bar-count' }, String(b.count)),
        ),
      ),
    ),
  );
}

function timeline(view: ModelView): HTMLElement {
  type Entry = { t: string; kind: string; text: string; href?: string; extra?: string };
  const entries: Entry[] = [
    ...view.incidents.map((i): Entry => ({
      t: i.openedAt,
      kind: 'incident',
      text: `incident ${i.action} on ${i.version} (${i.status}${i.resolution ? `: ${i.resolution}` : ''})`,
      href: incidentHref(i.incidentId),
      extra: i.reason,
    })),
    ...view.decisions.map((d): Entry => ({
      t: d.decidedAt,
      kind: 'decision',
      text: `${d.action} → ${d.outcome} (${d.sourceEventType}, policy ${d.policy})`,
      extra: d.reasons.join('; '),
    })),
    ...view.alerts.map((a): Entry => ({
      t: a.observedAt,
      kind: a.severity === 'CRITICAL' ? 'critical' : 'alert',
      text: `${a.severity} ${a.rule} on ${a.version}`,
      extra: `${a.message}${a.evidence.length ? ` — evidence: ${a.evidence.map((e) => `${e.feature ? `${e.feature} ` : ''}${e.metric}=${fmt(e.value, 4)}${e.threshold !== null ? ` (threshold ${e.threshold})` : ''}`).join(', ')}` : ''}`,
    })),
    ...view.deployments.map((d): Entry => ({ t: d.deployedAt, kind: 'deployment', text: `deployed ${d.version} (${d.reason})` })),
  ].sort((a, b) => b.t.localeCompare(a.t));
  return h(
    'ol',
    { class: 'timeline', id: 'timeline' },
    ...entries
      .slice(0, 200)
      .map((e) =>
        h(
          'li',
          { class: `tl-${e.kind}` },
          h('span', { class: 'when' }, time(e.t)),
          h('span', { class: `tag ${e.kind}` }, e.kind),
          e.href ? link(e.href, e.text) : e.text,
          e.extra ? h('div', { class: 'muted' }, e.extra) : null,
        ),
      ),
  );
}

export async function renderModel(root: HTMLElement, modelId: string): Promise<void> {
  const view = await getJson<ModelView>(`/api/models/${encodeURIComponent(modelId)}`);
  const c = view.charts;
  const openIncidents = view.incidents.filter((i) => i.status === 'open');
  const metricChart = h('div', { class: 'chart', id: 'chart-metric' });
  const latencyChart = h('div', { class: 'chart', id: 'chart-latency' });
  const coverageChart = h('div', { class: 'chart', id: 'chart-coverage' });
  root.replaceChildren(
    h(
      'h1',
      {},
      view.modelId,
      h('span', { class: 'muted' }, ` serving ${view.servingVersion || '–'}`),
      openIncidents.length ? h('span', { class: 'badge incident' }, `${openIncidents.length} incident open`) : null,
    ),
    h('p', { class: 'muted' }, `${time(view.range.from)} → ${time(view.range.to)}, ${duration(view.range.bucketSeconds)} buckets`),
    section(
      `${c.metric ?? 'metric'} per version`,
      metricChart,
      h(
        'p',
        { class: 'legend-markers' },
        h('span', { class: 'key deployment' }, 'deployment'),
        h('span', { class: 'key retrain' }, 'retrain'),
        h('span', { class: 'key rollback' }, 'rollback'),
        h('span', { class: 'key alert' }, 'alert'),
        h('span', { class: 'key critical' }, 'critical alert'),
        h('span', { class: 'key incident' }, 'incident'),
      ),
    ),
    h('div', { class: 'grid2' }, section('Latency (ms, worst version)', latencyChart), section('Label coverage and quality breaches', coverageChart)),
    section('Drift per feature', heatmap(view)),
    h(
      'div',
      { class: 'grid2' },
      section('Label delay', delayHistogram(view)),
      section(
        `Segments of ${view.servingVersion}`,
        view.segments.length === 0
          ? h('p', { class: 'muted' }, 'No segments configured for this model.')
          : h(
              'table',
              { id: 'segments' },
              h(
                'thead',
                {},
                h('tr', {}, h('th', {}, 'segment'), h('th', {}, c.metric ?? 'metric'), h('th', {}, 'coverage'), h('th', {}, 'latency p95'), h('th', {}, 'predictions')),
              ),
              h(
                'tbody',
                {},
                ...view.segments.map((s) =>
                  h(
                    'tr',
                    {},
                    h('td', {}, `${s.key}=${s.value}`),
                    h('td', {}, fmt(s.metricValue)),
                    h('td', {}, pct(s.predictions ? s.labelled / s.predictions : null)),
                    h('td', {}, fmt(s.latencyP95, 1)),
                    h('td', { class: 'num' }, String(s.predictions)),
                  ),
                ),
              ),
            ),
      ),
    ),
    section(
      'Data-quality breaches',
      view.qualityBreaches.length === 0
        ? h('p', { class: 'muted' }, 'None in this range.')
        : h('ul', { id: 'quality' }, ...view.qualityBreaches.map((a) => h('li', {}, `${time(a.observedAt)} ${a.version}: ${a.message}`))),
    ),
    section('Incidents, decisions and alerts', timeline(view)),
    section(
      'Deployment history',
      h(
        'table',
        { id: 'deployments' },
        h('thead', {}, h('tr', {}, h('th', {}, 'deployed at'), h('th', {}, 'version'), h('th', {}, 'reason'), h('th', {}, 'incident'), h('th', {}, 'by'))),
        h(
          'tbody',
          {},
          ...view.deployments.map((d) =>
            h(
              'tr',
              {},
              h('td', {}, time(d.deployedAt)),
              h('td', {}, d.version),
              h('td', {}, d.reason),
              h('td', {}, d.incidentId ? link(incidentHref(d.incidentId), d.incidentId.slice(0, 8)) : '–'),
              h('td', {}, d.changedBy || 'kafka'),
            ),
          ),
        ),
      ),
    ),
  );
  const markers = markersOf(view);
  // Each version's CBPE estimate, dashed in the version's colour, next to its realised metric.
  const versions = Object.keys(c.metricByVersion);
  const colorOf = (version: string) => PALETTE[versions.indexOf(version) % PALETTE.length];
  lineChart(
    'metric',
    metricChart,
    c.times,
    [
      ...versions.map((version) => ({ label: version, values: c.metricByVersion[version], color: colorOf(version) })),
      ...Object.entries(c.estimatedByVersion).map(([version, values]) => ({ label: `${version} estimated`, values, color: colorOf(version), dash: [6, 4] })),
    ],
    { markers, yLabel: c.metric ?? '' },
  );
  lineChart(
    'latency',
    latencyChart,
    c.times,
    [
      { label: 'p50', values: c.latency.p50, color: '#2bb673' },
      { label: 'p95', values: c.latency.p95, color: '#f0a500' },
      { label: 'p99', values: c.latency.p99, color: '#e5484d' },
    ],
    { markers, height: 200 },
  );
  lineChart(
    'coverage',
    coverageChart,
    c.times,
    [
      { label: 'label coverage', values: c.labelCoverage, color: '#4c8dff' },
      { label: 'quality-breached columns', values: c.qualityBreachedColumns, color: '#e5484d', dash: [4, 4] },
    ],
    { markers, height: 200 },
  );
}
