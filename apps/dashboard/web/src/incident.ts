import { getJson } from './api';
import { fmt, h, link, modelHref, section, time } from './dom';
import type { IncidentView } from './types';

/** The incident page: the evidence, the decisions and why, and the SQL that reproduces each number. */

function sqlBlock(text: string): HTMLElement {
  const pre = h('pre', { class: 'sql' }, text);
  const copy = h('button', { class: 'copy' }, 'copy');
  copy.addEventListener('click', () => void navigator.clipboard?.writeText(text));
  return h('div', { class: 'sql-wrap' }, copy, pre);
}

export async function renderIncident(root: HTMLElement, incidentId: string): Promise<void> {
  const i = await getJson<IncidentView>(`/api/incidents/${encodeURIComponent(incidentId)}`);
  root.replaceChildren(
    h(
      'h1',
      {},
      `Incident: ${i.action} of `,
      link(modelHref(i.modelId), i.modelId),
      ` ${i.version}`,
      h('span', { class: `badge ${i.status === 'open' ? 'incident' : 'healthy'}` }, i.status),
    ),
    h('p', {}, i.reason),
    h(
      'dl',
      { class: 'facts' },
      h('dt', {}, 'opened'),
      h('dd', {}, time(i.openedAt)),
      h('dt', {}, 'closed'),
      h('dd', {}, i.closedAt ? `${time(i.closedAt)} (${i.resolution})` : '–'),
      h('dt', {}, 'policy'),
      h('dd', {}, i.policy),
      h('dt', {}, 'request'),
      h('dd', {}, `${i.requestTopic} (${i.requestStatus})`),
      h('dt', {}, 'incident id'),
      h('dd', {}, i.incidentId),
    ),
    section(
      'Evidence',
      i.evidence.length === 0
        ? h('p', { class: 'muted' }, 'The request carries no evidence.')
        : h(
            'div',
            { id: 'evidence' },
            ...i.evidence.map((e) =>
              h(
                'div',
                { class: 'evidence' },
                h(
                  'h3',
                  {},
                  `${e.feature ? `${e.feature}: ` : ''}${e.metric} = ${fmt(e.value, 4)}`,
                  e.threshold !== null ? ` (threshold ${e.threshold})` : '',
                  e.baseline !== null ? `, baseline ${fmt(e.baseline, 4)}` : '',
                ),
                h('p', { class: 'muted' }, `window ${time(e.windowStart)} → ${time(e.windowEnd)}, ${e.sampleSize} samples`),
                ...e.sql.map(sqlBlock),
              ),
            ),
          ),
    ),
    ...(i.openingAlert
      ? [section('Opening alert', h('p', {}, `${i.openingAlert.severity} ${i.openingAlert.rule} at ${time(i.openingAlert.observedAt)}: ${i.openingAlert.message}`))]
      : []),
    section(
      'Decisions and why',
      h(
        'ol',
        { class: 'timeline', id: 'decisions' },
        ...i.decisions.map((d) =>
          h(
            'li',
            {},
            h('span', { class: 'when' }, time(d.decidedAt)),
            h('span', { class: 'tag decision' }, `${d.action} → ${d.outcome}`),
            ` from ${d.sourceEventType} ${d.sourceEventId.slice(0, 8)}, policy ${d.policy}${d.changedBy ? `, by ${d.changedBy}` : ''}`,
            h('ul', {}, ...d.reasons.map((r) => h('li', {}, r))),
          ),
        ),
      ),
      sqlBlock(i.sql.decisions),
    ),
    section('This incident in ClickHouse', sqlBlock(i.sql.incident)),
  );
}
