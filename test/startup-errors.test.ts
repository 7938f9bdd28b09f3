import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { freePort, tempDir } from './helpers.js';
import { dropTestDatabases, freshDatabase, postgresSkip, POSTGRES_URL } from './postgres.js';

// The service as `npm start` runs it: the compiled entry point in a process of its own.
const ENTRY = fileURLToPath(new URL('../dist/main.js', import.meta.url));

interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Starts the service and waits for it to exit by itself; one that has not after `giveUpMs` (far
 * more than any start takes) is killed, and its code is null.
 */
function runToExit(env: Record<string, string>, cwd = tempDir(), giveUpMs?: number): Promise<Finished> {
  const child = spawn(process.execPath, [ENTRY], { env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', ...env }, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  if (giveUpMs !== undefined) {
    const timer = setTimeout(() => child.kill('SIGKILL'), giveUpMs);
    child.on('exit', () => clearTimeout(timer));
  }
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

/** Starts the service and waits until it answers /health; `stop()` ends it with SIGTERM. */
async function startHealthy(env: Record<string, string>, cwd = tempDir(), port?: number) {
  const listenPort = port ?? (await freePort());
  const child = spawn(process.execPath, [ENTRY], {
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', ...(port === undefined ? { PORT: String(listenPort) } : {}), ...env },
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  for (;;) {
    if (child.exitCode !== null) {
      // The free port this test picked was taken by another process before the service bound it
      // (exit 69, "in use"): that is the machine's, not the service's; start again on another one.
      if (port === undefined && child.exitCode === 69 && /is in use/.test(out)) return startHealthy(env, cwd);
      throw new Error(`service exited early:\n${out}`);
    }
    try {
      if ((await fetch(`http://127.0.0.1:${listenPort}/health`)).status === 200) break;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    pid: child.pid!,
    port: listenPort,
    exited,
    stop: async () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

/** One line on stderr, no stack trace. */
function oneLine(result: Finished): string {
  const lines = result.stderr.split('\n').filter(Boolean);
  assert.equal(lines.length, 1, `one line on stderr, got:\n${result.stderr}`);
  assert.doesNotMatch(result.stderr + result.stdout, /^\s+at /m, 'no stack trace');
  return lines[0]!;
}

describe('start-up errors: one line saying what to do, and a documented exit code', () => {
  test('the port is in use: 69', async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const { port } = holder.address() as { port: number };
    try {
      const result = await runToExit({ PORT: String(port), PAYBRIDGE_DATA_DIR: tempDir() });
      assert.equal(result.code, 69);
      assert.equal(oneLine(result), `paybridge: port ${port} on 127.0.0.1 is in use — is another PayBridge running? Stop it, or change server.port (PORT)`);
      // Where stdout is not a terminal (a service manager's log), the log has it too.
      const fatal = result.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { level: number; msg: string; exit_code: number }).filter((l) => l.level === 60);
      assert.deepEqual(fatal.map((l) => [l.exit_code, l.msg]), [[69, `port ${port} on 127.0.0.1 is in use — is another PayBridge running? Stop it, or change server.port (PORT)`]]);
    } finally {
      holder.close();
    }
  });

  test('the data folder cannot be created: 73, naming the folder', async () => {
    // A path under a regular file: refused even to root, where permissions would not be.
    const dir = tempDir();
    writeFileSync(join(dir, 'not-a-folder'), '');
    const dataDir = join(dir, 'not-a-folder', 'data');
    const result = await runToExit({ PORT: String(await freePort()), PAYBRIDGE_DATA_DIR: dataDir });
    assert.equal(result.code, 73);
    assert.match(oneLine(result), new RegExp(`^paybridge: cannot write the data folder ${dataDir} \\(ENOTDIR\\) as user .+: make it writable for that user, or set data_dir \\(PAYBRIDGE_DATA_DIR\\) to a folder that is$`));
  });

  // /proc answers ENOENT to a new folder although /proc exists; Node's recursive mkdir then retried
  // for ever at full CPU, and PayBridge neither listened nor exited (#28).
  const procRefuses = (() => {
    try {
      mkdirSync('/proc/paybridge-probe');
      return false;
    } catch (err) {
      return (err as NodeJS.ErrnoException).code === 'ENOENT' && existsSync('/proc/self');
    }
  })();
  const noProc = procRefuses ? false : 'no /proc that refuses a new folder with ENOENT here';

  test('a data folder the file system will not make (under /proc): 73, naming it', { skip: noProc }, async () => {
    const result = await runToExit({ PORT: String(await freePort()), PAYBRIDGE_DATA_DIR: '/proc/paybridge-x/data' }, tempDir(), 60_000);
    assert.equal(result.code, 73, `exited by itself with 73, got ${result.code}:\n${result.stderr}`);
    assert.match(oneLine(result), /^paybridge: cannot create the data folder \/proc\/paybridge-x\/data \(ENOENT: this file system does not let it be made there\) as user .+: set data_dir \(PAYBRIDGE_DATA_DIR\) to a folder on a disk$/);
  });

  test('a log folder the file system will not make (under /proc): 73, naming it', { skip: noProc }, async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'paybridge.yaml'), 'log:\n  file: /proc/paybridge-x/paybridge.log\n');
    const result = await runToExit({ PORT: String(await freePort()), PAYBRIDGE_DATA_DIR: join(dir, 'data'), PAYBRIDGE_CONFIG: join(dir, 'paybridge.yaml') }, dir, 60_000);
    assert.equal(result.code, 73, `exited by itself with 73, got ${result.code}:\n${result.stderr}`);
    assert.match(oneLine(result), /^paybridge: cannot write the log file \/proc\/paybridge-x\/paybridge\.log \(ENOENT: this file system does not let \/proc\/paybridge-x be made\) as user .+: make its folder writable for that user, or change log\.file$/);
  });

  test('the log file cannot be written: 73', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'not-a-folder'), '');
    writeFileSync(join(dir, 'paybridge.yaml'), `log:\n  file: ${join(dir, 'not-a-folder', 'paybridge.log')}\n`);
    const result = await runToExit({ PORT: String(await freePort()), PAYBRIDGE_DATA_DIR: join(dir, 'data'), PAYBRIDGE_CONFIG: join(dir, 'paybridge.yaml') });
    assert.equal(result.code, 73);
    assert.match(oneLine(result), /^paybridge: cannot write the log file .*paybridge\.log \(.*not-a-folder is a file, not a folder\) as user .+: make its folder writable for that user, or change log\.file$/);
  });

  test('another PayBridge uses the journal: 75, naming its pid; the journal is free again once it stopped', async () => {
    const dataDir = tempDir();
    const first = await startHealthy({ PAYBRIDGE_DATA_DIR: dataDir });
    try {
      const second = await runToExit({ PORT: String(await freePort()), PAYBRIDGE_DATA_DIR: dataDir });
      assert.equal(second.code, 75);
      assert.equal(
        oneLine(second),
        `paybridge: another PayBridge (pid ${first.pid}) uses the journal ${join(dataDir, 'journal.sqlite')}: stop it, or give this one another data_dir`,
      );
      assert.equal((await fetch(`http://127.0.0.1:${first.port}/health`)).status, 200, 'the first one runs on');
    } finally {
      assert.equal(await first.stop(), 0);
    }
    assert.equal(existsSync(join(dataDir, 'journal.sqlite.lock.owner')), false, 'its owner file went with it');
    const again = await startHealthy({ PAYBRIDGE_DATA_DIR: dataDir });
    assert.equal(await again.stop(), 0);
  });

  test('the lock of a PayBridge that was killed goes with it: the next one starts', async () => {
    const dataDir = tempDir();
    const killed = await startHealthy({ PAYBRIDGE_DATA_DIR: dataDir });
    process.kill(killed.pid, 'SIGKILL');
    await killed.exited;
    // Its owner file stays behind (nothing ran to remove it); the operating system's lock did not.
    assert.equal(readFileSync(join(dataDir, 'journal.sqlite.lock.owner'), 'utf8').split('\n')[0], String(killed.pid));
    const svc = await startHealthy({ PAYBRIDGE_DATA_DIR: dataDir });
    assert.equal(readFileSync(join(dataDir, 'journal.sqlite.lock.owner'), 'utf8').split('\n')[0], String(svc.pid), 'the new owner is named');
    assert.equal(await svc.stop(), 0);
  });

  test('a configuration mistake: 78, every problem on its own line', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'paybridge.yaml'), 'server:\n  prot: 8080\nlog:\n  format: colour\nshop:\n  timezone: Asia/Tashkend\nzebra: 1\n');
    const result = await runToExit({ PAYBRIDGE_CONFIG: join(dir, 'paybridge.yaml'), PAYBRIDGE_DATA_DIR: join(dir, 'data') });
    assert.equal(result.code, 78);
    assert.doesNotMatch(result.stderr, /^\s+at /m);
    const lines = result.stderr.trim().split('\n');
    assert.equal(lines[0], `paybridge: invalid configuration (${join(dir, 'paybridge.yaml')}):`);
    assert.deepEqual(
      lines.slice(1).sort(),
      // The accepted values listed, and the key that was meant (#28: "expected union value", a bare "unknown key").
      [
        '  - log.format: must be one of "auto", "pretty", "json" (got "colour")',
        '  - server.prot: unknown key; did you mean server.port?',
        '  - shop.timezone: "Asia/Tashkend" is not a time zone this Node.js knows; an IANA name such as Asia/Tashkent',
        '  - zebra: unknown key',
      ].sort(),
    );
  });
});

describe('.env in the folder PayBridge starts from', () => {
  test('is read: its PORT is where PayBridge listens', async () => {
    const cwd = tempDir();
    const port = await freePort();
    writeFileSync(join(cwd, '.env'), `# this till\nPORT=${port}\nPAYBRIDGE_DATA_DIR=${join(cwd, 'data')}\n`);
    const svc = await startHealthy({}, cwd, port);
    assert.equal(await svc.stop(), 0);
    assert.ok(existsSync(join(cwd, 'data', 'journal.sqlite')), 'the data folder from .env was used');
  });

  test('a malformed .env: 78, naming the line', async () => {
    const cwd = tempDir();
    mkdirSync(join(cwd, 'data'));
    writeFileSync(join(cwd, '.env'), 'PORT=8080\nLOG_LEVEL debug\n');
    const result = await runToExit({ PAYBRIDGE_DATA_DIR: join(cwd, 'data') }, cwd);
    assert.equal(result.code, 78);
    assert.equal(result.stderr, `paybridge: invalid configuration (${join(cwd, '.env')}):\n  - line 2: "LOG_LEVEL debug" is not NAME=value\n`);
  });
});

describe('the log file of a service stopped by SIGTERM', () => {
  test('ends with its last line, "stopped", and has the payment in between', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'paybridge.yaml'), 'log:\n  file: logs/paybridge.log\n');
    const svc = await startHealthy({ PAYBRIDGE_CONFIG: join(dir, 'paybridge.yaml'), PAYBRIDGE_DATA_DIR: join(dir, 'data') }, dir);
    const res = await fetch(`http://127.0.0.1:${svc.port}/payment/click`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"amount":500,"qr_code":"880101698207133392"}' });
    assert.equal(((await res.json()) as { is_success: boolean }).is_success, true);
    assert.equal(await svc.stop(), 0);
    const files = readdirSync(join(dir, 'logs'));
    assert.equal(files.length, 1);
    const lines = readFileSync(join(dir, 'logs', files[0]!), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { msg: string; req?: { url: string } });
    assert.equal(lines.at(-1)!.msg, 'stopped');
    assert.ok(lines.some((l) => l.msg === 'request completed' && l.req?.url === '/payment/click'));
    assert.ok(!lines.some((l) => l.req?.url === '/health'), 'the readiness polls are debug lines');
    assert.ok(!readFileSync(join(dir, 'logs', files[0]!), 'utf8').includes('880101698207133392'), 'the QR code is masked');
  });
});

describe('log.file_keep across restarts (#28)', () => {
  const LOG = /^paybridge\.(\d{4}-\d{2}-\d{2})\.(\d+)\.log$/;
  const logFiles = (dir: string) => readdirSync(dir).filter((f) => LOG.test(f)).sort();
  const plant = (dir: string, day: string) => writeFileSync(join(dir, `paybridge.${day}.1.log`), `{"msg":"a line of ${day}"}\n`);

  test('each start deletes the files of earlier runs beyond file_keep besides the one it writes', async () => {
    const dir = tempDir();
    const logs = join(dir, 'logs');
    mkdirSync(logs);
    writeFileSync(join(dir, 'paybridge.yaml'), 'log:\n  file: logs/paybridge.log\n  file_keep: 2\n');
    // A till switched off every night: each day's start began a new file, and none was ever deleted.
    for (const day of ['2025-01-01', '2025-01-02', '2025-01-03', '2025-01-04', '2025-01-05']) plant(logs, day);
    const env = { PAYBRIDGE_CONFIG: join(dir, 'paybridge.yaml'), PAYBRIDGE_DATA_DIR: join(dir, 'data') };
    const expected = [
      ['2025-01-04', '2025-01-05'],
      ['2025-01-05', '2025-01-06'],
      ['2025-01-06', '2025-01-07'],
    ];
    for (const [run, older] of expected.entries()) {
      if (run > 0) plant(logs, older[1]!); // the day between two runs
      const svc = await startHealthy(env, dir);
      assert.equal(await svc.stop(), 0);
      const files = logFiles(logs);
      const todays = files.filter((f) => !f.startsWith('paybridge.2025-'));
      assert.equal(todays.length, 1, `one file of this run: ${files.join(', ')}`);
      assert.deepEqual(files.filter((f) => f.startsWith('paybridge.2025-')), older.map((d) => `paybridge.${d}.1.log`), `run ${run + 1}: the two newest older files kept`);
      assert.equal((JSON.parse(readFileSync(join(logs, todays[0]!), 'utf8').trim().split('\n').at(-1)!) as { msg: string }).msg, 'stopped');
    }
  });

  test('while running, files of earlier runs beyond file_keep are deleted too, not only the ones it rolled over', async () => {
    const dir = tempDir();
    const logs = join(dir, 'logs');
    writeFileSync(join(dir, 'paybridge.yaml'), 'log:\n  file: logs/paybridge.log\n  file_keep: 1\n  file_max_size: 1k\n');
    const svc = await startHealthy({ PAYBRIDGE_CONFIG: join(dir, 'paybridge.yaml'), PAYBRIDGE_DATA_DIR: join(dir, 'data') }, dir);
    try {
      // Files of earlier runs (days past), appearing while it runs: left to pino-roll to delete.
      for (const day of ['2025-02-01', '2025-02-02', '2025-02-03']) plant(logs, day);
      // Payments log a line each: every 1 KB a new file. The earlier files go within seconds (it looks
      // every 10 s); a minute is far more than that.
      for (let i = 0; i < 600 && logFiles(logs).some((f) => f.startsWith('paybridge.2025-')); i++) {
        await fetch(`http://127.0.0.1:${svc.port}/payment/click`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"amount":500,"qr_code":"880101698207133392"}' });
        await new Promise((r) => setTimeout(r, 100));
      }
      const files = logFiles(logs);
      assert.deepEqual(files.filter((f) => f.startsWith('paybridge.2025-')), [], `the earlier runs’ files deleted: ${files.join(', ')}`);
    } finally {
      assert.equal(await svc.stop(), 0);
    }
  });
});

describe('a PostgreSQL journal is a chain’s: PayBridge on one names its shop and till', () => {
  after(() => dropTestDatabases());

  const refusal = (source: string, missing: string) =>
    `paybridge: invalid configuration (${source}):\n  - instance.shop, instance.till: both are required when journal.engine is postgres (${missing}): ` +
    'the tills of a chain share that journal, and a till’s Idempotency-Keys are kept apart from the others’ by its shop and till\n';

  test('without them: 78, naming both, before the database is asked anything', async () => {
    // The test server when there is one (refused all the same, though it would accept PayBridge), else a port nothing listens on.
    const url = POSTGRES_URL ?? `postgres://paybridge:not-a-password@127.0.0.1:${await freePort()}/paybridge`;
    const none = await runToExit({ PORT: String(await freePort()), PAYBRIDGE_DATA_DIR: tempDir(), PAYBRIDGE_JOURNAL_URL: url });
    assert.equal(none.code, 78, none.stderr);
    assert.equal(none.stderr, refusal('defaults (no PAYBRIDGE_CONFIG)', 'instance.shop and instance.till are missing'));
    assert.ok(!none.stderr.includes(new URL(url).password));

    const dir = tempDir();
    writeFileSync(join(dir, 'paybridge.yaml'), `journal: { engine: postgres, url: ${JSON.stringify(url)} }\ninstance: { shop: chilonzor }\n`);
    const shopOnly = await runToExit({ PORT: String(await freePort()), PAYBRIDGE_DATA_DIR: join(dir, 'data'), PAYBRIDGE_CONFIG: join(dir, 'paybridge.yaml') });
    assert.equal(shopOnly.code, 78, shopOnly.stderr);
    assert.equal(shopOnly.stderr, refusal(join(dir, 'paybridge.yaml'), 'instance.till is missing'));
  });

  test('with them: it starts, and stops cleanly', { skip: postgresSkip() }, async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'paybridge.yaml'), 'instance: { shop: chilonzor, till: "2" }\n');
    const svc = await startHealthy({ PAYBRIDGE_CONFIG: join(dir, 'paybridge.yaml'), PAYBRIDGE_DATA_DIR: join(dir, 'data'), PAYBRIDGE_JOURNAL_URL: await freshDatabase() }, dir);
    const health = (await (await fetch(`http://127.0.0.1:${svc.port}/health`)).json()) as { data: { journal: { engine: string; ok: boolean } } };
    assert.deepEqual([health.data.journal.engine, health.data.journal.ok], ['postgres', true]);
    assert.equal(await svc.stop(), 0);
  });
});
