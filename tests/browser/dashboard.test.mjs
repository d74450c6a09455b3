// Browser test of the dashboard against the real server: starts `citybrain run` on a free port with
// a temporary data directory, drives Debian's headless Chromium through playwright-core and checks
// that the page loads, the map is drawn, the KPIs move with the stream, an override without the
// token is refused (401 in the panel), a hold with the token shows in the next frames and in the
// audit log, and the speed control reaches PUT /api/sim. Saves a screenshot of the dashboard.
//
//   node tests/browser/dashboard.test.mjs --citybrain build/apps/citybrain/citybrain \
//        --web web --out build/browser [--speed 20] [--chromium /usr/bin/chromium]
//   (or --url http://127.0.0.1:8080/ --token T to drive a server that is already running)
//
// Exits 0 when every check passed, 1 on a failed check, 77 (skipped) with a one-line reason when
// Chromium, web/node_modules (playwright-core) or the built bundle web/dist is missing.
import {spawn} from 'node:child_process';
import {existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync} from 'node:fs';
import {createRequire} from 'node:module';
import {createServer} from 'node:net';
import {tmpdir} from 'node:os';
import {join, resolve} from 'node:path';
import {parseArgs} from 'node:util';

const {values: opt} = parseArgs({
  options: {
    citybrain: {type: 'string'},
    web: {type: 'string', default: 'web'},
    out: {type: 'string', default: 'build/browser'},
    speed: {type: 'string', default: '20'},
    chromium: {type: 'string', default: process.env.CHROMIUM ?? '/usr/bin/chromium'},
    url: {type: 'string'},
    token: {type: 'string'},
  },
});

const SKIP = 77;
function skip(reason) {
  console.log(`skip: ${reason}`);
  process.exit(SKIP);
}

const webDir = resolve(opt.web);
if (!existsSync(opt.chromium)) skip(`no Chromium at ${opt.chromium} (apt-get install chromium)`);
if (!existsSync(join(webDir, 'node_modules', 'playwright-core'))) {
  skip(`${join(webDir, 'node_modules')} has no playwright-core (run scripts/build_web.sh)`);
}
if (!existsSync(join(webDir, 'dist', 'index.html')))
  skip(`${join(webDir, 'dist')} is not built (run scripts/build_web.sh)`);
if (!opt.url && !opt.citybrain) {
  console.error('error: give --citybrain <binary> (or --url and --token)');
  process.exit(2);
}

const {chromium} = createRequire(join(webDir, 'package.json'))('playwright-core');

// ---------------------------------------------------------------------------------------------
let passed = 0;
let failed = 0;
function check(ok, what, detail = '') {
  if (ok) {
    passed += 1;
    console.log(`ok - ${what}${detail ? ` (${detail})` : ''}`);
  } else {
    failed += 1;
    console.log(`FAILED - ${what}${detail ? ` (${detail})` : ''}`);
  }
  return ok;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls `fn` until it returns a truthy value or `ms` pass; returns the last value. */
async function until(fn, ms, every = 250) {
  const end = Date.now() + ms;
  let v;
  do {
    v = await fn();
    if (v) return v;
    await sleep(every);
  } while (Date.now() < end);
  return v;
}

function freePort() {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const {port} = s.address();
      s.close(() => res(port));
    });
  });
}

// ---------------------------------------------------------------------------------------------
let server = null;
let serverLog = '';
let dataDir = null;
let browser = null;

async function startServer() {
  const port = await freePort();
  dataDir = mkdtempSync(join(tmpdir(), 'citybrain-browser-'));
  const args = [
    'run', '--host', '127.0.0.1', '--port', String(port), '--data-dir', dataDir, '--web-dir',
    join(webDir, 'dist'), '--speed', opt.speed
  ];
  console.log(`# ${opt.citybrain} ${args.join(' ')}`);
  server = spawn(opt.citybrain, args, {stdio: ['ignore', 'pipe', 'pipe']});
  server.stdout.on('data', (d) => (serverLog += d));
  server.stderr.on('data', (d) => (serverLog += d));
  let exited = null;
  server.once('exit', (code, signal) => (exited = signal ?? code));
  const base = `http://127.0.0.1:${port}/`;
  const up = await until(async () => {
    if (exited !== null) return 'exited';
    try {
      return (await fetch(`${base}api/health`)).ok;
    } catch {
      return false;
    }
  }, 90_000, 300);
  if (up !== true)
    throw new Error(`citybrain run did not come up (${
        up === 'exited' ? `exited with ${exited}` : 'no answer in 90 s'}):\n${serverLog}`);
  const token = readFileSync(join(dataDir, 'token'), 'utf8').trim();
  return {base, token};
}

async function cleanup() {
  await browser?.close().catch(() => {});
  if (server && server.exitCode === null) {
    server.kill('SIGTERM');
    const gone =
        await until(() => server.exitCode !== null || server.signalCode !== null, 10_000, 100);
    if (!gone) server.kill('SIGKILL');
  }
  if (dataDir) rmSync(dataDir, {recursive: true, force: true});
}

async function getJson(base, path, init) {
  const r = await fetch(new URL(path, base), init);
  return {status: r.status, body: await r.json().catch(() => null)};
}

// Counts the colours a PNG shows, in the page (the browser decodes the PNG): buckets of 3 bits per
// channel, the background bucket, and how many pixels fall outside it.
async function colourStats(page, png) {
  return page.evaluate(async (b64) => {
    const img = new Image();
    img.src = `data:image/png;base64,${b64}`;
    await img.decode();
    const c = document.createElement('canvas');
    c.width = img.width;
    c.height = img.height;
    const g = c.getContext('2d');
    g.drawImage(img, 0, 0);
    const d = g.getImageData(0, 0, c.width, c.height).data;
    const counts = new Map();
    for (let i = 0; i < d.length; i += 4) {
      const key = ((d[i] >> 5) << 6) | ((d[i + 1] >> 5) << 3) | (d[i + 2] >> 5);
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    const total = d.length / 4;
    const sorted = [...counts.entries()].sort((a, b) => b[1] - a[1]);
    const background = sorted[0][1];
    // Colours that cover at least 0.05 % of the map, besides the background.
    const colours = sorted.slice(1).filter(([, n]) => n >= total * 0.0005).length;
    return {total, drawn: (total - background) / total, colours};
  }, png.toString('base64'));
}

// ---------------------------------------------------------------------------------------------
async function main() {
  const {base, token} = opt.url ? {base: opt.url, token: opt.token} : await startServer();
  const network = (await getJson(base, 'api/network')).body;
  const signals = network.features.filter(
      (f) => f.properties.kind === 'intersection' && f.properties.signal_index >= 0 &&
          f.properties.phases >= 3);
  if (!signals.length)
    throw new Error('the network has no signalised intersection with 3 or more phases');

  browser = await chromium.launch({
    executablePath: opt.chromium,
    args: [
      '--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--ignore-gpu-blocklist',
      '--no-sandbox', '--disable-dev-shm-usage'
    ],
  });
  const page = await browser.newPage({viewport: {width: 1440, height: 900}});
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('console', (m) => {
    // The refused override's 401 is expected; the browser logs every failed request.
    if (m.type() === 'error' && !/status of 401/.test(m.text())) pageErrors.push(m.text());
  });
  page.setDefaultTimeout(60_000);

  // 1. The page loads from the server, with its assets at relative paths.
  const response = await page.goto(base, {waitUntil: 'load'});
  check(
      response?.ok(), 'the dashboard page loads from citybrain run', `HTTP ${response?.status()}`);
  check(
      (await page.title()).includes('citybrain'), 'the page is the dashboard', await page.title());
  const live = await until(() => page.evaluate(() => (window.citybrain?.frames ?? 0) >= 3), 60_000);
  check(
      live, 'stream frames arrive over the WebSocket',
      `${await page.evaluate(() => window.citybrain?.frames ?? 0)} frames`);
  check((await page.textContent('#conn')) === 'live', 'the connection pill says live');

  // 2. The map is drawn: the WebGL canvas (overlays hidden) shows roads, vehicles and signals.
  await until(() => page.evaluate(() => (window.citybrain.last?.vehicles ?? 0) > 0), 60_000);
  await page
      .addStyleTag({
        content: '.legend,.map-hint,.fit,.panel,.map-error{visibility:hidden!important}',
      })
      .then(async (tag) => {
        await sleep(500);
        const png = await page.locator('#map canvas').first().screenshot();
        const stats = await colourStats(page, png);
        check(
            stats.drawn > 0.01, 'the map canvas is not blank',
            `${(stats.drawn * 100).toFixed(1)} % of pixels drawn`);
        check(
            stats.colours >= 4, 'the map shows several colours',
            `${stats.colours} colours besides the background`);
        await tag.evaluate((el) => el.remove());
      });

  // 3. The KPIs follow the stream: the sim clock, the tiles and the charts move.
  const kpiState = () => page.evaluate(
      () => ({
        clock: document.getElementById('sim-time').textContent,
        tiles: [...document.querySelectorAll('.tile-value')].map((e) => e.textContent).join('|'),
        points: window.citybrain.kpiPoints(),
        time: window.citybrain.last.time,
        charts: document.querySelectorAll('.chart canvas').length,
      }));
  const k0 = await kpiState();
  check(k0.charts >= 5, 'the KPI panel has its charts', `${k0.charts} uPlot canvases`);
  const k1 = await until(async () => {
    const k = await kpiState();
    return k.time >= k0.time + 20 && k.tiles !== k0.tiles && k.points > k0.points + 3 ? k : null;
  }, 60_000);
  check(
      !!k1, 'KPIs change over the stream',
      k1 ? `sim ${k0.clock} -> ${k1.clock}, chart points ${k0.points} -> ${k1.points}` :
           'no change in 60 s');
  check(k1 && k1.clock !== k0.clock, 'the sim clock advances');

  // 4. The intersection panel opens on a click on its signal.
  const target = signals[Math.floor(signals.length / 2)].properties;
  const xy = await page.evaluate((id) => window.citybrain.screenOf(id), target.id);
  await page.mouse.click(xy[0], xy[1]);
  const opened = await until(
      () => page.evaluate(
          (id) => window.citybrain.panel.current === id &&
              !!document.querySelector('[data-f=approaches] .approach'),
          target.id),
      30_000);
  check(opened, 'clicking a signal opens its intersection panel', target.id);
  const panelTitle = await page.textContent('#intersection h2');
  check(panelTitle === target.id, 'the panel names the intersection', panelTitle);

  // A phase to hold: a green phase other than the current one.
  const phaseNow = () => page.evaluate((s) => window.citybrain.last.phases[s], target.signal_index);
  let hold = (await phaseNow()) === 1 ? 2 : 1;
  await page.selectOption('[data-in=phase]', String(hold));
  await page.fill('[data-in=seconds]', '600');
  await page.fill('[data-in=reason]', 'browser test');

  // 5. Without the token: the dialog asks, nothing is typed, the server refuses with 401.
  await page.evaluate(() => sessionStorage.clear());
  await page.click('[data-act=hold]');
  await page.waitForSelector('#token-dialog[open]');
  check(true, 'an override asks for the operator token');
  await page.click('#token-send');
  const refused = await until(async () => {
    const t = await page.textContent('[data-f=result]');
    return t && t.includes('401') ? t : null;
  }, 20_000);
  check(
      !!refused, 'an override without the token is refused with 401 in the panel',
      refused ?? (await page.textContent('[data-f=result]')));
  const auditBefore = (await getJson(base, 'api/audit?limit=100')).body;
  check(
      !auditBefore.entries.some((e) => e.intersection === target.id),
      'the refused override is not in the audit log');

  // 6. With the token: the hold takes effect in the next frames and is audited. The phase to
  // hold is one the signal is not showing now.
  const before = await phaseNow();
  if (before === hold) {
    hold = hold === 1 ? 2 : 1;
    await page.selectOption('[data-in=phase]', String(hold));
  }
  console.log(`# ${target.id} shows phase ${before}; holding phase ${hold}`);
  await page.click('[data-act=hold]');
  await page.waitForSelector('#token-dialog[open]');
  await page.fill('#token-dialog input', token);
  const sentAt = await page.evaluate(() => window.citybrain.last.time);
  await page.click('#token-send');
  const accepted = await until(async () => {
    const el = await page.$('[data-f=result].ok');
    return el ? el.textContent() : null;
  }, 20_000);
  check(
      !!accepted, 'the hold with the token is accepted',
      accepted ?? (await page.textContent('[data-f=result]')));
  check(
      await page.evaluate(() => !!sessionStorage.getItem('citybrain.token')),
      'the token is kept in sessionStorage');

  // The change starts at the simulated second the server took it (the audit entry's sim_time,
  // t0): a 5 s change interval, then the held phase. Every frame the page receives from t0 + 10 s
  // to t0 + 50 s (longer than the controller's 30 s decision interval) must show the held phase.
  const audited = await until(async () => {
    const {entries} = (await getJson(base, 'api/audit?limit=100')).body;
    return entries.find((e) => e.intersection === target.id && e.action === 'hold');
  }, 20_000);
  const t0 = audited?.sim_time ?? sentAt;
  const seen = [];
  await until(async () => {
    const l = await page.evaluate(() => window.citybrain.last);
    if (!seen.length || seen[seen.length - 1][0] !== l.seq)
      seen.push([l.seq, l.time, l.phases[target.signal_index]]);
    return l.time > t0 + 50;
  }, 90_000, 50);
  const after = seen.filter(([, t]) => t >= t0 + 10 && t <= t0 + 50);
  const phasesAfter = [...new Set(after.map(([, , p]) => p))];
  check(
      after.length >= 3 && phasesAfter.length === 1 && phasesAfter[0] === hold,
      `the stream shows phase ${hold} at ${target.id} in the frames after the hold`,
      `request at sim ${sentAt.toFixed(0)} s, taken at ${t0.toFixed(0)} s; ${
          after.length} frames from ${(t0 + 10).toFixed(0)} to ${
          (t0 + 50).toFixed(0)} s show phase(s) ${phasesAfter.join(',')}`);
  const panelOverride = await until(async () => {
    const t = await page.textContent('[data-f=override]');
    return t && t.includes(`hold phase ${hold}`) ? t : null;
  }, 20_000);
  check(!!panelOverride, 'the panel shows the override', panelOverride ?? '');
  const panelPhase = await until(async () => {
    const t = await page.textContent('[data-f=phase] .chip');
    return t === String(hold) ? t : null;
  }, 20_000);
  check(!!panelPhase, 'the panel shows the held phase', `phase ${panelPhase}`);

  const audit = (await getJson(base, 'api/audit?limit=100')).body;
  const entry = audit.entries.find((e) => e.intersection === target.id && e.action === 'hold');
  check(
      !!entry && entry.detail?.phase === hold && entry.detail?.seconds === 600 &&
          entry.reason === 'browser test',
      'GET /api/audit has the hold',
      entry ? JSON.stringify(entry) : JSON.stringify(audit.entries.slice(0, 3)));
  const logged = await until(
      () => page.evaluate(
          (id) => [...document.querySelectorAll('#audit a')].some((a) => a.textContent === id),
          target.id),
      15_000);
  check(logged, 'the operator log in the page lists the hold');

  // 7. The speed control: PUT /api/sim with the kept token.
  await page.selectOption('#speed', '50');
  const sped = await until(
      async () => ((await getJson(base, 'api/health')).body?.speed === 50 ? true : null), 15_000);
  check(!!sped, 'the speed control changes the simulation speed (PUT /api/sim)');

  // 8. The screenshot, with the panel open over the map.
  mkdirSync(opt.out, {recursive: true});
  const shot = join(resolve(opt.out), 'dashboard.png');
  await sleep(1500);
  await page.screenshot({path: shot});
  console.log(`# screenshot: ${shot}`);

  // Release, so the log shows the whole story.
  await page.click('[data-act=release]');
  const released = await until(async () => {
    const t = await page.textContent('[data-f=override]');
    return t && t.includes('none') ? t : null;
  }, 20_000);
  check(!!released, 'release clears the override');

  check(pageErrors.length === 0, 'no errors in the page', pageErrors.slice(0, 3).join(' | '));
}

try {
  await main();
} catch (e) {
  failed += 1;
  console.log(`FAILED - ${e.stack ?? e}`);
  if (serverLog)
    console.log(`# server output:\n${serverLog.split('\n').map((l) => `#   ${l}`).join('\n')}`);
} finally {
  await cleanup();
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
