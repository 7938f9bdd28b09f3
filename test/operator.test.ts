import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { shopDay } from '../src/lib/shop-time.js';
import { freePort, get, post, startTestBridge, uniqueQr, type TestBridge, transitionAsHolder, releaseHolder } from './helpers.js';

describe('operator API', () => {
  let bridge: TestBridge;
  before(async () => {
    bridge = await startTestBridge();
  });
  after(() => bridge.close());

  it('a Tashkent day runs from 19:00 UTC to 19:00 UTC', () => {
    const day = shopDay('Asia/Tashkent', '2026-11-23');
    assert.equal(new Date(day.from).toISOString(), '2026-11-22T19:00:00.000Z');
    assert.equal(day.to - day.from, 86_400_000);
  });

  it('gives back a payment of every method from its transaction id, with the tills’ own refusals', async () => {
    const click = await post(bridge, '/payment/click', { amount: 1_000, qr_code: uniqueQr() });
    const payme = await post(bridge, '/payment/payme', { amount: 2_000, qr_code: uniqueQr() });
    const humo = await post(bridge, '/payment/xumo', { amount: 3_000 });
    const uzcard = await post(bridge, '/payment/uzcard', { amount: 4_000 });
    for (const r of [click, payme, humo, uzcard]) assert.equal(r.body.is_success, true, JSON.stringify(r.body));

    const refund = (id: string, body: object = {}) => post(bridge, `/payment/transactions/${id}/refund`, body);
    const partialClick = await refund(click.body.data.transaction_id, { amount: 400 });
    assert.equal(partialClick.body.error?.code, 106, 'Click gives back whole payments only here');
    assert.equal((await refund(click.body.data.transaction_id, { operator: 'manager' })).body.is_success, true);
    assert.equal((await refund(payme.body.data.transaction_id)).body.is_success, true);
    const humoBack = await refund(humo.body.data.transaction_id);
    assert.equal(humoBack.body.is_success, true, JSON.stringify(humoBack.body));
    assert.match(humoBack.body.data.message, /Отмена \(CANCEL\)/, 'a Humo cancel on the pinpad');
    const partUz = await refund(uzcard.body.data.transaction_id, { amount: 1_500 });
    assert.equal(partUz.body.is_success, true);
    assert.match(partUz.body.data.message, /Возврат/, 'an UzCard refund by RRN');

    const statuses = await Promise.all([click, payme, humo, uzcard].map(async (r) => (await bridge.journal.get(r.body.data.transaction_id))!));
    assert.deepEqual(statuses.map((t) => t.status), ['cancelled', 'cancelled', 'cancelled', 'succeeded']);
    assert.equal(statuses[3]!.refundedAmount, 1_500);
    assert.equal(bridge.emulators!.payme.charges().filter((r) => r.amount === 2_000).length, 0, 'Payme holds none of it');

    const again = await refund(click.body.data.transaction_id);
    assert.equal(again.body.error?.code, 106);
    const returnRow = (await bridge.journal.list({ method: 'uzcard', limit: 5 })).items.find((t) => t.kind === 'refund')!;
    assert.equal((await refund(returnRow.id)).body.error?.code, 106, 'a refund is not a payment');
    assert.equal((await refund(randomUUID())).body.error?.code, 106);
    assert.equal((await refund(uzcard.body.data.transaction_id, { amount: -1 })).body.error?.code, 7);
    assert.equal((await refund(uzcard.body.data.transaction_id, { amount: 99_999 })).body.error?.code, 106, 'more than remains');
  });

  it('totals a day per method: paid, given back, net, failed; and each terminal’s shift', async () => {
    const before = (await get(bridge, '/payment/summary')).body.data;
    const of = (data: { methods: { method: string }[] }, m: string) => data.methods.find((x) => x.method === m) as unknown as { paid_count: number; paid_amount: number; failed_count: number; net_amount: number; returned_amount: number };
    await post(bridge, '/payment/click', { amount: 700, qr_code: uniqueQr() });
    await post(bridge, '/payment/click', { amount: 700, qr_code: '880101698207133116' });
    const card = await post(bridge, '/payment/xumo', { amount: 2_500 });
    const { body } = await get(bridge, '/payment/summary');
    const click = of(body.data, 'click');
    const clickBefore = of(before, 'click');
    assert.equal(click.paid_count - clickBefore.paid_count, 1);
    assert.equal(click.paid_amount - clickBefore.paid_amount, 700);
    assert.equal(click.failed_count - clickBefore.failed_count, 1);
    assert.equal(click.net_amount, click.paid_amount - click.returned_amount);
    const humo = body.data.terminals.find((t: { terminal: string }) => t.terminal === 'humo-sandbox');
    assert.equal(humo.shift_number, card.body.data.shift_number);
    assert.ok(humo.totals.purchase_amount >= 2_500);
    assert.equal((await get(bridge, '/payment/summary?date=2026-13-45')).body.error?.code, 7);
    const old = await get(bridge, '/payment/summary?date=2020-01-01');
    assert.equal(of(old.body.data, 'click').paid_count, 0);
  });

  it('lists reconciliations and flags a mismatch with its differences', async () => {
    // A payment the journal holds but the terminal never made: the close must show the difference.
    const real = await post(bridge, '/payment/uzcard', { amount: 1_000 });
    const shift = real.body.data.shift_number as number;
    const ghost = randomUUID();
    await bridge.journal.insert({ id: ghost, method: 'uzcard', amount: 777, qrCodeMasked: null, qrCodeHash: null, createdAt: Date.now(), kind: 'payment', terminal: 'uzcard-sandbox' }, { step: 'received' });
    await transitionAsHolder(bridge.journal, ghost, 'pending', 'succeeded', { shiftNumber: shift, providerPaymentId: '010900000777' }, { step: 'approved' });
    const closed = await get(bridge, '/payment/uzcard_close');
    assert.equal(closed.body.data.reconciliation.matched, false);
    const list = await get(bridge, '/payment/shift-closes?terminal=uzcard-sandbox&limit=5');
    const latest = list.body.data[0];
    assert.equal(latest.mismatch, true);
    assert.equal(latest.shift_number, shift);
    assert.deepEqual(latest.difference, { purchase_count: -1, purchase_amount: -777, return_count: 0, return_amount: 0 });
    const terminals = (await get(bridge, '/payment/terminals')).body.data;
    const uz = terminals.find((t: { id: string }) => t.id === 'uzcard-sandbox');
    assert.equal(uz.state, 'idle');
    assert.equal(uz.last_close.matched, false);
    assert.equal(uz.shift_number, shift + 1, 'a new shift after the close');
    assert.equal((await get(bridge, '/payment/shift-closes?limit=0')).body.error?.code, 7);
  });

  it('settles open payments now and says what is still open', async () => {
    const id = randomUUID();
    await bridge.journal.insert({ id, method: 'payme', amount: 900, qrCodeMasked: '****1', qrCodeHash: null, createdAt: Date.now(), kind: 'payment' }, { step: 'received' });
    // Journaled as a request's own: held, and "settle now" leaves it to that request.
    const held = await post(bridge, '/payment/recovery/run', {});
    assert.equal((await bridge.journal.get(id))!.status, 'pending', JSON.stringify(held.body.data));
    await releaseHolder(bridge.journal, id); // the request is gone without settling it
    const run = await post(bridge, '/payment/recovery/run', {});
    assert.equal(run.body.is_success, true);
    assert.ok(run.body.data.settled >= 1, JSON.stringify(run.body.data));
    const after = (await bridge.journal.get(id))!;
    assert.equal(after.status, 'failed', 'a Payme payment with no receipt was never charged');
    assert.equal(typeof run.body.data.unknown, 'number');
  });

  it('"now" means now: a payment journaled in the same millisecond as the request is settled too', async () => {
    const id = randomUUID();
    const realNow = Date.now;
    const frozen = realNow();
    Date.now = () => frozen; // the journal write and the operator's request fall in one millisecond
    try {
      await bridge.journal.insert({ id, method: 'payme', amount: 900, qrCodeMasked: '****1', qrCodeHash: null, createdAt: Date.now(), kind: 'payment' }, { step: 'received' });
      await releaseHolder(bridge.journal, id);
      const run = await post(bridge, '/payment/recovery/run', {});
      assert.equal(run.body.is_success, true);
    } finally {
      Date.now = realNow;
    }
    assert.equal((await bridge.journal.get(id))!.status, 'failed');
  });
});

describe('"settle now" while payments are being made', () => {
  it('never touches a transaction a live request holds: Payme payments in flight end paid, once, with no receipt left open', async () => {
    const bridge = await startTestBridge();
    try {
      // …102: Payme keeps the receipt in flight (state 2) for a while; meanwhile "settle now" is pressed again and again.
      const payments = Array.from({ length: 6 }, (_, i) => post(bridge, '/payment/payme', { amount: 1_000 + i, qr_code: uniqueQr().replace(/777$/, '102') }));
      let pressing = true;
      const presses = (async () => {
        let n = 0;
        while (pressing) {
          await post(bridge, '/payment/recovery/run', {});
          n++;
        }
        return n;
      })();
      const answers = await Promise.all(payments);
      pressing = false;
      assert.ok((await presses) > 0);
      for (const { body } of answers) {
        assert.equal(body.is_success, true, JSON.stringify(body));
        assert.equal((await bridge.journal.get(body.data.transaction_id))!.status, 'succeeded');
      }
      const receipts = bridge.emulators!.payme.ledger();
      assert.equal(receipts.filter((r) => r.state === 4).length, 6, 'each paid once');
      assert.equal(receipts.filter((r) => r.state === 0).length, 0, 'no receipt left open');
    } finally {
      await bridge.close();
    }
  });
});

describe('a terminal whose link is down', () => {
  it('shows as offline until it answers again', async () => {
    const port = await freePort();
    const bridge = await startTestBridge((c) => {
      c.terminals.devices = [
        { id: 'pax-off', method: 'uzcard', default: true, driver: 'bridge', bridge: { transport: 'tcp', host: '127.0.0.1', port, baud_rate: 115_200, connect_timeout_ms: 500, answer_timeout_ms: 1_000 } },
      ];
    });
    try {
      assert.equal((await get(bridge, '/payment/terminals')).body.data[0].state, 'idle', 'nothing known yet: not probed');
      await post(bridge, '/payment/uzcard', { amount: 5_000 });
      const [terminal] = (await get(bridge, '/payment/terminals')).body.data;
      assert.equal(terminal.state, 'offline');
      assert.match(terminal.last_error.message, /ECONNREFUSED|connect/);
    } finally {
      await bridge.close();
    }
  });
});
