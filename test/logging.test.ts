import assert from 'node:assert/strict';
import { closeSync, openSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ConfigError, loadConfig, loadDotEnv } from '../src/config/load.js';
import { createServiceLogger, type LogSettings } from '../src/logger.js';
import { get, post, startTestBridge, tempDir, uniqueQr, type TestBridge } from './helpers.js';

const requestLines = (bridge: TestBridge) => bridge.logs.lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === 'incoming request' || l.msg === 'request completed');

describe('request lines at info', () => {
  let bridge: TestBridge;
  before(async () => {
    bridge = await startTestBridge((c) => {
      c.log.level = 'info';
    });
  });
  after(() => bridge.close());

  test('what an idle console tab asks for every 2 s, and its files, write no line', async () => {
    const before = bridge.logs.lines.length;
    for (const url of ['/console/', '/console/app.js', '/console/config.json', '/', '/favicon.ico', '/openapi.json', '/health', '/metrics']) {
      await bridge.server.inject({ method: 'GET', url });
    }
    for (const url of ['/payment/summary', '/payment/terminals', '/payment/shift-closes?limit=10', '/payment/transactions?limit=50']) {
      assert.equal((await get(bridge, url)).body.is_success, true, url);
    }
    assert.deepEqual(bridge.logs.lines.slice(before), []);
  });

  test('a payment writes one line at info: the request, its answer’s HTTP status and time, and what it did', async () => {
    const before = bridge.logs.lines.length;
    const { body } = await post(bridge, '/payment/click', { amount: 500, qr_code: uniqueQr() });
    assert.equal(body.is_success, true);
    const lines = bridge.logs.lines.slice(before).map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.deepEqual(lines.map((l) => [l.level, l.msg]), [[30, 'request completed']]);
    const [line] = lines;
    assert.equal((line!.req as { url: string; method: string }).url, '/payment/click');
    assert.equal((line!.req as { method: string }).method, 'POST');
    assert.equal((line!.res as { statusCode: number }).statusCode, 200);
    assert.equal(typeof line!.responseTime, 'number');
    assert.equal(line!.transaction_id, body.data.transaction_id);
    assert.equal(line!.is_success, true);
  });

  test('a payment that failed: its line says so, with the error code, and the warning says why', async () => {
    const before = bridge.logs.lines.length;
    const { body } = await post(bridge, '/payment/click', { amount: 500, qr_code: '880101698207133116' });
    assert.equal(body.is_success, false);
    const lines = bridge.logs.lines.slice(before).map((l) => JSON.parse(l) as Record<string, unknown>);
    const completed = lines.filter((l) => l.msg === 'request completed');
    assert.equal(completed.length, 1);
    assert.equal(completed[0]!.level, 30);
    assert.equal(completed[0]!.is_success, false);
    assert.equal(completed[0]!.error_code, body.error!.code);
    assert.equal(completed[0]!.transaction_id, body.error!.transaction_id);
    assert.equal(completed[0]!.transaction_status, 'failed');
    assert.ok(lines.some((l) => l.level === 40 && l.msg === 'operation not completed' && l.transaction_id === body.error!.transaction_id));
    assert.ok(!lines.some((l) => l.msg === 'incoming request'), 'the arrival is a debug line');
  });

  test('a polled read that fails is written at info', async () => {
    const before = bridge.logs.lines.length;
    const { body } = await get(bridge, '/payment/transactions?limit=nope');
    assert.equal(body.is_success, false);
    const completed = bridge.logs.lines.slice(before).map((l) => JSON.parse(l) as { level: number; msg: string }).filter((l) => l.msg === 'request completed');
    assert.deepEqual(completed.map((l) => l.level), [30]);
  });
});

test('at debug the polled reads are written', async () => {
  const bridge = await startTestBridge();
  try {
    await get(bridge, '/payment/summary');
    assert.deepEqual(requestLines(bridge).map((l) => [l.level, l.msg]), [
      [20, 'incoming request'],
      [20, 'request completed'],
    ]);
  } finally {
    await bridge.close();
  }
});

function settings(overrides: Partial<LogSettings>): LogSettings {
  return { level: 'info', format: 'json', file_max_size: '10m', file_frequency: 'daily', file_keep: 14, ...overrides };
}

/** Waits for a condition the worker thread makes true, looking again every 10 ms. */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((r) => setTimeout(r, 10));
}

/** The worker's destination closes the descriptor it was given when it ends; the synchronous one does not. */
function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // already closed by the transport
  }
}

const SECRET = 'click-secret-Zq81xWv07';
const CARD = '8600123456789012';

describe('the service logger', () => {
  test('a log file gets the lines, masked like stdout, and the last line before close', async () => {
    const dir = tempDir();
    const stdoutFile = join(dir, 'stdout.txt');
    const fd = openSync(stdoutFile, 'w');
    const log = createServiceLogger(settings({ file: join(dir, 'logs', 'paybridge.log') }), { isTTY: false, fd });
    log.logger.info({ click: { secret_key: SECRET }, payment: { card_number: CARD } }, 'with secrets');
    log.logger.child({ method: 'click' }).info({ reason: `paid by ${CARD}`, deep: { a: { b: { otp_data: SECRET } } } }, 'child with secrets');
    log.logger.info('stopped');
    await log.close();
    closeQuietly(fd);
    const files = readdirSync(join(dir, 'logs'));
    assert.equal(files.length, 1, files.join());
    assert.match(files[0]!, /^paybridge\.\d{4}-\d{2}-\d{2}\.1\.log$/);
    for (const text of [readFileSync(join(dir, 'logs', files[0]!), 'utf8'), readFileSync(stdoutFile, 'utf8')]) {
      const lines = text.trim().split('\n').map((l) => JSON.parse(l) as { msg: string; payment?: { card_number: string } });
      assert.deepEqual(lines.map((l) => l.msg), ['with secrets', 'child with secrets', 'stopped']);
      assert.ok(!text.includes(SECRET), 'the secret reached a destination');
      assert.ok(!text.includes(CARD), 'the whole card number reached a destination');
      assert.match(lines[0]!.payment!.card_number, /^860012\*+9012$/);
    }
  });

  test('the file is rotated by size, and only file_keep old files are kept', async () => {
    const dir = tempDir();
    const fd = openSync(join(dir, 'stdout.txt'), 'w');
    const log = createServiceLogger(settings({ file: join(dir, 'paybridge.log'), file_max_size: '1k', file_keep: 2 }), { isTTY: false, fd });
    // pino-roll checks the size as each write lands: each line is waited for on disk, as lines
    // minutes apart would be, so that every write can be the one that rolls the file.
    const logFiles = () => readdirSync(dir).filter((f) => f.startsWith('paybridge.'));
    const written = () => logFiles().reduce((sum, f) => sum + statSync(join(dir, f)).size, 0);
    let total = 0;
    for (let i = 0; i < 40; i++) {
      log.logger.info({ i, pad: 'x'.repeat(250) }, 'line');
      await until(() => written() > total || logFiles().length > 0 && written() < total);
      total = written();
    }
    // Old files are deleted after the roll, asynchronously.
    await until(() => logFiles().length === 3);
    await log.close();
    closeQuietly(fd);
    const files = logFiles();
    assert.equal(files.length, 3, `the current file and 2 old ones: ${files.join()}`);
    const numbers = files.map((f) => Number(/\.(\d+)\.log$/.exec(f)![1])).sort((a, b) => a - b);
    assert.ok(numbers[0]! > 1, `the oldest files were deleted: ${files.join()}`);
    assert.deepEqual(numbers, [numbers[0]!, numbers[0]! + 1, numbers[0]! + 2]);
    assert.ok(files.every((f) => statSync(join(dir, f)).size < 2048), 'no file grew far past 1 KiB');
  });

  test('pretty lines without colour when stdout is not a terminal', async () => {
    const dir = tempDir();
    const file = join(dir, 'stdout.txt');
    const fd = openSync(file, 'w');
    const log = createServiceLogger(settings({ format: 'pretty' }), { isTTY: false, fd });
    log.logger.info({ click: { secret_key: SECRET } }, 'PayBridge listening');
    await log.close();
    closeQuietly(fd);
    const text = readFileSync(file, 'utf8');
    assert.match(text, /^\[\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}\] INFO: PayBridge listening/);
    assert.ok(!text.includes('\u001b['), 'no colour codes');
    assert.ok(!text.includes(SECRET));
  });

  test('auto is JSON when stdout is not a terminal', async () => {
    const dir = tempDir();
    const file = join(dir, 'stdout.txt');
    const fd = openSync(file, 'w');
    const log = createServiceLogger(settings({ format: 'auto' }), { isTTY: false, fd });
    log.logger.info('hello');
    await log.close();
    closeQuietly(fd);
    assert.equal((JSON.parse(readFileSync(file, 'utf8')) as { msg: string }).msg, 'hello');
  });

  test('the log settings are validated with the rest of the configuration', () => {
    const dir = tempDir();
    const file = join(dir, 'paybridge.yaml');
    writeFileSync(file, 'log:\n  format: colour\n  file_max_size: 10 MB\n  file_keep: 0\n');
    assert.throws(
      () => loadConfig({ PAYBRIDGE_CONFIG: file }, dir),
      (err: ConfigError) => ['log.format', 'log.file_max_size', 'log.file_keep'].every((key) => err.problems.some((p) => p.startsWith(`${key}:`))),
    );
    writeFileSync(file, 'log:\n  file: logs/paybridge.log\n');
    assert.equal(loadConfig({ PAYBRIDGE_CONFIG: file }, dir).config.log.file, join(dir, 'logs', 'paybridge.log'));
  });
});

describe('.env', () => {
  test('its variables are added; the environment’s own win', () => {
    const dir = tempDir();
    writeFileSync(join(dir, '.env'), '# the till\nPORT=9090\nexport LOG_LEVEL=warn\nPAYBRIDGE_API_TOKEN="from-the-file-0123456789"\nNOTE="two\nlines"\n');
    const env: NodeJS.ProcessEnv = { PAYBRIDGE_API_TOKEN: 'from-the-environment-0123456789' };
    assert.equal(loadDotEnv(env, dir), join(dir, '.env'));
    assert.deepEqual(env, { PAYBRIDGE_API_TOKEN: 'from-the-environment-0123456789', PORT: '9090', LOG_LEVEL: 'warn', NOTE: 'two\nlines' });
    const { config } = loadConfig(env, dir);
    assert.equal(config.server.port, 9090);
    assert.equal(config.log.level, 'warn');
  });

  test('none is fine', () => {
    const env: NodeJS.ProcessEnv = {};
    assert.equal(loadDotEnv(env, tempDir()), undefined);
    assert.deepEqual(env, {});
  });

  test('a line that is not NAME=value is refused with its number', () => {
    const dir = tempDir();
    writeFileSync(join(dir, '.env'), 'PORT=9090\nLOG_LEVEL debug\n');
    assert.throws(
      () => loadDotEnv({}, dir),
      (err: ConfigError) => err instanceof ConfigError && err.source === join(dir, '.env') && err.problems.length === 1 && err.problems[0] === 'line 2: "LOG_LEVEL debug" is not NAME=value',
    );
  });
});
