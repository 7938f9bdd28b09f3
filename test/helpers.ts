import { fileURLToPath } from 'node:url';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createPayBridge, type PayBridge } from '../src/app.js';
import { loadConfig } from '../src/config/load.js';
import type { Config } from '../src/config/schema.js';
import { createLogger } from '../src/logger.js';
import type { Clock } from '../src/lib/clock.js';
import { fenceOf, type Fence, type Journal, type JournalEntryStep, type TransactionPatch } from '../src/payments/ports/journal.js';
import type { TransactionStatus } from '../src/payments/state-machine.js';
import type { Transaction } from '../src/payments/transaction.js';

const tempDirs: string[] = [];
// One listener for them all: a file of tests may make dozens of folders.
process.once('exit', () => tempDirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** A folder that disappears when the test process ends. */
export function tempDir(prefix = 'paybridge-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

/** Collects every log line a PayBridge writes, so tests can assert what reaches the log. */
export class LogCapture extends Writable {
  readonly lines: string[] = [];
  override _write(chunk: Buffer, _enc: string, done: () => void): void {
    this.lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    done();
  }
  get text(): string {
    return this.lines.join('\n');
  }
}

/**
 * The sandbox configuration with timeouts short enough for tests: the Click emulator holds a
 * lost answer for 5 s while PayBridge gives up after 300 ms.
 */
export function testConfig(dataDir: string, overrides: (c: Config) => void = () => {}): Config {
  const { config } = loadConfig({ PAYBRIDGE_DATA_DIR: dataDir, LOG_LEVEL: 'debug' }, dataDir);
  config.sandbox.click.lost_answer_delay_ms = 5_000;
  config.sandbox.click.processing_ms = 300;
  config.sandbox.click.confirm_window_ms = 2_000;
  config.click = {
    base_url: 'http://replaced-in-sandbox.invalid/',
    service_id: 1,
    merchant_user_id: 'x',
    secret_key: 'x',
    timeouts: { connect_ms: 1_000, response_ms: 300 },
    poll_interval_ms: 50,
    status_deadline_ms: 2_000,
    not_found_after_ms: 600,
    partial_reversal: false,
    confirm_mode: true,
  };
  config.sandbox.payme.lost_answer_delay_ms = 5_000;
  config.sandbox.payme.processing_ms = 300;
  config.sandbox.payme.cancel_queue_ms = 100;
  config.payme = {
    environment: 'test',
    cashbox_id: 'x',
    cashbox_key: 'x',
    timeouts: { connect_ms: 1_000, response_ms: 300 },
    poll_interval_ms: 50,
    status_deadline_ms: 2_000,
    not_found_after_ms: 600,
  };
  // The daily wallet reconciliation would ask the emulators on its own at 23:50 Tashkent time; tests
  // that want it run it themselves (test/wallet-reconciliation.test.ts).
  config.reconciliation.daily = false;
  config.reconciliation.calls_per_second = 50;
  config.reconciliation.retry_pause_ms = 50;
  overrides(config);
  return config;
}

export interface TestBridge extends PayBridge {
  logs: LogCapture;
  dataDir: string;
}

/** A whole sandbox PayBridge (journal on disk, Click emulator on a loopback port), not listening. */
export async function startTestBridge(overrides?: (c: Config) => void, dataDir = tempDir(), options: { clock?: Clock } = {}): Promise<TestBridge> {
  const config = testConfig(dataDir, overrides);
  const logs = new LogCapture();
  const bridge = await createPayBridge(config, createLogger(config.log.level, logs), options);
  await bridge.server.ready();
  return Object.assign(bridge, { logs, dataDir });
}

/** POSTs raw bytes through Fastify inject and returns status and parsed envelope. */
export async function post(bridge: PayBridge, url: string, payload: string | object, headers: Record<string, string> = { 'content-type': 'application/json' }) {
  const res = await bridge.server.inject({ method: 'POST', url, payload: typeof payload === 'string' ? payload : JSON.stringify(payload), headers });
  return { statusCode: res.statusCode, body: res.json() as Envelope };
}

export async function get(bridge: PayBridge, url: string) {
  const res = await bridge.server.inject({ method: 'GET', url });
  return { statusCode: res.statusCode, body: res.json() as Envelope };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Envelope = { data: any; error: { code: number; message: string; data: string | null; [k: string]: any } | null; is_success: boolean };

import { ClickEmulator, type ClickEmulatorOptions } from '../src/sandbox/click/emulator.js';
import { SANDBOX_CLICK } from '../src/sandbox/credentials.js';

/** A Click emulator of the test's own, for production-mode configurations pointed at it. */
export function startClickEmulator(options: Partial<ClickEmulatorOptions> = {}): Promise<ClickEmulator> {
  return new ClickEmulator({
    ...SANDBOX_CLICK,
    lostAnswerDelayMs: 5_000,
    processingMs: 300,
    confirmWindowMs: 2_000,
    ...options,
  }).start();
}

/** A production-mode configuration whose Click is `emulator`, with the given secret. */
export function productionClick(emulator: { baseUrl: string }, secretKey: string = SANDBOX_CLICK.secretKey) {
  return (c: Config) => {
    c.mode = 'production';
    c.payme = undefined;
    c.click = {
      base_url: emulator.baseUrl,
      service_id: SANDBOX_CLICK.serviceId,
      merchant_user_id: SANDBOX_CLICK.merchantUserId,
      secret_key: secretKey,
      cashbox_code: 'till-7',
      timeouts: { connect_ms: 1_000, response_ms: 300 },
      poll_interval_ms: 50,
      status_deadline_ms: 2_000,
      not_found_after_ms: 600,
      partial_reversal: false,
      confirm_mode: true,
    };
  };
}

import { createServer, connect, type Server, type Socket } from 'node:net';
import { PaymeEmulator, type PaymeEmulatorOptions } from '../src/sandbox/payme/emulator.js';
import { SANDBOX_PAYME, SANDBOX_UZUM } from '../src/sandbox/credentials.js';

export function startPaymeEmulator(options: Partial<PaymeEmulatorOptions> = {}): Promise<PaymeEmulator> {
  return new PaymeEmulator({ ...SANDBOX_PAYME, lostAnswerDelayMs: 5_000, processingMs: 300, cancelQueueMs: 100, ...options }).start();
}

/** A production-mode configuration whose Payme is at `url` (and no Click). */
export function productionPayme(url: string, cashboxKey: string = SANDBOX_PAYME.cashboxKey) {
  return (c: Config) => {
    c.mode = 'production';
    c.click = undefined;
    c.payme = {
      environment: 'test',
      url,
      cashbox_id: SANDBOX_PAYME.cashboxId,
      cashbox_key: cashboxKey,
      timeouts: { connect_ms: 1_000, response_ms: 300 },
      poll_interval_ms: 50,
      status_deadline_ms: 2_000,
      not_found_after_ms: 600,
    };
  };
}

/**
 * A production Uzum configuration against the Uzum emulator at `baseUrl`. `responseMs` is how long an
 * answer is waited for: short where a test loses answers on purpose, longer where it only needs them.
 */
export function productionUzum(baseUrl: string, responseMs = 300, timestamp: 'utc' | 'utc+5' = 'utc') {
  return (c: Config) => {
    c.mode = 'production';
    c.click = undefined;
    c.payme = undefined;
    c.uzum = {
      base_url: baseUrl,
      service_id: SANDBOX_UZUM.serviceId,
      merchant_service_user_id: SANDBOX_UZUM.merchantServiceUserId,
      secret_key: SANDBOX_UZUM.secretKey,
      cashbox_code: 'KKM-7',
      timestamp,
      timeouts: { connect_ms: 1_000, response_ms: responseMs },
      poll_interval_ms: 50,
      status_deadline_ms: 2_000,
      not_found_after_ms: 600,
    };
  };
}

/**
 * A TCP relay on loopback in front of an emulator: a real network path that a test can cut
 * (connections are reset at once) and restore.
 */
export class TcpRelay {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  down = false;

  constructor(private readonly targetPort: number) {}

  async start(): Promise<number> {
    this.server = createServer((client) => {
      this.sockets.add(client);
      client.on('close', () => this.sockets.delete(client));
      if (this.down) {
        client.resetAndDestroy();
        return;
      }
      const upstream = connect(this.targetPort, '127.0.0.1');
      client.pipe(upstream).pipe(client);
      const end = () => {
        client.destroy();
        upstream.destroy();
      };
      client.on('error', end);
      upstream.on('error', end);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return (this.server.address() as { port: number }).port;
  }

  /** Cuts the path: open connections and every new one are reset. */
  cut(): void {
    this.down = true;
    for (const s of this.sockets) s.resetAndDestroy();
  }

  restore(): void {
    this.down = false;
  }

  /** Stops listening: a connection is refused before anything is sent (ECONNREFUSED). */
  async refuse(): Promise<void> {
    const port = (this.server!.address() as { port: number }).port;
    this.refusedPort = port;
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  /** Listens again on the same port after `refuse`. */
  async accept(): Promise<void> {
    await new Promise<void>((resolve) => this.server!.listen(this.refusedPort, '127.0.0.1', resolve));
  }

  private refusedPort = 0;

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}

/** A loopback port that was free a moment ago (nothing listens on it once this returns). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

let qrCounter = 0;
/** A QR code no other payment in this test process used (a retry of the same code is the same payment). */
export function uniqueQr(): string {
  qrCounter += 1;
  return `8801${String(process.pid % 100_000).padStart(5, '0')}${String(qrCounter).padStart(6, '0')}777`;
}

export interface PayBridgeProcess {
  name: string;
  child: import('node:child_process').ChildProcess;
  base: string;
  output: () => string;
  exited: Promise<void>;
}

/**
 * Starts `src/main.ts` as a real process with the configuration file `config` (listening on `port`),
 * and waits until its /health answers 200. `startupMs` bounds only the start, never a payment.
 */
export async function spawnPayBridge(name: string, config: string, dataDir: string, port: number, startupMs = 60_000): Promise<PayBridgeProcess> {
  const { spawn } = await import('node:child_process');
  const main = fileURLToPath(new URL('../src/main.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', main], {
    env: { PATH: process.env.PATH ?? '', PAYBRIDGE_CONFIG: config, PAYBRIDGE_DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + startupMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited early:\n${out}`);
    try {
      if ((await fetch(`${base}/health`)).status === 200) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${name} did not become healthy:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { name, child, base, output: () => out, exited };
}

/**
 * A production-mode PayBridge process on a free port of its own, talking to the CLICK emulator at
 * `clickUrl` with the sandbox credentials; `settings` adds to (and may override) that configuration.
 */
export async function startClickPayBridgeProcess(
  name: string,
  clickUrl: string,
  settings: { click?: object; [key: string]: unknown },
  startupMs: number,
): Promise<PayBridgeProcess> {
  const { writeFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const dir = tempDir();
  const port = await freePort();
  const config = join(dir, 'paybridge.json');
  const { click, ...rest } = settings;
  const clickSettings = {
    base_url: clickUrl,
    service_id: SANDBOX_CLICK.serviceId,
    merchant_user_id: SANDBOX_CLICK.merchantUserId,
    secret_key: SANDBOX_CLICK.secretKey,
    poll_interval_ms: 50,
    status_deadline_ms: 5_000,
    ...click,
  };
  writeFileSync(config, JSON.stringify({ mode: 'production', server: { host: '127.0.0.1', port }, log: { level: 'info' }, click: clickSettings, ...rest }));
  return spawnPayBridge(name, config, dir, port, startupMs);
}

/**
 * PayBridge processes started together. When one fails to start, the ones that did are stopped before
 * the failure is thrown: left running, their open pipes would keep the test file's process alive and
 * hang the whole run instead of failing it.
 */
export async function startTogether(starting: readonly Promise<PayBridgeProcess>[]): Promise<PayBridgeProcess[]> {
  const settled = await Promise.allSettled(starting);
  const started = settled.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await stopProcesses(started);
    throw failed.reason;
  }
  return started;
}

/** Stops PayBridge processes (SIGTERM: in-flight payments finish) and waits for each to exit. */
export async function stopProcesses(processes: readonly PayBridgeProcess[]): Promise<void> {
  for (const p of processes) {
    p.child.kill('SIGTERM');
    await p.exited;
  }
}

/**
 * A test setting the scene writes a row's state as its holder would: under the claim the row stands
 * under now (its writer's, from the insert), or under one taken for the test when nobody holds it.
 */
export async function transitionAsHolder(
  journal: Journal,
  id: string,
  from: TransactionStatus,
  to: TransactionStatus,
  patch: TransactionPatch,
  step: JournalEntryStep,
): Promise<Transaction> {
  return journal.transition(id, from, to, patch, step, await holderFence(journal, id));
}

/** The fence a test writes under: the row's holder's, or a claim taken for the test. */
export async function holderFence(journal: Journal, id: string): Promise<Fence> {
  const row = await journal.get(id);
  const held = row && fenceOf(row);
  if (held) return held;
  const attempt = await journal.claim(id, 'test', 60_000);
  return attempt.taken ? fenceOf(attempt.tx)! : { owner: 'test', epoch: -1 };
}

/** Asks recovery until the operation is final (neither pending nor unknown), or `within` ms have passed; its status then. */
export async function settled(bridge: TestBridge, id: string, within: number): Promise<string> {
  const deadline = Date.now() + within;
  for (;;) {
    const status = (await bridge.journal.get(id))!.status;
    if ((status !== 'pending' && status !== 'unknown') || Date.now() > deadline) return status;
    await bridge.recovery.recoverOnce();
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Lets go of whatever claim a row stands under, as a request that finished (or died) would. */
export async function releaseHolder(journal: Journal, id: string): Promise<void> {
  const row = await journal.get(id);
  const held = row && fenceOf(row);
  if (held) await journal.releaseClaim(id, held);
}

/**
 * A test setting the scene journals a shift close as closeShift does: `sent` under a claim of its
 * own, then its state written under that claim (a settled one lets the claim go).
 */
export async function journalShiftClose(journal: Journal, close: import('../src/payments/transaction.js').ShiftClose): Promise<void> {
  const claim = await journal.insertShiftClose({ ...close, state: 'sent' }, { owner: 'test', leaseMs: 60_000 });
  if (close.state !== 'sent') await journal.updateShiftClose(close, 'sent', claim);
  if (close.state === 'sent' || close.state === 'unknown') await journal.releaseShiftCloseClaim(close.id, claim);
}

/** Brings a hand-off's next attempt due now, as time would: under a claim of the test's own, let go afterwards. */
export async function bringHandoffDue(journal: Journal, method: 'click' | 'payme' | 'uzum', paymentId: string): Promise<void> {
  const h = await journal.getHandoff(method, paymentId);
  if (!h) throw new Error(`no hand-off of ${method} payment ${paymentId}`);
  const taken = await journal.claimHandoff(h.id, 'test', 60_000);
  if (!taken.taken) throw new Error(`hand-off of ${method} payment ${paymentId} is held by ${taken.holder?.owner ?? 'nobody'}`);
  const fence = { owner: taken.handoff.claim.owner, epoch: taken.handoff.claim.epoch };
  await journal.updateHandoff(h.id, taken.handoff.state, { retryInMs: 0 }, fence);
  await journal.releaseHandoffClaim(h.id, fence);
}

/** Raw bytes over a real socket: what Node's HTTP parser refuses never reaches Fastify's inject. */
export function rawRequest(port: number, bytes: Buffer | string): Promise<{ statusLine: string; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(bytes));
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const [head = '', ...rest] = text.split('\r\n\r\n');
      resolve({ statusLine: head.split('\r\n')[0] ?? '', body: rest.join('\r\n\r\n') });
    });
  });
}
