/**
 * `npm run soak` (the one-hour soak: `--warm-up 40 --minutes 60 --rate 28`): PayBridge as a service
 * (`node dist/main.js`) under a steady, realistic mix of a shop's requests for a bounded time (the
 * warm-up, then the time judged), on 127.0.0.1 only, sampled every
 * `--sample-seconds` (30): RSS, the V8 heap before and after a full collection, external memory, open
 * file descriptors by kind, the journal and its WAL, the log file. Before the load and at the end,
 * once PayBridge is at rest, its open descriptors are counted. At the end it prints a table and the
 * verdict of bench/soak-criterion.ts (RSS and the kept heap flat after warm-up, no more open files at
 * rest at the end than before the load) and writes everything as JSON
 * (`--out`, default bench/soak-results.json).
 *
 *   --warm-up M          minutes of load before the time judged (0 ≤ M ≤ 120; default 40: the
 *                        warm-up measured at 28 requests/s, bench/soak-criterion.ts)
 *   --minutes N          how long the load runs after the warm-up, judged (0 < N ≤ 240; default 60)
 *   --rate R             requests per second, evenly spaced (0 < R ≤ 200; default 28)
 *   --sample-seconds S   between samples (default 30)
 *   --out FILE           the JSON report
 *   --check              exit 1 when the verdict is "not flat"
 *   --rejudge FILE       judge an earlier report's samples again with this criterion; print it, write it back
 *                        (its own warm-up unless --warm-up is given; a report older than the option:
 *                        the first third of its run, as it was judged then)
 *   --rest-seconds N     how long to wait for rest before counting open files at the end (default 90:
 *                        the emulators' 72 s Keep-Alive, which PayBridge's pools honour, and a margin);
 *                        a count not at rest by then is not judged (not flat)
 *   --no-forced-gc       sample without a full collection first: RSS as V8 leaves it on its own
 *                        (the "heap kept" figures are then the heap in use, garbage included)
 *   --snapshots          heap snapshots into the run's folder after the warm-up and at the end (kept;
 *                        writing one raises RSS by tens of MB, so such a run's RSS is not judged)
 *   --only A,B           only these requests of the mix (to find which one a growth comes with):
 *                        click, payme, uzum, humo, uzcard, give_back, status, list, summary, attention
 *   --malloc-trim        after each sample ask glibc to give its free memory back (malloc_trim(0)) and
 *                        record RSS after it: memory the allocator holds free rather than a leak
 *                        (changes the RSS that follows: such a run's slope is not the service's)
 *   --sqlite-cache-kib N PayBridge's SQLite connections get PRAGMA cache_size = -N (KiB; better-sqlite3's
 *                        default is 16 000): an A/B of the page cache's part in RSS
 * Every sample also records glibc's mallinfo2 (bytes malloc has in use and holds free) and the count of
 * active handles, when available; MALLOC_* and GLIBC_TUNABLES in the environment pass to PayBridge.
 *
 * The providers and the pinpads are the sandbox's emulators (`node dist/sandbox/main.js`), in a
 * process of their own: they keep every payment in memory as a wallet's ledger does, which would
 * otherwise be counted as PayBridge's. PayBridge runs in production mode against them with the
 * sandbox's public test credentials, in a folder of its own (journal, log file) removed at the end.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'undici';
import { SANDBOX_CLICK, SANDBOX_PAYME, SANDBOX_UZUM } from '../src/sandbox/credentials.js';
import { setUpSandboxArcus2 } from '../src/sandbox/arcus2/setup.js';
import { memoryOf } from './lib/children.js';
import { descriptorsOf, type Descriptors } from './lib/descriptors.js';
import { machine } from './lib/report.js';
import { DEFAULT_LIMITS, judgeFlatness, type AtRest, type Verdict } from './soak-criterion.js';
import { printedReport, type Sample, type SoakReport, type Tally } from './soak-report.js';

const ROOT = new URL('../', import.meta.url).pathname;
const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '60' },
    // No default here: --rejudge tells "not given" (the report's own warm-up) from 40.
    'warm-up': { type: 'string' },
    rate: { type: 'string', default: '28' },
    'sample-seconds': { type: 'string', default: '30' },
    out: { type: 'string', default: join(ROOT, 'bench/soak-results.json') },
    check: { type: 'boolean', default: false },
    snapshots: { type: 'boolean', default: false },
    only: { type: 'string' },
    'malloc-trim': { type: 'boolean' },
    'sqlite-cache-kib': { type: 'string' },
    rejudge: { type: 'string' },
    'no-forced-gc': { type: 'boolean', default: false },
    'rest-seconds': { type: 'string', default: '90' },
  },
});
const warmUpGiven = values['warm-up'] === undefined ? undefined : Number(values['warm-up']);
if (warmUpGiven !== undefined && !(warmUpGiven >= 0 && warmUpGiven <= 120)) usage(`--warm-up must be 0–120 minutes, not ${values['warm-up']}`);
if (values.rejudge) {
  // A report judged again with this criterion (after the criterion changed), printed and written back.
  const earlier = JSON.parse(readFileSync(values.rejudge, 'utf8')) as SoakReport;
  // `minutes` is the time judged; in a report older than `warmUpMinutes` it was the whole load. Rewritten
  // with the warm-up, so that the report written back says one thing.
  const load = earlier.minutes + (earlier.warmUpMinutes ?? 0);
  earlier.warmUpMinutes = warmUpGiven ?? earlier.warmUpMinutes ?? load / 3;
  earlier.minutes = load - earlier.warmUpMinutes;
  earlier.verdict = judgeFlatness(earlier.samples, { warmUpMinutes: earlier.warmUpMinutes }, earlier.fds.atRest);
  writeFileSync(values.rejudge, `${JSON.stringify(earlier, null, 2)}\n`);
  process.stdout.write(printedReport(earlier, values.rejudge));
  process.exit(values.check && !earlier.verdict.flat ? 1 : 0);
}
const minutes = Number(values.minutes);
const warmUpMinutes = warmUpGiven ?? DEFAULT_LIMITS.warmUpMinutes;
const rate = Number(values.rate);
const sampleSeconds = Number(values['sample-seconds']);
if (!(minutes > 0 && minutes <= 240)) usage(`--minutes must be above 0 and at most 240, not ${values.minutes}`);
if (!(rate > 0 && rate <= 200)) usage(`--rate must be above 0 and at most 200, not ${values.rate}`);
if (!(Number(values['rest-seconds']) >= 0 && Number(values['rest-seconds']) <= 600)) usage(`--rest-seconds must be 0–600, not ${values['rest-seconds']}`);
if (!(sampleSeconds >= 1 && sampleSeconds <= 600)) usage(`--sample-seconds must be 1–600, not ${values['sample-seconds']}`);
if (!existsSync(join(ROOT, 'dist/main.js'))) usage('dist/main.js is missing: run `npm run build` first');

function usage(problem: string): never {
  process.stderr.write(`soak: ${problem}\n`);
  process.exit(2);
}

const say = (line: string) => process.stderr.write(`${line}\n`);

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function waitForPort(port: number, child: ChildProcess, what: string): Promise<void> {
  for (let i = 0; ; i++) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${what} exited with ${child.exitCode ?? child.signalCode}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (i > 1_200) throw new Error(`${what} did not listen on ${port} within a minute`);
    await sleep(50);
  }
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
  });
}

// ---------------------------------------------------------------------------------------------
// The processes

const dir = mkdtempSync(join(tmpdir(), 'paybridge-soak-'));
const emuDir = join(dir, 'emulators');
const dataDir = join(dir, 'paybridge');
mkdirSync(emuDir);
mkdirSync(dataDir);
const ports = { click: await freePort(), payme: await freePort(), uzcard: await freePort(), uzum: await freePort(), bridge: await freePort() };

const emulators = spawn(process.execPath, [join(ROOT, 'dist/sandbox/main.js')], {
  cwd: emuDir,
  env: {
    PATH: process.env.PATH,
    PAYBRIDGE_DATA_DIR: emuDir,
    LOG_LEVEL: 'warn',
    SANDBOX_CLICK_PORT: String(ports.click),
    SANDBOX_PAYME_PORT: String(ports.payme),
    SANDBOX_UZCARD_PORT: String(ports.uzcard),
    SANDBOX_UZUM_PORT: String(ports.uzum),
  },
  stdio: ['ignore', 'ignore', 'inherit'],
});
let bridge: ChildProcess | undefined;
const cleanUp = async () => {
  if (bridge) await stop(bridge);
  await stop(emulators);
  if (!values.snapshots) rmSync(dir, { recursive: true, force: true });
};
process.once('SIGINT', () => void cleanUp().then(() => process.exit(130)));
process.once('SIGTERM', () => void cleanUp().then(() => process.exit(143)));
// A soak that fails stops what it started: PayBridge and the emulators inherit its stderr, and a
// caller waiting for that stream to close (spawnSync, a pipe) would otherwise wait for ever.
process.once('uncaughtException', (err) => {
  say(`soak: ${err.stack ?? err.message}`);
  void cleanUp().finally(() => process.exit(1));
});

for (const [name, port] of Object.entries(ports)) if (name !== 'bridge') await waitForPort(port, emulators, 'the emulators');

// Humo's emulated Arcus2 CommandLineTool runs per operation, from a folder of PayBridge's side (as on a till).
const arcus2 = setUpSandboxArcus2(join(dataDir, 'arcus2'));
const logFile = join(dataDir, 'paybridge.log');
const config = {
  mode: 'production',
  // Never rotated during the run, so that the file's size is the log's volume.
  log: { level: 'info', format: 'json', file: logFile, file_max_size: '10g' },
  click: { base_url: `http://127.0.0.1:${ports.click}/v2/merchant/`, service_id: SANDBOX_CLICK.serviceId, merchant_user_id: SANDBOX_CLICK.merchantUserId, secret_key: SANDBOX_CLICK.secretKey },
  payme: { environment: 'test', url: `http://127.0.0.1:${ports.payme}/api`, cashbox_id: SANDBOX_PAYME.cashboxId, cashbox_key: SANDBOX_PAYME.cashboxKey },
  uzum: {
    base_url: `http://127.0.0.1:${ports.uzum}/api/apelsin-pay/merchant/`,
    service_id: SANDBOX_UZUM.serviceId,
    merchant_service_user_id: SANDBOX_UZUM.merchantServiceUserId,
    secret_key: SANDBOX_UZUM.secretKey,
    cashbox_code: SANDBOX_UZUM.cashboxCode,
  },
  terminals: {
    devices: [
      {
        id: 'humo-1',
        method: 'humo',
        default: true,
        driver: 'arcus2',
        arcus2: { command: arcus2.command, args: arcus2.args, work_dir: arcus2.workDir, timeout_ms: 30_000, cancel_args: ['/n{receipt}'], refund_args: ['/r{rrn}'] },
      },
      { id: 'uzcard-1', method: 'uzcard', default: true, driver: 'bridge', bridge: { transport: 'tcp', host: '127.0.0.1', port: ports.uzcard, answer_timeout_ms: 30_000 } },
    ],
  },
};
writeFileSync(join(dataDir, 'paybridge.json'), JSON.stringify(config, null, 2));
bridge = spawn(process.execPath, ['--expose-gc', '--import', join(ROOT, 'bench/soak-probe.mjs'), join(ROOT, 'dist/main.js')], {
  cwd: dataDir,
  // glibc's malloc tunables (MALLOC_ARENA_MAX, MALLOC_TRIM_THRESHOLD_, …) pass through, for A/B runs of the allocator.
  env: { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('MALLOC_') || k === 'GLIBC_TUNABLES')),
    ...(values['sqlite-cache-kib'] ? { SOAK_SQLITE_CACHE_KIB: values['sqlite-cache-kib'] } : {}),
    // The worker threads' probe: pino starts its transport's worker without the command line's
    // preloads (execArgv []), but a worker reads NODE_OPTIONS, and pino keeps a --require of a file that exists.
    NODE_OPTIONS: `--require ${JSON.stringify(join(ROOT, 'bench/soak-probe-threads.cjs'))}`,
    PATH: process.env.PATH, PAYBRIDGE_CONFIG: join(dataDir, 'paybridge.json'), PAYBRIDGE_DATA_DIR: dataDir, PORT: String(ports.bridge), HOST: '127.0.0.1' },
  stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
});
const pid = bridge.pid!;
const url = `http://127.0.0.1:${ports.bridge}`;
/** The till's connections, the health checks' too (a connection of its own would count at rest). */
const tillPool = () => new Pool(url, { connections: 16, pipelining: 1 });
let pool = tillPool();
for (let i = 0; ; i++) {
  if (bridge.exitCode !== null || bridge.signalCode !== null) throw new Error(`PayBridge exited with ${bridge.exitCode ?? bridge.signalCode}`);
  const healthy = await pool.request({ path: '/health', method: 'GET' }).then(async (r) => (await r.body.dump(), r.statusCode === 200), () => false);
  if (healthy) break;
  if (i > 600) throw new Error('PayBridge did not answer /health with 200 within a minute');
  await sleep(100);
}

// ---------------------------------------------------------------------------------------------
// Samples


const MB = 1024 * 1024;
function ask<T>(message: { type: string; file?: string; gc?: boolean; trim?: boolean }): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => (bridge!.off('message', on), reject(new Error(`PayBridge did not answer ${message.type} within 60 s`))), 60_000);
    const on = (m: unknown) => {
      if ((m as { type?: string })?.type !== message.type) return;
      clearTimeout(timer);
      bridge!.off('message', on);
      resolve(m as T);
    };
    bridge!.on('message', on);
    bridge!.send(message);
  });
}
const size = (file: string) => (existsSync(file) ? statSync(file).size : 0);
/** Every file pino-roll writes for `paybridge.log` (paybridge.1.log, …). */
const logFiles = () => readdirSync(dataDir).filter((f) => /^paybridge\..*log$/.test(f)).map((f) => join(dataDir, f));

function rssParts(of: number): { rssAnonMb: number; rssFileMb: number } {
  const status = readFileSync(`/proc/${of}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssAnonMb: kb('RssAnon') / 1024, rssFileMb: (kb('RssFile') + kb('RssShmem')) / 1024 };
}

/** A sample's descriptors: the total (its floors are reported) and by kind, to tell what moves under load. */
function descriptorFigures(d: Descriptors): Pick<Sample, 'fds' | 'fdKinds'> {
  return { fds: d.total, fdKinds: { files: d.files, pipes: d.pipes, tcp: d.tcp, otherSockets: d.otherSockets, other: d.other } };
}

const samples: Sample[] = [];
let sent = 0;
let loadStarted = performance.now();
async function sample(): Promise<Sample> {
  const rssBefore = memoryOf(pid).rssMb;
  const forced = !values['no-forced-gc'];
  const answer = await ask<{
    before: NodeJS.MemoryUsage;
    after: NodeJS.MemoryUsage;
    gc: boolean;
    malloc: { inUse: number; free: number; arena: number; mmapped: number } | null;
    handles: number | null;
    trimmed: { malloc: { inUse: number; free: number }; rss: number } | null;
    threads?: { threadId: number; before: { used: number; total: number }; after: { used: number; total: number } }[];
    spaces?: Record<string, { committed: number; used: number }>;
  }>({ type: 'soak-sample', gc: forced, trim: Boolean(values['malloc-trim']) });
  const workers = answer.threads ?? [];
  const workersMb = (key: 'used' | 'total') => workers.reduce((sum, w) => sum + w.after[key], 0) / MB;
  if (forced && !answer.gc) throw new Error('PayBridge was started without --expose-gc');
  const s: Sample = {
    minute: (performance.now() - loadStarted) / 60_000,
    at: new Date().toISOString(),
    requests: sent,
    rssMb: memoryOf(pid).rssMb,
    rssBeforeGcMb: rssBefore,
    heapBeforeGcMb: answer.before.heapUsed / MB,
    heapAfterGcMb: answer.after.heapUsed / MB,
    heapTotalMb: answer.after.heapTotal / MB,
    workerThreads: workers.length,
    workerHeapAfterGcMb: workersMb('used'),
    workerHeapTotalMb: workersMb('total'),
    ...(answer.spaces ? { heapSpacesMb: Object.fromEntries(Object.entries(answer.spaces).map(([name, sp]) => [name, { committed: sp.committed / MB, used: sp.used / MB }])) } : {}),
    ...rssParts(pid),
    externalMb: answer.after.external / MB,
    arrayBuffersMb: answer.after.arrayBuffers / MB,
    ...descriptorFigures(descriptorsOf(pid, ports.bridge)),
    journalMb: size(join(dataDir, 'journal.sqlite')) / MB,
    walMb: size(join(dataDir, 'journal.sqlite-wal')) / MB,
    logMb: logFiles().reduce((sum, f) => sum + size(f), 0) / MB,
    loadavg1: loadavg()[0]!,
    ...(answer.malloc ? { mallocInUseMb: answer.malloc.inUse / MB, mallocFreeMb: answer.malloc.free / MB } : {}),
    ...(answer.handles !== null ? { activeHandles: answer.handles } : {}),
    ...(answer.trimmed ? { rssAfterTrimMb: answer.trimmed.rss / MB } : {}),
  };
  samples.push(s);
  say(
    `  ${s.minute.toFixed(1).padStart(5)} min  RSS ${s.rssMb.toFixed(1)} MB (before GC ${s.rssBeforeGcMb.toFixed(1)})  anon ${s.rssAnonMb.toFixed(1)} file ${s.rssFileMb.toFixed(1)}  heap ${s.heapAfterGcMb.toFixed(1)} MB kept / ${s.heapBeforeGcMb.toFixed(1)} / ${s.heapTotalMb.toFixed(1)} committed  workers' heap ${s.workerHeapAfterGcMb!.toFixed(1)} kept / ${s.workerHeapTotalMb!.toFixed(1)} committed (${s.workerThreads})  fds ${s.fds}  WAL ${s.walMb.toFixed(1)} MB  log ${s.logMb.toFixed(1)} MB  load ${s.loadavg1.toFixed(1)}` +
      (s.mallocInUseMb !== undefined ? `  malloc in use ${s.mallocInUseMb.toFixed(1)} free ${s.mallocFreeMb!.toFixed(1)} MB` : '') +
      `  external ${s.externalMb.toFixed(1)} ab ${s.arrayBuffersMb.toFixed(1)} MB` +
      (s.activeHandles !== undefined ? `  handles ${s.activeHandles}` : '') +
      (s.rssAfterTrimMb !== undefined ? `  RSS after malloc_trim ${s.rssAfterTrimMb.toFixed(1)} MB` : ''),
  );
  return s;
}

// ---------------------------------------------------------------------------------------------
// The load: a shop's mix, open-loop at a steady rate

type Action = 'click' | 'payme' | 'uzum' | 'humo' | 'uzcard' | 'give_back' | 'status' | 'list' | 'summary' | 'attention';
/** Per 20 requests: 9 QR payments (3 of each wallet), 2 card payments, 2 give-backs, 7 reads. */
const WEIGHTS: Record<Action, number> = { click: 3, payme: 3, uzum: 3, humo: 1, uzcard: 1, give_back: 2, status: 4, list: 1, summary: 1, attention: 1 };
const only = values.only?.split(',');
for (const a of only ?? []) if (!(a in WEIGHTS)) usage(`--only: no such request in the mix: ${a}`);
/** The mix spread out evenly (a fixed order: runs are comparable). */
const ORDER: Action[] = (() => {
  const slots: { action: Action; at: number }[] = [];
  for (const [action, weight] of Object.entries(WEIGHTS) as [Action, number][]) if (!only || only.includes(action)) for (let k = 0; k < weight; k++) slots.push({ action, at: (k + 0.5) / weight });
  return slots.sort((a, b) => a.at - b.at || a.action.localeCompare(b.action)).map((s) => s.action);
})();

const tally = new Map<string, Tally>();
const count = (what: string, outcome: 'ok' | 'notOk' | 'errors', ms: number) => {
  const t = tally.get(what) ?? { sent: 0, ok: 0, notOk: 0, errors: 0, totalMs: 0, maxMs: 0 };
  t.sent += 1;
  t[outcome] += 1;
  t.totalMs += ms;
  t.maxMs = Math.max(t.maxMs, ms);
  tally.set(what, t);
};
/** Payments answered paid, newest last, for status reads and give-backs (bounded). */
const paid: string[] = [];
const cardPaid: string[] = [];
const busyLane = { humo: false, uzcard: false };
/** A QR code no earlier request used, never a magic suffix; 44 characters (Uzum refuses codes under 40). */
const qr = (n: number) => `8802${String(process.pid).padStart(8, '0')}${String(n).padStart(29, '0')}000`;
const CARD_AMOUNTS = [50_000, 123_400, 2_500_000];
const QR_AMOUNTS = [500, 1_234_500, 45_678_900, 990_000];

async function call(what: string, method: 'GET' | 'POST', path: string, body?: unknown): Promise<Record<string, unknown> | undefined> {
  const started = performance.now();
  try {
    const res = await pool.request({
      path,
      method,
      headers: method === 'POST' ? { 'content-type': 'application/json', 'idempotency-key': randomUUID() } : {},
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.body.text();
    const json = JSON.parse(text) as { is_success?: boolean; data?: Record<string, unknown> };
    const ok = res.statusCode === 200 && json.is_success === true;
    count(what, ok ? 'ok' : 'notOk', performance.now() - started);
    return ok ? (json.data ?? {}) : undefined;
  } catch {
    count(what, 'errors', performance.now() - started);
    return undefined;
  }
}

async function act(action: Action, n: number): Promise<void> {
  switch (action) {
    case 'click':
    case 'payme':
    case 'uzum': {
      const data = await call(action, 'POST', `/payment/${action}`, { amount: QR_AMOUNTS[n % QR_AMOUNTS.length], qr_code: qr(n) });
      if (typeof data?.transaction_id === 'string') {
        paid.push(data.transaction_id);
        if (paid.length > 5_000) paid.splice(0, paid.length - 5_000);
      }
      return;
    }
    case 'humo':
    case 'uzcard': {
      // One pinpad serves one customer at a time: while it is busy the till reads instead.
      if (busyLane[action]) return act('status', n);
      busyLane[action] = true;
      try {
        const data = await call(action, 'POST', action === 'humo' ? '/payment/xumo' : '/payment/uzcard', { amount: CARD_AMOUNTS[n % CARD_AMOUNTS.length] });
        // Not given back by the soak (a cancel needs the pinpad, which the next customer is using).
        if (typeof data?.transaction_id === 'string') cardPaid.push(data.transaction_id);
        if (cardPaid.length > 200) cardPaid.shift();
      } finally {
        busyLane[action] = false;
      }
      return;
    }
    case 'give_back': {
      // A customer brings something back: the whole payment, from the recent ones.
      const id = paid.splice(Math.max(0, paid.length - 1 - (n % 50)), 1)[0];
      if (!id) return act('status', n);
      await call('give_back', 'POST', `/payment/transactions/${id}/refund`, { operator: 'soak' });
      return;
    }
    case 'status': {
      const id = paid[paid.length - 1 - (n % Math.max(1, Math.min(paid.length, 200)))];
      await call('status', 'GET', id ? `/payment/transactions/${id}` : '/payment/transactions?limit=1');
      return;
    }
    case 'list':
      await call('list', 'GET', '/payment/transactions?limit=50');
      return;
    case 'summary':
      await call('summary', 'GET', '/payment/summary');
      return;
    case 'attention':
      await call('attention', 'GET', '/payment/attention');
      return;
  }
}

/**
 * The wait for rest (--rest-seconds, 90 by default): PayBridge may keep an idle connection to a
 * provider as long as the provider's Keep-Alive hint says (undici honours it); the emulators are
 * Fastify servers, whose keepAliveTimeout is 72 s. Still connected after that and a margin means
 * something is still open.
 */
const REST_DEADLINE_MS = Number(values['rest-seconds']) * 1000;
/** The HTTP emulators' ports: connections PayBridge holds to them only while they are in use or idle-kept. */
const providerPorts = [ports.click, ports.payme, ports.uzum].map(String);

/** The UzCard pinpad's link: opened at its first operation and kept by design, so not counted as growth. */
const pinpadLinks = (d: Descriptors) => d.tcp[String(ports.uzcard)] ?? 0;

/**
 * Open descriptors at rest: the requests in flight answered, the till's connections closed, and
 * PayBridge's idle connections to the providers gone by their keep-alive. A descriptor
 * left open (a file, a pipe, a socket nobody closes) is still counted then; the sockets that come and
 * go with what is in flight are not.
 */
async function atRest(): Promise<AtRest & { descriptors: Descriptors }> {
  const paused = performance.now();
  await Promise.all(inFlight);
  await pool.close();
  pool = tillPool();
  let d = descriptorsOf(pid, ports.bridge);
  const busy = (x: Descriptors) => Boolean(x.tcp.inbound) || providerPorts.some((p) => x.tcp[p]);
  while (busy(d) && performance.now() - paused < REST_DEADLINE_MS) {
    await sleep(500);
    d = descriptorsOf(pid, ports.bridge);
  }
  const rest = { minute: (paused - loadStarted) / 60_000, waitedSeconds: (performance.now() - paused) / 1000, settled: !busy(d), fds: d.total - pinpadLinks(d), descriptors: d };
  say(`  at rest after ${rest.waitedSeconds.toFixed(1)} s: ${rest.fds} descriptors besides the pinpad's link ${JSON.stringify({ ...d, total: undefined })}${rest.settled ? '' : ' — NOT SETTLED'}`);
  return rest;
}

say(`soak: PayBridge pid ${pid} on ${url}, ${rate} requests/s for ${warmUpMinutes} min of warm-up and ${minutes} min judged, a sample every ${sampleSeconds} s; folder ${dir}`);
const inFlight = new Set<Promise<void>>();
const restBeforeLoad = await atRest();
loadStarted = performance.now();
await sample();
const total = Math.round(rate * (warmUpMinutes + minutes) * 60);
const interval = 1000 / rate;
let skipped = 0;
let nextSample = sampleSeconds * 1000;
let snapshotTaken = false;
const snapshots: string[] = [];
const samplesDue: Promise<unknown>[] = [];
for (let i = 0; i < total; i++) {
  const planned = loadStarted + i * interval;
  const wait = planned - performance.now();
  if (wait >= 1) await sleep(wait);
  if (performance.now() - loadStarted >= nextSample) {
    // Samples missed (a machine too busy to keep time) are skipped, not taken all at once.
    while (performance.now() - loadStarted >= nextSample) nextSample += sampleSeconds * 1000;
    // Sampled beside the load, not instead of it: the load's departures stay on time.
    samplesDue.push(sample().catch((err: Error) => say(`  sample failed: ${err.message}`)));
    if (values.snapshots && !snapshotTaken && performance.now() - loadStarted >= warmUpMinutes * 60_000) {
      snapshotTaken = true;
      const file = join(dir, 'after-warm-up.heapsnapshot');
      snapshots.push(file);
      samplesDue.push(ask({ type: 'soak-snapshot', file }));
    }
  }
  // Bounded: a PayBridge that stopped answering does not make the soak pile up requests without end.
  if (inFlight.size >= 500) {
    skipped += 1;
    continue;
  }
  sent += 1;
  const p = act(ORDER[i % ORDER.length]!, i).finally(() => inFlight.delete(p));
  inFlight.add(p);
}
await Promise.all(inFlight);
await Promise.all(samplesDue);
const seconds = (performance.now() - loadStarted) / 1000;
await sample();
const restAtEnd = await atRest();
if (values.snapshots) {
  const file = join(dir, 'end.heapsnapshot');
  snapshots.push(file);
  await ask({ type: 'soak-snapshot', file });
}
await pool.close();

// The log: lines by level over the whole run (pino's numeric levels).
const levels: Record<string, number> = {};
let logLines = 0;
for (const f of logFiles()) {
  for (const m of readFileSync(f, 'utf8').matchAll(/^\{"level":(\d+)/gm)) {
    logLines += 1;
    const name = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' }[Number(m[1])] ?? m[1]!;
    levels[name] = (levels[name] ?? 0) + 1;
  }
}
const first = samples[0]!;
const last = samples[samples.length - 1]!;
const hours = seconds / 3600;
const rest = { beforeLoad: restBeforeLoad, atEnd: restAtEnd };
const verdict: Verdict = judgeFlatness(samples, { warmUpMinutes }, rest);
const report: SoakReport = {
  at: new Date().toISOString(),
  machine: { ...machine(), loadavgAtEnd: loadavg() } as Record<string, unknown>,
  command: `npm run soak -- --warm-up ${warmUpMinutes} --minutes ${minutes} --rate ${rate}${only ? ` --only ${only.join(',')}` : ''}${values['no-forced-gc'] ? ' --no-forced-gc' : ''}${values['malloc-trim'] ? ' --malloc-trim' : ''}${values['sqlite-cache-kib'] ? ` --sqlite-cache-kib ${values['sqlite-cache-kib']}` : ''}`,
  forcedGc: !values['no-forced-gc'],
  warmUpMinutes,
  minutes,
  rate,
  sampleSeconds,
  mix: only ? Object.fromEntries(only.map((a) => [a, WEIGHTS[a as Action]])) : WEIGHTS,
  requests: { sent, skipped, seconds, perSecond: sent / seconds, byAction: Object.fromEntries(tally) },
  verdict,
  fds: { first: first.fds, last: last.fds, max: Math.max(...samples.map((s) => s.fds)), atRest: rest },
  log: {
    level: 'info',
    bytes: Math.round(last.logMb * MB),
    lines: logLines,
    byLevel: levels,
    mbPerHour: (last.logMb - first.logMb) / hours,
    linesPerHour: logLines / hours,
  },
  journal: { mb: last.journalMb, walMbMax: Math.max(...samples.map((s) => s.walMb)) },
  snapshots,
  samples,
};
writeFileSync(values.out!, `${JSON.stringify(report, null, 2)}\n`);
await cleanUp();

process.stdout.write(printedReport(report, values.out!));
if (values.check && !verdict.flat) process.exit(1);
