import { getJson } from './api';
import { sparkline } from './charts';
import { fmt, h, incidentHref, link, modelHref, pct, time } from './dom';
import type { Fleet, Status } from './types';

/** The fleet page: every model, searchable, sortable and paged by the API (so 1,000 models cost one page of rows). */

const PAGE_SIZE = 50;
const COLUMNS: { key: string; label: string }[] = [
  { key: 'model', label: 'Model' },
  { key: 'status', label: 'Status' },
  { key: 'metric', label: 'Rolling metric' },
  { key: 'coverage', label: 'Label coverage' },
  { key: 'alerts', label: 'Open alerts' },
  { key: 'incidents', label: 'Open incidents' },
  { key: 'lastEvent', label: 'Last event' },
];

interface FleetState {
  search: string;
  status: Status | '';
  sort: string;
  order: 'asc' | 'desc';
  offset: number;
}

const state: FleetState = { search: '', status: '', sort: 'status', order: 'desc', offset: 0 };

const STATUS_COLOR: Record<Status, string> = { healthy: '#2bb673', degraded: '#f0a500', incident: '#e5484d' };

export async function renderFleet(root: HTMLElement): Promise<void> {
  const q = new URLSearchParams({ search: state.search, status: state.status, sort: state.sort, order: state.order, offset: String(state.offset), limit: String(PAGE_SIZE) });
  const fleet = await getJson<Fleet>(`/api/fleet?${q}`);
  const search = h('input', { type: 'search', id: 'fleet-search', placeholder: 'Search models', value: state.search });
  let typing: number | undefined;
  search.addEventListener('input', () => {
    clearTimeout(typing);
    typing = window.setTimeout(() => {
      state.search = search.value;
      state.offset = 0;
      void renderFleet(root);
    }, 250);
  });
  const filter = h(
    'select',
    { id: 'fleet-status' },
    h('option', { value: '' }, 'all statuses'),
    ...(['healthy', 'degraded', 'incident'] as const).map((s) => h('option', { value: s, selected: state.status === s }, `${s} (${fleet.counts[s]})`)),
  );
  filter.addEventListener('change', () => {
    state.status = filter.value as Status | '';
    state.offset = 0;
    void renderFleet(root);
  });
  const head = h(
    'tr',
    {},
    ...COLUMNS.map((c) => {
      const th = h('th', { class: 'sortable', 'data-sort': c.key }, c.label, state.sort === c.key ? (state.order === 'desc' ? ' ▼' : ' ▲') : '');
      th.addEventListener('click', () => {
        state.order = state.sort === c.key && state.order === 'desc' ? 'asc' : 'desc';
        state.sort = c.key;
        void renderFleet(root);
      });
      return th;
    }),
  );
  const body = h('tbody');
  const sparks: [HTMLElement, Fleet['rows'][number]][] = [];
  for (const r of fleet.rows) {
    const spark = h('div', { class: 'spark' });
    sparks.push([spark, r]);
    body.append(
      h(
        'tr',
        { class: `model-row status-${r.status}`, 'data-model': r.modelId },
        h('td', {}, link(modelHref(r.modelId), r.modelId), h('div', { class: 'muted' }, `serving ${r.servingVersion || '–'}`)),
        h('td', {}, h('span', { class: `badge ${r.status}` }, r.status === 'incident' ? 'incident open' : r.status)),
        h('td', { class: 'metric-cell' }, h('div', {}, r.metric ? `${r.metric} ${fmt(r.metricValue)}` : '–'), spark),
        h('td', {}, pct(r.labelCoverage)),
        h('td', { class: 'num' }, String(r.openAlerts)),
        h('td', { class: 'num' }, r.latestOpenIncidentId ? link(incidentHref(r.latestOpenIncidentId), String(r.openIncidents)) : String(r.openIncidents)),
        h('td', {}, r.lastEventMs > 0 ? time(r.lastEventMs) : '–'),
      ),
    );
  }
  const prev = h('button', { id: 'fleet-prev', disabled: state.offset === 0 }, '← previous');
  const next = h('button', { id: 'fleet-next', disabled: state.offset + PAGE_SIZE >= fleet.total }, 'next →');
  prev.addEventListener('click', () => {
    state.offset = Math.max(0, state.offset - PAGE_SIZE);
    void renderFleet(root);
  });
  next.addEventListener('click', () => {
    state.offset += PAGE_SIZE;
    void renderFleet(root);
  });
  const focused = document.activeElement === root.querySelector('#fleet-search');
  root.replaceChildren(
    h('h1', {}, 'Fleet'),
    h(
      'div',
      { class: 'summary' },
      h('span', { class: 'badge healthy' }, `${fleet.counts.healthy} healthy`),
      h('span', { class: 'badge degraded' }, `${fleet.counts.degraded} degraded`),
      h('span', { class: 'badge incident' }, `${fleet.counts.incident} with an open incident`),
    ),
    h('div', { class: 'toolbar' }, search, filter),
    h('table', { class: 'fleet', id: 'fleet-table' }, h('thead', {}, head), body),
    h(
      'div',
      { class: 'pager' },
      prev,
      h('span', { id: 'fleet-range' }, fleet.total === 0 ? 'no models' : `${state.offset + 1}–${Math.min(state.offset + PAGE_SIZE, fleet.total)} of ${fleet.total}`),
      next,
    ),
  );
  if (focused) {
    search.focus();
    search.setSelectionRange(search.value.length, search.value.length);
  }
  for (const [el, r] of sparks) if (r.sparkline.length > 1) sparkline(`spark:${r.modelId}`, el, r.sparkline, STATUS_COLOR[r.status]);
}
