// The binary state stream (WebSocket /api/stream): decodes CBF1 frames into typed views and
// reconnects with back-off when the connection drops.

import type {Bbox} from './api';

export const FRAME_MAGIC = 0x31464243;  // "CBF1"
const HEADER_BYTES = 4 + 4 + 8 + 4 + 4 + 4 + 8 * 4;

export const KPI = {
  vehicles: 0,
  att: 1,
  throughput: 2,
  mean_speed: 3,
  delay: 4,
  travel_time_index: 5,
  congestion_index: 6,
  speed: 7,
} as const;

export interface Hello {
  type: 'hello';
  roads: number;
  signals: number;
  bbox: Bbox;
  hz: number;
}

export interface Frame {
  seq: number;
  time: number;
  kpi: Float32Array;
  /** x0, y0, x1, y1, ... in metres (dequantised over the bbox). */
  positions: Float32Array;
  vehicles: number;
  /** Per road index, 0..255 = congestion 0..1. */
  congestion: Uint8Array;
  /** Per signal index, current phase (255 = unknown). */
  phases: Uint8Array;
}

export class FrameError extends Error {}

/** Decodes one binary frame; positions are written into `scratch` when it is large enough. */
export function decodeFrame(buffer: ArrayBuffer, bbox: Bbox, scratch?: Float32Array): Frame {
  if (buffer.byteLength < HEADER_BYTES)
    throw new FrameError(`frame of ${buffer.byteLength} bytes is shorter than its header`);
  const view = new DataView(buffer);
  const magic = view.getUint32(0, true);
  if (magic !== FRAME_MAGIC) throw new FrameError(`bad frame magic 0x${magic.toString(16)}`);
  const seq = view.getUint32(4, true);
  const time = view.getFloat64(8, true);
  const nVehicles = view.getUint32(16, true);
  const nRoads = view.getUint32(20, true);
  const nSignals = view.getUint32(24, true);
  const expected = HEADER_BYTES + nVehicles * 4 + nRoads + nSignals;
  if (buffer.byteLength < expected) {
    throw new FrameError(`frame ${seq}: ${buffer.byteLength} bytes, expected ${expected}`);
  }
  const kpi = new Float32Array(8);
  for (let i = 0; i < 8; ++i) kpi[i] = view.getFloat32(28 + 4 * i, true);

  const positions = scratch && scratch.length >= nVehicles * 2 ?
      scratch :
      new Float32Array(Math.max(1024, nVehicles * 3));
  const [minx, miny, maxx, maxy] = bbox;
  const sx = (maxx - minx) / 65535;
  const sy = (maxy - miny) / 65535;
  let offset = HEADER_BYTES;
  for (let i = 0; i < nVehicles; ++i, offset += 4) {
    positions[2 * i] = minx + view.getUint16(offset, true) * sx;
    positions[2 * i + 1] = miny + view.getUint16(offset + 2, true) * sy;
  }
  const congestion = new Uint8Array(buffer, offset, nRoads);
  const phases = new Uint8Array(buffer, offset + nRoads, nSignals);
  return {seq, time, kpi, positions, vehicles: nVehicles, congestion, phases};
}

export type StreamStatus = 'connecting'|'live'|'closed';

export interface StreamHandlers {
  hello(h: Hello): void;
  frame(f: Frame): void;
  status(s: StreamStatus, detail?: string): void;
}

export class StateStream {
  private socket: WebSocket|null = null;
  private hello: Hello|null = null;
  private scratch: [Float32Array|undefined, Float32Array|undefined] = [undefined, undefined];
  private flip = 0;
  private retry = 500;
  private stopped = false;

  constructor(
      private readonly hz: number,
      private readonly on: StreamHandlers,
  ) {}

  start(): void {
    this.stopped = false;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    this.socket?.close();
  }

  setHz(hz: number): void {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify({hz}));
  }

  private connect(): void {
    const url = new URL('/api/stream', location.href);
    url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
    url.searchParams.set('hz', String(this.hz));
    this.on.status('connecting');
    const socket = new WebSocket(url);
    socket.binaryType = 'arraybuffer';
    this.socket = socket;
    socket.onmessage = (event) => {
      if (typeof event.data === 'string') {
        const message = JSON.parse(event.data) as {type?: string};
        if (message.type === 'hello') {
          this.hello = message as Hello;
          this.retry = 500;
          this.on.hello(this.hello);
          this.on.status('live');
        }
        return;
      }
      if (!this.hello) return;
      // Two position buffers in turn: the map may still hold the previous one while this decodes.
      this.flip ^= 1;
      try {
        const frame =
            decodeFrame(event.data as ArrayBuffer, this.hello.bbox, this.scratch[this.flip]);
        this.scratch[this.flip] = frame.positions;
        this.on.frame(frame);
      } catch (e) {
        console.warn('citybrain stream:', (e as Error).message);
      }
    };
    socket.onclose = () => {
      this.socket = null;
      this.on.status(
          'closed',
          this.stopped ? 'stopped' : `reconnecting in ${(this.retry / 1000).toFixed(1)} s`);
      if (this.stopped) return;
      setTimeout(() => this.connect(), this.retry);
      this.retry = Math.min(this.retry * 2, 8000);
    };
  }
}
