import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ClickClient } from '../src/providers/click/client.js';
import { ClickPass, confirmLapseAfterMs } from '../src/providers/click/click-pass.js';
import { randomUUID } from 'node:crypto';
import type { ChargeProgress } from '../src/payments/ports/qr-provider.js';
import { SANDBOX_CLICK } from '../src/sandbox/credentials.js';
import type { ClickEmulator } from '../src/sandbox/click/emulator.js';
import { freePort, post, productionClick, releaseHolder, settled, startClickEmulator, startTestBridge, type TestBridge } from './helpers.js';
import type { HttpResponse, ProviderTransport } from '../src/providers/http-transport.js';
import { ManualClock } from './manual-clock.js';

const QR = '880101698207133392';

async function steps(bridge: TestBridge, id: string): Promise<string[]> {
  const tx = await bridge.journal.get(id);
  return tx!.events.map((e) => `${e.status}:${e.step}`);
}

/** A production-mode configuration against `emulator` with CLICK's confirmation mode off. */
function withoutConfirmMode(emulator: { baseUrl: string }) {
  return (c: Parameters<ReturnType<typeof productionClick>>[0]) => {
    productionClick(emulator)(c);
    c.click!.confirm_mode = false;
  };
}

function clickClient(emulator: ClickEmulator, secretKey: string = SANDBOX_CLICK.secretKey, responseMs = 300): ClickClient {
  return new ClickClient(
    { baseUrl: emulator.baseUrl, serviceId: SANDBOX_CLICK.serviceId, merchantUserId: SANDBOX_CLICK.merchantUserId, secretKey },
    { connectMs: 1_000, responseMs },
  );
}

describe('Click Pass against the Click emulator over a loopback socket', () => {
  let emulator: ClickEmulator;
  let bridge: TestBridge;
  before(async () => {
    emulator = await startClickEmulator();
    bridge = await startTestBridge(productionClick(emulator));
  });
  after(async () => {
    await bridge.close();
    await emulator.close();
  });

  test('success: the amount reaches Click in soum exactly, the answer carries Click’s ids', async () => {
    const { body } = await post(bridge, '/payment/click', { amount: 123457, qr_code: QR });
    assert.equal(body.is_success, true, JSON.stringify(body));
    const [charge] = emulator.charges().filter((c) => c.merchantTransId === body.data.transaction_id);
    assert.ok(charge);
    assert.equal(charge.amountTiyin, 123457, '1234.57 soum on the wire, 123457 tiyin in Click’s ledger');
    assert.equal(body.data.payment_id, String(charge.paymentId));
    const tx = await bridge.journal.get(body.data.transaction_id);
    assert.equal(tx?.status, 'succeeded');
    assert.equal(tx?.providerPaymentId, String(charge.paymentId));
    // The confirmation mode (the default): switched on before the payment was journaled (CLICK's answer
    // journaled with its first step), its payment_id journaled before the confirmation, and the
    // confirmation and the status that shows it paid journaled with the outcome: three writes.
    assert.deepEqual(await steps(bridge, body.data.transaction_id), ['pending:received', 'pending:payment_created', 'succeeded:succeeded']);
    const events = tx!.events;
    assert.deepEqual((events[0]!.detail as { prepared: unknown }).prepared, { confirmation_mode: { kind: 'reply', reply: { error_code: 0, error_note: 'Успешно' } } });
    const outcome = events[2]!.detail as { confirmed: { error_code: number }; status: { payment_status: number; payment_id: number } };
    assert.equal(outcome.confirmed.error_code, 0);
    assert.equal(outcome.status.payment_status, 2);
    assert.equal(String(outcome.status.payment_id), String(charge.paymentId));
    assert.equal(charge.confirmed, true);
  });

  test('decline (…116): failed, nothing charged', async () => {
    const { body } = await post(bridge, '/payment/click', { amount: 500, qr_code: '880101698207133116' });
    assert.equal(body.error?.code, 104);
    assert.equal((await bridge.journal.get(body.error!.transaction_id))?.status, 'failed');
    assert.equal(emulator.charges().filter((c) => c.merchantTransId === body.error!.transaction_id).length, 0);
  });

  test('processing (…102): pending, polled through payment/status, then success', async () => {
    const { body } = await post(bridge, '/payment/click', { amount: 900, qr_code: '880101698207133102' });
    assert.equal(body.is_success, true, JSON.stringify(body));
    const trail = await steps(bridge, body.data.transaction_id);
    assert.equal(trail[0], 'pending:received');
    assert.equal(trail[1], 'pending:payment_created');
    // Still processing after the confirmation: the confirmation and that status are journaled as they
    // come (the same status again adds nothing); the status that shows it paid comes with the outcome.
    assert.deepEqual(trail.slice(2), ['pending:confirmed', 'pending:status', 'succeeded:succeeded']);
    const tx = (await bridge.journal.get(body.data.transaction_id))!;
    assert.equal((tx.events.at(-1)!.detail as { status: { payment_status: number } }).status.payment_status, 2);
  });

  test('confirm mode: PayBridge switches it on itself, confirms, Click completes the payment', async () => {
    const admin = clickClient(emulator);
    assert.equal((await admin.setConfirmationMode(false)).error_code, 0, 'switched off behind PayBridge’s back');
    try {
      const { body } = await post(bridge, '/payment/click', { amount: 1_500, qr_code: QR });
      assert.equal(body.is_success, true, JSON.stringify(body));
      const [payment] = emulator.ledger().filter((c) => c.merchantTransId === body.data.transaction_id);
      assert.equal(payment?.confirmMode, true);
      assert.equal(payment?.confirmed, true);
    } finally {
      await admin.close();
    }
  });

  test('confirm mode: an unconfirmed payment is cancelled by Click itself after its window', async () => {
    const client = clickClient(emulator);
    const admin = clickClient(emulator);
    await admin.setConfirmationMode(true);
    try {
      const reply = await client.pay({ otpData: QR, amountTiyin: 500, transactionId: 'no-confirm-1' });
      assert.equal(reply.confirm_mode, 1);
      assert.equal(reply.payment_status, 1);
      await new Promise((r) => setTimeout(r, 2_100));
      const status = await client.status(String(reply.payment_id));
      assert.equal(status.payment_status, -1);
      assert.equal(emulator.charges().filter((c) => c.merchantTransId === 'no-confirm-1').length, 0);
    } finally {
      await admin.setConfirmationMode(false);
      await Promise.all([client.close(), admin.close()]);
    }
  });
});

describe('Click Pass failures outside the emulator’s magic codes', () => {
  test('a wrong secret key gets 401 from Click: 104, failed, nothing charged', async () => {
    const emulator = await startClickEmulator();
    const bridge = await startTestBridge(productionClick(emulator, 'not-the-secret'));
    try {
      const { body } = await post(bridge, '/payment/click', { amount: 500, qr_code: QR });
      assert.equal(body.error?.code, 104);
      // Refused switching on the confirmation mode, before any charge left.
      assert.equal(body.error?.data, 'HTTP 401: confirmation mode not switched on');
      assert.match(String(body.error?.provider_said), /nothing was charged/);
      assert.match(String(body.error?.provider_said), /credentials/);
      assert.equal((await bridge.journal.get(body.error!.transaction_id))?.status, 'failed');
      assert.equal(emulator.ledger().length, 0);
      assert.doesNotMatch(bridge.logs.text, /not-the-secret/, 'the secret never reaches the log');
    } finally {
      await bridge.close();
      await emulator.close();
    }
  });

  test('Click unreachable: 104, failed at once (the request never left), nothing pending', async () => {
    const port = await freePort(); // nothing listens there
    const bridge = await startTestBridge(productionClick({ baseUrl: `http://127.0.0.1:${port}/v2/merchant/` }));
    try {
      const { body } = await post(bridge, '/payment/click', { amount: 500, qr_code: QR });
      assert.equal(body.error?.code, 104);
      assert.match(String(body.error?.data), /^ECONNREFUSED: /);
      assert.match(String(body.error?.provider_said), /nothing was charged/);
      const tx = await bridge.journal.get(body.error!.transaction_id);
      assert.equal(tx?.status, 'failed');
      assert.equal((await bridge.journal.list({ limit: 10, status: 'pending' })).items.length, 0);
    } finally {
      await bridge.close();
    }
  });

  test('the answer lost and Click gone before the status check: unknown, not failed, not resent', async () => {
    // Click takes the charge and goes silent; by the time PayBridge asks, nothing listens any more.
    // Without the confirmation mode: nothing documented can settle it (with it, CLICK's lapse would).
    const emulator = await startClickEmulator({ lostAnswerDelayMs: 5_000 });
    const bridge = await startTestBridge(withoutConfirmMode(emulator));
    const closing: Promise<void>[] = [];
    const origin = emulator.baseUrl;
    try {
      const request = post(bridge, '/payment/click', { amount: 500, qr_code: '880101698207133408' });
      while (!emulator.ledger().some((c) => c.otpData === '880101698207133408')) await new Promise((r) => setTimeout(r, 10));
      closing.push(emulator.close());
      const { body } = await request;
      assert.equal(body.error?.code, 104, JSON.stringify(body));
      assert.equal(body.error?.data, 'OUTCOME_UNKNOWN');
      assert.equal(body.error?.transaction_status, 'unknown');
      assert.match(String(body.error?.provider_said), /Do not take the payment again/);
      const tx = await bridge.journal.get(body.error!.transaction_id);
      assert.equal(tx?.status, 'unknown');
      assert.equal(emulator.ledger().filter((c) => c.merchantTransId === tx!.id).length, 1, 'charged once at Click');
      assert.ok(!tx!.events.some((e) => e.step === 'payment_created'), `never resent (${origin})`);
    } finally {
      await Promise.all(closing);
      await bridge.close();
    }
  });

  test('ClickPass reports every fact before acting on it', async () => {
    const emulator = await startClickEmulator();
    const client = clickClient(emulator);
    const pass = new ClickPass(client, { pollIntervalMs: 20, statusDeadlineMs: 1_000, notFoundAfterMs: 300, partialReversal: false });
    try {
      const seen: ChargeProgress[] = [];
      const outcome = await pass.charge({ transactionId: 'tx-progress', amount: 100, qrCode: '777102', createdAt: Date.now() }, async (p) => {
        seen.push(p);
      });
      assert.equal(outcome.status, 'succeeded');
      assert.equal(seen[0]?.step, 'payment_created');
      assert.equal(seen[0]?.providerPaymentId, outcome.status === 'succeeded' ? outcome.providerPaymentId : 'x');
    } finally {
      await pass.close();
      await emulator.close();
    }
  });
});

describe('Click Pass near midnight', () => {
  test('a payment made seconds before midnight by this computer’s clock, filed by CLICK under the next day, is found by our transaction id, not proven absent (found by the simulator)', async () => {
    // 23:59:58 in Tashkent by this computer's clock; CLICK's clock, 5 s ahead, filed it on the 27th.
    const createdAt = Date.UTC(2026, 10, 26, 18, 59, 58);
    const clock = new ManualClock(createdAt + 10_000);
    const asked: string[] = [];
    const wire: ProviderTransport = {
      lastClockOffsetMs: undefined,
      async send(_method, url) {
        const reply = (body: unknown): HttpResponse => ({ statusCode: 200, body: JSON.stringify(body) });
        const byMti = /status_by_mti\/1\/([^/]+)\/(\d{4}-\d{2}-\d{2})$/.exec(url);
        if (byMti) {
          asked.push(byMti[2]!);
          return byMti[2] === '2026-11-27' ? reply({ error_code: 0, payment_id: 2170000001, merchant_trans_id: byMti[1], payment_status: 2 }) : reply({ error_code: -6, error_note: 'Платеж не найден' });
        }
        return reply({ error_code: 0, payment_id: 2170000001, payment_status: 2 });
      },
      async close() {},
    };
    const pass = new ClickPass(new ClickClient({ baseUrl: 'https://click.test/', serviceId: 1, merchantUserId: 'm', secretKey: 's' }, { connectMs: 100, responseMs: 100 }, undefined, { transport: wire, now: () => clock.now() }), {
      clock,
      partialReversal: false,
      pollIntervalMs: 100,
      statusDeadlineMs: 1_000,
      notFoundAfterMs: 200,
    });
    let outcome: Awaited<ReturnType<ClickPass['recover']>> | undefined;
    void pass.recover({ transactionId: '0f8fad5b-d9cb-469f-a165-70867728950e', amount: 500, createdAt, sentAt: createdAt, providerPaymentId: null }, async () => {}).then((o) => (outcome = o));
    while (!outcome) await clock.advance(50);
    assert.ok(asked.includes('2026-11-27'), `the day after asked too: ${asked.join(', ')}`);
    assert.equal(outcome.status, 'succeeded', JSON.stringify(outcome));
  });
});

describe('Click Pass: answers CLICK documents for no call are never "nothing was charged" (issue #25)', () => {
  let emulator: ClickEmulator;
  let bridge: TestBridge;
  before(async () => {
    emulator = await startClickEmulator();
    bridge = await startTestBridge(withoutConfirmMode(emulator));
  });
  after(async () => {
    await bridge.close();
    await emulator.close();
  });

  test('lost answer (…408), confirmation mode off: found through status_by_mti, success, exactly one charge', async () => {
    const { body } = await post(bridge, '/payment/click', { amount: 4_080, qr_code: '880101698207133408' });
    assert.equal(body.is_success, true, JSON.stringify(body));
    const charges = emulator.ledger().filter((c) => c.merchantTransId === body.data.transaction_id);
    assert.equal(charges.length, 1, 'charged once, never resent');
    assert.equal(body.data.payment_id, String(charges[0]!.paymentId));
    const trail = await steps(bridge, body.data.transaction_id);
    assert.deepEqual(trail.slice(0, 3), ['pending:received', 'unknown:answer_lost', 'unknown:found_by_transaction_id']);
    assert.equal(trail.at(-1), 'succeeded:succeeded');
    // Nothing is prepared with the mode off: the first step carries no `prepared`.
    const received = (await bridge.journal.get(body.data.transaction_id))!.events[0]!.detail as Record<string, unknown>;
    assert.equal('prepared' in received, false);
  });

  for (const [name, qr] of [
    ['−500 after the charge, no payment_id (…541)', '880101698207133541'],
    ['−500 naming the charged payment (…542)', '880101698207133542'],
    ['−4 "already paid" after the charge (…544)', '880101698207133544'],
    ['HTTP 504, and status_by_mti answers −6 for the payment that exists (…536)', '880101698207133536'],
  ] as const) {
    test(`${name}: charged at CLICK, so success or unknown — never failed, never "деньги не списаны"`, async () => {
      const res = await bridge.server.inject({ method: 'POST', url: '/payment/click', payload: { amount: 500, qr_code: qr }, headers: { 'content-type': 'application/json', 'accept-language': 'ru' } });
      const body = res.json() as { is_success: boolean; data: { transaction_id: string }; error: { transaction_id: string; transaction_status: string; reason?: string } | null };
      const id = body.is_success ? body.data.transaction_id : body.error!.transaction_id;
      assert.equal(emulator.charges().filter((c) => c.merchantTransId === id).length, 1, 'CLICK charged it');
      const tx = await bridge.journal.get(id);
      assert.notEqual(tx?.status, 'failed', JSON.stringify(body));
      if (!body.is_success) {
        assert.equal(body.error!.transaction_status, 'unknown');
        assert.doesNotMatch(res.body, /не списан/i);
      }
    });
  }

  test('−9999 and −500 with nothing charged (…549, …543), confirmation mode off: unknown, not failed — no code proves a refusal', async () => {
    for (const qr of ['880101698207133549', '880101698207133543']) {
      const { body } = await post(bridge, '/payment/click', { amount: 500, qr_code: qr });
      assert.equal(body.error?.transaction_status, 'unknown', JSON.stringify(body));
      assert.equal((await bridge.journal.get(body.error!.transaction_id))?.status, 'unknown');
    }
  });
});

describe('Click Pass in the confirmation mode (the default): a charge PayBridge never confirms is settled by CLICK’s documented lapse', () => {
  // Sandbox mode: the emulator's confirmation window (sandbox.click.confirm_window_ms, 2 s here) is the
  // window PayBridge counts on, as CLICK's 30 s is in production.
  let bridge: TestBridge;
  before(async () => {
    bridge = await startTestBridge();
  });
  after(async () => {
    await bridge.close();
  });

  for (const [name, qr, charged] of [
    ['HTTP 502, nothing created (…502)', '880101698207133502', false],
    ['−500 after creating the payment (…541)', '880101698207133541', true],
  ] as const) {
    test(`${name}: never confirmed: failed at once (the till is not held for the window), the page cited in the journal, nothing charged once the window has passed`, async () => {
      const emulator = bridge.emulators!.click;
      const { body } = await post(bridge, '/payment/click', { amount: 500, qr_code: qr });
      assert.equal(body.error?.transaction_status, 'failed', JSON.stringify(body));
      const tx = (await bridge.journal.get(body.error!.transaction_id))!;
      assert.equal(tx.status, 'failed');
      assert.equal(
        ((tx.events[0]?.detail as { prepared: { confirmation_mode: { reply: { error_code: number } } } }).prepared.confirmation_mode.reply.error_code),
        0,
        'the mode was switched on, and journaled with the payment, before the charge left',
      );
      const last = tx.events.at(-1)!;
      const evidence = (last.detail as { evidence: { rule: string; cite: { doc: string; quote: string } } }).evidence;
      assert.equal(evidence.rule, 'confirmation mode: never confirmed');
      assert.equal(evidence.cite.doc, 'https://docs.click.uz/click-pass');
      assert.match(evidence.cite.quote, /30 секунд/);
      // CLICK's window passes: what it made of the charge is cancelled, never confirmed.
      await new Promise((r) => setTimeout(r, bridge.config.sandbox.click.confirm_window_ms + 200));
      const ledger = emulator.ledger().filter((c) => c.merchantTransId === tx.id);
      assert.equal(ledger.length, charged ? 1 : 0);
      assert.equal(emulator.charges().filter((c) => c.merchantTransId === tx.id).length, 0, 'nothing charged: CLICK cancelled the unconfirmed payment');
      assert.ok(ledger.every((p) => !p.confirmed));
    });
  }
});

describe('Click Pass in the confirmation mode: PayBridge stopped after journaling a payment, before its charge left', () => {
  let bridge: TestBridge;
  before(async () => {
    // A short response timeout keeps CLICK's lapse (timeout + window + a third of it) short here.
    bridge = await startTestBridge((c) => {
      c.click!.timeouts.response_ms = 1_000;
      // Recovery takes over a payment once it is this old (its request's claim let go).
      c.recovery.grace_ms = 1_000;
    });
  });
  after(async () => {
    await bridge.close();
  });

  test('the mode’s answer, journaled with the payment’s first step, lets recovery settle it failed once CLICK’s window has surely passed: nothing was charged', async () => {
    const provider = bridge.payments.provider('click');
    // What pay() journals before the charge leaves: the mode switched on, its answer with the first step.
    const prepared = await provider.prepareCharge!();
    const id = randomUUID();
    const sentNoLaterThan = Date.now();
    await bridge.journal.insertQrPayment(
      { id, method: 'click', amount: 500, qrCodeMasked: '************3392', qrCodeHash: `killed-${id}`, createdAt: sentNoLaterThan },
      { step: 'received', detail: { amount: 500, prepared } },
      0,
    );
    // …and the process died there: its claim is let go (a restart does the same).
    await releaseHolder(bridge.journal, id);
    const lapse = confirmLapseAfterMs(bridge.config.click!.timeouts.response_ms, bridge.config.sandbox.click.confirm_window_ms);
    assert.equal(await settled(bridge, id, 4 * lapse + 30_000), 'failed');
    const tx = (await bridge.journal.get(id))!;
    const last = tx.events.at(-1)!;
    const evidence = (last.detail as { evidence: { rule: string; asked_ms_after_sending: number } }).evidence;
    assert.equal(evidence.rule, 'confirmation mode: never confirmed, lapse passed');
    assert.ok(evidence.asked_ms_after_sending >= lapse, `asked ${evidence.asked_ms_after_sending} ms after, the lapse is ${lapse} ms`);
    assert.ok(Date.now() - sentNoLaterThan >= lapse, 'not before CLICK’s window had surely passed');
    assert.equal(bridge.emulators!.click.ledger().filter((c) => c.merchantTransId === id).length, 0, 'CLICK never saw it');
  });

  test('the mode’s switch journaled as refused (CLICK answered HTTP 502): the charge never left, so recovery settles it failed at once', async () => {
    const id = randomUUID();
    const refused = { confirmation_mode: { kind: 'http', statusCode: 502, garbage: false, body: 'Bad Gateway' } };
    await bridge.journal.insertQrPayment(
      { id, method: 'click', amount: 500, qrCodeMasked: '************3392', qrCodeHash: `refused-${id}`, createdAt: Date.now() },
      { step: 'received', detail: { amount: 500, prepared: refused } },
      0,
    );
    await releaseHolder(bridge.journal, id);
    const lapse = confirmLapseAfterMs(bridge.config.click!.timeouts.response_ms, bridge.config.sandbox.click.confirm_window_ms);
    assert.equal(await settled(bridge, id, 4 * lapse + 30_000), 'failed');
    // Settled by the refused switch itself (nothing sent), not by CLICK's lapse: no status question was needed.
    const evidence = ((await bridge.journal.get(id))!.events.at(-1)!.detail as { evidence: { rule: string } }).evidence;
    assert.equal(evidence.rule, 'request never sent');
    assert.equal(bridge.emulators!.click.ledger().filter((c) => c.merchantTransId === id).length, 0);
  });

  test('without the mode’s answer in the journal (a payment of a version that journaled it later, or none) the same payment is not settled failed', async () => {
    const id = randomUUID();
    await bridge.journal.insertQrPayment(
      { id, method: 'click', amount: 500, qrCodeMasked: '************3392', qrCodeHash: `old-${id}`, createdAt: Date.now() },
      { step: 'received', detail: { amount: 500 } },
      0,
    );
    await releaseHolder(bridge.journal, id);
    const lapse = confirmLapseAfterMs(bridge.config.click!.timeouts.response_ms, bridge.config.sandbox.click.confirm_window_ms);
    // Asked past the lapse, it still cannot be told from a charge sent with the mode off: unknown.
    assert.equal(await settled(bridge, id, lapse + 2_000), 'unknown');
  });
});
