import assert from 'node:assert/strict';
import { execFile, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { SerialPort } from 'serialport';
import { SLOW_ANSWER_MS, TERMINAL_MAGIC } from '../src/sandbox/card-terminal/emulated-terminal.js';
import { BridgeTerminalEmulator } from '../src/sandbox/uzcard/bridge-emulator.js';
import { runConformance, TEST_AMOUNTS, type ScenarioResult } from '../src/terminals/bridge/conformance.js';

const CLI = new URL('../src/cli/main.ts', import.meta.url).pathname;
const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const stateFile = () => {
  const dir = mkdtempSync(join(tmpdir(), 'paybridge-conformance-'));
  dirs.push(dir);
  return join(dir, 'terminal.json');
};

/**
 * The emulator's long dialogue lasts SLOW_ANSWER_MS; the kit's wait for an answer must outlast it by
 * far, so that only an adapter that never answers runs into it.
 */
const ANSWER_TIMEOUT_MS = SLOW_ANSWER_MS * 6;
const POLL_MS = 100;

const options = (port: number) => ({ endpoint: { transport: 'tcp' as const, host: '127.0.0.1', port }, connectTimeoutMs: 5_000, answerTimeoutMs: ANSWER_TIMEOUT_MS, pollMs: POLL_MS });
const failed = (results: readonly ScenarioResult[]) => results.filter((r) => !r.ok).map((r) => r.name);
const show = (results: readonly ScenarioResult[]) => results.map((r) => `${r.ok ? 'pass' : 'FAIL'} ${r.name}: ${r.detail}`).join('\n');

const SCENARIOS = [
  'close shift before the run',
  'pay',
  'decline',
  'refund by RRN',
  'partial refund',
  'status of a known id',
  'status of an unknown id',
  'duplicate request id',
  'busy during an operation',
  'dropped connection mid-operation',
  'X-report (optional)',
  'close shift',
];

function paybridge(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', CLI, ...args], (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

type Flaw = 'reruns-duplicates' | 'made-up-status-while-busy' | 'forgets-after-reconnect' | 'silent-to-unknown-ops';
type Answer = Record<string, unknown> & { code: string };

/**
 * A small adapter written for these tests, conforming but for the flaws it is given. Its long test
 * dialogue ends on events rather than a clock — after it has answered two requests meanwhile, or when
 * the link that started it is gone — so a slow machine changes nothing.
 */
class TestAdapter {
  private readonly server: Server = createServer((socket) => this.attach(socket));
  private readonly links = new Set<Socket>();
  private readonly shared = new Map<string, Answer>();
  private readonly perLink = new Map<Socket, Map<string, Answer>>();
  private shift = 1;
  private receipt = 0;
  private rrns = 0;
  private operations: { kind: 'purchase' | 'refund'; amount: number; rrn: string }[] = [];
  private dialogue: { id: string; amount: number; link: Socket; during: number } | undefined;
  /** Operations the adapter performed, every shift: what a double charge would show. */
  readonly performed: string[] = [];

  constructor(private readonly flaws: readonly Flaw[]) {}

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return (this.server.address() as { port: number }).port;
  }

  async close(): Promise<void> {
    for (const link of this.links) link.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private answers(link: Socket): Map<string, Answer> {
    if (!this.flaws.includes('forgets-after-reconnect')) return this.shared;
    let map = this.perLink.get(link);
    if (!map) this.perLink.set(link, (map = new Map()));
    return map;
  }

  private attach(link: Socket): void {
    this.links.add(link);
    link.on('error', () => link.destroy());
    link.on('close', () => {
      this.links.delete(link);
      if (this.dialogue?.link === link) this.finishDialogue();
    });
    createInterface({ input: link, crlfDelay: Infinity })
      .on('line', (line) => this.handle(link, line))
      .on('error', () => undefined);
  }

  private write(link: Socket, message: Record<string, unknown>): void {
    if (!link.destroyed) link.write(`${JSON.stringify({ v: 1, ...message })}\n`);
  }

  private approve(kind: 'purchase' | 'refund', amount: number): Answer {
    const rrn = `0109${String(++this.rrns).padStart(8, '0')}`;
    this.operations.push({ kind, amount, rrn });
    this.performed.push(`${kind} ${amount}`);
    return { code: '000', rrn, receipt: ++this.receipt, shift: this.shift, op: kind, amount, slip: `${kind} ${amount}`, terminal_id: 'T0000001' };
  }

  private finishDialogue(): void {
    const d = this.dialogue!;
    this.dialogue = undefined;
    const answer = this.approve('purchase', d.amount);
    this.answers(d.link).set(d.id, answer);
    this.write(d.link, { id: d.id, ...answer });
  }

  private handle(link: Socket, line: string): void {
    const r = JSON.parse(line) as { id: string; op: string; amount?: number; rrn?: string; ref?: string };
    const reply = (answer: Answer) => this.write(link, { id: r.id, ...answer });
    if (this.dialogue) {
      reply({ code: r.op === 'status' && this.flaws.includes('made-up-status-while-busy') ? '777' : '984' });
      if (++this.dialogue.during >= 2) this.finishDialogue();
      return;
    }
    const answers = this.answers(link);
    if (r.op === 'status') {
      reply(answers.get(r.ref ?? '') ?? { code: '202' });
      return;
    }
    const earlier = answers.get(r.id);
    if (earlier && !this.flaws.includes('reruns-duplicates')) {
      reply(earlier);
      return;
    }
    let answer: Answer;
    const amount = r.amount ?? 0;
    if (r.op === 'purchase' && amount === TEST_AMOUNTS.decline) answer = { code: '116' };
    else if (r.op === 'purchase' && amount === TEST_AMOUNTS.longDialogue) {
      this.write(link, { id: r.id, event: 'progress', text: 'Вставьте карту' });
      this.dialogue = { id: r.id, amount, link, during: 0 };
      return;
    } else if (r.op === 'purchase') answer = this.approve('purchase', amount);
    else if (r.op === 'refund') {
      const original = this.operations.find((o) => o.kind === 'purchase' && o.rrn === r.rrn);
      answer = original && amount <= original.amount ? this.approve('refund', amount) : { code: '914' };
    } else if (r.op === 'close_shift') {
      const of = (kind: string) => this.operations.filter((o) => o.kind === kind);
      const sum = (list: { amount: number }[]) => list.reduce((s, o) => s + o.amount, 0);
      const totals = { purchase_count: of('purchase').length, purchase_amount: sum(of('purchase')), return_count: of('refund').length, return_amount: sum(of('refund')) };
      answer = { code: '000', shift: this.shift++, totals, slip: 'Сверка итогов' };
      this.operations = [];
      this.receipt = 0;
    } else if (this.flaws.includes('silent-to-unknown-ops')) return;
    else answer = { code: '902' };
    answers.set(r.id, answer);
    reply(answer);
  }
}

describe('terminal conformance kit', { concurrency: true }, () => {
  test('the test amounts are the sandbox terminal’s magic amounts', () => {
    assert.equal(TEST_AMOUNTS.decline, TERMINAL_MAGIC.insufficientFunds);
    assert.equal(TEST_AMOUNTS.longDialogue, TERMINAL_MAGIC.busyDialogue);
  });

  test('the sandbox UzCard terminal passes every scenario, and charged nothing twice', async () => {
    const emulator = new BridgeTerminalEmulator(stateFile());
    try {
      const results = await runConformance(options(await emulator.listen()));
      assert.deepEqual(
        results.map((r) => r.name),
        SCENARIOS,
      );
      assert.deepEqual(failed(results), [], show(results));
      assert.match(results.find((r) => r.name === 'X-report (optional)')!.detail, /^the shift left open; totals match the kit’s operations/);
      const purchases = emulator.terminal.operations().filter((o) => o.kind === 'purchase');
      assert.equal(new Set(purchases.map((o) => o.requestId)).size, purchases.length, 'one purchase per request id');
    } finally {
      await emulator.close();
    }
  });

  test('the sandbox terminal answers 904 to a protocol version it does not speak, and performs nothing', async () => {
    const emulator = new BridgeTerminalEmulator(stateFile());
    const socket = connect(await emulator.listen(), '127.0.0.1');
    try {
      const line = new Promise<string>((resolve) => createInterface({ input: socket }).once('line', resolve));
      socket.write(`${JSON.stringify({ v: 2, id: 'from-the-future', op: 'purchase', amount: 10_000, currency: 860 })}\n`);
      assert.deepEqual(JSON.parse(await line), { v: 1, id: 'from-the-future', code: '904' });
      assert.equal(emulator.terminal.operations().length, 0);
    } finally {
      socket.destroy();
      await emulator.close();
    }
  });

  test('over a serial port (a pty pair): the sandbox terminal passes every scenario, the port closed and opened again for the new links', async (t) => {
    if (spawnSync('socat', ['-V']).error) {
      if (process.env.CI) assert.fail('socat is required in CI (.ci/run installs it)');
      return t.skip('socat is not installed');
    }
    const dir = dirname(stateFile());
    const [kitSide, terminalSide] = [join(dir, 'kit-side'), join(dir, 'terminal-side')];
    // ignoreeof: the kit closes its end to test a dropped link and reconnects; socat must outlive that.
    const socat = spawn('socat', [`pty,raw,echo=0,link=${kitSide},ignoreeof`, `pty,raw,echo=0,link=${terminalSide}`], { stdio: 'ignore' });
    const emulator = new BridgeTerminalEmulator(join(dir, 'terminal.json'));
    let port: SerialPort | undefined;
    try {
      // Waits for socat to make the pair, or to give up: no clock a slow machine could miss.
      while (!(existsSync(kitSide) && existsSync(terminalSide))) {
        if (socat.exitCode !== null) assert.fail(`socat exited with ${socat.exitCode} before making the pty pair`);
        await sleep(20);
      }
      port = new SerialPort({ path: terminalSide, baudRate: 115_200 });
      await new Promise<void>((resolve, reject) => port!.once('open', resolve).once('error', reject));
      emulator.attach(port);
      const results = await runConformance({ ...options(0), endpoint: { transport: 'serial', path: kitSide, baudRate: 115_200 } });
      assert.deepEqual(failed(results), [], show(results));
      assert.match(results.find((r) => r.name === 'status of a known id')!.detail, /on a new connection/);
    } finally {
      await emulator.close();
      await new Promise<void>((resolve) => (port?.isOpen ? port.close(() => resolve()) : resolve()));
      socat.kill();
    }
  });

  test('the test adapter without flaws passes every scenario (so its flaws alone explain the failures below)', async () => {
    const adapter = new TestAdapter([]);
    try {
      const results = await runConformance(options(await adapter.listen()));
      assert.deepEqual(failed(results), [], show(results));
      // It knows nothing of the X-report: 902 is the documented way to say so, and passes.
      assert.match(results.find((r) => r.name === 'X-report (optional)')!.detail, /^not implemented \(902\)/);
    } finally {
      await adapter.close();
    }
  });

  test('an adapter that stays silent to an x_report it does not know fails "X-report (optional)" and nothing else', async () => {
    const adapter = new TestAdapter(['silent-to-unknown-ops']);
    try {
      const results = await runConformance(options(await adapter.listen()));
      assert.deepEqual(failed(results), ['X-report (optional)'], show(results));
      assert.match(results.find((r) => r.name === 'X-report (optional)')!.detail, /must answer 902/);
    } finally {
      await adapter.close();
    }
  });

  test('an adapter that runs a duplicate request id again fails "duplicate request id": it charged twice', async () => {
    const adapter = new TestAdapter(['reruns-duplicates']);
    try {
      const results = await runConformance(options(await adapter.listen()));
      assert.deepEqual(failed(results), ['duplicate request id'], show(results));
      const duplicate = results.find((r) => r.name === 'duplicate request id')!;
      assert.match(duplicate.detail, /it charged again/);
      assert.match(duplicate.meaning, /charge the customer twice/);
      assert.equal(adapter.performed.filter((p) => p === 'purchase 100000').length, 2);
    } finally {
      await adapter.close();
    }
  });

  test('an adapter that answers status with a made-up code while busy fails "busy during an operation"', async () => {
    const adapter = new TestAdapter(['made-up-status-while-busy']);
    try {
      const results = await runConformance(options(await adapter.listen()));
      assert.deepEqual(failed(results), ['busy during an operation'], show(results));
      assert.match(results.find((r) => r.name === 'busy during an operation')!.detail, /status of the running purchase: code 777 \(not a documented pinpad code\), expected 984/);
    } finally {
      await adapter.close();
    }
  });

  test('an adapter that forgets request ids after a reconnect fails the status scenarios that ask on a new connection', async () => {
    const adapter = new TestAdapter(['forgets-after-reconnect']);
    try {
      const results = await runConformance(options(await adapter.listen()));
      assert.deepEqual(failed(results), ['status of a known id', 'dropped connection mid-operation'], show(results));
      for (const name of failed(results)) assert.match(results.find((r) => r.name === name)!.detail, /code 202/);
    } finally {
      await adapter.close();
    }
  });

  test('paybridge terminal conformance prints the table and exits 0 for the sandbox terminal', async () => {
    const emulator = new BridgeTerminalEmulator(stateFile());
    try {
      const port = await emulator.listen();
      const { code, stdout, stderr } = await paybridge(['terminal', 'conformance', '--tcp', `127.0.0.1:${port}`, '--answer-timeout-ms', String(ANSWER_TIMEOUT_MS), '--poll-ms', String(POLL_MS)]);
      assert.equal(code, 0, stdout + stderr);
      for (const name of SCENARIOS) assert.match(stdout, new RegExp(`^${name.replace(/[()]/g, '\\$&')}\\s+pass\\s`, 'm'));
      assert.match(stdout, /All 12 scenarios passed/);
    } finally {
      await emulator.close();
    }
  });

  test('paybridge terminal conformance exits 1 and says what a failure means for a shop', async () => {
    const adapter = new TestAdapter(['reruns-duplicates']);
    try {
      const port = await adapter.listen();
      const human = await paybridge(['terminal', 'conformance', '--tcp', `127.0.0.1:${port}`, '--answer-timeout-ms', String(ANSWER_TIMEOUT_MS), '--poll-ms', String(POLL_MS)]);
      assert.equal(human.code, 1, human.stdout + human.stderr);
      assert.match(human.stdout, /^duplicate request id\s+FAIL\s/m);
      assert.match(human.stdout, /1 of 12 scenarios failed/);
      assert.match(human.stdout, /- duplicate request id: A request repeated after a lost answer can charge the customer twice/);
      const json = await paybridge(['--json', 'terminal', 'conformance', '--tcp', `127.0.0.1:${port}`, '--answer-timeout-ms', String(ANSWER_TIMEOUT_MS), '--poll-ms', String(POLL_MS)]);
      assert.equal(json.code, 1);
      const report = JSON.parse(json.stdout) as { passed: boolean; scenarios: ScenarioResult[] };
      assert.equal(report.passed, false);
      assert.deepEqual(failed(report.scenarios), ['duplicate request id']);
    } finally {
      await adapter.close();
    }
  });

  test('an adapter that cannot be reached is one failure that says so, not eleven', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const results = await runConformance(options(port));
    assert.deepEqual(results.map((r) => [r.name, r.ok]), [['reach the adapter', false]]);
    assert.match(results[0]!.detail, /ECONNREFUSED.*nothing was run/);
  });

  test('paybridge terminal conformance refuses bad arguments with exit 2', async () => {
    assert.equal((await paybridge(['terminal', 'conformance'])).code, 2);
    assert.equal((await paybridge(['terminal', 'conformance', '--tcp', '127.0.0.1:1', '--serial', '/dev/ttyACM0'])).code, 2);
    assert.equal((await paybridge(['terminal', 'conformance', '--tcp', 'localhost'])).code, 2);
  });
});
