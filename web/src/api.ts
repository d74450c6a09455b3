// The live API's types and calls (docs/api.md). Every call goes to the page's own origin; errors
// come back as ApiError carrying the server's status, code and message.

export type Bbox = [number, number, number, number];

export interface RoadProps {
  kind: 'road';
  id: string;
  index: number;
  from: string;
  to: string;
  lanes: number;
  length: number;
  speed_limit: number;
}

export interface IntersectionProps {
  kind: 'intersection';
  id: string;
  index: number;
  signal_index: number;
  phases: number;
}

export interface Feature<G, P> {
  type: 'Feature';
  geometry: G;
  properties: P;
}

export type RoadFeature = Feature<{type: 'LineString'; coordinates: [number, number][]}, RoadProps>;
export type IntersectionFeature =
    Feature<{type: 'Point'; coordinates: [number, number]}, IntersectionProps>;

export interface Network {
  type: 'FeatureCollection';
  bbox: Bbox;
  features: (RoadFeature|IntersectionFeature)[];
}

export interface Health {
  status: string;
  sim_time: number;
  speed: number;
  paused: boolean;
  real_time_factor: number;
  clients: number;
  city: string;
}

export type Override =|null|{
  kind: 'hold';
  phase: number;
  until: number
}
|{
  kind: 'controller';
  controller: string
};

export interface LaneState {
  lane: string;
  vehicles: number;
  waiting: number;
  queue_length: number;
}

export interface IntersectionState {
  id: string;
  index: number;
  /** null, like time_in_phase and controller, at an intersection without a signal. */
  phase: number|null;
  time_in_phase: number|null;
  controller: string|null;
  override: Override;
  phases: number;
  approaches: {road: string; lanes: LaneState[]}[];
  timeline: {time: number; phase: number}[];
}

export type ControlBody =|{
  action: 'controller';
  controller: string;
  reason?: string;
  who?: string
}
|{
  action: 'hold';
  phase: number;
  seconds: number;
  reason?: string;
  who?: string
}
|{
  action: 'release';
  reason?: string;
  who?: string
};

export interface ControlAnswer {
  ok: boolean;
  intersection: string;
  override: Override;
}

export interface AuditEntry {
  id: number;
  wall_time: string;
  sim_time: number;
  who: string;
  intersection: string|null;
  action: string;
  detail: Record<string, unknown>;
  reason: string;
}

export class ApiError extends Error {
  constructor(
      readonly status: number,
      readonly code: string,
      message: string,
  ) {
    super(message);
  }

  describe(): string { return `${this.status} ${this.code}: ${this.message}`; }
}

const TOKEN_KEY = 'citybrain.token';

export const token = {
  get(): string | null { return sessionStorage.getItem(TOKEN_KEY);},
  set(value: string): void {
    if (value)
      sessionStorage.setItem(TOKEN_KEY, value);
    else
      sessionStorage.removeItem(TOKEN_KEY);
  },
  clear(): void { sessionStorage.removeItem(TOKEN_KEY);},
};

export function apiUrl(path: string): string {
  return new URL(path.replace(/^\//, ''), apiBase()).toString();
}

// The API lives at /api on the page's origin; a page served from a sub-path still finds it.
function apiBase(): string { return `${location.origin}/`; }

async function request<T>(method: string, path: string, body?: unknown, auth = false): Promise<T> {
  const headers: Record<string, string> = {Accept: 'application/json'};
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const bearer = auth ? token.get() : null;
  if (bearer) headers.Authorization = `Bearer ${bearer}`;
  let response: Response;
  try {
    response = await fetch(apiUrl(path), {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
    });
  } catch (e) {
    throw new ApiError(0, 'network', `cannot reach the server (${(e as Error).message})`);
  }
  const text = await response.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (!response.ok) {
    const err =
        (json as {error?: {status?: number; code?: string; message?: string}} | null)?.error;
    throw new ApiError(
        err?.status ?? response.status,
        err?.code ?? response.statusText.toLowerCase().replace(/\s+/g, '_'),
        err?.message ?? (text.trim() || response.statusText),
    );
  }
  return json as T;
}

export const api = {
  health: () => request<Health>('GET', '/api/health'),
  network: () => request<Network>('GET', '/api/network'),
  intersection: (id: string) =>
      request<IntersectionState>('GET', `/api/intersections/${encodeURIComponent(id)}`),
  control: (id: string, body: ControlBody) => request<ControlAnswer>(
      'PUT', `/api/intersections/${encodeURIComponent(id)}/control`, body, true),
  sim: (body: {paused?: boolean; speed?: number}) => request<Health>('PUT', '/api/sim', body, true),
  history: (metric: string, from: number, to: number) =>
      request<{metric: string; points: [number, number][]}>(
          'GET',
          `/api/history?metric=${encodeURIComponent(metric)}&from=${from}&to=${to}`,
          ),
  audit: (limit = 20) => request<{entries: AuditEntry[]}>('GET', `/api/audit?limit=${limit}`),
};
