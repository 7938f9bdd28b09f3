import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { ClickClient } from '../src/providers/click/client.js';
import { PaymeClient } from '../src/providers/payme/client.js';
import { SANDBOX_CLICK, SANDBOX_PAYME } from '../src/sandbox/credentials.js';
import { BridgeDriver } from '../src/terminals/bridge/bridge-driver.js';
import { get, post, productionClick, startClickEmulator, startTestBridge, uniqueQr, type Envelope, type TestBridge, transitionAsHolder, releaseHolder } from './helpers.js';

const keyed = (bridge: TestBridge, url: string, body: object, key: string) => post(bridge, url, body, { 'content-type': 'application/json', 'idempotency-key': key });
/** The first answer as its replay reads: marked `replayed: true` in data (a success) or error (a failure). */
const replayOf = (first: Envelope): Envelope => (first.is_success ? { ...first, data: { ...first.data, replayed: true } } : { ...first, error: { ...first.error!, replayed: true } });

describe('Idempotency-Key', () => {
  test('same key, same body: the stored answer, nothing sent again — also after a restart', async () => {
    const bridge = await startTestBridge();
    const dataDir = bridge.dataDir;
    const qr = uniqueQr();
    const key = randomUUID();
    let first;
    try {
      first = await keyed(bridge, '/payment/click', { amount: 1_000, qr_code: qr }, key);
      assert.equal(first.body.is_success, true);
      const again = await keyed(bridge, '/payment/click', { amount: '1000', qr_code: qr }, key);
      assert.deepEqual(again.body, replayOf(first.body), 'a numeric string is the same request');
      assert.equal(bridge.emulators!.click.ledger().filter((c) => c.otpData === qr).length, 1);
    } finally {
      await bridge.close();
    }
    const restarted = await startTestBridge(undefined, dataDir);
    try {
      const after = await keyed(restarted, '/payment/click', { amount: 1_000, qr_code: qr }, key);
      assert.deepEqual(after.body, replayOf(first.body));
      // The sandbox's CLICK kept its ledger across the restart: still the one charge, nothing sent again.
      assert.deepEqual(
        restarted.emulators!.click.ledger().map((c) => [c.otpData, c.reversalRequests]),
        [[qr, 0]],
      );
    } finally {
      await restarted.close();
    }
  });

  test('a failure is replayed too, and a different body with the same key is a conflict', async () => {
    const bridge = await startTestBridge();
    try {
      const key = randomUUID();
      const declined = await keyed(bridge, '/payment/payme', { amount: 1_000, qr_code: '880101698207777116' }, key);
      assert.equal(declined.body.error?.code, 104);
      const again = await keyed(bridge, '/payment/payme', { amount: 1_000, qr_code: '880101698207777116' }, key);
      assert.deepEqual(again.body, replayOf(declined.body));
      assert.equal(bridge.emulators!.payme.ledger().length, 1, 'one receipt, for the first request only');
      const other = await keyed(bridge, '/payment/payme', { amount: 2_000, qr_code: '880101698207777116' }, key);
      assert.equal(other.body.error?.code, 106);
      assert.match(String(other.body.error?.data), /already used for a different request/);
      const bad = await keyed(bridge, '/payment/payme', { amount: 2_000, qr_code: '1' }, 'x'.repeat(256));
      assert.equal(bad.body.error?.code, 7);
      assert.match(String(bad.body.error!.data), /^Idempotency-Key: must be 1 to 255/);
    } finally {
      await bridge.close();
    }
  });

  test('the same key twice at once: one charge, the second waits and gets the same answer', async () => {
    const bridge = await startTestBridge();
    try {
      const key = randomUUID();
      const qr = '880101698207000102'; // stays processing for a moment
      const [a, b] = await Promise.all([keyed(bridge, '/payment/click', { amount: 700, qr_code: qr }, key), keyed(bridge, '/payment/click', { amount: 700, qr_code: qr }, key)]);
      assert.equal(a.body.is_success, true, JSON.stringify(a.body));
      const [first, replay] = a.body.data?.replayed ? [b, a] : [a, b]; // either may be the one that did the work
      assert.deepEqual(replay.body, replayOf(first.body));
      assert.equal(bridge.emulators!.click.ledger().filter((c) => c.otpData === qr).length, 1);
    } finally {
      await bridge.close();
    }
  });

  test('pinpads: a keyed retry is replayed; without a key two equal purchases are two sales', async () => {
    const bridge = await startTestBridge();
    try {
      const key = randomUUID();
      const first = await keyed(bridge, '/payment/uzcard', { amount: 5_000 }, key);
      const retry = await keyed(bridge, '/payment/uzcard', { amount: 5_000 }, key);
      assert.deepEqual(retry.body, replayOf(first.body));
      assert.equal(bridge.emulators!.uzcard.terminal.operations().length, 1);
      await post(bridge, '/payment/uzcard', { amount: 5_000 });
      await post(bridge, '/payment/uzcard', { amount: 5_000 });
      assert.equal(bridge.emulators!.uzcard.terminal.operations().length, 3);
    } finally {
      await bridge.close();
    }
  });
});

describe('one-time QR codes without a key', () => {
  test('the same code and amount again is the first payment; another amount or after the window is new', async () => {
    const bridge = await startTestBridge((c) => (c.idempotency.qr_retry_window_ms = 1_500));
    try {
      const qr = uniqueQr();
      const [a, b] = await Promise.all([post(bridge, '/payment/click', { amount: 900, qr_code: qr }), post(bridge, '/payment/click', { amount: 900, qr_code: qr })]);
      assert.equal(a.body.data.transaction_id, b.body.data.transaction_id);
      assert.equal(bridge.emulators!.click.ledger().filter((c) => c.otpData === qr).length, 1, 'charged once');
      const other = await post(bridge, '/payment/click', { amount: 901, qr_code: qr });
      assert.notEqual(other.body.data.transaction_id, a.body.data.transaction_id);
      await new Promise((r) => setTimeout(r, 1_600));
      const later = await post(bridge, '/payment/click', { amount: 900, qr_code: qr });
      assert.notEqual(later.body.data.transaction_id, a.body.data.transaction_id);
      const declinedQr = `${uniqueQr().slice(0, -3)}116`;
      const declined = await post(bridge, '/payment/click', { amount: 900, qr_code: declinedQr });
      const again = await post(bridge, '/payment/click', { amount: 900, qr_code: declinedQr });
      assert.equal(again.body.error?.code, 104);
      assert.notEqual(again.body.error?.transaction_id, declined.body.error?.transaction_id, 'a failed attempt is tried again, not replayed');
    } finally {
      await bridge.close();
    }
  });
});

describe('recovery of transactions left unsettled', () => {
  test('Click: charged before PayBridge died → succeeded; never sent (no step says so) → unknown for an operator; nothing charged again', async () => {
    const emulator = await startClickEmulator();
    const bridge = await startTestBridge((c) => {
      productionClick(emulator)(c);
      c.recovery.grace_ms = 1;
    });
    const client = new ClickClient({ baseUrl: emulator.baseUrl, ...SANDBOX_CLICK }, { connectMs: 1_000, responseMs: 1_000 });
    try {
      const charged = await bridge.journal.insert({ id: randomUUID(), method: 'click', amount: 1_500, qrCodeMasked: null, qrCodeHash: null, createdAt: Date.now() - 5_000 }, { step: 'received' });
      await client.pay({ otpData: uniqueQr(), amountTiyin: 1_500, transactionId: charged.id });
      const lost = await bridge.journal.insert({ id: randomUUID(), method: 'click', amount: 700, qrCodeMasked: null, qrCodeHash: null, createdAt: Date.now() - 5_000 }, { step: 'received' });
      // A pass of its own (recoverOnce would join the start-up pass, which may have listed before these were
      // journaled), once the rows' 1 ms claims have run out on the journal's clock.
      await new Promise((r) => setTimeout(r, 20));
      await bridge.recovery.recoverNow();
      const a = await bridge.journal.get(charged.id);
      assert.equal(a?.status, 'succeeded');
      assert.equal(a?.providerPaymentId, String(emulator.ledger()[0]!.paymentId));
      // CLICK documents no "not found" for status_by_mti (issue #25), and a row journaled before any
      // sending step cannot be told from one a PayBridge without the confirmation mode sent: unknown.
      assert.equal((await bridge.journal.get(lost.id))?.status, 'unknown');
      assert.equal(emulator.ledger().length, 1);
      const listed = await get(bridge, '/payment/transactions?status=pending');
      assert.equal(listed.body.data.items.length, 0, 'none left pending');
    } finally {
      await client.close();
      await bridge.close();
      await emulator.close();
    }
  });

  test('Payme: a paid receipt → succeeded; an unpaid one is cancelled → failed', async () => {
    const bridge = await startTestBridge((c) => (c.recovery.grace_ms = 1));
    // The pass a start runs first is over before these rows exist: with a 1 ms grace it would take
    // them up while the test is still playing their request (under that pass's own claim).
    await bridge.recovery.recoverOnce();
    const client = new PaymeClient({ url: bridge.emulators!.payme.url, ...SANDBOX_PAYME }, { connectMs: 1_000, responseMs: 1_000 });
    try {
      const paid = await bridge.journal.insert({ id: randomUUID(), method: 'payme', amount: 2_000, qrCodeMasked: null, qrCodeHash: null, createdAt: Date.now() - 5_000 }, { step: 'received' });
      const r1 = await client.create(2_000, { transaction_id: paid.id });
      await transitionAsHolder(bridge.journal, paid.id, 'pending', 'pending', { providerPaymentId: String(r1._id) }, { step: 'receipt_created' });
      await client.pay(String(r1._id), uniqueQr());
      const unpaid = await bridge.journal.insert({ id: randomUUID(), method: 'payme', amount: 3_000, qrCodeMasked: null, qrCodeHash: null, createdAt: Date.now() - 5_000 }, { step: 'received' });
      const r2 = await client.create(3_000, { transaction_id: unpaid.id });
      await transitionAsHolder(bridge.journal, unpaid.id, 'pending', 'pending', { providerPaymentId: String(r2._id) }, { step: 'receipt_created' });
      await new Promise((r) => setTimeout(r, 20)); // the rows' 1 ms claims run out on the journal's clock
      await bridge.recovery.recoverNow();
      assert.equal((await bridge.journal.get(paid.id))?.status, 'succeeded');
      assert.equal((await bridge.journal.get(unpaid.id))?.status, 'failed');
      assert.equal(bridge.emulators!.payme.ledger().find((r) => r._id === r2._id)?.state, 50, 'the unpaid receipt can no longer be paid');
    } finally {
      await client.close();
      await bridge.close();
    }
  });

  test('UzCard: asked by request id — done at the terminal → succeeded; never seen → failed', async () => {
    const bridge = await startTestBridge((c) => (c.recovery.grace_ms = 1));
    await bridge.recovery.recoverOnce(); // the start's own pass is over before these rows exist (see above)
    const driver = new BridgeDriver({ endpoint: { transport: 'tcp', host: '127.0.0.1', port: bridge.emulators!.uzcardPort }, connectTimeoutMs: 1_000, answerTimeoutMs: 5_000 });
    try {
      const done = await bridge.journal.insert(
        { id: randomUUID(), method: 'uzcard', amount: 4_000, qrCodeMasked: null, qrCodeHash: null, createdAt: Date.now() - 5_000, terminal: 'uzcard-sandbox' },
        { step: 'received' },
      );
      const answer = await driver.purchase({ requestId: done.id, amount: 4_000 });
      const never = await bridge.journal.insert(
        { id: randomUUID(), method: 'uzcard', amount: 4_000, qrCodeMasked: null, qrCodeHash: null, createdAt: Date.now() - 5_000, terminal: 'uzcard-sandbox' },
        { step: 'received' },
      );
      await new Promise((r) => setTimeout(r, 20)); // the rows' 1 ms claims run out on the journal's clock
      await bridge.recovery.recoverNow();
      const a = await bridge.journal.get(done.id);
      assert.equal(a?.status, 'succeeded');
      assert.equal(a?.providerPaymentId, answer.rrn);
      assert.equal((await bridge.journal.get(never.id))?.status, 'failed');
    } finally {
      await driver.close();
      await bridge.close();
    }
  });
});

describe('an operator’s decision', () => {
  test('settles an unknown payment with who and why; nothing else can be overruled', async () => {
    const bridge = await startTestBridge();
    try {
      const tx = await bridge.journal.insert({ id: randomUUID(), method: 'humo', amount: 1_000, qrCodeMasked: null, qrCodeHash: null, createdAt: Date.now() }, { step: 'received' });
      await transitionAsHolder(bridge.journal, tx.id, 'pending', 'unknown', {}, { step: 'answer_lost' });
      // While a request holds it, no operator may overrule it.
      const early = await post(bridge, `/payment/transactions/${tx.id}/resolve`, { status: 'succeeded', operator: 'Dilnoza (manager)', reason: 'too early' });
      assert.equal(early.body.error?.code, 106, JSON.stringify(early.body));
      await releaseHolder(bridge.journal, tx.id); // the request that journaled it is done
      const bad = await post(bridge, `/payment/transactions/${tx.id}/resolve`, { status: 'paid', operator: '', reason: '' });
      assert.equal(bad.body.error?.code, 7);
      assert.match(String(bad.body.error!.data), /status: must be succeeded or failed; operator: must name who decides/);
      const ok = await post(bridge, `/payment/transactions/${tx.id}/resolve`, { status: 'succeeded', operator: 'Dilnoza (manager)', reason: 'the pinpad showed ОДОБРЕНО, slip 14' });
      assert.equal(ok.body.is_success, true, JSON.stringify(ok.body));
      assert.equal(ok.body.data.status, 'succeeded');
      const detail = await get(bridge, `/payment/transactions/${tx.id}`);
      assert.deepEqual(detail.body.data.events.at(-1).detail, { operator: 'Dilnoza (manager)', reason: 'the pinpad showed ОДОБРЕНО, slip 14' });
      const again = await post(bridge, `/payment/transactions/${tx.id}/resolve`, { status: 'failed', operator: 'someone', reason: 'changed my mind' });
      assert.equal(again.body.error?.code, 106);
    } finally {
      await bridge.close();
    }
  });
});
