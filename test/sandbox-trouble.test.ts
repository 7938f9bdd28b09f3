/**
 * The emulators' real-world trouble, each reached by its documented magic value: charges whose
 * answer says nothing or says otherwise (CLICK 504/522/534/535, Payme 324/325), a receipt whose
 * creation answer is lost (Payme amount …60100), receipts.get_all, and pinpads whose dialogue
 * answers 984 to everything until it completes, even after the caller died (98400).
 * Each emulator is started on a loopback port and reached over real sockets and processes.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, test } from 'node:test';
import iconv from 'iconv-lite';
import { clickAuthHeader } from '../src/providers/click/auth.js';
import { setUpSandboxArcus2, type SandboxArcus2 } from '../src/sandbox/arcus2/setup.js';
import { SLOW_ANSWER_MS, TERMINAL_MAGIC } from '../src/sandbox/card-terminal/emulated-terminal.js';
import { ClickEmulator } from '../src/sandbox/click/emulator.js';
import { SANDBOX_CLICK, SANDBOX_PAYME } from '../src/sandbox/credentials.js';
import { CLICK_MAGIC, isPaymeCreateLostAnswer, magicOf, PAYME_MAGIC } from '../src/sandbox/magic.js';
import { PaymeEmulator } from '../src/sandbox/payme/emulator.js';
import { BridgeTerminalEmulator } from '../src/sandbox/uzcard/bridge-emulator.js';
import { shopDate } from '../src/lib/shop-time.js';

const dirs: string[] = [];
process.once('exit', () => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'paybridge-trouble-'));
  dirs.push(dir);
  return dir;
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const todayInTashkent = () => shopDate('Asia/Tashkent', Date.now());

test('magic values: each emulator has its own, the shared ones stay', () => {
  assert.deepEqual(Object.values(CLICK_MAGIC), ['504', '522', '534', '535', '536', '541', '542', '543', '544', '549']);
  assert.deepEqual(Object.values(PAYME_MAGIC), ['324', '325']);
  assert.equal(magicOf('880100000000001534'), '534');
  assert.equal(magicOf('880100000000001408'), '408');
  assert.equal(magicOf('880100000000001777'), undefined);
  assert.equal(isPaymeCreateLostAnswer(60_100), true);
  assert.equal(isPaymeCreateLostAnswer(1_260_100), true);
  assert.equal(isPaymeCreateLostAnswer(60_101), false);
  assert.equal(isPaymeCreateLostAnswer(6_010), false);
});

describe('CLICK emulator: charged, then an answer that does not say so', () => {
  // Three loopback round trips (the charge, then both lookups) must fit in the lag: 600 ms was missed
  // at times on a loaded 2-core machine.
  const LAG_MS = 2_000;
  let click: ClickEmulator;
  before(async () => {
    click = await new ClickEmulator({ ...SANDBOX_CLICK, lostAnswerDelayMs: 5_000, processingMs: 300, confirmWindowMs: 2_000, statusLagMs: LAG_MS }).start();
  });
  after(() => click.close());

  const headers = () => ({ 'content-type': 'application/json', accept: 'application/json', auth: clickAuthHeader(SANDBOX_CLICK.merchantUserId, SANDBOX_CLICK.secretKey) });
  let counter = 0;
  async function pay(tail: string, amount = '1500.00') {
    counter += 1;
    const transactionId = `trouble-${process.pid}-${counter}`;
    const res = await fetch(`${click.baseUrl}click_pass/payment`, {
      method: 'POST',
      headers: headers(),
      body: JSON.stringify({ service_id: SANDBOX_CLICK.serviceId, otp_data: `88010169820${String(counter).padStart(4, '0')}${tail}`, amount, transaction_id: transactionId }),
    });
    return { res, text: await res.text(), transactionId, sentAt: Date.now() };
  }
  const byMti = async (mti: string) => {
    const res = await fetch(`${click.baseUrl}payment/status_by_mti/${SANDBOX_CLICK.serviceId}/${mti}/${todayInTashkent()}`, { headers: headers() });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const byId = async (paymentId: number) => {
    const res = await fetch(`${click.baseUrl}payment/status/${SANDBOX_CLICK.serviceId}/${paymentId}`, { headers: headers() });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const paymentOf = (transactionId: string) => {
    const found = click.ledger().filter((p) => p.merchantTransId === transactionId);
    assert.equal(found.length, 1, 'exactly one payment in the ledger');
    return found[0]!;
  };
  const charged = (transactionId: string) => click.charges().some((p) => p.merchantTransId === transactionId);

  test('an ordinary code still gets its answer with the payment', async () => {
    const { res, text, transactionId } = await pay('777');
    assert.equal(res.status, 200);
    const body = JSON.parse(text) as { error_code: number; payment_status: number; payment_id: number };
    assert.equal(body.error_code, 0);
    assert.equal(body.payment_status, 2);
    assert.equal(body.payment_id, paymentOf(transactionId).paymentId);
  });

  test('…504: charged, HTTP 504 with an HTML page; the status lookups see the payment at once', async () => {
    const { res, text, transactionId } = await pay(CLICK_MAGIC.gatewayTimeoutAfterCharge);
    assert.equal(res.status, 504);
    assert.match(res.headers.get('content-type') ?? '', /text\/html/);
    assert.match(text, /504 Gateway Time-out/);
    assert.ok(charged(transactionId), 'the money moved');
    const p = paymentOf(transactionId);
    const mti = await byMti(transactionId);
    assert.equal(mti.body.error_code, 0);
    assert.equal(mti.body.payment_status, 2);
    assert.equal(mti.body.payment_id, p.paymentId);
    assert.equal((await byId(p.paymentId)).body.payment_status, 2);
  });

  test('…522: charged, HTTP 200 with a body no JSON parser reads', async () => {
    const { res, text, transactionId } = await pay(CLICK_MAGIC.garbageAfterCharge);
    assert.equal(res.status, 200);
    assert.throws(() => JSON.parse(text));
    assert.ok(charged(transactionId));
    assert.equal((await byMti(transactionId)).body.payment_status, 2);
  });

  test('…534: charged, HTTP 504; status_by_mti and payment/status say "not found" for status_lag_ms, then find it', async () => {
    const { res, transactionId, sentAt } = await pay(CLICK_MAGIC.laggingStatus);
    assert.equal(res.status, 504);
    assert.ok(charged(transactionId), 'charged at once, whatever the status API says');
    const p = paymentOf(transactionId);
    const early = await byMti(transactionId);
    assert.ok(Date.now() - sentAt < LAG_MS, 'asked within the lag');
    assert.equal(early.status, 200);
    assert.deepEqual(early.body, { error_code: -6, error_note: 'Платеж не найден' });
    assert.deepEqual((await byId(p.paymentId)).body, { error_code: -6, error_note: 'Платеж не найден' });
    await sleep(p.createdAt + LAG_MS - Date.now() + 20);
    const late = await byMti(transactionId);
    assert.equal(late.body.error_code, 0);
    assert.equal(late.body.payment_status, 2);
    assert.equal((await byId(p.paymentId)).body.payment_status, 2);
  });

  test('…535: charged, HTTP 504; the status lookups answer −500 "Системная ошибка" for status_lag_ms, then find it', async () => {
    const { res, transactionId } = await pay(CLICK_MAGIC.lookupError);
    assert.equal(res.status, 504);
    assert.ok(charged(transactionId));
    const p = paymentOf(transactionId);
    const early = await byMti(transactionId);
    assert.equal(early.status, 200);
    assert.deepEqual(early.body, { error_code: -500, error_note: 'Системная ошибка' });
    assert.deepEqual((await byId(p.paymentId)).body, { error_code: -500, error_note: 'Системная ошибка' });
    await sleep(p.createdAt + LAG_MS - Date.now() + 20);
    assert.equal((await byMti(transactionId)).body.payment_status, 2);
    assert.equal((await byId(p.paymentId)).body.payment_status, 2);
  });
});

describe('Payme emulator: debited, then an error; a lost create; receipts.get_all', () => {
  const HOLD_MS = 700;
  let payme: PaymeEmulator;
  before(async () => {
    payme = await new PaymeEmulator({ ...SANDBOX_PAYME, lostAnswerDelayMs: HOLD_MS, processingMs: 300, cancelQueueMs: 100 }).start();
  });
  after(() => payme.close());

  let id = 0;
  async function rpc(method: string, params: object, url = payme.url) {
    id += 1;
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-auth': `${SANDBOX_PAYME.cashboxId}:${SANDBOX_PAYME.cashboxKey}` },
      body: JSON.stringify({ id, method, params }),
    });
    assert.equal(res.status, 200);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    return (await res.json()) as { result?: any; error?: { code: number; message: { ru: string } } };
  }
  const create = async (amount: number, transactionId: string) => (await rpc('receipts.create', { amount, account: { transaction_id: transactionId } })).result.receipt as { _id: string; state: number };
  const stateOf = (receiptId: string) => payme.ledger().find((r) => r._id === receiptId)?.state;

  test('…324: receipts.pay debits the card (state 4), then answers −32400; a cancel still works', async () => {
    const receipt = await create(150_000, 'tx-324');
    const paid = await rpc('receipts.pay', { id: receipt._id, token: `payme-go-qr-000${PAYME_MAGIC.errorAfterDebit}` });
    assert.equal(paid.result, undefined);
    assert.equal(paid.error?.code, -32400);
    assert.equal(stateOf(receipt._id), 4, 'the money moved');
    assert.deepEqual((await rpc('receipts.check', { id: receipt._id })).result, { state: 4 });
    const cancelled = await rpc('receipts.cancel', { id: receipt._id });
    assert.equal(cancelled.result.receipt.state, 21);
  });

  test('…325: the same, and every receipts.cancel is refused with −32400; the receipt stays paid', async () => {
    const receipt = await create(150_000, 'tx-325');
    const paid = await rpc('receipts.pay', { id: receipt._id, token: `payme-go-qr-000${PAYME_MAGIC.errorAfterDebitCancelRefused}` });
    assert.equal(paid.error?.code, -32400);
    for (let i = 0; i < 3; i++) {
      const cancel = await rpc('receipts.cancel', { id: receipt._id });
      assert.equal(cancel.error?.code, -32400);
    }
    assert.equal(stateOf(receipt._id), 4);
  });

  test('an ordinary token is paid and answered with the receipt', async () => {
    const receipt = await create(150_000, 'tx-777');
    const paid = await rpc('receipts.pay', { id: receipt._id, token: 'payme-go-qr-000777' });
    assert.equal(paid.result.receipt.state, 4);
  });

  test('receipts.create of an amount ending in 60100: the receipt exists at once, its answer comes lost_answer_delay_ms later', async () => {
    const before = payme.ledger().length;
    const startedAt = Date.now();
    let answered = false;
    const answer = rpc('receipts.create', { amount: 1_260_100, account: { transaction_id: 'tx-lost-create' } }).finally(() => (answered = true));
    // Until the receipt shows, however long a busy machine takes to deliver the request; it must show before the answer.
    while (!answered && payme.ledger().length === before) await sleep(10);
    assert.equal(answered, false, 'created before the answer');
    const held = payme.ledger().filter((r) => (r.account as { transaction_id?: string }).transaction_id === 'tx-lost-create');
    assert.equal(held.length, 1, 'created before the answer');
    assert.equal(held[0]!.state, 0);
    const { result } = await answer;
    assert.ok(Date.now() - startedAt >= HOLD_MS - 5, 'held back');
    assert.equal(result.receipt._id, held[0]!._id);
    // Other amounts are answered at once: sent after a held one, answered before it (an order, not a time a busy machine can miss).
    const order: string[] = [];
    const heldAgain = rpc('receipts.create', { amount: 60_100, account: { transaction_id: 'tx-held-again' } }).then(() => order.push('held'));
    await create(1_260_000, 'tx-quick-create').then(() => order.push('quick'));
    await heldAgain;
    assert.deepEqual(order, ['quick', 'held']);
  });

  test('a held create answer is dropped with the connection when the emulator stops', async () => {
    const other = await new PaymeEmulator({ ...SANDBOX_PAYME, lostAnswerDelayMs: 60_000, processingMs: 300, cancelQueueMs: 100 }).start();
    const answer = rpc('receipts.create', { amount: 60_100, account: { transaction_id: 'tx-dropped' } }, other.url).then(
      () => 'answered',
      () => 'dropped',
    );
    // Until the request has arrived, however long a busy machine takes; the answer is held for a minute meanwhile.
    while (other.ledger().length === 0) await sleep(10);
    await other.close();
    assert.equal(await answer, 'dropped');
  });

  test('receipts.get_all: the receipts created in [from, to], newest first, count and offset, the same view as receipts.get', async () => {
    const from = Date.now();
    const made: string[] = [];
    for (let i = 0; i < 4; i++) {
      made.push((await create(200_000 + i * 100, `tx-all-${i}`))._id);
      await sleep(3);
    }
    const to = Date.now();
    const all = await rpc('receipts.get_all', { count: 50, from, to });
    assert.ok(Array.isArray(all.result), JSON.stringify(all));
    const ids = (all.result as { _id: string }[]).map((r) => r._id);
    assert.deepEqual(ids, [...made].reverse(), 'newest first');
    const one = (await rpc('receipts.get', { id: made[2] })).result.receipt;
    assert.deepEqual(all.result[1], one, 'each as receipts.get shows it');
    // Payme's answers carry `account` as an array of {name, title, value} (its receipts.get_all example), whatever object was created.
    assert.deepEqual(all.result[1].account, [{ name: 'transaction_id', title: { ru: 'transaction_id', uz: 'transaction_id' }, value: 'tx-all-2', main: true }]);
    const page = await rpc('receipts.get_all', { count: 2, from, to, offset: 1 });
    assert.deepEqual(
      (page.result as { _id: string }[]).map((r) => r._id),
      [made[2], made[1]],
    );
    // Both bounds are inclusive.
    const firstTime = payme.ledger().find((r) => r._id === made[0])!.createTime;
    const exact = await rpc('receipts.get_all', { count: 50, from: firstTime, to: firstTime });
    assert.ok((exact.result as { _id: string }[]).some((r) => r._id === made[0]));
    const none = await rpc('receipts.get_all', { count: 50, from: to + 60_000, to: to + 120_000 });
    assert.deepEqual(none.result, []);
    for (const bad of [{ count: 0, from, to }, { count: 51, from, to }, { count: 5, to }, { count: 5, from, to, offset: -1 }]) {
      assert.equal((await rpc('receipts.get_all', bad)).error?.code, -32602, JSON.stringify(bad));
    }
  });
});

/** A bridge-protocol client over TCP: sends a line, collects answers by id. */
class BridgeLink {
  private readonly socket: Socket;
  readonly answers = new Map<string, Record<string, unknown>>();
  private readonly waiters = new Map<string, (a: Record<string, unknown>) => void>();
  private n = 0;

  constructor(port: number) {
    this.socket = connect(port, '127.0.0.1');
    this.socket.on('error', () => undefined);
    createInterface({ input: this.socket }).on('line', (line) => {
      const message = JSON.parse(line) as Record<string, unknown>;
      if (message.event) return;
      const id = String(message.id);
      this.answers.set(id, message);
      this.waiters.get(id)?.(message);
    });
  }

  ready(): Promise<void> {
    return new Promise((resolve) => this.socket.once('connect', () => resolve()));
  }

  send(op: string, extra: Record<string, unknown> = {}): { id: string; answer: Promise<Record<string, unknown>> } {
    this.n += 1;
    const id = `req-${process.pid}-${this.n}-${Math.random().toString(36).slice(2, 8)}`;
    const answer = new Promise<Record<string, unknown>>((resolve) => this.waiters.set(id, resolve));
    this.socket.write(`${JSON.stringify({ v: 1, id, op, ...extra })}\n`);
    return { id, answer };
  }

  close(): void {
    this.socket.destroy();
  }
}

describe('UzCard bridge emulator: the 98400 dialogue', { concurrency: true }, () => {
  test('answers 984 to every request, status/last_slip/last_report included, then approves 5 s later', async () => {
    const emulator = new BridgeTerminalEmulator(join(tempDir(), 'terminal.json'));
    const port = await emulator.listen();
    const a = new BridgeLink(port);
    const b = new BridgeLink(port);
    try {
      await Promise.all([a.ready(), b.ready()]);
      const startedAt = Date.now();
      const purchase = a.send('purchase', { amount: TERMINAL_MAGIC.busyDialogue });
      await sleep(150);
      for (const [link, op, extra] of [
        [a, 'status', { ref: purchase.id }],
        [b, 'status', { ref: purchase.id }],
        [b, 'last_slip', {}],
        [b, 'last_report', {}],
        [b, 'purchase', { amount: 10_000 }],
        [b, 'close_shift', {}],
      ] as const) {
        const answer = await link.send(op, extra).answer;
        assert.equal(answer.code, '984', `${op} during the dialogue: ${JSON.stringify(answer)}`);
      }
      assert.equal(emulator.terminal.operations().length, 0, 'nothing recorded yet');
      const done = await purchase.answer;
      assert.equal(done.code, '000');
      assert.equal(done.amount, TERMINAL_MAGIC.busyDialogue);
      assert.ok(Date.now() - startedAt >= SLOW_ANSWER_MS - 50);
      const status = await b.send('status', { ref: purchase.id }).answer;
      assert.equal(status.code, '000');
      assert.equal(status.rrn, done.rrn);
      assert.equal((await b.send('last_slip').answer).slip, done.slip);
      assert.deepEqual(
        emulator.terminal.operations().map((o) => [o.kind, o.amount]),
        [['purchase', TERMINAL_MAGIC.busyDialogue]],
        'the 984s recorded nothing',
      );
    } finally {
      a.close();
      b.close();
      await emulator.close();
    }
  });

  test('completes when the link that asked for it is gone', async () => {
    const emulator = new BridgeTerminalEmulator(join(tempDir(), 'terminal.json'));
    const port = await emulator.listen();
    const a = new BridgeLink(port);
    const b = new BridgeLink(port);
    try {
      await Promise.all([a.ready(), b.ready()]);
      const purchase = a.send('purchase', { amount: TERMINAL_MAGIC.busyDialogue });
      await sleep(150);
      a.close();
      assert.equal((await b.send('status', { ref: purchase.id }).answer).code, '984');
      await sleep(SLOW_ANSWER_MS);
      const status = await b.send('status', { ref: purchase.id }).answer;
      assert.equal(status.code, '000', JSON.stringify(status));
      assert.equal(status.amount, TERMINAL_MAGIC.busyDialogue);
      assert.equal(emulator.terminal.operations().length, 1);
    } finally {
      b.close();
      await emulator.close();
    }
  });

  test('an ordinary slow (40800) operation keeps answering status while busy', async () => {
    const emulator = new BridgeTerminalEmulator(join(tempDir(), 'terminal.json'));
    const port = await emulator.listen();
    const a = new BridgeLink(port);
    const b = new BridgeLink(port);
    try {
      await Promise.all([a.ready(), b.ready()]);
      const purchase = a.send('purchase', { amount: TERMINAL_MAGIC.slow });
      await sleep(150);
      const status = await b.send('status', { ref: purchase.id }).answer;
      assert.equal(status.code, '000', 'recorded at once, answered from memory');
      assert.equal((await b.send('last_slip').answer).code, '984', 'other requests wait for the terminal');
      assert.equal((await purchase.answer).code, '000');
    } finally {
      a.close();
      b.close();
      await emulator.close();
    }
  });
});

describe('Arcus2 CommandLineTool emulator: the 98400 dialogue outlives the tool', { concurrency: true }, () => {
  function run(arcus2: SandboxArcus2, ...args: string[]) {
    const child = spawn(arcus2.command, [...arcus2.args, ...args], { cwd: arcus2.workDir, stdio: 'ignore' });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    return { child, exited };
  }
  async function tool(arcus2: SandboxArcus2, ...args: string[]) {
    for (const f of ['rc.out', 'cheq.out']) rmSync(join(arcus2.workDir, f), { force: true });
    await run(arcus2, ...args).exited;
    return outputs(arcus2);
  }
  function outputs(arcus2: SandboxArcus2) {
    const read = (f: string) => (existsSync(join(arcus2.workDir, f)) ? iconv.decode(readFileSync(join(arcus2.workDir, f)), 'cp1251') : undefined);
    return { rc: read('rc.out'), cheq: read('cheq.out') };
  }
  /** When the pinpad's pending dialogue ends, as the tool saved it. */
  const completesAt = (arcus2: SandboxArcus2) =>
    (JSON.parse(readFileSync(join(arcus2.workDir, 'arcus2-emulator.json'), 'utf8')) as { pending: { completesAt: number } }).pending.completesAt;
  const purchases = (arcus2: SandboxArcus2) =>
    (JSON.parse(readFileSync(join(arcus2.workDir, 'arcus2-emulator.json'), 'utf8')) as { operations: { kind: string; amount: number }[] }).operations.filter((o) => o.kind === 'purchase');

  test('killed tool: every invocation answers 984 with no cheq.out until the dialogue ends, then the purchase is the last slip', async () => {
    const arcus2 = setUpSandboxArcus2(tempDir());
    const startedAt = Date.now();
    const first = run(arcus2, '/o1', `/a${TERMINAL_MAGIC.busyDialogue}`, '/c860');
    // The pending purchase is saved before the tool waits.
    while (!existsSync(join(arcus2.workDir, 'arcus2-emulator.json'))) {
      assert.ok(Date.now() - startedAt < 15_000, 'the tool saved its pending purchase');
      await sleep(20);
    }
    const ends = completesAt(arcus2);
    first.child.kill('SIGKILL');
    await first.exited;
    const printLast = await tool(arcus2, '/o103');
    assert.deepEqual(printLast, { rc: '984', cheq: undefined });
    const another = await tool(arcus2, '/o1', '/a10000', '/c860');
    assert.deepEqual(another, { rc: '984', cheq: undefined }, 'no second purchase while the dialogue runs');
    assert.equal(purchases(arcus2).length, 0);
    assert.ok(Date.now() < ends, 'still within the dialogue');
    await sleep(ends + 50 - Date.now());
    const after = await tool(arcus2, '/o103');
    assert.equal(after.rc, '000');
    assert.match(after.cheq ?? '', /Оплата/);
    assert.match(after.cheq ?? '', /984\.00 UZS/);
    assert.deepEqual(
      purchases(arcus2).map((o) => o.amount),
      [TERMINAL_MAGIC.busyDialogue],
      'applied once, the refused purchase not at all',
    );
    // The next purchase goes through again.
    assert.equal((await tool(arcus2, '/o1', '/a10000', '/c860')).rc, '000');
    assert.equal(purchases(arcus2).length, 2);
  });

  test('a tool left running answers the purchase itself when the dialogue ends', async () => {
    const arcus2 = setUpSandboxArcus2(tempDir());
    const startedAt = Date.now();
    const out = await tool(arcus2, '/o1', `/a${TERMINAL_MAGIC.busyDialogue}`, '/c860');
    assert.ok(Date.now() - startedAt >= SLOW_ANSWER_MS, 'answered when the dialogue ended');
    assert.equal(out.rc, '000');
    assert.match(out.cheq ?? '', /ОДОБРЕНО/);
    assert.equal(purchases(arcus2).length, 1);
    assert.equal((await tool(arcus2, '/o103')).cheq, out.cheq, 'its slip is the last slip');
  });

  test('a later invocation applies the completed dialogue before its own operation, and the waking tool does not apply it again', async () => {
    const arcus2 = setUpSandboxArcus2(tempDir());
    const first = run(arcus2, '/o1', `/a${TERMINAL_MAGIC.busyDialogue}`, '/c860');
    // Saved, and the state's lock released: the tool is waiting for the dialogue to end.
    while (!existsSync(join(arcus2.workDir, 'arcus2-emulator.json')) || existsSync(join(arcus2.workDir, 'arcus2-emulator.lock'))) await sleep(20);
    // Stop the first tool (not kill): it wakes after the dialogue's time, when the second already applied it.
    first.child.kill('SIGSTOP');
    await sleep(completesAt(arcus2) + 50 - Date.now());
    const second = await tool(arcus2, '/o1', '/a10000', '/c860');
    assert.equal(second.rc, '000');
    first.child.kill('SIGCONT');
    await first.exited;
    const last = outputs(arcus2);
    assert.equal(last.rc, '000', 'the first tool answers the purchase that was applied');
    assert.match(last.cheq ?? '', /984\.00 UZS/, 'with its own slip');
    assert.deepEqual(
      purchases(arcus2).map((o) => o.amount),
      [TERMINAL_MAGIC.busyDialogue, 10_000],
    );
  });
});
