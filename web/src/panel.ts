// The intersection panel: queues per approach, the phase timeline of the last minutes, the
// controller and any override, and the operator's controls (switch controller, hold, release).

import {ApiError, api, type ControlBody, type IntersectionState} from './api';
import {authorised} from './auth';
import {css, phaseColor} from './colors';
import {formatClock} from './kpi';

const CONTROLLERS = ['fixed', 'maxpressure', 'sotl', 'efficient', 'advanced', 'brain'];
const TIMELINE_SECONDS = 300;

function esc(s: string): string { return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`); }

export class IntersectionPanel {
  private id: string|null = null;
  private state: IntersectionState|null = null;
  private timer = 0;
  private busy = false;
  private built = false;

  constructor(
      private readonly root: HTMLElement,
      private readonly onClose: () => void,
  ) {}

  get current(): string|null { return this.id; }

  get shown(): IntersectionState|null { return this.state; }

  open(id: string): void {
    this.id = id;
    this.state = null;
    this.built = false;
    this.root.hidden = false;
    this.root
        .innerHTML = `<div class="panel-head"><div><div class="eyebrow">Intersection</div><h2>${
        esc(id)}</h2></div><button class="icon" data-act="close" title="Close">✕</button></div><div class="panel-body muted">Loading…</div>`;
    (this.root.querySelector('[data-act=close]') as HTMLElement).onclick = () => this.close();
    window.clearInterval(this.timer);
    this.timer = window.setInterval(() => void this.refresh(), 1000);
    void this.refresh();
  }

  close(): void {
    window.clearInterval(this.timer);
    this.id = null;
    this.state = null;
    this.root.hidden = true;
    this.root.innerHTML = '';
    this.onClose();
  }

  async refresh(): Promise<void> {
    const id = this.id;
    if (!id) return;
    try {
      const state = await api.intersection(id);
      if (id !== this.id) return;
      this.state = state;
      this.render(state);
    } catch (e) {
      if (id !== this.id) return;
      const body = this.root.querySelector('.panel-body') as HTMLElement;
      const msg = e instanceof ApiError ? e.describe() : String(e);
      if (!this.built) body.innerHTML = `<div class="error">${esc(msg)}</div>`;
    }
  }

  private render(s: IntersectionState): void {
    if (!this.built) this.build(s);
    const q = (sel: string) => this.root.querySelector(sel) as HTMLElement;

    const phase = s.phase ?? 255;
    q('[data-f=phase]').innerHTML = `<span class="chip" style="background:${
        css(phaseColor(phase))}">${s.phase ?? '–'}</span> <span class="muted">of ${s.phases}${
        phase === 0 ? ' · change interval' : ''}</span>`;
    q('[data-f=time_in_phase]').textContent =
        s.time_in_phase === null ? '–' : `${s.time_in_phase.toFixed(0)} s`;
    q('[data-f=controller]').textContent = s.controller ?? 'no signal';
    const o = s.override;
    q('[data-f=override]').innerHTML = !o ?
        '<span class="muted">none</span>' :
        o.kind === 'hold' ?
        `<span class="badge warn">hold phase ${o.phase} until ${formatClock(o.until)}</span>` :
        `<span class="badge info">controller ${esc(o.controller)}</span>`;
    (q('[data-act=release]') as HTMLButtonElement).disabled = !o || this.busy;

    // Timeline: each phase's span over the last TIMELINE_SECONDS up to the newest entry.
    const tl = s.timeline;
    const end = Math.max(
        tl.length ? tl[tl.length - 1].time : 0,
        tl.length ? tl[tl.length - 1].time + (s.time_in_phase ?? 0) : 0);
    const start = end - TIMELINE_SECONDS;
    const bars: string[] = [];
    for (let i = 0; i < tl.length; ++i) {
      const a = Math.max(start, tl[i].time);
      const b = i + 1 < tl.length ? tl[i + 1].time : end;
      if (b <= a) continue;
      const left = ((a - start) / TIMELINE_SECONDS) * 100;
      const width = ((b - a) / TIMELINE_SECONDS) * 100;
      bars.push(`<i style="left:${left.toFixed(2)}%;width:${width.toFixed(2)}%;background:${
          css(phaseColor(tl[i].phase))}" title="phase ${tl[i].phase} from ${
          formatClock(tl[i].time)} for ${(b - tl[i].time).toFixed(0)} s"></i>`);
    }
    q('[data-f=timeline]').innerHTML = bars.join('');
    q('[data-f=timeline-from]').textContent = formatClock(Math.max(0, start));
    q('[data-f=timeline-to]').textContent = formatClock(end);

    // Approaches: per incoming road, its lanes' queues (bar = queue length, 0..max over the panel).
    const maxQueue =
        Math.max(30, ...s.approaches.flatMap((a) => a.lanes.map((l) => l.queue_length)));
    q('[data-f=approaches]').innerHTML =
        s.approaches
            .map((a) => {
              const veh = a.lanes.reduce((n, l) => n + l.vehicles, 0);
              const wait = a.lanes.reduce((n, l) => n + l.waiting, 0);
              const lanes = a.lanes
                                .map(
                                    (l) => `<div class="lane" title="${esc(l.lane)}: ${
                                        l.vehicles} vehicles, ${l.waiting} waiting, queue ${
                                        l.queue_length.toFixed(
                                            1)} m"><span class="lane-bar"><i style="width:${
                                        ((l.queue_length / maxQueue) * 100)
                                            .toFixed(1)}%"></i></span><span class="lane-num">${
                                        l.queue_length.toFixed(0)} m</span></div>`,
                                    )
                                .join('');
              return `<div class="approach"><div class="approach-head"><span class="road">${
                  esc(a.road)}</span><span class="muted">${veh} veh · ${wait} waiting</span></div>${
                  lanes}</div>`;
            })
            .join('') ||
        '<div class="muted">no incoming roads</div>';
  }

  private build(s: IntersectionState): void {
    this.built = true;
    const phaseOptions = Array
                             .from(
                                 {length: Math.max(0, s.phases - 1)},
                                 (_, i) => `<option value="${i + 1}">${i + 1}</option>`)
                             .join('');
    const ctrlOptions =
        CONTROLLERS.map((c) => `<option ${c === s.controller ? 'selected' : ''}>${c}</option>`)
            .join('');
    const body = this.root.querySelector('.panel-body') as HTMLElement;
    body.classList.remove('muted');
    body.innerHTML = `
      <dl class="facts">
        <div><dt>Phase</dt><dd data-f="phase"></dd></div>
        <div><dt>In phase</dt><dd data-f="time_in_phase"></dd></div>
        <div><dt>Controller</dt><dd data-f="controller"></dd></div>
        <div><dt>Override</dt><dd data-f="override"></dd></div>
      </dl>
      <section>
        <h3>Phase timeline <span class="muted">last ${TIMELINE_SECONDS / 60} min</span></h3>
        <div class="timeline" data-f="timeline"></div>
        <div class="timeline-axis"><span data-f="timeline-from"></span><span data-f="timeline-to"></span></div>
      </section>
      <section>
        <h3>Queues per approach</h3>
        <div class="approaches" data-f="approaches"></div>
      </section>
      <section class="controls">
        <h3>Operator override</h3>
        <div class="row"><label>Controller<select data-in="controller">${
        ctrlOptions}</select></label><button data-act="controller">Switch</button></div>
        <div class="row"><label>Hold phase<select data-in="phase">${
        phaseOptions}</select></label><label>Seconds<input data-in="seconds" type="number" min="1" max="3600" value="60"></label><button data-act="hold">Hold</button></div>
        <div class="row"><label class="grow">Reason<input data-in="reason" type="text" placeholder="e.g. incident on the approach" maxlength="200"></label><button data-act="release" class="secondary">Release</button></div>
        <div class="result" data-f="result" role="status"></div>
      </section>`;
    const val = (name: string) =>
        (this.root.querySelector(`[data-in=${name}]`) as HTMLInputElement).value;
    const reason = () => val('reason').trim() || undefined;
    (this.root.querySelector('[data-act=controller]') as HTMLElement).onclick = () =>
        void this.send({action: 'controller', controller: val('controller'), reason: reason()});
    (this.root.querySelector('[data-act=hold]') as HTMLElement).onclick = () => void this.send({
      action: 'hold',
      phase: Number(val('phase')),
      seconds: Number(val('seconds')),
      reason: reason()
    });
    (this.root.querySelector('[data-act=release]') as HTMLElement).onclick = () =>
        void this.send({action: 'release', reason: reason()});
  }

  private async send(body: ControlBody): Promise<void> {
    const id = this.id;
    if (!id || this.busy) return;
    const result = this.root.querySelector('[data-f=result]') as HTMLElement;
    this.busy = true;
    this.root.querySelectorAll('.controls button')
        .forEach((b) => ((b as HTMLButtonElement).disabled = true));
    result.className = 'result';
    result.textContent = 'Sending…';
    try {
      const answer = await authorised(`${body.action} at ${id}`, () => api.control(id, body));
      if (answer === null) {
        result.textContent = 'Cancelled.';
      } else {
        result.className = 'result ok';
        result.textContent = body.action === 'hold' ?
            `Holding phase ${body.phase} for ${body.seconds} s from the next simulated second.` :
            body.action === 'controller' ? `Controller switched to ${body.controller}.` :
                                           'Override released; the controller is back in charge.';
      }
    } catch (e) {
      result.className = 'result error';
      result.textContent = e instanceof ApiError ? e.describe() : String(e);
    } finally {
      this.busy = false;
      this.root.querySelectorAll('.controls button')
          .forEach((b) => ((b as HTMLButtonElement).disabled = false));
      if (this.id === id) await this.refresh();
    }
  }
}
