// A stand-in for `citybrain run` for working on the dashboard's looks without building the server:
// it speaks docs/api.md (REST, errors, the CBF1 WebSocket stream) over a made-up 6x6 grid whose
// vehicles wander and whose signals cycle. Not used by the browser test, which runs the real
// server.
//
//   node tests/browser/mock_server.mjs [--port 8080] [--web-dir web/dist] [--token secret]
import {createHash} from 'node:crypto';
import {createReadStream, existsSync, statSync} from 'node:fs';
import {createServer} from 'node:http';
import {extname, join, normalize, resolve} from 'node:path';
import {parseArgs} from 'node:util';

const {values: opt} = parseArgs({
  options: {
    port: {type: 'string', default: '8080'},
    'web-dir': {type: 'string', default: 'web/dist'},
    token: {type: 'string', default: 'secret'},
  },
});
const webDir = resolve(opt['web-dir']);

// --- the city: n x n signalised junctions, a ring of virtual ones, two-way roads between them.
const n = 6, gap = 300, phases = 9;
const intersections = [];
const at = new Map();
for (let j = 0; j <= n + 1; ++j) {
  for (let i = 0; i <= n + 1; ++i) {
    const corner = (i === 0 || i === n + 1) && (j === 0 || j === n + 1);
    if (corner) continue;
    const virt = i === 0 || j === 0 || i === n + 1 || j === n + 1;
    const it = {
      id: `intersection_${i}_${j}`,
      index: intersections.length,
      x: i * gap,
      y: j * gap,
      signal: virt ? -1 : 0,
      phase: 1,
      since: 0,
      controller: 'fixed',
      override: null,
      timeline: []
    };
    if (!virt) it.signal = intersections.filter((x) => x.signal >= 0).length;
    intersections.push(it);
    at.set(`${i},${j}`, it);
  }
}
const roads = [];
for (const a of intersections) {
  const [i, j] = [a.x / gap, a.y / gap];
  for (const [di, dj, d] of [[1, 0, 0], [0, 1, 1], [-1, 0, 2], [0, -1, 3]]) {
    const b = at.get(`${i + di},${j + dj}`);
    if (!b || (a.signal < 0 && b.signal < 0)) continue;
    roads.push({
      id: `road_${i}_${j}_${d}`,
      index: roads.length,
      from: a,
      to: b,
      lanes: 3,
      length: gap,
      speed_limit: 11.11
    });
  }
}
const signals = intersections.filter((x) => x.signal >= 0);
const xs = intersections.map((x) => x.x), ys = intersections.map((x) => x.y);
const bbox = [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];

// --- a toy simulation: vehicles drive along roads at a speed that falls with the road's load.
let time = 0, speed = 5, paused = false, seq = 0, generated = 0, finished = 0, travel = 0;
const vehicles = [];
const audit = [];
function step() {
  time += 1;
  for (let k = 0; k < 6; ++k) {
    const r = roads[Math.floor(Math.random() * roads.length)];
    vehicles.push({road: r, s: 0, born: time, hops: 3 + Math.floor(Math.random() * 8)});
    generated += 1;
  }
  const load = new Array(roads.length).fill(0);
  for (const v of vehicles) load[v.road.index] += 1;
  for (let k = vehicles.length - 1; k >= 0; --k) {
    const v = vehicles[k];
    const free = 1 - Math.min(0.95, load[v.road.index] / 40);
    v.s += v.road.speed_limit * free;
    if (v.s >= v.road.length) {
      const next = roads.filter((r) => r.from === v.road.to && r.to !== v.road.from);
      if (--v.hops <= 0 || !next.length) {
        vehicles.splice(k, 1);
        finished += 1;
        travel += time - v.born;
        continue;
      }
      v.road = next[Math.floor(Math.random() * next.length)];
      v.s = 0;
    }
  }
  for (const s of signals) {
    if (s.override?.kind === 'hold') {
      if (time >= s.override.until)
        s.override = null;
      else {
        setPhase(s, s.override.phase);
        continue;
      }
    }
    const t = time - s.since;
    if (s.phase === 0 ? t >= 5 : t >= 25)
      setPhase(
          s, s.phase === 0 ? (s.next ?? 1) : 0,
          s.phase === 0 ? undefined : (s.phase % (phases - 1)) + 1);
  }
}
function setPhase(s, p, next) {
  if (next !== undefined) s.next = next;
  if (s.phase === p) return;
  s.phase = p;
  s.since = time;
  s.timeline.push({time, phase: p});
  while (s.timeline.length && s.timeline[0].time < time - 300) s.timeline.shift();
}
function congestion(load) { return Math.min(1, load / 30); }
function kpis() {
  const load = new Array(roads.length).fill(0);
  for (const v of vehicles) load[v.road.index] += 1;
  const ci =
      vehicles.length ? load.reduce((a, l) => a + congestion(l) * l, 0) / vehicles.length : 0;
  return {
    load,
    vehicles: vehicles.length,
    att: finished ? travel / finished : 0,
    throughput: time ? (finished / time) * 3600 : 0,
    mean_speed: 11.11 * (1 - ci * 0.8),
    delay: ci * 0.8,
    travel_time_index: 1 / Math.max(0.05, 1 - ci * 0.8),
    congestion_index: ci * 0.6
  };
}
let last = Date.now();
setInterval(() => {
  const now = Date.now();
  if (!paused)
    for (let k = Math.floor(((now - last) / 1000) * speed); k > 0; --k) step();
  if (!paused && speed < 1 && Math.random() < speed) step();
  last = now;
}, 200);

// --- HTTP
function send(res, status, body) {
  res.writeHead(status, {'Content-Type': 'application/json', 'Cache-Control': 'no-store'});
  res.end(JSON.stringify(body));
}
function fail(res, status, code, message) { send(res, status, {error: {status, code, message}}); }
function health() {
  return {
    status: 'ok',
    sim_time: time,
    speed,
    paused,
    real_time_factor: paused ? 0 : speed,
    clients: sockets.size,
    city: 'mock 6x6 grid'
  };
}
function authorised(req, res) {
  if (req.headers.authorization === `Bearer ${opt.token}`) return true;
  fail(
      res, 401, 'unauthorized', req.headers.authorization ? 'wrong token' : 'missing bearer token');
  return false;
}
async function body(req) {
  let text = '';
  for await (const chunk of req) text += chunk;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
const types = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.svg': 'image/svg+xml'
};
const server = createServer(async (req, res) => {
  const url = new URL(req.url, 'http://x');
  const p = url.pathname;
  if (p === '/api/health') return send(res, 200, health());
  if (p === '/api/network') {
    const features = roads.map(
        (r) => ({
          type: 'Feature',
          geometry: {type: 'LineString', coordinates: [[r.from.x, r.from.y], [r.to.x, r.to.y]]},
          properties: {
            kind: 'road',
            id: r.id,
            index: r.index,
            from: r.from.id,
            to: r.to.id,
            lanes: r.lanes,
            length: r.length,
            speed_limit: r.speed_limit
          }
        }));
    for (const it of intersections)
      features.push({
        type: 'Feature',
        geometry: {type: 'Point', coordinates: [it.x, it.y]},
        properties: {
          kind: 'intersection',
          id: it.id,
          index: it.index,
          signal_index: it.signal,
          phases: it.signal >= 0 ? phases : 0
        }
      });
    return send(res, 200, {type: 'FeatureCollection', bbox, features});
  }
  if (p === '/api/audit')
    return send(res, 200, {entries: audit.slice(0, Number(url.searchParams.get('limit') ?? 100))});
  if (p === '/api/history')
    return send(res, 200, {metric: url.searchParams.get('metric'), road: null, points: []});
  if (p === '/api/sim' && req.method === 'PUT') {
    if (!authorised(req, res)) return;
    const b = await body(req);
    if (!b || typeof b !== 'object')
      return fail(res, 400, 'bad_request', 'body: expected a JSON object');
    if (b.speed !== undefined) {
      if (typeof b.speed !== 'number' || b.speed < 0.1 || b.speed > 1000)
        return fail(res, 422, 'unprocessable', `/speed: ${b.speed}: expected 0.1..1000`);
      speed = b.speed;
    }
    if (b.paused !== undefined) paused = !!b.paused;
    return send(res, 200, health());
  }
  const m = p.match(/^\/api\/intersections\/([^/]+)(\/control)?$/);
  if (m) {
    const it = intersections.find((x) => x.id === decodeURIComponent(m[1]));
    if (!it) return fail(res, 404, 'not_found', `no intersection '${decodeURIComponent(m[1])}'`);
    if (m[2]) {
      if (req.method !== 'PUT') return fail(res, 405, 'method_not_allowed', 'use PUT');
      if (!authorised(req, res)) return;
      const b = await body(req);
      if (!b) return fail(res, 400, 'bad_request', 'body: expected a JSON object');
      if (b.action === 'hold') {
        if (!Number.isInteger(b.phase) || b.phase < 1 || b.phase >= phases)
          return fail(res, 422, 'unprocessable', `/phase: ${b.phase}: expected 1..${phases - 1}`);
        it.override = {kind: 'hold', phase: b.phase, until: time + 1 + b.seconds};
      } else if (b.action === 'controller') {
        it.override = {kind: 'controller', controller: b.controller};
        it.controller = b.controller;
      } else if (b.action === 'release')
        it.override = null;
      else
        return fail(
            res, 422, 'unprocessable',
            `/action: '${b.action}': expected controller, hold or release`);
      const {action, reason, who, ...detail} = b;
      audit.unshift({
        id: audit.length + 1,
        wall_time: new Date().toISOString(),
        sim_time: time,
        who: who ?? 'operator',
        intersection: it.id,
        action,
        detail,
        reason: reason ?? ''
      });
      return send(res, 200, {ok: true, intersection: it.id, override: it.override});
    }
    const lanesOf = (r) => [0, 1, 2].map((l) => {
      const on = vehicles.filter((v) => v.road === r && v.s > r.length - 120).length;
      return {
        lane: `${r.id}_${l}`,
        vehicles: on,
        waiting: Math.floor(on * 0.6),
        queue_length: on * 2.5
      };
    });
    return send(res, 200, {
      id: it.id,
      index: it.index,
      phase: it.signal >= 0 ? it.phase : -1,
      time_in_phase: time - it.since,
      controller: it.controller,
      override: it.override,
      phases: it.signal >= 0 ? phases : 0,
      approaches: roads.filter((r) => r.to === it).map((r) => ({road: r.id, lanes: lanesOf(r)})),
      timeline: it.timeline
    });
  }
  if (p.startsWith('/api/')) return fail(res, 404, 'not_found', `no endpoint ${p}`);
  const file = normalize(join(webDir, p === '/' ? 'index.html' : p));
  if (!file.startsWith(webDir) || !existsSync(file) || !statSync(file).isFile())
    return fail(res, 404, 'not_found', `no file ${p}`);
  res.writeHead(200, {'Content-Type': types[extname(file)] ?? 'application/octet-stream'});
  createReadStream(file).pipe(res);
});

// --- WebSocket (RFC 6455, just enough: unfragmented frames, masked from the client).
const sockets = new Set();
function wsSend(sock, opcode, payload) {
  const len = payload.length;
  const head = len < 126 ? Buffer.from([0x80 | opcode, len]) :
      len < 65536        ? Buffer.from([0x80 | opcode, 126, len >> 8, len & 255]) :
                           Buffer.concat([
                      Buffer.from([0x80 | opcode, 127]), (() => {
                        const b = Buffer.alloc(8);
                               b.writeBigUInt64BE(BigInt(len));
                               return b;
                      })()
                           ]);
  sock.write(Buffer.concat([head, payload]));
}
server.on('upgrade', (req, sock) => {
  const key = req.headers['sec-websocket-key'];
  if (!req.url.startsWith('/api/stream') || !key) return sock.destroy();
  const accept =
      createHash('sha1').update(key + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest('base64');
  sock.write(
      `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${
          accept}\r\n\r\n`);
  const client = {
    sock,
    hz: Number(new URL(req.url, 'http://x').searchParams.get('hz') ?? 5),
    timer: null
  };
  sockets.add(client);
  wsSend(
      sock, 1,
      Buffer.from(JSON.stringify(
          {type: 'hello', roads: roads.length, signals: signals.length, bbox, hz: client.hz})));
  const schedule = () => {
    clearTimeout(client.timer);
    client.timer = setTimeout(tick, 1000 / client.hz);
  };
  const tick = () => {
    wsSend(sock, 2, frame());
    schedule();
  };
  schedule();
  let buf = Buffer.alloc(0);
  sock.on('data', (d) => {
    buf = Buffer.concat([buf, d]);
    while (buf.length >= 6) {
      const op = buf[0] & 15;
      let len = buf[1] & 127;
      let off = 2;
      if (len === 126) {
        len = buf.readUInt16BE(2);
        off = 4;
      }
      if (buf.length < off + 4 + len) return;
      const mask = buf.subarray(off, off + 4);
      const data = Buffer.from(buf.subarray(off + 4, off + 4 + len).map((b, i) => b ^ mask[i % 4]));
      buf = buf.subarray(off + 4 + len);
      if (op === 8) {
        sock.end();
        return;
      }
      if (op === 1) {
        try {
          const m = JSON.parse(data.toString());
          if (m.hz >= 0.2 && m.hz <= 30) {
            client.hz = m.hz;
            schedule();
          }
        } catch { /* ignore */
        }
      }
    }
  });
  const close = () => {
    clearTimeout(client.timer);
    sockets.delete(client);
  };
  sock.on('close', close);
  sock.on('error', close);
});
function frame() {
  const k = kpis();
  const head = 60, nv = vehicles.length;
  const b = Buffer.alloc(head + nv * 4 + roads.length + signals.length);
  b.writeUInt32LE(0x31464243, 0);
  b.writeUInt32LE(seq++, 4);
  b.writeDoubleLE(time, 8);
  b.writeUInt32LE(nv, 16);
  b.writeUInt32LE(roads.length, 20);
  b.writeUInt32LE(signals.length, 24);
  [k.vehicles, k.att, k.throughput, k.mean_speed, k.delay, k.travel_time_index, k.congestion_index,
   speed]
      .forEach((v, i) => b.writeFloatLE(v, 28 + 4 * i));
  let o = head;
  for (const v of vehicles) {
    const f = Math.min(1, v.s / v.road.length);
    const dx = v.road.to.x - v.road.from.x, dy = v.road.to.y - v.road.from.y,
          l = Math.hypot(dx, dy);
    const lane = 2 + (v.hops % 3) * 3.2;
    const x = v.road.from.x + dx * f + (dy / l) * lane,
          y = v.road.from.y + dy * f - (dx / l) * lane;
    b.writeUInt16LE(Math.round(((x - bbox[0]) / (bbox[2] - bbox[0])) * 65535), o);
    b.writeUInt16LE(Math.round(((y - bbox[1]) / (bbox[3] - bbox[1])) * 65535), o + 2);
    o += 4;
  }
  for (let r = 0; r < roads.length; ++r) b[o++] = Math.round(congestion(k.load[r]) * 255);
  for (const s of signals) b[o++] = s.phase;
  return b;
}

server.listen(
    Number(opt.port), '127.0.0.1',
    () => console.log(`mock citybrain on http://127.0.0.1:${opt.port}/ (token: ${opt.token})`));
