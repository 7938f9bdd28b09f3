import assert from 'node:assert/strict';
import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ClickEmulator } from '../src/sandbox/click/emulator.js';
import { EmulatedTerminal } from '../src/sandbox/card-terminal/emulated-terminal.js';
import { SANDBOX_CLICK, SANDBOX_PAYME, SANDBOX_UZUM } from '../src/sandbox/credentials.js';
import { PaymeEmulator } from '../src/sandbox/payme/emulator.js';
import { UzumEmulator } from '../src/sandbox/uzum/emulator.js';
import { createHash, randomUUID } from 'node:crypto';
import { clickAuthHeader } from '../src/providers/click/auth.js';
import { get, post, startTestBridge, tempDir } from './helpers.js';

const CHECK_URL = 'https://ofd.soliq.uz/check?t=EP000000000123&r=1542&c=20261123150102&s=512345678901';
const QR = '880101698207133392';

/** A CLICK emulator of the test's own whose ledger lives in `file`. */
const clickOn = (file: string) =>
  new ClickEmulator({ ...SANDBOX_CLICK, lostAnswerDelayMs: 5_000, processingMs: 300, confirmWindowMs: 2_000, ledgerFile: file }).start();

/** A call to the CLICK emulator over its socket, signed as PayBridge's client signs it. */
async function click(emulator: ClickEmulator, method: string, path: string, body?: object) {
  const res = await fetch(`${emulator.baseUrl}${path}`, {
    method,
    headers: { 'content-type': 'application/json', accept: 'application/json', auth: clickAuthHeader(SANDBOX_CLICK.merchantUserId, SANDBOX_CLICK.secretKey) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return (await res.json()) as Record<string, unknown>;
}

const pay = (emulator: ClickEmulator, amount: string) => click(emulator, 'POST', 'click_pass/payment', { service_id: SANDBOX_CLICK.serviceId, otp_data: QR, amount });

describe('sandbox emulators across a restart', () => {
  test('CLICK: a new run continues the payment ids, knows the earlier payments and reverses them', async () => {
    const file = join(tempDir(), 'sandbox', 'click-ledger.jsonl');
    const first = await clickOn(file);
    const a = await pay(first, '5.00');
    const b = await pay(first, '7.00');
    await first.close();

    const second = await clickOn(file);
    try {
      const c = await pay(second, '9.00');
      assert.equal(c.error_code, 0);
      assert.ok(Number(c.payment_id) > Number(b.payment_id), `a new payment id after ${b.payment_id}, got ${c.payment_id}`);
      assert.notEqual(c.payment_id, a.payment_id);
      const status = await click(second, 'GET', `payment/status/${SANDBOX_CLICK.serviceId}/${a.payment_id}`);
      assert.equal(status.payment_status, 2, 'the earlier run’s payment is still paid');
      const reversal = await click(second, 'DELETE', `payment/reversal/${SANDBOX_CLICK.serviceId}/${a.payment_id}`);
      assert.equal(reversal.error_code, 0, JSON.stringify(reversal));
      assert.deepEqual(
        second.ledger().map((p) => [p.paymentId, p.amountTiyin, p.reversed]),
        [
          [a.payment_id, 500, true],
          [b.payment_id, 700, false],
          [c.payment_id, 900, false],
        ],
      );
    } finally {
      await second.close();
    }
    // The reversal is in the file too: a third run sees the first payment reversed.
    const third = await clickOn(file);
    try {
      assert.equal((await click(third, 'GET', `payment/status/${SANDBOX_CLICK.serviceId}/${a.payment_id}`)).payment_status, -2);
      const fiscal = await click(third, 'POST', 'payment/ofd_data/submit_qrcode', { service_id: SANDBOX_CLICK.serviceId, payment_id: a.payment_id, qrcode: CHECK_URL });
      assert.equal(fiscal.error_code, -9, 'a reversed payment’s receipt is refused');
    } finally {
      await third.close();
    }
  });

  test('a line torn by a kill in mid-write is dropped, and what follows it is read', async () => {
    const file = join(tempDir(), 'click-ledger.jsonl');
    const first = await clickOn(file);
    const a = await pay(first, '5.00');
    await first.close();
    appendFileSync(file, '{"paymentId":2170000099,"amountTi');
    const second = await clickOn(file);
    const b = await pay(second, '6.00');
    await second.close();
    const third = await clickOn(file);
    try {
      assert.deepEqual(third.ledger().map((p) => p.paymentId), [a.payment_id, b.payment_id]);
      assert.equal(Number(b.payment_id), Number(a.payment_id) + 1);
      assert.equal(readFileSync(file, 'utf8').trim().split('\n').length, 2, 'loading compacts the file');
    } finally {
      await third.close();
    }
  });

  test('a card terminal restarted on its memory goes on numbering receipts and refunds an earlier run’s RRN', () => {
    const file = join(tempDir(), 'uzcard-terminal.json');
    const first = new EmulatedTerminal(file, 'uzcard').purchase(5_000, 'r-1');
    const terminal = new EmulatedTerminal(file, 'uzcard');
    const second = terminal.purchase(6_000, 'r-2');
    assert.equal(first.code, '000');
    assert.equal(second.receipt, first.receipt! + 1);
    assert.notEqual(second.rrn, first.rrn);
    const refund = terminal.refund(5_000, first.rrn!, 'r-3');
    assert.equal(refund.code, '000', JSON.stringify(refund));
    assert.equal(refund.amount, 5_000);
  });

  test('PayBridge in sandbox mode restarted on its data dir: new ids, and the earlier run’s payments are given back', async () => {
    const dir = tempDir();
    const first = await startTestBridge(undefined, dir);
    let clickPaid, paymePaid, uzumPaid;
    try {
      clickPaid = (await post(first, '/payment/click', { amount: 500, qr_code: QR })).body.data;
      paymePaid = (await post(first, '/payment/payme', { amount: 700, qr_code: QR })).body.data;
      uzumPaid = (await post(first, '/payment/uzum', { amount: 900, qr_code: QR })).body.data;
      assert.ok(clickPaid.payment_id && paymePaid.payment_id && uzumPaid.payment_id);
    } finally {
      await first.close();
    }

    const second = await startTestBridge(undefined, dir);
    try {
      const again = await post(second, '/payment/click', { amount: 600, qr_code: QR });
      assert.equal(again.body.is_success, true, JSON.stringify(again.body));
      assert.notEqual(again.body.data.payment_id, clickPaid.payment_id, 'CLICK hands out a payment id it has not handed out before');

      for (const [method, paid] of [['click', clickPaid], ['payme', paymePaid], ['uzum', uzumPaid]] as const) {
        const cancel = await post(second, `/payment/${method}_cancel`, { transaction_id: paid.transaction_id });
        assert.equal(cancel.body.is_success, true, `${method}: ${JSON.stringify(cancel.body)}`);
        const tx = await get(second, `/payment/transactions/${paid.transaction_id}`);
        assert.equal(tx.body.data.status, 'cancelled', method);
      }
      assert.equal(second.emulators!.click.ledger().find((p) => String(p.paymentId) === clickPaid.payment_id)?.reversed, true);
      assert.ok(second.emulators!.payme.ledger().find((r) => r._id === paymePaid.payment_id)?.cancelTime);
      assert.equal(second.emulators!.uzum.paymentById(uzumPaid.payment_id)?.reversed, true);
      // The new payment is not touched by the earlier one's cancel.
      assert.equal(second.emulators!.click.ledger().find((p) => String(p.paymentId) === again.body.data.payment_id)?.reversed, false);
    } finally {
      await second.close();
    }
  });
});

describe('fiscal hand-off of a payment given back', () => {
  test('the Payme and Uzum emulators, across a restart, refuse the receipt of a payment given back and take a paid one’s', async () => {
    const dir = tempDir();
    const paymeOn = () => new PaymeEmulator({ ...SANDBOX_PAYME, lostAnswerDelayMs: 5_000, processingMs: 0, cancelQueueMs: 0, ledgerFile: join(dir, 'payme.jsonl') }).start();
    const rpc = async (payme: PaymeEmulator, method: string, params: object) =>
      (await (await fetch(payme.url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-auth': `${SANDBOX_PAYME.cashboxId}:${SANDBOX_PAYME.cashboxKey}` }, body: JSON.stringify({ id: 1, method, params }) })).json()) as {
        result?: { receipt: { _id: string } };
        error?: { code: number };
      };
    const fiscal = { receipt_id: 1542, qr_code_url: CHECK_URL };
    let payme = await paymeOn();
    const receipts: string[] = [];
    for (const order of ['o-1', 'o-2']) {
      const id = (await rpc(payme, 'receipts.create', { amount: 50_000, account: { order_id: order } })).result!.receipt._id;
      await rpc(payme, 'receipts.pay', { id, token: 'payme-go-qr-000777' });
      receipts.push(id);
    }
    await rpc(payme, 'receipts.cancel', { id: receipts[0] });
    await payme.close();
    payme = await paymeOn();
    try {
      assert.equal((await rpc(payme, 'receipts.set_fiscal_data', { id: receipts[0], fiscal_data: fiscal })).error?.code, -31403);
      assert.equal((await rpc(payme, 'receipts.set_fiscal_data', { id: receipts[1], fiscal_data: fiscal })).error, undefined);
    } finally {
      await payme.close();
    }

    const uzumOn = () => new UzumEmulator({ ...SANDBOX_UZUM, lostAnswerDelayMs: 5_000, processingMs: 0, ledgerFile: join(dir, 'uzum.jsonl') }).start();
    const call = async (uzum: UzumEmulator, method: string, path: string, body: object) => {
      const ts = String(Date.now());
      const authorization = `${SANDBOX_UZUM.merchantServiceUserId}:${createHash('sha1').update(ts + SANDBOX_UZUM.secretKey).digest('hex')}:${ts}`;
      const res = await fetch(`${uzum.baseUrl}${path}`, { method, headers: { 'content-type': 'application/json', accept: 'application/json', authorization }, body: JSON.stringify({ service_id: SANDBOX_UZUM.serviceId, ...body }) });
      return (await res.json()) as { payment_id?: string; error_code: number; error_message: string | null };
    };
    let uzum = await uzumOn();
    const paid: { orderId: string; paymentId: string }[] = [];
    for (const orderId of ['u-1', 'u-2']) {
      const answer = await call(uzum, 'POST', 'v2/payment', { amount: 50_000, otp_data: QR, order_id: orderId, transaction_id: randomUUID(), cashbox_code: 'kkm' });
      assert.equal(answer.error_code, 0, JSON.stringify(answer));
      paid.push({ orderId, paymentId: answer.payment_id! });
    }
    assert.equal((await call(uzum, 'PUT', `v2/payment/reversal/${paid[0]!.orderId}`, { payment_id: paid[0]!.paymentId })).error_code, 0);
    await uzum.close();
    uzum = await uzumOn();
    try {
      const refused = await call(uzum, 'POST', 'payment/fiscal', { payment_id: paid[0]!.paymentId, fiscal_url: CHECK_URL });
      assert.deepEqual([refused.error_code, refused.error_message], [400, 'apelsin.pay.unsupported.operation']);
      assert.equal((await call(uzum, 'POST', 'payment/fiscal', { payment_id: paid[1]!.paymentId, fiscal_url: CHECK_URL })).error_code, 0);
      assert.equal(uzum.paymentById(paid[1]!.paymentId)?.fiscalUrl, CHECK_URL);
    } finally {
      await uzum.close();
    }
  });

  test('after a whole cancel each method’s hand-off is refused with 106 and the provider never hears of it', async () => {
    const bridge = await startTestBridge();
    try {
      for (const method of ['click', 'payme', 'uzum'] as const) {
        const paid = (await post(bridge, `/payment/${method}`, { amount: 800, qr_code: QR })).body.data;
        const cancel = await post(bridge, `/payment/${method}_cancel`, { transaction_id: paid.transaction_id });
        assert.equal(cancel.body.is_success, true, JSON.stringify(cancel.body));
        const { body } = await post(bridge, `/payment/${method}_confirm`, { payment_id: paid.payment_id, qr_code: CHECK_URL });
        assert.equal(body.error?.code, 106, `${method}: ${JSON.stringify(body)}`);
        assert.equal(body.error?.transaction_status, 'cancelled');
        assert.match(String(body.error?.data), /nothing to fiscalise/);
        const tx = await get(bridge, `/payment/transactions/${paid.transaction_id}`);
        assert.equal(tx.body.data.fiscal, null, `${method}: nothing journaled`);
      }
      const e = bridge.emulators!;
      assert.ok(e.click.ledger().every((p) => p.fiscalReceiptUrl === null));
      assert.ok(e.payme.ledger().every((r) => r.fiscalData === null));
      assert.ok(e.uzum.requests.every((r) => !r.path.endsWith('/payment/fiscal')));
    } finally {
      await bridge.close();
    }
  });

  test('after a partial give-back the receipt is still the sale’s and is delivered; refunded in full, it is refused', async () => {
    const bridge = await startTestBridge((c) => (c.click!.partial_reversal = true));
    try {
      const paid = (await post(bridge, '/payment/click', { amount: 1000, qr_code: QR })).body.data;
      const part = await post(bridge, '/payment/click_cancel', { transaction_id: paid.transaction_id, amount: 300 });
      assert.equal(part.body.is_success, true, JSON.stringify(part.body));
      const { body } = await post(bridge, '/payment/click_confirm', { payment_id: paid.payment_id, qr_code: CHECK_URL });
      assert.equal(body.is_success, true, JSON.stringify(body));
      assert.equal(bridge.emulators!.click.ledger().find((p) => String(p.paymentId) === paid.payment_id)?.fiscalReceiptUrl, CHECK_URL);

      const rest = await post(bridge, '/payment/click_cancel', { transaction_id: paid.transaction_id, amount: 700 });
      assert.equal(rest.body.is_success, true, JSON.stringify(rest.body));
      // The receipt delivered before is answered again, as a repeated hand-off is; another one is refused.
      const again = await post(bridge, '/payment/click_confirm', { payment_id: paid.payment_id, qr_code: CHECK_URL });
      assert.equal(again.body.is_success, true, JSON.stringify(again.body));
      const other = await post(bridge, '/payment/click_confirm', { payment_id: paid.payment_id, qr_code: 'https://ofd.soliq.uz/check?t=X&r=9' });
      assert.equal(other.body.error?.code, 106, JSON.stringify(other.body));
      assert.match(String(other.body.error?.data), /nothing to fiscalise/);
    } finally {
      await bridge.close();
    }
  });

  test('a hand-off waiting for its retry is dropped, not sent, once the payment is given back', async () => {
    const bridge = await startTestBridge();
    try {
      const paid = (await post(bridge, '/payment/payme', { amount: 800, qr_code: QR })).body.data;
      // Journaled and due, as one the provider could not be reached for is.
      await bridge.journal.insertHandoff({
        id: 'h-1',
        method: 'payme',
        paymentId: paid.payment_id,
        transactionId: paid.transaction_id,
        receipt: { paymentId: paid.payment_id, qrCodeUrl: CHECK_URL, receiptId: 1542 },
        state: 'pending',
        nextAttemptAt: Date.now(),
        createdAt: Date.now(),
      });
      const cancel = await post(bridge, '/payment/payme_cancel', { transaction_id: paid.transaction_id });
      assert.equal(cancel.body.is_success, true, JSON.stringify(cancel.body));
      await bridge.fiscal.sweep();
      const handoff = await bridge.journal.getHandoff('payme', paid.payment_id);
      assert.equal(handoff?.state, 'refused');
      assert.match(String(handoff?.lastError), /^GIVEN_BACK: payment cancelled/);
      assert.equal(bridge.emulators!.payme.ledger().find((r) => r._id === paid.payment_id)?.fiscalData, null, 'Payme never got it');
    } finally {
      await bridge.close();
    }
  });
});
