import './style.css';
import { adoptTokenFromFragment, forgetToken, LiveChange, setToken, subscribeLive, token, Unauthorized } from './api';
import { destroyCharts } from './charts';
import { h, link, modelHref, time } from './dom';
import { renderFleet } from './fleet';
import { renderIncident } from './incident';
import { renderModel } from './model';

/** Path routing (/, /models/:id, /incidents/:id: the links Alertmanager annotations carry); every page re-renders on a live change. */

const app = document.getElementById('app')!;
const crumbs = document.getElementById('crumbs')!;
const liveStatus = document.getElementById('live-status')!;
const liveAlerts = document.getElementById('live-alerts')!;

type Route = { page: 'fleet' } | { page: 'model'; modelId: string } | { page: 'incident'; incidentId: string };

function route(): Route {
  const model = /^\/models\/([^/]+)$/.exec(location.pathname);
  if (model) return { page: 'model', modelId: decodeURIComponent(model[1]) };
  const incident = /^\/incidents\/([^/]+)$/.exec(location.pathname);
  if (incident) return { page: 'incident', incidentId: decodeURIComponent(incident[1]) };
  return { page: 'fleet' };
}

function askForToken(message: string): void {
  const input = h('input', { type: 'password', id: 'token-input', placeholder: 'read token', autocomplete: 'off' });
  const form = h('form', { class: 'token-form', id: 'token-form' }, h('h1', {}, 'Read token'), h('p', {}, message), input, h('button', { type: 'submit' }, 'Open the dashboard'));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    setToken(input.value);
    start();
  });
  app.replaceChildren(form);
  input.focus();
}

let rendering: Promise<void> = Promise.resolve();

async function render(): Promise<void> {
  const r = route();
  crumbs.replaceChildren(...(r.page === 'fleet' ? [] : [link('/', 'Fleet'), r.page === 'model' ? h('span', {}, ` / ${r.modelId}`) : h('span', {}, ' / incident')]));
  try {
    if (r.page === 'fleet') await renderFleet(app);
    else if (r.page === 'model') await renderModel(app, r.modelId);
    else await renderIncident(app, r.incidentId);
    app.dataset.rendered = String(Date.now());
  } catch (error) {
    if (error instanceof Unauthorized) {
      forgetToken();
      askForToken(`The API refused the token: ${error.message}`);
      return;
    }
    app.replaceChildren(h('div', { class: 'error' }, (error as Error).message));
  }
}

/** Renders once at a time; a change during a render queues one more. */
function refresh(): void {
  rendering = rendering.then(render, render);
}

function navigate(href: string): void {
  history.pushState(null, '', href);
  destroyCharts();
  refresh();
}

document.addEventListener('click', (event) => {
  const a = (event.target as HTMLElement).closest('a[data-link]');
  if (!a || event.ctrlKey || event.metaKey || event.shiftKey) return;
  event.preventDefault();
  navigate(a.getAttribute('href')!);
});
window.addEventListener('popstate', () => {
  destroyCharts();
  refresh();
});

let lastLiveRender = 0;
let pendingLive: number | undefined;

function onLive(change: LiveChange): void {
  for (const a of [...change.alerts].reverse()) {
    liveAlerts.prepend(
      h(
        'li',
        { class: `live-alert ${a.severity === 'CRITICAL' ? 'critical' : 'warning'}`, 'data-alert-id': a.alertId },
        h('span', { class: 'when' }, time(a.observedAt)),
        link(modelHref(a.modelId), a.modelId),
        ` ${a.severity} ${a.rule} on ${a.version}`,
      ),
    );
  }
  while (liveAlerts.children.length > 20) liveAlerts.lastElementChild!.remove();
  // At most one re-render a second, however fast the monitor publishes.
  const wait = Math.max(0, lastLiveRender + 1_000 - Date.now());
  clearTimeout(pendingLive);
  pendingLive = window.setTimeout(() => {
    lastLiveRender = Date.now();
    refresh();
  }, wait);
}

let live = false;

function start(): void {
  refresh();
  if (live) return;
  live = true;
  subscribeLive(onLive, (open) => {
    liveStatus.className = open ? 'live on' : 'live off';
    liveStatus.title = open ? 'live updates: connected' : 'live updates: reconnecting';
  });
}

adoptTokenFromFragment();
if (token()) start();
else askForToken('This dashboard reads the Vigil API with a read token (docs/api-auth.md). It is kept in this tab only (sessionStorage).');
