/**
 * The real world's ambiguity, end to end: PayBridge (in process) against the sandbox emulators over
 * loopback, each scenario by its magic value. The till must be told the truth — success, or the
 * unknown-outcome answer that says not to take the payment again — the journal must say `succeeded`
 * wherever the emulator's ledger shows the charge, and no Payme receipt may be left open.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { Config } from '../src/config/schema.js';
import { post, startTestBridge, uniqueQr, type Envelope, type TestBridge, releaseHolder, settled } from './helpers.js';

const qr = (tail: string) => uniqueQr().replace(/777$/, tail);
const LAG_MS = 800;
const NOT_FOUND_AFTER_MS = 1_200;

/** Times derived from the configuration: how long a scenario may take before the test gives up. */
const settleBy = (c: Config) => 4 * (c.click!.status_deadline_ms + c.recovery.interval_ms + c.sandbox.terminal_timeout_ms);

const trouble = (c: Config) => {
  c.sandbox.click.status_lag_ms = LAG_MS;
  c.click!.not_found_after_ms = NOT_FOUND_AFTER_MS;
  c.click!.status_deadline_ms = 4_000;
  c.payme!.not_found_after_ms = NOT_FOUND_AFTER_MS;
  c.payme!.status_deadline_ms = 4_000;
  c.sandbox.terminal_timeout_ms = 1_500;
  // Also the lease of a request's own claim: 50 ms let a stalled event loop on a loaded machine
  // hand a request's operation to recovery mid-flight (the till then told "unknown" by design).
  c.recovery.grace_ms = 2_000;
  c.recovery.interval_ms = 200;
};

/** A sandbox PayBridge with the trouble configuration, for one describe block; read its fields inside tests. */
function troubledBridge(more: (c: Config) => void = () => {}): { readonly bridge: TestBridge; readonly config: Config } {
  let bridge: TestBridge | undefined;
  let config: Config | undefined;
  before(async () => {
    bridge = await startTestBridge((c) => {
      trouble(c);
      more(c);
      config = c;
    });
  });
  after(() => bridge?.close());
  return {
    get bridge() {
      return bridge!;
    },
    get config() {
      return config!;
    },
  };
}


const txOf = (body: Envelope) => String(body.data?.transaction_id ?? body.error?.transaction_id);

const LOST_AFTER_CHARGE = [
  ['504', 'HTTP 504 after the charge'],
  ['522', 'an unreadable body after the charge'],
  ['534', 'HTTP 504, and the status lookups do not see it yet ("not found")'],
  ['535', 'HTTP 504, and the status lookups answer a system error'],
] as const;

describe('CLICK without the confirmation mode: charged, then the answer is lost in a new way', () => {
  const t = troubledBridge((c) => {
    c.click!.confirm_mode = false;
  });

  for (const [tail, what] of LOST_AFTER_CHARGE) {
    test(`${tail}: ${what} — success, charged once, never "failed"`, async () => {
      const code = qr(tail);
      const { body } = await post(t.bridge, '/payment/click', { amount: 1_500, qr_code: code });
      const id = txOf(body);
      if (!body.is_success) {
        // Only the unknown-outcome answer is allowed, never "nothing was charged".
        assert.equal(body.error?.transaction_status, 'unknown', JSON.stringify(body));
        assert.equal(body.error?.data, 'OUTCOME_UNKNOWN');
      }
      assert.equal(await settled(t.bridge, id, settleBy(t.config)), 'succeeded');
      const charges = t.bridge.emulators!.click.charges().filter((p) => p.otpData === code);
      assert.equal(charges.length, 1);
    });
  }

  test('502 (down, nothing charged): unknown, never "failed" — status_by_mti finding nothing proves nothing (CLICK documents no "not found")', async () => {
    const code = qr('502');
    const { body } = await post(t.bridge, '/payment/click', { amount: 1_500, qr_code: code });
    assert.equal(body.error?.transaction_status, 'unknown', JSON.stringify(body));
    const id = txOf(body);
    assert.equal(await settled(t.bridge, id, settleBy(t.config)), 'unknown', 'left for an operator');
    assert.equal(t.bridge.emulators!.click.charges().filter((p) => p.otpData === code).length, 0);
  });
});

describe('CLICK in the confirmation mode (the default): a charge whose answer is lost is never confirmed, and CLICK cancels it', () => {
  const t = troubledBridge();

  for (const [tail, what] of [...LOST_AFTER_CHARGE, ['502', 'HTTP 502, nothing charged']] as const) {
    test(`${tail}: ${what} — failed at once (never confirmed; CLICK's documented 30 s cancellation cited), and at CLICK nothing stays charged`, async () => {
      const code = qr(tail);
      const { body } = await post(t.bridge, '/payment/click', { amount: 1_500, qr_code: code });
      assert.equal(body.error?.transaction_status, 'failed', JSON.stringify(body));
      const tx = (await t.bridge.journal.get(txOf(body)))!;
      assert.equal(tx.status, 'failed');
      const proof = (tx.events.at(-1)!.detail as { evidence: { rule?: string; cite?: { doc: string; quote: string } } }).evidence;
      assert.equal(proof.rule, 'confirmation mode: never confirmed', JSON.stringify(tx.events.at(-1)));
      assert.match(proof.cite!.doc, /^https:\/\/docs\.click\.uz\//);
      assert.match(proof.cite!.quote, /30 секунд/);
      // The truth at CLICK: whatever it made of the charge was never confirmed, and once its window has
      // passed nothing of this code keeps the money.
      const atClick = () => t.bridge.emulators!.click.ledger().filter((p) => p.otpData === code);
      assert.ok(atClick().every((p) => !p.confirmed), 'PayBridge confirmed nothing');
      await new Promise((r) => setTimeout(r, t.config.sandbox.click.confirm_window_ms + 200));
      assert.equal(t.bridge.emulators!.click.charges().filter((p) => p.otpData === code).length, 0);
      assert.equal(await settled(t.bridge, tx.id, 0), 'failed', 'and recovery leaves it so');
    });
  }
});

describe('Payme: a system error after the debit, a refused cancel, a lost receipt', () => {
  const t = troubledBridge();

  const receiptsOf = (id: string) => t.bridge.emulators!.payme.ledger().filter((r) => (r.account as { order_id?: string }).order_id === id);

  for (const [tail, what] of [
    ['324', '−32400 after the debit'],
    ['325', '−32400 after the debit, and every cancel refused'],
  ] as const) {
    test(`${tail}: ${what} — success, the receipt paid once`, async () => {
      const { body } = await post(t.bridge, '/payment/payme', { amount: 2_500, qr_code: qr(tail) });
      const id = txOf(body);
      if (!body.is_success) assert.equal(body.error?.transaction_status, 'unknown', JSON.stringify(body));
      assert.equal(await settled(t.bridge, id, settleBy(t.config)), 'succeeded');
      assert.deepEqual(
        receiptsOf(id).map((r) => r.state),
        [4],
      );
    });
  }

  test('325: a cashier’s cancel answered with a system error is "not known", never "refused": no second refund is invited', async () => {
    const { body } = await post(t.bridge, '/payment/payme', { amount: 2_600, qr_code: qr('325') });
    const id = txOf(body);
    assert.equal(await settled(t.bridge, id, settleBy(t.config)), 'succeeded');
    const cancel = await post(t.bridge, '/payment/payme_cancel', { transaction_id: id });
    assert.equal(cancel.body.error?.code, 104, JSON.stringify(cancel.body));
    assert.equal(cancel.body.error?.data, 'OUTCOME_UNKNOWN');
    assert.equal((await t.bridge.journal.get(id))!.status, 'succeeded');
  });

  test('a declined pay: the receipt is checked, then cancelled, none left open', async () => {
    const { body } = await post(t.bridge, '/payment/payme', { amount: 2_500, qr_code: qr('116') });
    assert.equal(body.error?.transaction_status, 'failed', JSON.stringify(body));
    assert.deepEqual(
      receiptsOf(txOf(body)).map((r) => r.state),
      [50],
    );
  });

  test('receipts.create answered too late (amount …60100): nothing charged, the receipt found by account and cancelled', async () => {
    const { body } = await post(t.bridge, '/payment/payme', { amount: 60_100, qr_code: qr('777') });
    assert.equal(body.error?.transaction_status, 'failed', JSON.stringify(body));
    const id = txOf(body);
    assert.deepEqual(
      receiptsOf(id).map((r) => r.state),
      [50],
    );
    const steps = (await t.bridge.journal.get(id))!.events.map((e) => e.step);
    assert.ok(steps.includes('orphan_receipt_cancelled'), steps.join(' '));
  });
});

describe('pinpads: one dialogue at a time, busy to every question while it runs (98400)', () => {
  const t = troubledBridge();

  for (const [method, path] of [
    ['uzcard', 'uzcard'],
    ['humo', 'xumo'],
  ] as const) {
    test(`${method}: the status question answered busy is "ask again", never "not performed"; recovery finds the charge`, async () => {
      const { body } = await post(t.bridge, `/payment/${path}`, { amount: 98_400 });
      const id = txOf(body);
      if (!body.is_success) {
        assert.equal(body.error?.transaction_status, 'unknown', JSON.stringify(body));
        assert.match(String(body.error?.reason), /^Не проводите платёж снова/);
        assert.match(String(body.error?.provider_said), /Do not repeat/);
      }
      assert.equal(await settled(t.bridge, id, settleBy(t.config)), 'succeeded');
      const tx = (await t.bridge.journal.get(id))!;
      assert.equal(tx.amount, 98_400);
      assert.ok(tx.providerPaymentId, 'the RRN of the slip');
    });
  }

  test('a card payment journaled but never handed to the terminal is known as never sent: failed, and its retry is told so', async () => {
    // As PayBridge leaves one that waited its turn in the queue when it was killed.
    const id = randomUUID();
    await t.bridge.journal.insert(
      { id, method: 'uzcard', amount: 7_700, qrCodeMasked: null, qrCodeHash: null, createdAt: Date.now(), kind: 'payment', terminal: 'uzcard-sandbox' },
      { step: 'received', detail: { amount: 7_700, terminal: 'uzcard-sandbox', marks_sending: true } },
    );
    await releaseHolder(t.bridge.journal, id); // its request is gone
    assert.equal(await settled(t.bridge, id, settleBy(t.config)), 'failed');
    const tx = (await t.bridge.journal.get(id))!;
    assert.match(String(tx.error?.data), /^NOT_SENT/);
    await assert.rejects(t.bridge.cards.replay(id), (err: { data?: unknown; extras?: Record<string, unknown> }) => {
      assert.equal(err.data, 'NOT_SENT: never handed to the terminal');
      assert.equal(err.extras?.transaction_status, 'failed');
      return true;
    });
  });
});
