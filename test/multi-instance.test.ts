import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { ClickEmulator } from '../src/sandbox/click/emulator.js';
import type { PaymeEmulator } from '../src/sandbox/payme/emulator.js';
import { SANDBOX_PAYME } from '../src/sandbox/credentials.js';
import { startClickPayBridgeProcess, startTogether, stopProcesses, type PayBridgeProcess, startClickEmulator, startPaymeEmulator, uniqueQr } from './helpers.js';
import { describeUnlessSkipped, dropTestDatabases, freshDatabase, postgresSkip, sql } from './postgres.js';

/**
 * A chain's set-up for real: several PayBridge processes (src/main.ts, as `npm start` runs it) on
 * one PostgreSQL journal, all charging through the same Click (an emulator whose ledger is what
 * was really charged). A till that retries may reach any of them, at the same moment.
 */

type Instance = PayBridgeProcess;

async function startInstance(name: string, till: string, url: string, click: ClickEmulator, extra: object = {}): Promise<Instance> {
  return startClickPayBridgeProcess(
    name,
    click.baseUrl,
    // Without CLICK's confirmation mode: these tests are about instances sharing one journal, and a charge
    // whose instance died before confirming it would (rightly) be cancelled by CLICK in that mode.
    { journal: { engine: 'postgres', url }, instance: { id: name, shop: 'chilonzor', till }, click: { confirm_mode: false, timeouts: { connect_ms: 1_000, response_ms: 2_000 } }, ...extra },
    30_000,
  );
}

type Envelope = { data: any; error: any; is_success: boolean };

async function pay(instance: Instance, body: object, key?: string, method: 'click' | 'payme' = 'click'): Promise<Envelope> {
  const res = await fetch(`${instance.base}/payment/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { 'idempotency-key': key } : {}) },
    body: JSON.stringify(body),
  });
  return (await res.json()) as Envelope;
}

describeUnlessSkipped('several PayBridge processes on one PostgreSQL journal', postgresSkip(), () => {
  let click: ClickEmulator;
  let payme: PaymeEmulator;
  let url: string;
  let instances: Instance[] = [];
  /** What Click was asked to charge, by QR code: the emulator's ledger as it grew. */
  const charges = new Map<string, number>();
  /** QR codes whose charge request kills the instance that sent it, just as Click receives it. */
  const killOnCharge = new Map<string, Instance>();
  /** Fiscal receipts Click was handed, by payment id: what really reached it. */
  const fiscalSubmissions = new Map<number, number>();

  before(async () => {
    click = await startClickEmulator({
      processingMs: 800,
      onFiscalRequest: async ({ paymentId }) => {
        fiscalSubmissions.set(paymentId, (fiscalSubmissions.get(paymentId) ?? 0) + 1);
        // Click takes its time: the other instances' submissions arrive while this one is in flight.
        await new Promise((r) => setTimeout(r, 300));
      },
      onChargeRequest: async ({ otpData }) => {
        charges.set(otpData, (charges.get(otpData) ?? 0) + 1);
        const victim = killOnCharge.get(otpData);
        if (victim) {
          killOnCharge.delete(otpData);
          victim.child.kill('SIGKILL');
          await victim.exited;
        }
      },
    });
    payme = await startPaymeEmulator({ processingMs: 800 });
    const withPayme = {
      payme: {
        url: payme.url,
        cashbox_id: SANDBOX_PAYME.cashboxId,
        cashbox_key: SANDBOX_PAYME.cashboxKey,
        timeouts: { connect_ms: 1_000, response_ms: 2_000 },
        poll_interval_ms: 50,
        status_deadline_ms: 5_000,
      },
    };
    url = await freshDatabase();
    // Started one after the other would hide the migration race; started together they share it.
    instances = await startTogether([
      startInstance('pb-a', '1', url, click, withPayme),
      startInstance('pb-b', '2', url, click, withPayme),
      startInstance('pb-c', '3', url, click, withPayme),
    ]);
  });

  after(async () => {
    await stopProcesses(instances);
    await click?.close();
    await payme?.close();
    await dropTestDatabases();
  });

  test('the same unkeyed QR payment sent to every instance at once is charged once', async () => {
    // Many rounds: the race between instances is a matter of milliseconds, and has to be lost to be seen.
    const qrs = Array.from({ length: 20 }, (_, n) => (n % 4 === 0 ? `${uniqueQr().slice(0, -3)}102` : uniqueQr()));
    for (const qr of qrs) {
      // `102`: Click keeps it processing for a while, so the retries arrive while the first is still in flight.
      const answers = await Promise.all(instances.flatMap((i) => [pay(i, { amount: 1_200, qr_code: qr }), pay(i, { amount: 1_200, qr_code: qr })]));
      assert.equal(charges.get(qr), 1, `${qr}: one charge at Click`);
      assert.ok(answers.every((a) => a.is_success), JSON.stringify(answers.filter((a) => !a.is_success)));
      const ids = new Set(answers.map((a) => a.data.transaction_id));
      assert.equal(ids.size, 1, 'every answer is about the one payment');
      assert.equal(new Set(answers.map((a) => a.data.payment_id)).size, 1);
    }
  });

  test('the same unkeyed Payme Go payment sent to every instance at once: one receipt paid, the same answer everywhere', async () => {
    for (let round = 0; round < 8; round++) {
      // `102`: Payme keeps the receipt in flight a while, so the retries arrive while it is being paid.
      const qr = round % 2 ? uniqueQr() : `${uniqueQr().slice(0, -3)}102`;
      const receiptsBefore = payme.ledger().length;
      const answers = await Promise.all(instances.flatMap((i) => [pay(i, { amount: 2_500, qr_code: qr }, undefined, 'payme'), pay(i, { amount: 2_500, qr_code: qr }, undefined, 'payme')]));
      assert.ok(answers.every((a) => a.is_success), JSON.stringify(answers.filter((a) => !a.is_success)));
      assert.equal(new Set(answers.map((a) => a.data.transaction_id)).size, 1, 'every answer is about the one payment');
      assert.equal(payme.ledger().length - receiptsBefore, 1, `${qr}: one receipt created at Payme`);
      assert.equal(payme.charges().filter((r) => r.token === qr).length, 1, `${qr}: paid once`);
    }
  });

  test('the same keyed request sent to every instance at once is charged once, and answered the same', async () => {
    let qr = '';
    let key = '';
    for (let round = 0; round < 6; round++) {
      qr = round % 2 ? uniqueQr() : `${uniqueQr().slice(0, -3)}102`;
      key = `till-1-${round}-${Date.now()}`;
      const answers = await Promise.all(instances.flatMap((i) => [pay(i, { amount: 3_300, qr_code: qr }, key), pay(i, { amount: 3_300, qr_code: qr }, key)]));
      assert.equal(charges.get(qr), 1);
      assert.ok(answers.every((a) => a.is_success), JSON.stringify(answers.filter((a) => !a.is_success)));
      assert.equal(new Set(answers.map((a) => a.data.transaction_id)).size, 1);
    }
    // The same key with another request is refused by whichever instance gets it.
    const reused = await pay(instances[2]!, { amount: 3_400, qr_code: qr }, key);
    assert.equal(reused.is_success, false);
    assert.equal(reused.error.code, 106);
    assert.equal(charges.get(qr), 1);
  });

  test('the same fiscal receipt handed to every instance at once reaches Click once; the others answer it is being submitted, then delivered', async () => {
    const checkUrl = (n: number) => `https://ofd.soliq.uz/check?t=EP000000000123&r=${n}&c=20261123150102&s=512345678901`;
    for (let round = 0; round < 5; round++) {
      const paid = await pay(instances[round % 3]!, { amount: 2_100, qr_code: uniqueQr() });
      assert.equal(paid.is_success, true, JSON.stringify(paid));
      const body = { payment_id: paid.data.payment_id, qr_code: checkUrl(round) };
      const confirm = async (i: Instance) => (await (await fetch(`${i.base}/payment/click_confirm`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).json()) as Envelope;
      const answers = await Promise.all(instances.flatMap((i) => [confirm(i), confirm(i)]));
      assert.ok(answers.every((a) => a.is_success), JSON.stringify(answers.filter((a) => !a.is_success)));
      assert.equal(fiscalSubmissions.get(Number(paid.data.payment_id)), 1, `round ${round}: one submission at Click`);
      const delivered = answers.filter((a) => a.data.status === 'successfully');
      const waiting = answers.filter((a) => a.data.status === 'queued');
      assert.ok(delivered.length >= 1, 'the one that submitted it hears it delivered');
      assert.ok(waiting.every((a) => a.data.in_progress === true || a.data.handoff_state === 'submitted'), JSON.stringify(waiting));
      // Asked again once the submission is over, every instance says delivered, and Click still has it once.
      for (const i of instances) assert.equal((await confirm(i)).data.status, 'successfully');
      assert.equal(fiscalSubmissions.get(Number(paid.data.payment_id)), 1);
      const [row] = await sql<{ state: string; attempts: number; claimed_by: string | null }>(url, 'SELECT state, attempts, claimed_by FROM fiscal_handoffs WHERE payment_id = $1', [paid.data.payment_id]);
      assert.deepEqual([row?.state, Number(row?.attempts), row?.claimed_by], ['submitted', 1, null]);
    }
  });

  test('an instance killed in the middle of a payment: another settles it once the dead one’s claim runs out, never charging again', async () => {
    // Its journaled payments are held by it for only 1.5 s (recovery.grace_ms), so the test need not wait
    // minutes. (Its own recovery claims keep the default: they must outlast a settle, 25.1 s here.)
    const doomed = await startInstance('pb-d', '4', url, click, { recovery: { grace_ms: 1_500, interval_ms: 3_600_000 } });
    const qr = uniqueQr();
    killOnCharge.set(qr, doomed);
    await pay(doomed, { amount: 4_400, qr_code: qr }).then(
      () => assert.fail('the instance answered although it was killed'),
      () => undefined,
    );
    await doomed.exited;
    assert.equal(charges.get(qr), 1, 'Click charged it before the instance died');
    const [row] = await sql<{ id: string; status: string; claimed_by: string }>(url, `SELECT id, status, claimed_by FROM transactions WHERE till = '4'`);
    assert.equal(row?.status, 'pending');
    assert.equal(row?.claimed_by, 'pb-d#live', 'held by the request that was making it');

    const settle = async (i: Instance) => (await (await fetch(`${i.base}/payment/recovery/run`, { method: 'POST' })).json()) as Envelope;
    await settle(instances[1]!);
    const [still] = await sql<{ status: string }>(url, 'SELECT status FROM transactions WHERE id = $1', [row!.id]);
    assert.equal(still?.status, 'pending', 'left alone while the dead instance’s claim lasts');

    await new Promise((r) => setTimeout(r, 1_600));
    await Promise.all([settle(instances[1]!), settle(instances[2]!)]);
    const [settled] = await sql<{ status: string; claimed_by: string | null; provider_payment_id: string }>(
      url,
      'SELECT status, claimed_by, provider_payment_id FROM transactions WHERE id = $1',
      [row!.id],
    );
    assert.equal(settled?.status, 'succeeded');
    assert.equal(settled?.claimed_by, null);
    assert.ok(settled?.provider_payment_id);
    assert.equal(charges.get(qr), 1, 'settled by asking Click, never by charging again');
    // The till's retry, to a living instance, gets the payment's answer.
    const retry = await pay(instances[0]!, { amount: 4_400, qr_code: qr });
    assert.equal(retry.is_success, true);
    assert.equal(retry.data.transaction_id, row!.id);
    assert.equal(charges.get(qr), 1);
  });

  test('different payments spread over the instances each charge once and are all in the one journal, by till', async () => {
    const qrs = Array.from({ length: 12 }, () => uniqueQr());
    const answers = await Promise.all(qrs.map((qr, n) => pay(instances[n % 3]!, { amount: 500 + n, qr_code: qr })));
    assert.ok(answers.every((a) => a.is_success));
    for (const qr of qrs) assert.equal(charges.get(qr), 1);

    const rows = await sql<{ till: string; instance: string; n: string }>(
      url,
      `SELECT till, instance, COUNT(*) AS n FROM transactions WHERE id = ANY($1) GROUP BY till, instance ORDER BY till`,
      [answers.map((a) => a.data.transaction_id)],
    );
    assert.deepEqual(rows.map((r) => [r.till, r.instance, Number(r.n)]), [['1', 'pb-a', 4], ['2', 'pb-b', 4], ['3', 'pb-c', 4]]);
    // Any instance lists the whole chain's journal, and filters by till.
    const listed = (await (await fetch(`${instances[0]!.base}/payment/transactions?shop=chilonzor&till=3&limit=500`)).json()) as Envelope;
    const fromC = new Set(answers.filter((_, n) => n % 3 === 2).map((a) => a.data.transaction_id));
    const ids = listed.data.items.map((t: { transaction_id: string }) => t.transaction_id);
    assert.ok([...fromC].every((id) => ids.includes(id)));
    assert.ok(listed.data.items.every((t: { till: string; shop: string }) => t.till === '3' && t.shop === 'chilonzor'));

    // And Click's own ledger agrees: one payment per journaled success.
    const ledger = (await (await fetch(new URL('/_sandbox/payments', click.baseUrl))).json()) as { merchant_trans_id: string }[];
    const journaled = await sql<{ id: string }>(url, `SELECT id FROM transactions WHERE status = 'succeeded' AND method = 'click'`);
    assert.deepEqual(ledger.map((p) => p.merchant_trans_id).sort(), journaled.map((r) => r.id).sort());
    // And Payme's: one paid receipt per journaled Payme success, each for that transaction.
    const paidAtPayme = payme.charges().map((r) => String((r.account as { order_id?: unknown }).order_id));
    const journaledPayme = await sql<{ id: string }>(url, `SELECT id FROM transactions WHERE status = 'succeeded' AND method = 'payme'`);
    assert.deepEqual(paidAtPayme.sort(), journaledPayme.map((r) => r.id).sort());
  });
});
