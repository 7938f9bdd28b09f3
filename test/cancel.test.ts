import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { get, post, productionClick, startClickEmulator, startTestBridge, uniqueQr, type TestBridge } from './helpers.js';

const QR = '880101698207133392';

describe('cancelling QR payments in the sandbox', () => {
  let bridge: TestBridge;
  before(async () => {
    bridge = await startTestBridge();
  });
  after(() => bridge.close());

  for (const method of ['click', 'payme'] as const) {
    test(`${method}: a whole cancel by transaction_id reverses at the provider; a second is refused with 106`, async () => {
      const paid = await post(bridge, `/payment/${method}`, { amount: 2_000, qr_code: QR });
      const { body } = await post(bridge, `/payment/${method}_cancel`, { transaction_id: paid.body.data.transaction_id });
      assert.equal(body.is_success, true, JSON.stringify(body));
      assert.equal(body.data.status, 'successfully');
      assert.equal(body.data.amount, 2_000);
      assert.equal(body.data.refunded_amount, 2_000);
      assert.equal(body.data.remaining_amount, 0);
      assert.equal(body.data.transaction_status, 'cancelled');
      const stillCharged =
        method === 'click'
          ? bridge.emulators!.click.charges().some((c) => String(c.paymentId) === paid.body.data.payment_id)
          : bridge.emulators!.payme.charges().some((r) => r._id === paid.body.data.payment_id);
      assert.equal(stillCharged, false, 'the provider gave the money back');

      const twice = await post(bridge, `/payment/${method}_cancel`, { payment_id: paid.body.data.payment_id });
      assert.equal(twice.body.error?.code, 106);
      assert.match(String(twice.body.error?.data), /already cancelled/);
      const tx = await get(bridge, `/payment/transactions/${paid.body.data.transaction_id}`);
      assert.equal(tx.body.data.status, 'cancelled');
      assert.equal(tx.body.data.refunded_amount, 2_000);
    });
  }

  test('refused before the provider: unknown ids, the other method, failed payments, more than was paid, partial where unsupported', async () => {
    const click = await post(bridge, '/payment/click', { amount: 1_000, qr_code: QR });
    const declined = await post(bridge, '/payment/payme', { amount: 1_000, qr_code: '880101698207133116' });
    const payme = await post(bridge, '/payment/payme', { amount: 1_000, qr_code: QR });
    const cases: [string, object, number, RegExp][] = [
      ['/payment/click_cancel', { transaction_id: randomUUID() }, 106, /is not in the journal/],
      ['/payment/click_cancel', { payment_id: '77' }, 106, /Payment 77 is not a Click payment in this PayBridge’s journal/],
      ['/payment/payme_cancel', { transaction_id: click.body.data.transaction_id }, 106, /is a Click payment, not Payme/],
      ['/payment/payme_cancel', { transaction_id: declined.body.error!.transaction_id }, 106, /failed: no money was taken/],
      ['/payment/click_cancel', { transaction_id: click.body.data.transaction_id, amount: 1_001 }, 106, /only 10\.00\ssoum of the 10\.00\ssoum paid remain/],
      ['/payment/click_cancel', { transaction_id: click.body.data.transaction_id, amount: 400 }, 106, /cannot give back part of a payment/],
      ['/payment/payme_cancel', { transaction_id: payme.body.data.transaction_id, amount: 400 }, 106, /cannot give back part of a payment/],
      ['/payment/click_cancel', {}, 7, /exactly one of them is required/],
      ['/payment/click_cancel', { transaction_id: click.body.data.transaction_id, payment_id: click.body.data.payment_id }, 7, /exactly one/],
      ['/payment/click_cancel', { transaction_id: click.body.data.transaction_id, amount: 0 }, 7, /^amount: must be a positive integer/],
    ];
    for (const [url, payload, code, message] of cases) {
      const { body } = await post(bridge, url, payload);
      assert.equal(body.error?.code, code, `${url} ${JSON.stringify(payload)}: ${JSON.stringify(body)}`);
      assert.match(String(body.error?.data), message);
    }
    assert.ok(bridge.emulators!.click.charges().some((c) => String(c.paymentId) === click.body.data.payment_id), 'nothing was reversed');
  });

  test('CLICK answering a reversal with an error proves nothing (it documents no reversal codes): unknown, reserved, for an operator — here the money did go back', async () => {
    const paid = await post(bridge, '/payment/click', { amount: 1_000, qr_code: QR });
    // Reversed behind PayBridge's back (at CLICK's cabinet, or a proxy's retry of an applied reversal): CLICK now answers −9.
    const payment = bridge.emulators!.click.ledger().find((c) => String(c.paymentId) === paid.body.data.payment_id)!;
    const { ClickClient } = await import('../src/providers/click/client.js');
    const { SANDBOX_CLICK } = await import('../src/sandbox/credentials.js');
    const client = new ClickClient({ baseUrl: bridge.emulators!.click.baseUrl, ...SANDBOX_CLICK }, { connectMs: 1_000, responseMs: 1_000 });
    await client.reversal(String(payment.paymentId));
    await client.close();
    const { body } = await post(bridge, '/payment/click_cancel', { transaction_id: paid.body.data.transaction_id });
    assert.equal(body.error?.code, 104);
    assert.equal(body.error?.data, 'OUTCOME_UNKNOWN', JSON.stringify(body));
    assert.equal(body.error?.give_back_status, 'unknown');
    assert.match(String(body.error?.provider_said), /error -9 \(Отмена невозможна\).*documents no reversal error codes/);
    const tx = await bridge.journal.get(paid.body.data.transaction_id);
    assert.equal(tx?.refundedAmount, 0, 'not recorded given back either: an operator decides');
    const giveBack = await bridge.journal.get(String(body.error?.give_back_id));
    assert.equal(giveBack?.status, 'unknown');
    assert.equal(giveBack?.originalId, tx?.id);
    // Its amount stays reserved: the same cancel again is refused before CLICK hears of it.
    assert.deepEqual(await bridge.journal.giveBackLedger(tx!.id), { paid: 1_000, givenBack: 0, reserved: 1_000, open: 1, live: 1, onlyCancels: true });
    assert.equal((await post(bridge, '/payment/click_cancel', { transaction_id: paid.body.data.transaction_id })).body.error?.code, 106);
  });
});

describe('partial cancels where CLICK supports them', () => {
  test('property: over any sequence of payments and (partial) cancels, nothing is given back twice or beyond what was paid', async () => {
    const emulator = await startClickEmulator();
    const bridge = await startTestBridge((c) => {
      productionClick(emulator)(c);
      c.click!.partial_reversal = true;
    });
    try {
      const op = fc.oneof(
        fc.record({ kind: fc.constant('pay' as const), amount: fc.integer({ min: 100, max: 5_000 }) }),
        fc.record({ kind: fc.constant('cancel' as const), target: fc.nat(), amount: fc.option(fc.integer({ min: 1, max: 6_000 }), { nil: undefined }) }),
      );
      await fc.assert(
        fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 12 }), async (ops) => {
          const paid: { id: string; amount: number; givenBack: number; status: string }[] = [];
          for (const o of ops) {
            if (o.kind === 'pay') {
              const { body } = await post(bridge, '/payment/click', { amount: o.amount, qr_code: uniqueQr() });
              assert.equal(body.is_success, true);
              paid.push({ id: body.data.transaction_id, amount: o.amount, givenBack: 0, status: 'succeeded' });
              continue;
            }
            const target = paid[o.target % Math.max(paid.length, 1)];
            if (!target) continue;
            const { body } = await post(bridge, '/payment/click_cancel', { transaction_id: target.id, ...(o.amount === undefined ? {} : { amount: o.amount }) });
            const remaining = target.amount - target.givenBack;
            const wanted = o.amount ?? remaining;
            if (remaining > 0 && wanted <= remaining) {
              assert.equal(body.is_success, true, JSON.stringify(body));
              // All at once is a cancellation; the last of several parts completes a refund.
              if (target.givenBack === 0 && wanted === target.amount) target.status = 'cancelled';
              else if (target.givenBack + wanted === target.amount) target.status = 'refunded';
              target.givenBack += wanted;
              assert.equal(body.data.refunded_amount, target.givenBack);
            } else {
              assert.equal(body.error?.code, 106, JSON.stringify(body));
            }
          }
          for (const p of paid) {
            const tx = (await bridge.journal.get(p.id))!;
            assert.equal(tx.refundedAmount, p.givenBack);
            assert.ok(tx.refundedAmount <= tx.amount);
            assert.equal(tx.status, p.status);
            const atClick = emulator.ledger().find((c) => c.merchantTransId === p.id)!;
            assert.equal(atClick.reversedTiyin, p.givenBack, 'CLICK gave back exactly what the journal says');
          }
        }),
        { numRuns: 25 },
      );
    } finally {
      await bridge.close();
      await emulator.close();
    }
  });

  test('concurrent cancels of one payment: exactly one succeeds', async () => {
    const bridge = await startTestBridge();
    try {
      const paid = await post(bridge, '/payment/payme', { amount: 3_000, qr_code: QR });
      const results = await Promise.all(Array.from({ length: 5 }, () => post(bridge, '/payment/payme_cancel', { transaction_id: paid.body.data.transaction_id })));
      assert.equal(results.filter((r) => r.body.is_success).length, 1);
      assert.ok(results.filter((r) => !r.body.is_success).every((r) => r.body.error?.code === 106));
    } finally {
      await bridge.close();
    }
  });
});
