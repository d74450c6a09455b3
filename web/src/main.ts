// Wires the dashboard together: network and health from the REST API, the binary stream into the
// map and the KPI panel, the intersection panel on click, simulation controls and the operator log.

import './style.css';
import {ApiError, api, token, type AuditEntry, type Health} from './api';
import {askToken, authorised} from './auth';
import {css, phaseColor} from './colors';
import {CityMap} from './map';
import {IntersectionPanel} from './panel';
import {KpiPanel, formatClock} from './kpi';
import {StateStream, type Frame, type Hello} from './stream';

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;

const panel = new IntersectionPanel($('intersection'), () => map.setSelected(null));
const map = new CityMap($<HTMLDivElement>('map'), {
  select(id) {
    if (id) openIntersection(id);
  },
});
function openIntersection(id: string): void {
  map.setSelected(id);
  panel.open(id);
  map.reveal(
      id, $('intersection').getBoundingClientRect().right - $('map').getBoundingClientRect().left);
}
const kpis = new KpiPanel($('tiles'), $('charts'));

// What the browser test (and a curious operator in the console) can read.
const live = {
  frames: 0,
  hello: null as Hello | null,
  last: null as null |
      {
        seq: number;
        time: number;
        vehicles: number;
        kpi: number[];
        phases: number[]
      },
  map,
  panel,
  screenOf: (id: string) => map.screenOf(id),
  kpiPoints: () => kpis.points,
};
(window as unknown as {citybrain: typeof live}).citybrain = live;

function showError(message: string|null): void {
  const el = $('map-error');
  el.hidden = !message;
  el.textContent = message ?? '';
}

function phaseLegend(maxPhases: number): void {
  const items = ['<span><i style="background:' + css(phaseColor(0)) + '"></i>0 change</span>'];
  for (let p = 1; p < Math.min(maxPhases, 9); ++p)
    items.push(`<span><i style="background:${css(phaseColor(p))}"></i>${p}</span>`);
  $('phase-legend').innerHTML = items.join('');
}

const stream = new StateStream(5, {
  hello(h) { live.hello = h; },
  frame(f: Frame) {
    if (live.frames === 0) void loadHistory(f.time);
    live.frames += 1;
    live.last = {
      seq: f.seq,
      time: f.time,
      vehicles: f.vehicles,
      kpi: Array.from(f.kpi),
      phases: Array.from(f.phases)
    };
    map.setFrame(f);
    kpis.push(f);
    $('sim-time').textContent = formatClock(f.time);
    $('vehicle-count').textContent = f.vehicles.toLocaleString('en-US');
  },
  status(s, detail) {
    const pill = $('conn');
    pill.dataset.state = s;
    pill.textContent = s === 'live' ? 'live' : s === 'connecting' ? 'connecting' : 'offline';
    pill.title = detail ?? '';
  },
});

// Health: speed, pause state, real-time factor, city name.
let health: Health|null = null;
function applyHealth(h: Health): void {
  health = h;
  $('city').textContent = h.city;
  $('rtf').textContent = `${h.real_time_factor.toFixed(1)}×`;
  const pause = $('pause');
  pause.textContent = h.paused ? 'Resume' : 'Pause';
  pause.classList.toggle('paused', h.paused);
  const select = $<HTMLSelectElement>('speed');
  if (document.activeElement !== select) {
    const v = String(+h.speed.toFixed(2));
    if (![...select.options].some((o) => o.value === v)) select.add(new Option(v, v));
    select.value = v;
  }
  $('kpi-note').textContent = h.paused ? 'paused' : 'live';
}
async function pollHealth(): Promise<void> {
  try {
    applyHealth(await api.health());
  } catch {
    // The stream's status pill already tells the operator the server is away.
  }
}

const LOCK =
    '<svg width="12" height="12" viewBox="0 0 16 16" aria-hidden="true"><rect x="2.5" y="7" width="11" height="8" rx="1.5" fill="currentColor"/><path d="M5 7V5a3 3 0 0 1 6 0v2" fill="none" stroke="currentColor" stroke-width="1.8"/></svg>';
function tokenButton(): void {
  const has = !!token.get();
  const b = $('token');
  b.innerHTML = `${LOCK}${has ? 'Operator · sign out' : 'Operator sign-in'}`;
  b.classList.toggle('signed-in', has);
}
$('token').onclick = async () => {
  if (token.get())
    token.clear();
  else {
    const typed = await askToken('operator actions');
    if (typed) token.set(typed);
  }
  tokenButton();
};
document.addEventListener('citybrain:token', tokenButton);

async function simControl(body: {paused?: boolean; speed?: number}, what: string): Promise<void> {
  try {
    const h = await authorised(what, () => api.sim(body));
    if (h) applyHealth(h);
  } catch (e) {
    showToast(e instanceof ApiError ? e.describe() : String(e));
    void pollHealth();
  }
}
$('pause').onclick = () => void simControl(
    {paused: !(health?.paused ?? false)},
    health?.paused ? 'resuming the simulation' : 'pausing the simulation');
$<HTMLSelectElement>('speed').onchange = (e) =>
    void simControl({speed: Number((e.target as HTMLSelectElement).value)}, 'changing the speed');
$('fit').onclick = () => map.fit();

let toastTimer = 0;
function showToast(message: string): void {
  let el = document.querySelector('.toast') as HTMLElement | null;
  if (!el) {
    el = document.createElement('div');
    el.className = 'toast';
    el.setAttribute('role', 'alert');
    document.body.appendChild(el);
  }
  el.textContent = message;
  el.classList.add('show');
  window.clearTimeout(toastTimer);
  toastTimer = window.setTimeout(() => el?.classList.remove('show'), 6000);
}

// The run so far, per simulated minute, for the charts (once, when the first frame arrives).
async function loadHistory(now: number): Promise<void> {
  const history = new Map<string, [number, number][]>();
  await Promise.all(kpis.metrics.map(async (metric) => {
    try {
      history.set(metric, (await api.history(metric, 0, now)).points);
    } catch {
      // No history store: the charts start with the live points.
    }
  }));
  kpis.prefill(history);
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function auditItem(e: AuditEntry): string {
  const detail = Object.entries(e.detail ?? {}).map(([k, v]) => `${k} ${String(v)}`).join(', ');
  // Simulation changes (pause, speed) have no intersection.
  const where = e.intersection ?
      ` at <a href="#" data-id="${esc(e.intersection)}">${esc(e.intersection)}</a>` :
      '';
  const why = e.reason ? ` — ${esc(e.reason)}` : '';
  return `<li><span class="when">${formatClock(e.sim_time)}</span><span class="what"><b>${
      esc(e.action)}</b> ${esc(detail)}${where}<br><span class="muted">${esc(e.who ?? '')}${
      why}</span></span></li>`;
}

async function pollAudit(): Promise<void> {
  try {
    const {entries} = await api.audit(12);
    const list = $('audit');
    if (!entries.length) return;
    list.innerHTML = entries.map(auditItem).join('');
  } catch {
    // Older servers without the audit log: keep the placeholder.
  }
}
$('audit').onclick = (e) => {
  const a = (e.target as HTMLElement).closest('a[data-id]') as HTMLElement | null;
  if (!a) return;
  e.preventDefault();
  openIntersection(a.dataset.id as string);
};

async function start(): Promise<void> {
  tokenButton();
  void pollHealth();
  for (let attempt = 0;; ++attempt) {
    try {
      const network = await api.network();
      map.setNetwork(network);
      phaseLegend(Math.max(2, ...map.signalised.map((s) => s.phases)));
      showError(null);
      break;
    } catch (e) {
      showError(`Cannot load the network: ${e instanceof ApiError ? e.describe() : String(e)}`);
      await new Promise((r) => setTimeout(r, Math.min(8000, 500 * 2 ** attempt)));
    }
  }
  stream.start();
  window.setInterval(() => void pollHealth(), 2000);
  void pollAudit();
  window.setInterval(() => void pollAudit(), 3000);
  window.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && panel.current && !document.querySelector('dialog[open]'))
      panel.close();
  });
}

void start();
