import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, test } from 'node:test';
import { clickAuthHeader } from '../src/providers/click/auth.js';
import { ClickEmulator } from '../src/sandbox/click/emulator.js';
import { SANDBOX_CLICK, SANDBOX_PAYME, SANDBOX_UZUM } from '../src/sandbox/credentials.js';
import { PaymeEmulator } from '../src/sandbox/payme/emulator.js';
import { UzumEmulator } from '../src/sandbox/uzum/emulator.js';
import { post, startTestBridge, tempDir } from './helpers.js';

// The wallets' merchant cabinets, as the sandbox plays them (#26): a refund the shop's staff make
// outside PayBridge, and Payme receipts made by another till, must be what the wallets' own status
// calls then answer — over real sockets, across an emulator restart.

const QR = '880101698207133392';
/** A 40-character Uzum code with no trouble, and one whose payment stays in process (…102). */
const UZUM_QR = `8801${'0'.repeat(33)}392`;
const UZUM_PROCESSING_QR = `8801${'0'.repeat(33)}102`;

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** POSTs JSON to a sandbox-only route of the emulator at `origin`. */
async function sandbox(origin: string, path: string, body: unknown): Promise<{ status: number; body: Json }> {
  const res = await fetch(`${origin}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Json };
}

async function rows(origin: string, path: string): Promise<Json[]> {
  return (await (await fetch(`${origin}${path}`)).json()) as Json[];
}

const originOf = (url: string) => new URL(url).origin;

// ---- CLICK over its socket, signed as PayBridge's client signs ----
const clickOn = (file: string, processingMs = 300) =>
  new ClickEmulator({ ...SANDBOX_CLICK, lostAnswerDelayMs: 5_000, processingMs, confirmWindowMs: 2_000, ledgerFile: file }).start();

async function click(emulator: ClickEmulator, method: string, path: string, body?: object): Promise<Json> {
  const res = await fetch(`${emulator.baseUrl}${path}`, {
    method,
    headers: { 'content-type': 'application/json', accept: 'application/json', auth: clickAuthHeader(SANDBOX_CLICK.merchantUserId, SANDBOX_CLICK.secretKey) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return (await res.json()) as Json;
}
const clickPay = (emulator: ClickEmulator, amount: string, transactionId: string, otp = QR) =>
  click(emulator, 'POST', 'click_pass/payment', { service_id: SANDBOX_CLICK.serviceId, otp_data: otp, amount, transaction_id: transactionId });
const clickStatus = (emulator: ClickEmulator, paymentId: unknown) => click(emulator, 'GET', `payment/status/${SANDBOX_CLICK.serviceId}/${paymentId}`);

// ---- Payme JSON-RPC ----
const paymeOn = (options: { file?: string; cancelQueueMs?: number; accountField?: string } = {}) =>
  new PaymeEmulator({
    ...SANDBOX_PAYME,
    lostAnswerDelayMs: 5_000,
    processingMs: 0,
    cancelQueueMs: options.cancelQueueMs ?? 0,
    ...(options.file ? { ledgerFile: options.file } : {}),
    ...(options.accountField ? { accountField: options.accountField } : {}),
  }).start();

async function rpc(payme: PaymeEmulator, method: string, params: object): Promise<Json> {
  const res = await fetch(payme.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-auth': `${SANDBOX_PAYME.cashboxId}:${SANDBOX_PAYME.cashboxKey}` },
    body: JSON.stringify({ id: 1, method, params }),
  });
  return (await res.json()) as Json;
}
async function paymePaid(payme: PaymeEmulator, amount: number, account: unknown): Promise<string> {
  const created = await rpc(payme, 'receipts.create', { amount, account });
  assert.equal(created.error, undefined, JSON.stringify(created));
  const id = created.result.receipt._id as string;
  const paid = await rpc(payme, 'receipts.pay', { id, token: QR });
  assert.equal(paid.result?.receipt.state, 4, JSON.stringify(paid));
  return id;
}

// ---- Uzum, Authorization signed as the contract says ----
const uzumOn = (file: string, processingMs = 0) => new UzumEmulator({ ...SANDBOX_UZUM, lostAnswerDelayMs: 5_000, processingMs, ledgerFile: file }).start();

async function uzum(emulator: UzumEmulator, method: string, path: string, body: object): Promise<Json> {
  const ts = String(Date.now());
  const authorization = `${SANDBOX_UZUM.merchantServiceUserId}:${createHash('sha1').update(ts + SANDBOX_UZUM.secretKey).digest('hex')}:${ts}`;
  const res = await fetch(`${emulator.baseUrl}${path}`, {
    method,
    headers: { 'content-type': 'application/json', accept: 'application/json', authorization },
    body: JSON.stringify({ service_id: SANDBOX_UZUM.serviceId, ...body }),
  });
  return (await res.json()) as Json;
}
const uzumPay = (emulator: UzumEmulator, amount: number, orderId: string, otp = UZUM_QR) =>
  uzum(emulator, 'POST', 'v2/payment', { amount, otp_data: otp, order_id: orderId, transaction_id: randomUUID(), cashbox_code: 'kkm' });
const uzumStatus = (emulator: UzumEmulator, paymentId: string) => uzum(emulator, 'POST', 'payment/status', { payment_id: paymentId });

const BAD_AMOUNTS: unknown[] = [0, -100, 1.5, '12x', true];

describe('a refund in the wallet’s merchant cabinet, outside PayBridge', () => {
  test('in sandbox mode: a payment PayBridge made, refunded by its transaction id, reads refunded in each wallet’s own status call', async () => {
    const bridge = await startTestBridge();
    try {
      const e = bridge.emulators!;
      const paid: Record<string, Json> = {};
      for (const method of ['click', 'payme', 'uzum'] as const) {
        const { body } = await post(bridge, `/payment/${method}`, { amount: 800, qr_code: QR });
        assert.equal(body.is_success, true, `${method}: ${JSON.stringify(body)}`);
        paid[method] = body.data;
      }

      const c = await sandbox(originOf(e.click.baseUrl), '/_sandbox/click/cabinet-refund', { transaction_id: paid.click!.transaction_id });
      assert.equal(c.status, 200, JSON.stringify(c.body));
      assert.deepEqual([String(c.body.payment_id), c.body.amount, c.body.refunded_tiyin, c.body.payment_status, c.body.reversed], [paid.click!.payment_id, 800, 800, -2, true]);
      assert.equal((await clickStatus(e.click, paid.click!.payment_id)).payment_status, -2, 'CLICK’s payment/status reads it reversed');
      const mti = await click(e.click, 'GET', `payment/status_by_mti/${SANDBOX_CLICK.serviceId}/${paid.click!.transaction_id}/${e.click.ledger()[0]!.day}`);
      assert.equal(mti.payment_status, -2, JSON.stringify(mti));

      const p = await sandbox(originOf(e.payme.url), '/_sandbox/payme/cabinet-refund', { transaction_id: paid.payme!.transaction_id });
      assert.equal(p.status, 200, JSON.stringify(p.body));
      assert.equal(p.body.receipt_id, paid.payme!.payment_id);
      // The test configuration queues a cancelled paid receipt for 100 ms, as receipts.cancel does (21 is
      // asserted where the queue is a minute long, below: here the answer may come after those 100 ms).
      assert.ok([21, 50].includes(p.body.state), JSON.stringify(p.body));
      await sleep(150);
      const receipt = (await rpc(e.payme, 'receipts.get', { id: paid.payme!.payment_id })).result.receipt;
      assert.equal(receipt.state, 50);
      assert.ok(receipt.pay_time > 0 && receipt.cancel_time >= receipt.pay_time, JSON.stringify(receipt));
      assert.equal((await rpc(e.payme, 'receipts.check', { id: paid.payme!.payment_id })).result.state, 50);

      const u = await sandbox(originOf(e.uzum.baseUrl), '/_sandbox/uzum/cabinet-refund', { transaction_id: paid.uzum!.transaction_id });
      assert.equal(u.status, 200, JSON.stringify(u.body));
      assert.deepEqual([u.body.payment_id, u.body.refunded_tiyin, u.body.payment_status], [paid.uzum!.payment_id, 800, 'REVERSED']);
      assert.equal((await uzumStatus(e.uzum, paid.uzum!.payment_id)).payment_status, 'REVERSED');

      // Refunded once, there is nothing left to refund.
      for (const [origin, name] of [[originOf(e.click.baseUrl), 'click'], [originOf(e.payme.url), 'payme'], [originOf(e.uzum.baseUrl), 'uzum']] as const) {
        const again = await sandbox(origin, `/_sandbox/${name}/cabinet-refund`, { transaction_id: paid[name]!.transaction_id });
        assert.equal(again.status, 409, `${name}: ${JSON.stringify(again.body)}`);
        assert.match(again.body.error, /cannot be refunded/);
      }
    } finally {
      await bridge.close();
    }
  });

  test('CLICK: partial refunds grow the reversed tiyin, the whole rest reverses it, bad amounts and unpaid payments are refused, and it all survives a restart', async () => {
    const file = join(tempDir(), 'click-ledger.jsonl');
    let emulator = await clickOn(file, 60_000);
    const origin = () => originOf(emulator.baseUrl);
    let paymentId: unknown;
    try {
      // A payment still being processed (…102) is not paid yet.
      const processing = await clickPay(emulator, '4.00', 'tx-processing', '880101698207133102');
      assert.equal(processing.payment_status, 1);
      const early = await sandbox(origin(), '/_sandbox/click/cabinet-refund', { payment_id: String(processing.payment_id) });
      assert.equal(early.status, 409, JSON.stringify(early.body));
      assert.match(early.body.error, /still being processed/);
      assert.equal((await sandbox(origin(), '/_sandbox/click/cabinet-refund', { transaction_id: 'tx-nobody' })).status, 404);
      assert.equal((await sandbox(origin(), '/_sandbox/click/cabinet-refund', { payment_id: '1' })).status, 404);
      assert.equal((await sandbox(origin(), '/_sandbox/click/cabinet-refund', {})).status, 400, 'no payment named');
      assert.equal((await sandbox(origin(), '/_sandbox/click/cabinet-refund', '{"transaction_id":')).status, 400, 'unreadable body');
      await emulator.close();
      emulator = await clickOn(file, 0);

      const paid = await clickPay(emulator, '10.00', 'tx-1');
      assert.equal(paid.payment_status, 2, JSON.stringify(paid));
      paymentId = paid.payment_id;
      for (const amount of BAD_AMOUNTS) {
        const bad = await sandbox(origin(), '/_sandbox/click/cabinet-refund', { transaction_id: 'tx-1', amount });
        assert.equal(bad.status, 400, `${JSON.stringify(amount)}: ${JSON.stringify(bad.body)}`);
      }
      const part = await sandbox(origin(), '/_sandbox/click/cabinet-refund', { transaction_id: 'tx-1', amount: 300 });
      assert.equal(part.status, 200, JSON.stringify(part.body));
      assert.deepEqual([part.body.refunded_tiyin, part.body.remaining_tiyin, part.body.payment_status, part.body.reversed], [300, 700, 2, false]);
      assert.equal((await clickStatus(emulator, paymentId)).payment_status, 2, 'partly refunded, CLICK still reads it paid');
      const tooMuch = await sandbox(origin(), '/_sandbox/click/cabinet-refund', { payment_id: String(paymentId), amount: 701 });
      assert.equal(tooMuch.status, 400);
      assert.match(tooMuch.body.error, /700 tiyin left/);
      const row = (await rows(origin(), '/_sandbox/payments')).find((r) => r.payment_id === paymentId)!;
      assert.deepEqual([row.reversed_tiyin, row.refunded_tiyin, row.cabinet_refunded_tiyin, row.cabinet_refunds, row.reversals_applied], [300, 300, 300, 1, 0]);
      // CLICK's own whole reversal of a payment partly given back is refused, as for one partly reversed through the API.
      assert.equal((await click(emulator, 'DELETE', `payment/reversal/${SANDBOX_CLICK.serviceId}/${paymentId}`)).error_code, -9);
    } finally {
      await emulator.close();
    }

    emulator = await clickOn(file, 0);
    try {
      assert.equal(emulator.ledger().find((p) => p.paymentId === paymentId)?.reversedTiyin, 300, 'the partial refund survived the restart');
      const rest = await sandbox(origin(), '/_sandbox/click/cabinet-refund', { transaction_id: 'tx-1' });
      assert.equal(rest.status, 200, JSON.stringify(rest.body));
      assert.deepEqual([rest.body.refunded_tiyin, rest.body.remaining_tiyin, rest.body.payment_status, rest.body.reversed], [1000, 0, -2, true]);
    } finally {
      await emulator.close();
    }
    emulator = await clickOn(file, 0);
    try {
      assert.equal((await clickStatus(emulator, paymentId)).payment_status, -2, 'reversed across a restart');
      assert.equal((await sandbox(origin(), '/_sandbox/click/cabinet-refund', { payment_id: String(paymentId), amount: 1 })).status, 409);
    } finally {
      await emulator.close();
    }
  });

  test('Payme: a paid receipt is cancelled whole (a part is refused), by the account field however the receipt keeps it; unpaid and unknown ones are refused; it survives a restart', async () => {
    const file = join(tempDir(), 'payme-ledger.jsonl');
    let payme = await paymeOn({ file, accountField: 'cheque_no' });
    const origin = () => originOf(payme.url);
    let id = '';
    try {
      id = await paymePaid(payme, 50_000, { cheque_no: 'tx-p1' });
      const other = await paymePaid(payme, 50_000, { cheque_no: 'tx-p2' });
      const part = await sandbox(origin(), '/_sandbox/payme/cabinet-refund', { transaction_id: 'tx-p1', amount: 20_000 });
      assert.equal(part.status, 400, JSON.stringify(part.body));
      assert.match(part.body.error, /Payme cancels whole receipts/);
      for (const amount of BAD_AMOUNTS) assert.equal((await sandbox(origin(), '/_sandbox/payme/cabinet-refund', { transaction_id: 'tx-p1', amount })).status, 400, JSON.stringify(amount));
      // Found by the cashbox's account field (cheque_no), not by order_id.
      assert.equal((await sandbox(origin(), '/_sandbox/payme/cabinet-refund', { transaction_id: 'order-x' })).status, 404);
      assert.equal((await sandbox(origin(), '/_sandbox/payme/cabinet-refund', { receipt_id: 'ffffffffffffffffffffffff' })).status, 404);

      const whole = await sandbox(origin(), '/_sandbox/payme/cabinet-refund', { transaction_id: 'tx-p1', amount: 50_000 });
      assert.equal(whole.status, 200, JSON.stringify(whole.body));
      assert.deepEqual([whole.body.receipt_id, whole.body.amount, whole.body.refunded_tiyin, whole.body.state], [id, 50_000, 50_000, 50]);
      const receipt = (await rpc(payme, 'receipts.get', { id })).result.receipt;
      assert.deepEqual([receipt.state, receipt.pay_time > 0, receipt.cancel_time >= receipt.pay_time], [50, true, true]);
      // The other receipt is untouched.
      assert.equal((await rpc(payme, 'receipts.check', { id: other })).result.state, 4);

      const unpaid = (await rpc(payme, 'receipts.create', { amount: 30_000, account: { cheque_no: 'tx-p3' } })).result.receipt._id;
      const refused = await sandbox(origin(), '/_sandbox/payme/cabinet-refund', { receipt_id: unpaid });
      assert.equal(refused.status, 409);
      assert.match(refused.body.error, /not paid \(state 0\)/);
    } finally {
      await payme.close();
    }
    payme = await paymeOn({ file, accountField: 'cheque_no' });
    try {
      assert.equal((await rpc(payme, 'receipts.check', { id })).result.state, 50, 'cancelled across a restart');
      const row = (await rows(origin(), '/_sandbox/receipts')).find((r) => r._id === id)!;
      assert.deepEqual([row.cabinet_cancelled, row.refunded_tiyin, row.give_back_requests], [true, 50_000, 0]);
      const again = await sandbox(origin(), '/_sandbox/payme/cabinet-refund', { receipt_id: id });
      assert.equal(again.status, 409);
      assert.match(again.body.error, /already cancelled/);
    } finally {
      await payme.close();
    }

    // A receipt whose account is kept as Payme answers it (an array of {name, value}) is found as well; the cancel queue is played.
    const queued = await paymeOn({ cancelQueueMs: 60_000 });
    try {
      const arrayId = await paymePaid(queued, 20_000, [{ name: 'order_id', title: { ru: 'order_id' }, value: 'tx-arr' }]);
      const res = await sandbox(originOf(queued.url), '/_sandbox/payme/cabinet-refund', { transaction_id: 'tx-arr' });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.receipt_id, arrayId);
      assert.equal((await rpc(queued, 'receipts.check', { id: arrayId })).result.state, 21, 'queued for cancellation, as receipts.cancel leaves a paid receipt');
    } finally {
      await queued.close();
    }
  });

  test('Uzum: a partial refund reads PARTIAL_CANCELLED, the rest REVERSED; amounts beyond what is paid and payments not completed are refused; it survives a restart', async () => {
    const file = join(tempDir(), 'uzum-ledger.jsonl');
    let emulator = await uzumOn(file, 60_000);
    const origin = () => originOf(emulator.baseUrl);
    let paymentId = '';
    try {
      const hold = await uzumPay(emulator, 10_000, 'u-hold', UZUM_PROCESSING_QR);
      const early = await sandbox(origin(), '/_sandbox/uzum/cabinet-refund', { payment_id: hold.payment_id });
      assert.equal(early.status, 409, JSON.stringify(early.body));
      assert.match(early.body.error, /HOLD/);
      paymentId = (await uzumPay(emulator, 50_000, 'u-1')).payment_id;
      assert.equal((await sandbox(origin(), '/_sandbox/uzum/cabinet-refund', { transaction_id: 'u-none' })).status, 404);
      for (const amount of BAD_AMOUNTS) assert.equal((await sandbox(origin(), '/_sandbox/uzum/cabinet-refund', { transaction_id: 'u-1', amount })).status, 400, JSON.stringify(amount));

      const part = await sandbox(origin(), '/_sandbox/uzum/cabinet-refund', { transaction_id: 'u-1', amount: 20_000 });
      assert.equal(part.status, 200, JSON.stringify(part.body));
      assert.deepEqual([part.body.payment_id, part.body.refunded_tiyin, part.body.remaining_tiyin, part.body.payment_status], [paymentId, 20_000, 30_000, 'PARTIAL_CANCELLED']);
      assert.equal((await uzumStatus(emulator, paymentId)).payment_status, 'PARTIAL_CANCELLED');
      assert.equal((await sandbox(origin(), '/_sandbox/uzum/cabinet-refund', { payment_id: paymentId, amount: 30_001 })).status, 400);
      // Uzum's own reversal of what is left is refused, as a second reversal is; nothing changes.
      const reversal = await uzum(emulator, 'PUT', 'v2/payment/reversal/u-1', { payment_id: paymentId });
      assert.deepEqual([reversal.error_code, reversal.error_message], [400, 'apelsin.pay.unsupported.operation']);
    } finally {
      await emulator.close();
    }
    emulator = await uzumOn(file);
    try {
      assert.equal((await uzumStatus(emulator, paymentId)).payment_status, 'PARTIAL_CANCELLED', 'partly refunded across a restart');
      const rest = await sandbox(origin(), '/_sandbox/uzum/cabinet-refund', { transaction_id: 'u-1' });
      assert.equal(rest.status, 200, JSON.stringify(rest.body));
      assert.deepEqual([rest.body.refunded_tiyin, rest.body.remaining_tiyin, rest.body.payment_status], [50_000, 0, 'REVERSED']);
      assert.equal((await uzumStatus(emulator, paymentId)).payment_status, 'REVERSED');
      const row = (await rows(origin(), '/_sandbox/payments')).find((r) => r.payment_id === paymentId)!;
      assert.deepEqual([row.refunded_tiyin, row.cabinet_refunded_tiyin, row.cabinet_refunds, row.reversed], [50_000, 50_000, 2, true]);
      assert.equal((await sandbox(origin(), '/_sandbox/uzum/cabinet-refund', { payment_id: paymentId })).status, 409);
    } finally {
      await emulator.close();
    }
  });
});

describe('a Payme receipt made outside PayBridge', () => {
  test('it is in receipts.get_all of its window and of no other, and receipts.get/check find it', async () => {
    const payme = await paymeOn({ accountField: 'order_id' });
    const origin = originOf(payme.url);
    try {
      const made = await sandbox(origin, '/_sandbox/payme/outside-receipt', { amount: 12_300 });
      assert.equal(made.status, 200, JSON.stringify(made.body));
      const r = made.body;
      assert.deepEqual([r.state, r.amount, r.pay_time, r.cancel_time], [4, 12_300, r.create_time, 0]);
      assert.equal(r.account[0].name, 'order_id');
      assert.match(r.account[0].value, /^cabinet-[0-9a-f]+$/);
      assert.deepEqual((await rpc(payme, 'receipts.get', { id: r._id })).result.receipt, r, 'receipts.get answers it as the route did');
      assert.equal((await rpc(payme, 'receipts.check', { id: r._id })).result.state, 4);

      const window = async (from: number, to: number) => ((await rpc(payme, 'receipts.get_all', { count: 50, from, to })).result as Json[]).map((x) => x._id);
      const t = r.create_time as number;
      assert.deepEqual(await window(t, t), [r._id], 'bounds are inclusive');
      assert.deepEqual(await window(t - 60_000, t + 60_000), [r._id]);
      assert.deepEqual(await window(t - 60_000, t - 1), [], 'a window that ends before it');
      assert.deepEqual(await window(t + 1, t + 60_000), [], 'a window that starts after it');

      const unpaid = await sandbox(origin, '/_sandbox/payme/outside-receipt', { amount: 5_000, paid: false, account: { order_id: 'another-till-7' } });
      assert.equal(unpaid.status, 200, JSON.stringify(unpaid.body));
      assert.deepEqual([unpaid.body.state, unpaid.body.pay_time, unpaid.body.account[0].value], [0, 0, 'another-till-7']);
      // An unpaid outside receipt is no refund's subject.
      assert.equal((await sandbox(origin, '/_sandbox/payme/cabinet-refund', { transaction_id: 'another-till-7' })).status, 409);

      for (const bad of [{}, { amount: 0 }, { amount: '1.5' }, { amount: 100, paid: 'yes' }, { amount: 100, account: ['x'] }]) {
        const res = await sandbox(origin, '/_sandbox/payme/outside-receipt', bad);
        assert.equal(res.status, 400, `${JSON.stringify(bad)}: ${JSON.stringify(res.body)}`);
      }
      const rows_ = await rows(origin, '/_sandbox/receipts');
      assert.deepEqual(rows_.map((x) => [x._id, x.outside]), [[r._id, true], [unpaid.body._id, true]]);
    } finally {
      await payme.close();
    }
  });

  test('receipts.get_all pages the window newest first by offset and count, and checks its parameters', async () => {
    const payme = await paymeOn();
    const origin = originOf(payme.url);
    try {
      const ids: string[] = [];
      for (const amount of [1_000, 2_000, 3_000]) ids.push((await sandbox(origin, '/_sandbox/payme/outside-receipt', { amount })).body._id);
      const from = Date.now() - 60_000;
      const to = Date.now() + 60_000;
      const page = async (offset: number, count: number) => ((await rpc(payme, 'receipts.get_all', { count, from, to, offset })).result as Json[]).map((x) => x._id);
      assert.deepEqual(await page(0, 2), [ids[2], ids[1]]);
      assert.deepEqual(await page(2, 2), [ids[0]]);
      assert.deepEqual(await page(3, 2), []);
      for (const params of [{ count: 51, from, to }, { count: 0, from, to }, { count: 5, to }, { count: 5, from, to, offset: -1 }]) {
        assert.equal((await rpc(payme, 'receipts.get_all', params)).error?.code, -32602, JSON.stringify(params));
      }
    } finally {
      await payme.close();
    }
  });
});

describe('status questions counted per payment', () => {
  test('each emulator counts the status calls about each payment, and keeps the count across a restart', async () => {
    const dir = tempDir();
    let clickE = await clickOn(join(dir, 'click.jsonl'), 0);
    let paymeE = await paymeOn({ file: join(dir, 'payme.jsonl') });
    let uzumE = await uzumOn(join(dir, 'uzum.jsonl'));
    let clickIds: unknown[] = [];
    let paymeIds: string[] = [];
    let uzumIds: string[] = [];
    try {
      clickIds = [(await clickPay(clickE, '5.00', 'tx-a')).payment_id, (await clickPay(clickE, '6.00', 'tx-b')).payment_id];
      await clickStatus(clickE, clickIds[0]);
      await clickStatus(clickE, clickIds[0]);
      const day = clickE.ledger()[0]!.day;
      await click(clickE, 'GET', `payment/status_by_mti/${SANDBOX_CLICK.serviceId}/tx-a/${day}`);
      await click(clickE, 'GET', `payment/status_by_mti/${SANDBOX_CLICK.serviceId}/tx-nobody/${day}`);
      await clickStatus(clickE, 42);

      paymeIds = [await paymePaid(paymeE, 10_000, { order_id: 'p-a' }), await paymePaid(paymeE, 10_000, { order_id: 'p-b' })];
      await rpc(paymeE, 'receipts.check', { id: paymeIds[0] });
      await rpc(paymeE, 'receipts.get', { id: paymeIds[0] });
      await rpc(paymeE, 'receipts.get', { id: paymeIds[1] });
      await rpc(paymeE, 'receipts.get_all', { count: 50, from: 0, to: Date.now() + 1_000 });

      uzumIds = [(await uzumPay(uzumE, 10_000, 'z-a')).payment_id, (await uzumPay(uzumE, 10_000, 'z-b')).payment_id];
      await uzumStatus(uzumE, uzumIds[0]!);
      await uzumStatus(uzumE, uzumIds[0]!);
      await uzumStatus(uzumE, uzumIds[0]!);
    } finally {
      await Promise.all([clickE.close(), paymeE.close(), uzumE.close()]);
    }
    clickE = await clickOn(join(dir, 'click.jsonl'), 0);
    paymeE = await paymeOn({ file: join(dir, 'payme.jsonl') });
    uzumE = await uzumOn(join(dir, 'uzum.jsonl'));
    try {
      const counts = (list: Json[], key: string, ids: unknown[]) => ids.map((id) => list.find((r) => r[key] === id)?.status_requests);
      assert.deepEqual(counts(await rows(originOf(clickE.baseUrl), '/_sandbox/payments'), 'payment_id', clickIds), [3, 0], 'CLICK: two payment/status and one status_by_mti of the first');
      // receipts.pay and receipts.get_all are no status questions of a receipt.
      assert.deepEqual(counts(await rows(originOf(paymeE.url), '/_sandbox/receipts'), '_id', paymeIds), [2, 1]);
      assert.deepEqual(counts(await rows(originOf(uzumE.baseUrl), '/_sandbox/payments'), 'payment_id', uzumIds), [3, 0]);
      await clickStatus(clickE, clickIds[1]);
      assert.deepEqual(counts(await rows(originOf(clickE.baseUrl), '/_sandbox/payments'), 'payment_id', clickIds), [3, 1], 'counting goes on after the restart');
    } finally {
      await Promise.all([clickE.close(), paymeE.close(), uzumE.close()]);
    }
  });
});
