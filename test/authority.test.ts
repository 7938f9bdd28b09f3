/**
 * One authority per operation (issue #24): the four reproductions of the review, as regression tests
 * against real PayBridges, their emulators and real journals (SQLite; two instances on one
 * PostgreSQL). Each interleaving that hurt is forced here with a gate on the provider's answer — the
 * provider itself is real (the emulator over loopback), only its answer is held back while the
 * other actor moves.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CLICK_GIVE_BACK_MAGIC, PAYME_GIVE_BACK_MAGIC } from '../src/sandbox/magic.js';
import type { Clock } from '../src/lib/clock.js';
import { SYSTEM_CLOCK } from '../src/lib/clock.js';
import type { QrProvider } from '../src/payments/ports/qr-provider.js';
import { get, post, productionPayme, startPaymeEmulator, startTestBridge, uniqueQr, type Envelope, type TestBridge } from './helpers.js';
import { describeUnlessSkipped, dropTestDatabases, freshDatabase, postgresSkip } from './postgres.js';

const qrEndingIn = (tail: string) => `${uniqueQr().slice(0, -3)}${tail}`;

/** A gate: `reached` resolves when something waits at it, `open` lets it through. */
function gate() {
  let open!: () => void;
  let reached!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  const arrived = new Promise<void>((r) => (reached = r));
  return { open, reached: arrived, wait: async () => (reached(), opened) };
}

/**
 * A Payme cancel applied and answered −32400 (…624): the one give-back whose truth recovery can prove
 * (receipts.check shows 50) — CLICK documents no status of a reversed payment (issue #25).
 */
const LOST_CANCEL = PAYME_GIVE_BACK_MAGIC.cancelAppliedThenSystemError;
const receiptOf = (bridge: TestBridge, id: string) => bridge.emulators!.payme.ledger().find((r) => (r.account as { order_id?: string }).order_id === id)!;
/** Payme queues a cancelled paid receipt (21) for sandbox.payme.cancel_queue_ms before it shows 50. */
async function cancelledAtPayme(bridge: TestBridge, id: string): Promise<void> {
  while (receiptOf(bridge, id).state !== 50) await new Promise((r) => setTimeout(r, 20));
}

async function keyed(bridge: TestBridge, url: string, body: object, key: string) {
  return post(bridge, url, body, { 'content-type': 'application/json', 'idempotency-key': key });
}

describe('an operator cannot decide what recovery is settling (reproduction 1: a customer refunded twice)', () => {
  let bridge: TestBridge;
  before(async () => {
    bridge = await startTestBridge();
  });
  after(() => bridge.close());

  test('a Payme cancel applied and answered −32400; "settle now" asks Payme while the operator resolves it failed: refused, naming the holder; recovery records it given back; the till cannot cancel again', async () => {
    const paid = await post(bridge, '/payment/payme', { amount: 1_000, qr_code: qrEndingIn(LOST_CANCEL) });
    const id = paid.body.data.transaction_id as string;
    const first = await post(bridge, '/payment/payme_cancel', { transaction_id: id });
    assert.equal(first.body.error?.give_back_status, 'unknown', JSON.stringify(first.body));
    const giveBackId = String(first.body.error?.give_back_id);
    await cancelledAtPayme(bridge, id);

    // The provider's status answer is held back while the operator acts (Click took 2 s in the reproduction).
    const click = bridge.payments.provider('payme');
    const status = gate();
    const realStatus = click.giveBackStatus.bind(click);
    (click as { giveBackStatus: QrProvider['giveBackStatus'] }).giveBackStatus = async (request) => {
      await status.wait();
      return realStatus(request);
    };
    const settling = post(bridge, '/payment/recovery/run', {});
    await status.reached;
    const resolve = await post(bridge, `/payment/transactions/${giveBackId}/resolve`, { status: 'failed', operator: 'ops', reason: 'not in the Payme cabinet yet' });
    assert.equal(resolve.body.is_success, false, JSON.stringify(resolve.body));
    assert.equal(resolve.body.error?.code, 106);
    assert.equal(resolve.body.error?.held_by, bridge.config.instance.id ?? (await bridge.journal.get(giveBackId))!.claim?.owner);
    assert.match(String(resolve.body.error?.held_until), /^\d{4}-\d\d-\d\dT/);
    assert.match(String(resolve.body.error?.data), /is being settled by .* \(until /);
    assert.equal((await bridge.journal.get(giveBackId))!.status, 'unknown', 'the operator wrote nothing');

    status.open();
    assert.equal((await settling).body.is_success, true);
    assert.equal((await bridge.journal.get(giveBackId))!.status, 'succeeded', 'recovery proved the reversal');
    const again = await post(bridge, '/payment/payme_cancel', { transaction_id: id });
    assert.equal(again.body.error?.code, 106, JSON.stringify(again.body));
    assert.match(String(again.body.error?.data), /already cancelled/);
    assert.deepEqual([receiptOf(bridge, id).state, receiptOf(bridge, id).paidCancelRequests], [50, 1], 'charged 1000, given back 1000, once');
    assert.equal((await bridge.journal.get(id))!.refundedAmount, 1_000);
    assert.deepEqual((await get(bridge, '/payment/attention')).body.data.conflicts, []);
  });
});

describe('a keyed retry of an operation whose outcome is unknown is answered at once, with the truth (reproduction 4)', () => {
  let bridge: TestBridge;
  before(async () => {
    // A retry that waited idempotency.wait_ms would wait ten minutes here: the test would never end.
    bridge = await startTestBridge((c) => {
      c.idempotency.wait_ms = 600_000;
      c.click!.partial_reversal = true;
    });
  });
  after(() => bridge.close());

  test('a Payme cancel applied and answered −32400: the same cancel with the same key asks Payme once, at once, and answers given back', async () => {
    const paid = await post(bridge, '/payment/payme', { amount: 1_000, qr_code: qrEndingIn(LOST_CANCEL) });
    const id = paid.body.data.transaction_id as string;
    const key = `cancel-${id}`;
    const first = await keyed(bridge, '/payment/payme_cancel', { transaction_id: id }, key);
    assert.equal(first.body.error?.give_back_status, 'unknown', JSON.stringify(first.body));
    await cancelledAtPayme(bridge, id);
    const retry = await keyed(bridge, '/payment/payme_cancel', { transaction_id: id }, key);
    assert.equal(retry.body.is_success, true, JSON.stringify(retry.body));
    assert.deepEqual([retry.body.data.refunded_amount, retry.body.data.replayed], [1_000, true]);
    assert.equal(receiptOf(bridge, id).paidCancelRequests, 1, 'asked, never sent again');
  });

  test('a partial Click reversal (which payment/status cannot show): the retry is told at once that the outcome is unknown and not to repeat it — not "in progress"', async () => {
    const paid = await post(bridge, '/payment/click', { amount: 1_000, qr_code: qrEndingIn(CLICK_GIVE_BACK_MAGIC.reversalAppliedThen504) });
    const id = paid.body.data.transaction_id as string;
    const key = `refund-${id}`;
    const first = await keyed(bridge, '/payment/click_cancel', { transaction_id: id, amount: 400 }, key);
    assert.equal(first.body.error?.give_back_status, 'unknown', JSON.stringify(first.body));
    for (let i = 0; i < 2; i++) {
      const retry = (await keyed(bridge, '/payment/click_cancel', { transaction_id: id, amount: 400 }, key)).body as Envelope;
      assert.equal(retry.is_success, false);
      assert.notEqual(retry.error?.code, 106, `not "still in progress": ${JSON.stringify(retry)}`);
      assert.deepEqual([retry.error?.code, retry.error?.data, retry.error?.give_back_status, retry.error?.replayed], [104, 'OUTCOME_UNKNOWN', 'unknown', true]);
      // A give-back: the cashier is told not to repeat the give-back (not the payment), and where to look.
      assert.match(String(retry.error?.reason), /^Не повторяйте возврат: деньги могли уже вернуться покупателю\. Попросите покупателя посмотреть в приложении Click/);
      assert.equal(retry.error?.transaction_status, 'unknown');
    }
    const giveBack = (await bridge.journal.get(String(first.body.error?.give_back_id)))!;
    assert.equal(giveBack.events.filter((e) => e.status === 'unknown').length, 1, 'asking again and learning nothing new writes nothing');
  });
});

describe('after a restart on SQLite, a dead process’s claims block nothing (reproduction 4, the second half)', () => {
  test('a row a dead recovery held for its whole claim_ms is settled by the next PayBridge at once', async () => {
    const first = await startTestBridge((c) => (c.recovery.claim_ms = 600_000));
    const dataDir = first.dataDir;
    const paid = await post(first, '/payment/payme', { amount: 1_000, qr_code: qrEndingIn(LOST_CANCEL) });
    const id = paid.body.data.transaction_id as string;
    const cancel = await post(first, '/payment/payme_cancel', { transaction_id: id });
    const giveBackId = String(cancel.body.error?.give_back_id);
    await cancelledAtPayme(first, id);
    // Recovery of this process takes the row for ten minutes, and the process dies holding it.
    const claimed = await first.journal.claim(giveBackId, String(first.config.instance.id ?? 'dead'), 600_000);
    assert.equal(claimed.taken, true);
    await first.close();

    const next = await startTestBridge((c) => (c.recovery.claim_ms = 600_000), dataDir);
    try {
      assert.equal((await next.journal.get(giveBackId))!.claim, null, 'let go at start: one process holds an SQLite journal');
      const settled = await post(next, '/payment/recovery/run', {});
      assert.equal(settled.body.is_success, true);
      assert.equal((await next.journal.get(giveBackId))!.status, 'succeeded');
    } finally {
      await next.close();
    }
  });
});

describeUnlessSkipped('two PayBridges on one PostgreSQL, clocks 200 s apart (reproduction 2: a paid Payme payment journaled failed)', postgresSkip(), () => {
  after(() => dropTestDatabases());

  /** Two instances of one chain (one journal, one Payme), B's clock `skewMs` ahead. */
  async function chain(skewMs: number, graceMs: number) {
    const url = await freshDatabase();
    const payme = await startPaymeEmulator();
    const skewed: Clock = { ...SYSTEM_CLOCK, now: () => Date.now() + skewMs };
    const configure = (id: string) => (c: Parameters<ReturnType<typeof productionPayme>>[0]) => {
      productionPayme(payme.url)(c);
      c.journal.engine = 'postgres';
      c.journal.url = url;
      c.instance = { ...c.instance, id, shop: 'chilonzor', till: id };
      c.recovery.grace_ms = graceMs;
      c.recovery.interval_ms = 3_600_000;
      c.payme!.status_deadline_ms = 2_000;
    };
    const a = await startTestBridge(configure('pb-a'));
    const b = await startTestBridge(configure('pb-b'), undefined, { clock: skewed });
    return { a, b, payme, close: async () => Promise.all([a.close(), b.close(), payme.close()]) };
  }

  /** Holds PayBridge A's Payme call `method` (receipts.create or receipts.pay) until the gate opens; the call itself reaches Payme. */
  function holdPayme(bridge: TestBridge, method: 'create' | 'pay', after: boolean) {
    const g = gate();
    const client = (bridge.payments.provider('payme') as unknown as { client: Record<string, (...args: unknown[]) => Promise<unknown>> }).client;
    const real = client[method]!.bind(client);
    client[method] = async (...args: unknown[]) => {
      if (!after) await g.wait();
      const result = await real(...args);
      if (after) await g.wait();
      return result;
    };
    return g;
  }

  test('B, 200 s ahead, runs recovery while A is paying: B leaves A’s live payment alone (claims run on the database’s clock), and it ends paid, once', async () => {
    const { a, b, payme, close } = await chain(200_000, 30_000);
    try {
      const pay = holdPayme(a, 'pay', false);
      const paying = post(a, '/payment/payme', { amount: 900, qr_code: uniqueQr() });
      await pay.reached;
      assert.equal((await post(b, '/payment/recovery/run', {})).body.is_success, true);
      pay.open();
      const answer = (await paying).body;
      assert.equal(answer.is_success, true, JSON.stringify(answer));
      const row = (await a.journal.get(answer.data.transaction_id))!;
      assert.equal(row.status, 'succeeded');
      assert.ok(!row.events.some((e) => e.step === 'recovered' || e.step.startsWith('orphan_')), 'B never touched it');
      assert.deepEqual(payme.ledger().filter((r) => (r.account as { order_id?: string }).order_id === row.id).map((r) => r.state), [4]);
    } finally {
      await close();
    }
  });

  test('A’s claim lapses (its renewals fail) and B takes the payment over: A’s receipt id is refused by the fence, A never pays it, B cancels the unpaid receipt; only then is anyone told failed', async () => {
    const { a, b, payme, close } = await chain(200_000, 1_000);
    try {
      // A's renewals fail from now on (its journal connection is sick for renewals only).
      a.journal.renewClaim = async () => {
        throw new Error('renewal lost');
      };
      const created = holdPayme(a, 'create', true);
      const paying = post(a, '/payment/payme', { amount: 900, qr_code: uniqueQr() });
      await created.reached;
      // The receipt exists at Payme; A has not written its id yet. A's lease (1 s) runs out on the database's clock.
      await new Promise((r) => setTimeout(r, 1_500));
      assert.equal((await post(b, '/payment/recovery/run', {})).body.is_success, true);
      created.open();
      const answer = (await paying).body as Envelope;
      assert.equal(answer.is_success, false);
      const id = String(answer.error?.transaction_id);
      const receipts = payme.ledger().filter((r) => (r.account as { order_id?: string }).order_id === id);
      assert.equal(receipts.length, 1);
      assert.equal(receipts[0]!.paid, false, 'A stopped before receipts.pay: nothing was charged');
      assert.equal(receipts[0]!.state, 50, 'B found the orphan receipt and cancelled it under its claim');
      const row = (await b.journal.get(id))!;
      assert.equal(row.status, 'failed', 'nothing was charged: failed on proof (the receipt cancelled unpaid)');
      assert.equal(row.providerPaymentId, null, 'A’s late write of the receipt id was refused');
      assert.ok(row.events.some((e) => e.step === 'orphan_receipt_cancelled'));
      // The till hears B's proven outcome, for B's reason — not A's "taken over" beside "nothing charged".
      assert.equal(answer.error?.transaction_status, 'failed');
      assert.match(String(answer.error?.provider_said), /nothing was charged/);
      assert.doesNotMatch(String(answer.error?.provider_said), /took this operation over/);
    } finally {
      await close();
    }
  });
});
