/**
 * The fault-injection suite (`npm run test:faults -- --runs 50 --seed 42`): PayBridge as a real child
 * process, the emulators in another, and for each run one payment with one fault injected — PayBridge
 * killed with SIGKILL before, during or after the provider call, an answer that comes too late, a 5xx,
 * garbage, a silent or aborting pinpad — then a restart and a retry with the same Idempotency-Key.
 * Checked against the emulators' own ledgers: exactly one charge or none, the journal agreeing, and
 * nothing left pending or unknown.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dropTestDatabases, freshDatabase } from '../postgres.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const RUNS = arg('runs', Number(process.env.FAULT_RUNS ?? 50));
// The whole suite is bounded in time, whatever happens.
const SUITE_DEADLINE = Date.now() + arg('max-seconds', 600) * 1000;
const SEED = arg('seed', Number(process.env.FAULT_SEED ?? Date.now() % 1_000_000));
// `--journal postgres`: the same faults with the journal in a fresh database on the test server
// (PAYBRIDGE_TEST_POSTGRES_URL), each killed PayBridge replaced by a new instance that must settle
// what the dead one left.
const ENGINE = process.argv.includes('--journal') ? process.argv[process.argv.indexOf('--journal') + 1] : 'sqlite';
if (ENGINE !== 'sqlite' && ENGINE !== 'postgres') throw new Error(`--journal sqlite|postgres, not ${ENGINE}`);

// A small seeded generator, so that a failing run can be replayed with --seed.
let state = SEED >>> 0;
const random = () => {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

type Method = 'click' | 'payme' | 'humo' | 'uzcard';
const QR_FAULTS = ['none', 'kill_before', 'kill_during', 'kill_after', 'late', 'http_5xx', 'garbage', 'declined'] as const;
const CARD_FAULTS = ['none', 'kill_before', 'kill_during', 'kill_after', 'silent', 'aborted', 'declined', 'busy'] as const;
type Fault = (typeof QR_FAULTS)[number] | (typeof CARD_FAULTS)[number];

const dir = mkdtempSync(join(tmpdir(), 'paybridge-faults-'));
const ports = { click: await freePort(), payme: await freePort(), uzcard: await freePort(), paybridge: await freePort() };
const emuData = join(dir, 'emulators');
writeFileSync(join(dir, 'sandbox.yaml'), `sandbox:\n  click:\n    lost_answer_delay_ms: 2500\n  payme:\n    lost_answer_delay_ms: 2500\n`);
const journalUrl = ENGINE === 'postgres' ? await freshDatabase() : undefined;
const config = `mode: production
data_dir: ${JSON.stringify(join(dir, 'paybridge'))}
${journalUrl ? `journal: { engine: postgres, url: ${JSON.stringify(journalUrl)} }` : ''}
log: { level: warn }
click:
  base_url: http://127.0.0.1:${ports.click}/v2/merchant/
  service_id: 10001
  merchant_user_id: sandbox-user
  secret_key: sandbox-secret-key
  timeouts: { connect_ms: 1000, response_ms: 700 }
  poll_interval_ms: 100
  status_deadline_ms: 4000
payme:
  url: http://127.0.0.1:${ports.payme}/api
  cashbox_id: sandbox-cashbox
  cashbox_key: sandbox-cashbox-key
  timeouts: { connect_ms: 1000, response_ms: 700 }
  poll_interval_ms: 100
  status_deadline_ms: 4000
terminals:
  queue_wait_ms: 8000
  devices:
    - { id: uzcard-1, method: uzcard, default: true, driver: bridge, bridge: { transport: tcp, host: 127.0.0.1, port: ${ports.uzcard}, answer_timeout_ms: 1500 } }
    - id: humo-1
      method: humo
      default: true
      driver: arcus2
      arcus2:
        command: ${JSON.stringify(process.execPath)}
        args: [${JSON.stringify(join(root, 'dist/sandbox/arcus2/command-line-tool.js'))}]
        work_dir: ${JSON.stringify(join(emuData, 'sandbox', 'arcus2'))}
        timeout_ms: 1500
idempotency: { wait_ms: 1500 }
recovery: { interval_ms: 250, grace_ms: 400, claim_ms: 2000 }
`;
writeFileSync(join(dir, 'paybridge.yaml'), config);

function start(script: string, env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, [join(root, script)], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr!.on('data', (d: Buffer) => process.stderr.write(`[${script}] ${d}`));
  return child;
}

const emulators = start('dist/sandbox/main.js', {
  PAYBRIDGE_DATA_DIR: emuData,
  PAYBRIDGE_CONFIG: join(dir, 'sandbox.yaml'),
  LOG_LEVEL: 'warn',
  SANDBOX_CLICK_PORT: String(ports.click),
  SANDBOX_PAYME_PORT: String(ports.payme),
  SANDBOX_UZCARD_PORT: String(ports.uzcard),
});

let paybridge: ChildProcess | undefined;
const base = `http://127.0.0.1:${ports.paybridge}`;

async function startPayBridge(): Promise<void> {
  paybridge = start('dist/main.js', { PAYBRIDGE_CONFIG: join(dir, 'paybridge.yaml'), PORT: String(ports.paybridge) });
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(`${base}/health`)).status === 200) return;
    } catch {
      /* starting */
    }
    await sleep(25);
  }
  throw new Error('PayBridge did not start');
}

const alive = (child: ChildProcess | undefined) => !!child && child.exitCode === null && child.signalCode === null;

async function kill(): Promise<void> {
  const child = paybridge;
  if (!child || !alive(child)) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
}

async function ledgerCount(method: Method): Promise<number> {
  if (method === 'click') {
    const list = (await (await fetch(`http://127.0.0.1:${ports.click}/_sandbox/payments`)).json()) as { payment_status: number; reversed: boolean }[];
    return list.filter((p) => p.payment_status === 2 && !p.reversed).length;
  }
  if (method === 'payme') {
    const list = (await (await fetch(`http://127.0.0.1:${ports.payme}/_sandbox/receipts`)).json()) as { state: number }[];
    return list.filter((r) => r.state === 4).length;
  }
  const file = method === 'uzcard' ? join(emuData, 'sandbox', 'uzcard-terminal.json') : join(emuData, 'sandbox', 'arcus2', 'arcus2-emulator.json');
  try {
    const terminal = JSON.parse(readFileSync(file, 'utf8')) as { operations: { kind: string }[] };
    return terminal.operations.filter((o) => o.kind === 'purchase').length;
  } catch {
    return 0;
  }
}

interface Answer {
  data: { transaction_id?: string } | null;
  error: { code: number; data: string | null; transaction_id?: string; transaction_status?: string } | null;
  is_success: boolean;
}

async function send(method: Method, body: object, key: string): Promise<Answer> {
  const path = method === 'humo' ? 'xumo' : method;
  const res = await fetch(`${base}/payment/${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': key }, body: JSON.stringify(body) });
  return (await res.json()) as Answer;
}

/** Retries with the same key until the answer is settled (not "in progress", not unknown). */
async function settle(method: Method, body: object, key: string): Promise<Answer> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const answer = await send(method, body, key).catch(() => undefined);
    const open = !answer || (answer.error?.code === 106 && /in progress/.test(answer.error.data ?? '')) || answer.error?.transaction_status === 'unknown';
    if (answer && !open) return answer;
    if (Date.now() > deadline) throw new Error(`no settled answer: ${JSON.stringify(answer)}`);
    await sleep(300);
  }
}

async function journal(status: string): Promise<{ transaction_id: string; method: string; status: string }[]> {
  const res = (await (await fetch(`${base}/payment/transactions?status=${status}&limit=500`)).json()) as { data: { items: { transaction_id: string; method: string; status: string }[] } };
  return res.data.items;
}

const MAGIC_QR: Partial<Record<Fault, string>> = { kill_during: '408', late: '408', http_5xx: '502', garbage: '520', declined: '116' };
const MAGIC_AMOUNT: Partial<Record<Fault, number>> = { kill_during: 40_800, silent: 99_900, aborted: 99_200, declined: 11_600 };

const stats = { runs: 0, passed: 0, failed: 0, charged: 0, notCharged: 0, doubleCharges: 0, unresolved: 0, faults: {} as Record<string, number> };
const failures: string[] = [];

try {
  await sleep(300);
  await startPayBridge();
  for (let run = 1; run <= RUNS && Date.now() < SUITE_DEADLINE; run++) {
    const method = pick<Method>(['click', 'payme', 'humo', 'uzcard']);
    const fault: Fault = method === 'click' || method === 'payme' ? pick(QR_FAULTS) : pick(CARD_FAULTS);
    stats.runs++;
    stats.faults[fault] = (stats.faults[fault] ?? 0) + 1;
    const key = randomUUID();
    const amount = MAGIC_AMOUNT[fault] ?? 10_000 + run * 100;
    const qr = `8801${String(SEED % 100_000).padStart(5, '0')}${String(run).padStart(6, '0')}${MAGIC_QR[fault] ?? '777'}`;
    const body = method === 'click' || method === 'payme' ? { amount, qr_code: qr } : { amount };
    const before = await ledgerCount(method);
    let problem = '';
    try {
      // Busy: another till's slow payment holds the terminal while this one arrives.
      const blocker = fault === 'busy' ? send(method, { amount: 40_800 }, randomUUID()).catch(() => undefined) : undefined;
      if (blocker) await sleep(100);
      const request = send(method, body, key).catch(() => undefined);
      if (fault === 'kill_before') {
        await sleep(Math.floor(random() * 40));
        await kill();
      } else if (fault === 'kill_during') {
        await sleep(300 + Math.floor(random() * 300));
        await kill();
      }
      await request;
      if (fault === 'kill_after') await kill();
      if (!alive(paybridge)) await startPayBridge();
      const answer = await settle(method, body, key);
      // Give recovery its turn, then nothing may be left open.
      let open = [...(await journal('pending')), ...(await journal('unknown'))];
      for (let i = 0; i < 24 && open.length; i++) {
        await sleep(250);
        open = [...(await journal('pending')), ...(await journal('unknown'))];
      }
      const blocked = blocker ? await blocker : undefined;
      const charges = (await ledgerCount(method)) - before - (blocked?.is_success ? 1 : 0);
      const id = answer.data?.transaction_id ?? answer.error?.transaction_id;
      const tx = id ? ((await (await fetch(`${base}/payment/transactions/${id}`)).json()) as { data: { status: string } | null }).data : null;
      if (charges > 1) {
        stats.doubleCharges++;
        problem = `${charges} charges`;
      } else if (open.length) {
        stats.unresolved += open.length;
        problem = `left open: ${open.map((t) => `${t.method}:${t.status}`).join(', ')}`;
      } else if (answer.is_success !== (charges === 1)) {
        problem = `answer ${answer.is_success ? 'success' : 'failure'} but ${charges} charge(s) at the ${method} ledger`;
      } else if (tx && (tx.status === 'succeeded') !== (charges === 1)) {
        problem = `journal says ${tx.status} but ${charges} charge(s) at the ledger`;
      } else if (!tx && charges === 1) {
        problem = 'charged, but no journal entry is named in the answer';
      }
      if (charges === 1) stats.charged++;
      else stats.notCharged++;
    } catch (err) {
      problem = (err as Error).message;
    }
    const line = `run ${run}: ${method} ${fault} → ${problem || 'ok'}`;
    if (problem) {
      stats.failed++;
      failures.push(line);
    } else stats.passed++;
    console.log(line);
  }
} finally {
  await kill();
  emulators.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
  await dropTestDatabases();
}

console.log(`\nfault suite, journal on ${ENGINE} (seed ${SEED}, replay with --seed ${SEED} --runs ${RUNS}${ENGINE === 'sqlite' ? '' : ` --journal ${ENGINE}`})`);
console.log(`runs: ${stats.runs}; charged once: ${stats.charged}; not charged: ${stats.notCharged}`);
console.log(`faults: ${Object.entries(stats.faults).map(([k, v]) => `${k} ${v}`).join(', ')}`);
console.log(`double charges: ${stats.doubleCharges} (must be 0); unresolved: ${stats.unresolved} (must be 0)`);
for (const f of failures) console.log(`FAILED ${f}`);
console.log(`${stats.passed} passed, ${stats.failed} failed`);
if (stats.runs < RUNS) console.log(`only ${stats.runs} of ${RUNS} runs fitted in the time limit`);
process.exit(stats.failed === 0 && stats.doubleCharges === 0 && stats.unresolved === 0 && stats.runs === RUNS ? 0 : 1);
