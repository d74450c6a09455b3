// The KPI panel: headline figures from each stream frame and live uPlot charts of the city's
// travel time, throughput, delay, congestion and vehicle count over simulated time.

import 'uplot/dist/uPlot.min.css';

import uPlot from 'uplot';

import {KPI, type Frame} from './stream';

interface ChartSpec {
  key: keyof typeof KPI;
  title: string;
  unit: string;
  color: string;
  scale?: number;
  digits: number;
}

const CHARTS: ChartSpec[] = [
  {key: 'att', title: 'Average travel time', unit: 's', color: '#38bdf8', digits: 1},
  {key: 'throughput', title: 'Throughput', unit: 'veh/h', color: '#34d399', digits: 0},
  {key: 'delay', title: 'Delay', unit: '%', color: '#fbbf24', scale: 100, digits: 1},
  {
    key: 'congestion_index',
    title: 'Congestion index',
    unit: '%',
    color: '#f87171',
    scale: 100,
    digits: 1
  },
  {key: 'vehicles', title: 'Vehicles on the road', unit: '', color: '#a78bfa', digits: 0},
];

const MAX_POINTS = 1500;

export function formatClock(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:${
      String(s % 60).padStart(2, '0')}`;
}

function fmt(v: number, digits: number): string {
  if (!Number.isFinite(v)) return '–';
  return v.toLocaleString('en-US', {minimumFractionDigits: digits, maximumFractionDigits: digits});
}

export class KpiPanel {
  private readonly xs: number[] = [];
  private readonly ys: (number|null)[][] = CHARTS.map(() => []);
  private readonly plots: uPlot[] = [];
  private readonly values: HTMLElement[] = [];
  private readonly tiles = new Map<string, HTMLElement>();
  private dirty = false;
  private lastTime = -Infinity;

  constructor(tiles: HTMLElement, charts: HTMLElement) {
    const tileSpecs: [string, string][] = [
      ['vehicles', 'Vehicles'],
      ['att', 'ATT · s'],
      ['throughput', 'Throughput · veh/h'],
      ['mean_speed', 'Speed · km/h'],
      ['delay', 'Delay · %'],
      ['tti', 'Travel time idx'],
    ];
    for (const [key, label] of tileSpecs) {
      const tile = document.createElement('div');
      tile.className = 'tile';
      tile.innerHTML =
          `<div class="tile-label">${label}</div><div class="tile-value" data-kpi="${key}">–</div>`;
      tiles.appendChild(tile);
      this.tiles.set(key, tile.querySelector('.tile-value') as HTMLElement);
    }

    const width = Math.max(240, charts.clientWidth - 4);
    CHARTS.forEach((spec) => {
      const box = document.createElement('div');
      box.className = 'chart';
      box.innerHTML = `<div class="chart-head"><span class="chart-title"><i style="background:${
          spec.color}"></i>${spec.title}</span><span class="chart-value" data-chart="${
          spec.key}">–</span></div>`;
      charts.appendChild(box);
      this.values.push(box.querySelector('.chart-value') as HTMLElement);
      const plot = new uPlot(
          {
            width,
            height: 84,
            legend: {show: false},
            cursor:
                {show: true, x: true, y: false, points: {show: false}, drag: {x: false, y: false}},
            padding: [6, 6, 0, 0],
            scales: {
              x: {time: false},
              y: {range: (_u, min, max) => [Math.min(0, min), max > min ? max * 1.1 : min + 1]}
            },
            series: [
              {},
              {stroke: spec.color, width: 1.6, fill: `${spec.color}22`, points: {show: false}},
            ],
            axes: [
              {
                stroke: '#7c8aa5',
                font: '10px Inter, system-ui, sans-serif',
                grid: {stroke: '#1c2740', width: 1},
                ticks: {show: false},
                size: 22,
                space: 70,
                values: (_u, vals) => vals.map((v) => formatClock(v)),
              },
              {
                stroke: '#7c8aa5',
                font: '10px Inter, system-ui, sans-serif',
                grid: {stroke: '#1c2740', width: 1},
                ticks: {show: false},
                size: 44,
                values: (_u, vals) => vals.map(
                    (v) => (
                        Math.abs(v) >= 1000 ? `${(v / 1000).toFixed(1)}k` : String(+v.toFixed(2)))),
              },
            ],
          },
          [[], []],
          box,
      );
      this.plots.push(plot);
    });
    new ResizeObserver(() => {
      const w = Math.max(240, charts.clientWidth - 4);
      for (const p of this.plots) p.setSize({width: w, height: 84});
    }).observe(charts);
    const tick = () => {
      if (this.dirty) this.redraw();
      setTimeout(() => requestAnimationFrame(tick), 250);
    };
    tick();
  }

  /** The metrics the charts show, as GET /api/history names them. */
  get metrics(): string[] { return CHARTS.map((c) => c.key); }

  /**
   * Puts per-minute history (GET /api/history, one list of [time, value] per chart) before the
   * live points, so a page opened mid-run shows the run so far.
   */
  prefill(history: Map<string, [number, number][]>): void {
    const before = this.xs.length ? this.xs[0] : Infinity;
    const times = new Set<number>();
    for (const points of history.values()) {
      for (const [t] of points) {
        if (t < before) times.add(t);
      }
    }
    if (!times.size) return;
    const xs = [...times].sort((a, b) => a - b);
    const at = new Map(xs.map((t, i) => [t, i]));
    CHARTS.forEach((spec, i) => {
      const ys: (number|null)[] = new Array(xs.length).fill(null);
      for (const [t, v] of history.get(spec.key) ?? []) {
        const j = at.get(t);
        if (j !== undefined) ys[j] = v * (spec.scale ?? 1);
      }
      this.ys[i].unshift(...ys);
    });
    this.xs.unshift(...xs);
    this.dirty = true;
  }

  push(frame: Frame): void {
    const k = frame.kpi;
    this.set('vehicles', fmt(k[KPI.vehicles], 0));
    this.set('att', fmt(k[KPI.att], 1));
    this.set('throughput', fmt(k[KPI.throughput], 0));
    this.set('mean_speed', fmt(k[KPI.mean_speed] * 3.6, 1));
    this.set('delay', fmt(k[KPI.delay] * 100, 1));
    this.set('tti', fmt(k[KPI.travel_time_index], 2));

    if (frame.time < this.lastTime) {
      // The simulation restarted: start the charts afresh.
      this.xs.length = 0;
      for (const y of this.ys) y.length = 0;
    }
    if (frame.time === this.lastTime) return;
    this.lastTime = frame.time;
    this.xs.push(frame.time);
    CHARTS.forEach((spec, i) => {
      const v = k[KPI[spec.key]] * (spec.scale ?? 1);
      this.ys[i].push(v);
      this.values[i].textContent = `${fmt(v, spec.digits)}${spec.unit ? ` ${spec.unit}` : ''}`;
    });
    if (this.xs.length > MAX_POINTS) {
      const drop = this.xs.length - MAX_POINTS;
      this.xs.splice(0, drop);
      for (const y of this.ys) y.splice(0, drop);
    }
    this.dirty = true;
  }

  get points(): number { return this.xs.length; }

  private set(key: string, html: string): void {
    const el = this.tiles.get(key);
    if (el && el.innerHTML !== html) el.innerHTML = html;
  }

  private redraw(): void {
    this.dirty = false;
    this.plots.forEach((p, i) => p.setData([this.xs, this.ys[i]]));
  }
}
