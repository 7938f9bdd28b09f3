import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createInterface } from 'node:readline';
import { SANDBOX_CLICK } from '../../src/sandbox/credentials.js';

const ROOT = new URL('../../', import.meta.url).pathname;

export interface Child {
  process: ChildProcess;
  stop(): Promise<void>;
}

function stopper(child: ChildProcess): () => Promise<void> {
  return () =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
    });
}

export interface EmulatorProcess extends Child {
  click: string;
  uzcardPort: number;
}

/** Click and UzCard emulators in a process of their own. */
export async function startEmulatorProcess(clickDelayMs = 0): Promise<EmulatorProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'bench/emulators.ts')], {
    cwd: ROOT,
    env: { ...process.env, BENCH_CLICK_DELAY_MS: String(clickDelayMs) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const first = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`the emulators exited with ${code}`)));
  });
  const { click, uzcardPort } = JSON.parse(first) as { click: string; uzcardPort: number };
  return { process: child, click, uzcardPort, stop: stopper(child) };
}

/** Resident memory of a process now and at its peak, from /proc (Linux). */
export function memoryOf(pid: number): { rssMb: number; peakRssMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssMb: kb('VmRSS') / 1024, peakRssMb: kb('VmHWM') / 1024 };
}

export interface BridgeProcess extends Child {
  url: string;
  dataDir: string;
  /** Milliseconds from spawn to the first `GET /health` answered 200. */
  readyMs: number;
}

export interface BridgeOptions {
  port: number;
  click?: string;
  uzcardPort?: number;
  dataDir?: string;
  extraArgs?: string[];
  env?: Record<string, string>;
  /**
   * Load bench/lib/work-counter.mjs into the process and open an IPC channel to read its counts
   * (bench/lib/work.ts): SQL statements, durable commits, log lines, CPU and heap.
   */
  countWork?: boolean;
  /** Added to the configuration as they are (e.g. a PostgreSQL journal and the instance's shop and till). */
  settings?: Record<string, unknown>;
}

/**
 * PAYBRIDGE_BENCH_REGRESSION=<name> loads bench/regressions/<name>.mjs into every PayBridge the
 * bench starts: a deliberate regression, to see the CI check fail on it (docs/performance.md).
 */
function regressionArgs(): string[] {
  const name = process.env.PAYBRIDGE_BENCH_REGRESSION;
  if (!name) return [];
  if (!/^[a-z0-9-]+$/.test(name)) throw new Error(`PAYBRIDGE_BENCH_REGRESSION: no such regression: ${name}`);
  const file = join(ROOT, 'bench/regressions', `${name}.mjs`);
  readFileSync(file); // fails loudly when there is no such file
  process.stderr.write(`  (PayBridge started with the deliberate regression bench/regressions/${name}.mjs)\n`);
  return ['--import', pathToFileURL(file).href];
}

/** PayBridge as a production service (`node dist/main.js`) pointed at the bench's emulators. */
export async function startBridgeProcess(options: BridgeOptions): Promise<BridgeProcess> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'paybridge-bench-'));
  const config = {
    mode: 'production',
    log: { level: 'info' },
    ...(options.click
      ? {
          click: {
            base_url: options.click,
            service_id: SANDBOX_CLICK.serviceId,
            merchant_user_id: SANDBOX_CLICK.merchantUserId,
            secret_key: SANDBOX_CLICK.secretKey,
            timeouts: { connect_ms: 5_000, response_ms: 30_000 },
          },
        }
      : {}),
    // Counting work per payment: the background passes (the fiscal hand-off sweep, once a second, and
    // recovery, every 30 s) are work per second, not per payment, and would make the counts depend on
    // how long a slow machine takes; they run hourly in a counted PayBridge.
    ...(options.countWork ? { fiscal: { sweep_interval_ms: 3_600_000 }, recovery: { interval_ms: 3_600_000 } } : {}),
    terminals: {
      devices: options.uzcardPort
        ? [{ id: 'uzcard-1', method: 'uzcard', default: true, driver: 'bridge', bridge: { transport: 'tcp', host: '127.0.0.1', port: options.uzcardPort } }]
        : [],
    },
    ...options.settings,
  };
  const file = join(dataDir, 'paybridge.json');
  writeFileSync(file, JSON.stringify(config));
  const started = performance.now();
  const counter = options.countWork ? ['--import', pathToFileURL(join(ROOT, 'bench/lib/work-counter.mjs')).href] : [];
  const child = spawn(process.execPath, [...counter, ...regressionArgs(), ...(options.extraArgs ?? []), join(ROOT, 'dist/main.js')], {
    cwd: dataDir,
    env: { ...process.env, ...options.env, PAYBRIDGE_CONFIG: file, PAYBRIDGE_DATA_DIR: dataDir, PORT: String(options.port), HOST: '127.0.0.1' },
    stdio: options.countWork ? ['ignore', 'ignore', 'inherit', 'ipc'] : ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${options.port}`;
  for (;;) {
    // A process that died of a signal (an abort) has no exit code: without this the wait never ends.
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`PayBridge exited with ${child.exitCode ?? child.signalCode}`);
    try {
      const res = await fetch(`${url}/health`);
      await res.body?.cancel();
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 2));
  }
  return { process: child, url, dataDir, readyMs: performance.now() - started, stop: stopper(child) };
}
