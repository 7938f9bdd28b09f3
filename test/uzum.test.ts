import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { classify } from '../src/payments/outcome-table.js';
import { UzumClient } from '../src/providers/uzum/client.js';
import { UzumFastPay } from '../src/providers/uzum/fast-pay.js';
import { keys, UZUM_PAYMENT, UZUM_PAYMENT_AGAIN, UZUM_STATUS, UZUM_STATUS_BORROWED } from '../src/providers/uzum/outcomes.js';
import { SANDBOX_UZUM } from '../src/sandbox/credentials.js';
import { UzumEmulator } from '../src/sandbox/uzum/emulator.js';
import { TransportError, type HttpResponse, type ProviderTransport } from '../src/providers/http-transport.js';
import { post, productionUzum, startTestBridge, type TestBridge } from './helpers.js';
import { ManualClock } from './manual-clock.js';

/**
 * The request bodies of Uzum Fast Pay, written from the published contract
 * (api-evangelist/uzum openapi/_original/uzum-fastpay-openapi.yaml, components.schemas): every
 * required field, its type, and nothing else.
 */
type FieldType = 'int64' | 'string' | 'uuid';
const CONTRACT: Record<string, Record<string, FieldType>> = {
  'POST v2/payment': { amount: 'int64', cashbox_code: 'string', otp_data: 'string', order_id: 'string', transaction_id: 'uuid', service_id: 'int64' },
  'POST payment/status': { payment_id: 'string', service_id: 'int64' },
  'PUT v2/payment/reversal': { service_id: 'int64', payment_id: 'string' },
  'POST payment/fiscal': { payment_id: 'string', service_id: 'int64', fiscal_url: 'string' },
};

function contractProblems(operation: string, body: unknown): string[] {
  const schema = CONTRACT[operation];
  if (!schema) return [`${operation}: not an operation of the contract`];
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return ['the body is not a JSON object'];
  const b = body as Record<string, unknown>;
  const problems: string[] = [];
  for (const [field, type] of Object.entries(schema)) {
    const v = b[field];
    if (v === undefined) problems.push(`${field}: required`);
    // The emulator reads numbers as their literal text, so an integer arrives as digits.
    else if (type === 'int64' && !(typeof v === 'number' ? Number.isSafeInteger(v) : /^-?\d+$/.test(String((v as { raw?: string }).raw ?? v)))) problems.push(`${field}: not an integer`);
    else if (type !== 'int64' && typeof v !== 'string') problems.push(`${field}: not a string`);
    else if (type === 'uuid' && !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v as string)) problems.push(`${field}: not a UUID`);
  }
  for (const field of Object.keys(b)) if (!(field in schema)) problems.push(`${field}: not in the contract`);
  if (operation === 'POST v2/payment' && typeof b.otp_data === 'string' && b.otp_data.length < 40) problems.push('otp_data: under 40 characters');
  return problems;
}

function numberText(v: unknown): string {
  return String((v as { raw?: string } | undefined)?.raw ?? v);
}

let counter = 0;
/** A 40-digit code (the contract's minimum) ending in a magic suffix; every one unique. */
function code(magic = '777'): string {
  counter += 1;
  return `63857359${String(process.pid % 100_000).padStart(5, '0')}${String(Date.now()).slice(-9)}${String(counter).padStart(15, '0')}`.slice(0, 37) + magic;
}

describe('Uzum Fast Pay against the Uzum emulator over a loopback socket', () => {
  let emulator: UzumEmulator;
  let bridge: TestBridge;
  before(async () => {
    emulator = await new UzumEmulator({ ...SANDBOX_UZUM, lostAnswerDelayMs: 5_000, processingMs: 300 }).start();
    bridge = await startTestBridge(productionUzum(emulator.baseUrl));
  });
  after(async () => {
    await bridge.close();
    await emulator.close();
  });

  const steps = async (id: string) => (await bridge.journal.get(id))!.events.map((e) => `${e.status}:${e.step}`);

  test('a payment: FiscalBox’s answer fields, and every request matches the published contract field by field', async () => {
    const qr = code();
    const before = emulator.requests.length;
    const { body } = await post(bridge, '/payment/uzum', { amount: 500, qr_code: qr });
    assert.equal(body.is_success, true, JSON.stringify(body));
    const d = body.data;
    assert.match(d.payment_id, /^[0-9a-f-]{36}$/);
    assert.equal(d.payment_status, 'SUCCESS');
    assert.equal(d.error_code, '0');
    assert.equal(d.error_message, null);
    assert.equal(d.client_phone_number, '998946532140');
    assert.equal(d.amount, 500);
    assert.equal(d.qr_code, qr);
    const sent = emulator.requests.slice(before);
    assert.equal(sent.length, 1);
    const [r] = sent;
    assert.equal(`${r!.method} ${r!.path}`, 'POST /api/apelsin-pay/merchant/v2/payment');
    assert.deepEqual(contractProblems('POST v2/payment', r!.body), []);
    const b = r!.body as Record<string, unknown>;
    assert.equal(numberText(b.amount), '500', 'the amount in tiyin');
    assert.equal(b.otp_data, qr, 'otp_data is the scanned code');
    assert.equal(b.order_id, d.transaction_id);
    assert.equal(b.transaction_id, d.transaction_id);
    assert.equal(b.cashbox_code, 'KKM-7');
    assert.equal(numberText(b.service_id), String(SANDBOX_UZUM.serviceId));
    const [user, digest, ts] = r!.authorization.split(':');
    assert.equal(user, SANDBOX_UZUM.merchantServiceUserId);
    assert.match(ts!, /^\d{13}$/, 'a timestamp in milliseconds');
    assert.ok(Math.abs(Number(ts) - Date.now()) < 50_000);
    assert.equal(digest, createHash('sha1').update(ts! + SANDBOX_UZUM.secretKey).digest('hex'));
  });

  test('declines are 104 with Uzum’s code and message, the transaction failed; the till’s own causes are explained', async () => {
    const cases: [string, string, RegExp][] = [
      ['116', '400: operation.failed', /declined/],
      ['117', '400: apelsin.pay.user.otp.data.expired', /clock of the customer’s phone/],
      ['416', '416: apelsin.pay.safe.mode.on', /safe mode/],
      ['403', '403: declined', /older than 50 seconds.*clock/],
    ];
    for (const [magic, data, reason] of cases) {
      const { body } = await post(bridge, '/payment/uzum', { amount: 700, qr_code: code(magic) });
      assert.equal(body.is_success, false);
      assert.equal(body.error!.code, 104);
      assert.equal(body.error!.data, data, magic);
      assert.match(String(body.error!.provider_said), reason, magic);
      assert.equal(body.error!.transaction_status, 'failed');
    }
  });

  test('FiscalBox’s example request, sent as printed, is a sandbox payment answered with the documented fields; another short code is refused as Uzum does (under 40 characters): failed, not unknown', async () => {
    const { body } = await post(bridge, '/payment/uzum', '{\n\t"amount":500,\n\t"qr_code":"880101698207133392"\n}');
    assert.equal(body.is_success, true, JSON.stringify(body));
    for (const field of ['payment_id', 'payment_status', 'error_code', 'error_message', 'client_phone_number']) assert.ok(field in body.data, field);
    assert.equal(body.data.payment_status, 'SUCCESS');
    const short = await post(bridge, '/payment/uzum', { amount: 500, qr_code: '880101698207133393' });
    assert.equal(short.body.is_success, false);
    assert.equal(short.body.error!.code, 104);
    assert.equal(short.body.error!.data, '400: apelsin.pay.wrong.prefix.otp.data');
    assert.equal(short.body.error!.transaction_status, 'failed');
  });

  for (const [magic, what] of [
    ['408', 'charged, the answer lost'],
    ['504', 'charged, then HTTP 504'],
    ['502', 'HTTP 502, nothing charged'],
    ['520', 'an unreadable answer, nothing charged'],
    ['103', 'operation.is.inProcess without a payment_id'],
  ] as const) {
    test(`${what} (…${magic}): the same order asked again, one payment in Uzum’s ledger, succeeded`, async () => {
      const before = emulator.requests.length;
      const { body } = await post(bridge, '/payment/uzum', { amount: 1200, qr_code: code(magic) });
      assert.equal(body.is_success, true, JSON.stringify(body));
      const charges = emulator.requests.slice(before).filter((r) => r.path.endsWith('/v2/payment'));
      assert.ok(charges.length >= 2, 'asked again');
      for (const c of charges) assert.deepEqual(c.body, charges[0]!.body, 'the same ids and code every time');
      const p = emulator.byOrderId(body.data.transaction_id)!;
      assert.equal(p.paymentId, body.data.payment_id);
      assert.equal(p.amountTiyin, 1200);
      assert.ok((await steps(body.data.transaction_id)).some((s) => s.endsWith(':asked_again')));
    });
  }

  test('in process with a payment_id (…102), and DUPLICATED (…409): payment/status decides, succeeded', async () => {
    for (const magic of ['102', '409']) {
      const { body } = await post(bridge, '/payment/uzum', { amount: 900, qr_code: code(magic) });
      assert.equal(body.is_success, true, JSON.stringify(body));
      assert.ok(emulator.requests.some((r) => r.path.endsWith('/payment/status') && (r.body as { payment_id?: string }).payment_id === body.data.payment_id));
    }
  });

  test('uzum_cancel gives the whole payment back by order id; a partial one is refused before Uzum hears of it', async () => {
    const paid = (await post(bridge, '/payment/uzum', { amount: 5000, qr_code: code() })).body.data;
    const before = emulator.requests.length;
    const partial = await post(bridge, '/payment/uzum_cancel', { transaction_id: paid.transaction_id, amount: 1000 });
    assert.equal(partial.body.is_success, false);
    assert.equal(emulator.requests.length, before, 'nothing sent');
    const whole = await post(bridge, '/payment/uzum_cancel', { payment_id: paid.payment_id });
    assert.equal(whole.body.is_success, true, JSON.stringify(whole.body));
    assert.equal(whole.body.data.refunded_amount, 5000);
    assert.equal(whole.body.data.transaction_status, 'cancelled');
    const r = emulator.requests.at(-1)!;
    assert.equal(r.method, 'PUT');
    assert.equal(r.path, `/api/apelsin-pay/merchant/v2/payment/reversal/${paid.transaction_id}`);
    assert.deepEqual(contractProblems('PUT v2/payment/reversal', r.body), []);
    assert.equal(emulator.paymentById(paid.payment_id)!.reversed, true);
  });

  test('a reversal refused by Uzum (…643) is 104 and the payment stays paid; one whose answer was lost (…644) is settled by payment/status', async () => {
    const refused = (await post(bridge, '/payment/uzum', { amount: 3000, qr_code: code('643') })).body.data;
    const r1 = await post(bridge, '/payment/uzum_cancel', { transaction_id: refused.transaction_id });
    assert.equal(r1.body.is_success, false);
    assert.match(String(r1.body.error!.data), /apelsin\.pay\.reverse\.not\.allowed/);
    assert.equal((await bridge.journal.get(refused.transaction_id))!.status, 'succeeded');

    const lost = (await post(bridge, '/payment/uzum', { amount: 3000, qr_code: code('644') })).body.data;
    const r2 = await post(bridge, '/payment/uzum_cancel', { transaction_id: lost.transaction_id });
    assert.equal(r2.body.is_success, false);
    assert.equal(r2.body.error!.give_back_status, 'unknown');
    await post(bridge, '/payment/recovery/run', {});
    assert.equal((await bridge.journal.get(lost.transaction_id))!.status, 'cancelled');
    assert.equal(emulator.paymentById(lost.payment_id)!.reversalRequests, 1, 'never sent twice');
  });

  test('uzum_confirm hands the fiscal receipt to payment/fiscal and answers in FiscalBox’s fields', async () => {
    const paid = (await post(bridge, '/payment/uzum', { amount: 500, qr_code: code() })).body.data;
    const url = 'https://ofd.soliq.uz/check?t=UZ170703100597&r=2421&c=20230104121801&s=514343190161';
    const { body } = await post(bridge, '/payment/uzum_confirm', `{\n    "payment_id":"${paid.payment_id}",\n    "qr_code":"${url}",    \n}`);
    assert.equal(body.is_success, true, JSON.stringify(body));
    assert.equal(body.data.payment_id, paid.payment_id);
    assert.equal(body.data.payment_status, 'SUCCESS');
    assert.equal(body.data.error_code, '0');
    assert.equal(body.data.error_message, null);
    assert.ok('client_phone_number' in body.data);
    assert.equal(emulator.paymentById(paid.payment_id)!.fiscalUrl, url);
    const r = emulator.requests.at(-1)!;
    assert.deepEqual(contractProblems('POST payment/fiscal', r.body), []);
  });
});

describe('the Uzum client and outcome table', () => {
  test('an Authorization older than 50 s is refused by the emulator with error_code 403, and the table declines it', async () => {
    const emulator = await new UzumEmulator({ ...SANDBOX_UZUM, lostAnswerDelayMs: 5_000, processingMs: 300 }).start();
    try {
      const credentials = { baseUrl: emulator.baseUrl, serviceId: SANDBOX_UZUM.serviceId, merchantServiceUserId: SANDBOX_UZUM.merchantServiceUserId, secretKey: SANDBOX_UZUM.secretKey, cashboxCode: 'k' };
      const stale = new UzumClient(credentials, { connectMs: 1_000, responseMs: 1_000 }, undefined, () => Date.now() - 60_000);
      const x = await stale.payment({ amount: 100, otpData: code(), orderId: 'o-1', transactionId: '6b1c1f0e-8f34-4a56-9d7a-2f1f0c9d0e11' });
      assert.equal(classify(UZUM_PAYMENT, keys(x)).answer, 'error_code 403');
      assert.equal(emulator.byOrderId('o-1'), undefined, 'nothing charged');
      const wrong = new UzumClient({ ...credentials, secretKey: 'wrong' }, { connectMs: 1_000, responseMs: 1_000 });
      const y = await wrong.status('x');
      assert.equal(classify(UZUM_STATUS, keys(y)).outcome, 'uncertain', 'a refused question says nothing of the payment');
      assert.equal(classify(UZUM_PAYMENT, keys(y)).answer, 'HTTP 401');
      await Promise.all([stale.close(), wrong.close()]);
    } finally {
      await emulator.close();
    }
  });

  test('recovery asks payment/status by a journaled payment_id, and without one asks nothing and leaves the payment unknown', async () => {
    const emulator = await new UzumEmulator({ ...SANDBOX_UZUM, lostAnswerDelayMs: 5_000, processingMs: 300 }).start();
    const client = new UzumClient(
      { baseUrl: emulator.baseUrl, serviceId: SANDBOX_UZUM.serviceId, merchantServiceUserId: SANDBOX_UZUM.merchantServiceUserId, secretKey: SANDBOX_UZUM.secretKey, cashboxCode: 'k' },
      { connectMs: 1_000, responseMs: 1_000 },
    );
    const provider = new UzumFastPay(client, { pollIntervalMs: 50, statusDeadlineMs: 1_000, notFoundAfterMs: 300 });
    try {
      const id = '0f8fad5b-d9cb-469f-a165-70867728950e';
      const paid = await provider.charge({ transactionId: id, amount: 800, qrCode: code(), createdAt: Date.now() }, async () => {});
      assert.equal(paid.status, 'succeeded');
      const pid = paid.status === 'succeeded' ? paid.providerPaymentId : '';
      const recovered = await provider.recover({ transactionId: id, amount: 800, createdAt: Date.now(), sentAt: Date.now(), providerPaymentId: pid }, async () => {});
      assert.equal(recovered.status, 'succeeded');
      const before = emulator.requests.length;
      const blind = await provider.recover({ transactionId: 'a7c3e0a2-5f59-4a0e-9d2b-4f1d2a1c9e55', amount: 800, createdAt: Date.now(), sentAt: Date.now(), providerPaymentId: null }, async () => {});
      assert.equal(blind.status, 'unknown');
      assert.match(blind.status === 'unknown' ? blind.reason : '', /merchant cabinet/);
      assert.equal(emulator.requests.length, before, 'nothing sent: the charge is never repeated by recovery');
      const neverSent = await provider.recover({ transactionId: 'c2b6f3f4-1d1e-4c55-8f0c-3a6c1b2d9e77', amount: 800, createdAt: Date.now(), sentAt: Date.now(), providerPaymentId: null, steps: ['received'] }, async () => {});
      assert.equal(neverSent.status, 'failed', 'the journal shows the charge never left: nothing charged');
      const sentBlind = await provider.recover({ transactionId: 'c2b6f3f4-1d1e-4c55-8f0c-3a6c1b2d9e78', amount: 800, createdAt: Date.now(), sentAt: Date.now(), providerPaymentId: null, steps: ['received', 'sending_to_uzum'] }, async () => {});
      assert.equal(sentBlind.status, 'unknown', 'sent, and Uzum never named it: unknown');
      assert.equal(emulator.requests.length, before);
      const gone = await provider.recover({ transactionId: id, amount: 800, createdAt: Date.now() - 5_000, sentAt: Date.now() - 5_000, providerPaymentId: 'no-such-payment' }, async () => {});
      assert.equal(gone.status, 'failed', 'not found, asked late enough and twice');
    } finally {
      await provider.close();
      await emulator.close();
    }
  });

  test('a payment_id learnt from a repeat is proven absent only late enough after the repeat: the repeat may have made it (found by the simulator)', async () => {
    // The first request and the first repeat never reach Uzum; the second repeat makes the payment,
    // in process, and Uzum's status shows it only 299 ms later (its not_found_after_ms is 300).
    const clock = new ClockedUzum();
    const provider = new UzumFastPay(
      new UzumClient({ baseUrl: 'https://uzum.test/', serviceId: 1, merchantServiceUserId: '7', secretKey: 's', cashboxCode: 'k' }, { connectMs: 100, responseMs: 100 }, undefined, () => clock.now(), clock),
      { clock, pollIntervalMs: 200, statusDeadlineMs: 2_000, notFoundAfterMs: 300 },
    );
    let outcome: Awaited<ReturnType<UzumFastPay['charge']>> | undefined;
    void provider.charge({ transactionId: '0f8fad5b-d9cb-469f-a165-70867728950e', amount: 800, qrCode: code(), createdAt: clock.now() }, async () => {}).then((o) => (outcome = o));
    while (!outcome) await clock.advance(50);
    assert.equal(clock.madeAt !== undefined, true, 'the repeat made the payment');
    assert.equal(outcome.status, 'succeeded', `${JSON.stringify(outcome)}: two not-founds within 300 ms of the repeat that made it prove nothing`);
  });

  test('the table: in process and duplicates are uncertain, SUCCESS paid, a refusal of a repeat proves nothing', () => {
    const reply = (r: Record<string, unknown>) => ({ kind: 'reply' as const, reply: r as never });
    assert.equal(classify(UZUM_PAYMENT, keys(reply({ error_code: 0, payment_id: 'p', payment_status: 'SUCCESS' }))).outcome, 'paid');
    assert.equal(classify(UZUM_PAYMENT, keys(reply({ error_code: 0, payment_status: 'SUCCESS' }))).outcome, 'uncertain', 'no payment_id');
    assert.equal(classify(UZUM_PAYMENT, keys(reply({ error_code: 0, payment_id: 'p', payment_status: 'FAILED' }))).outcome, 'declined');
    assert.equal(classify(UZUM_PAYMENT, keys(reply({ error_code: 0, payment_id: 'p', payment_status: 'DUPLICATED' }))).outcome, 'uncertain');
    assert.equal(classify(UZUM_PAYMENT, keys(reply({ error_code: 400, error_message: 'operation.is.inProcess' }))).outcome, 'uncertain');
    assert.equal(classify(UZUM_PAYMENT, keys(reply({ error_code: 400, error_message: 'order.id.duplicated' }))).outcome, 'uncertain');
    // 400 mixes refusals with "Service is unavailable" (the contract's table): without a documented message it proves nothing.
    assert.equal(classify(UZUM_PAYMENT, keys(reply({ error_code: 400, error_message: null }))).outcome, 'uncertain');
    assert.equal(classify(UZUM_PAYMENT, keys(reply({ error_code: '400', error_message: 'operation.failed' }))).outcome, 'declined', 'a code as a string, a documented refusal');
    assert.equal(classify(UZUM_PAYMENT, keys(reply({ error_code: 499, error_message: 'something.new' }))).outcome, 'uncertain', 'a code the contract does not name');
    assert.equal(classify(UZUM_PAYMENT, keys(reply({ payment_status: 'SUCCESS' }))).outcome, 'uncertain', 'no error_code');
    assert.equal(classify(UZUM_PAYMENT, keys({ kind: 'http', statusCode: 502, garbage: false, body: '' })).outcome, 'uncertain');
    assert.equal(classify(UZUM_PAYMENT, keys({ kind: 'no_answer', error: 'timeout' })).outcome, 'uncertain');
    assert.equal(classify(UZUM_PAYMENT, keys({ kind: 'not_sent', code: 'ECONNREFUSED', error: '' })).outcome, 'declined');
    assert.equal(classify(UZUM_PAYMENT_AGAIN, keys(reply({ error_code: 400, error_message: 'apelsin.pay.user.otp.data.expired' }))).outcome, 'uncertain');
    assert.equal(classify(UZUM_PAYMENT_AGAIN, keys(reply({ error_code: 0, payment_id: 'p', payment_status: 'FAILED' }))).outcome, 'uncertain');
    assert.equal(classify(UZUM_STATUS, keys(reply({ error_code: 404, error_message: 'operation.not.found' }))).outcome, 'not_found');
    assert.equal(classify(UZUM_STATUS, keys(reply({ error_code: 0, payment_id: 'p', payment_status: 'HOLD' }))).outcome, 'uncertain');
    assert.equal(classify(UZUM_STATUS, keys(reply({ error_code: 0, payment_id: 'p', payment_status: 'REVERSED' }))).outcome, 'uncertain');
    // The status of an id taken from a DUPLICATED answer or a repeat: only SUCCESS settles anything.
    assert.equal(classify(UZUM_STATUS_BORROWED, keys(reply({ error_code: 0, payment_id: 'p', payment_status: 'FAILED' }))).outcome, 'uncertain');
    assert.equal(classify(UZUM_STATUS_BORROWED, keys(reply({ error_code: 404, error_message: 'operation.not.found' }))).outcome, 'uncertain');
    assert.equal(classify(UZUM_STATUS_BORROWED, keys(reply({ error_code: 0, payment_id: 'p', payment_status: 'SUCCESS' }))).outcome, 'paid');
  });
});

describe('Uzum Fast Pay in sandbox mode', () => {
  test('the built-in emulator is started and wired: a payment, then its cancel, with no configuration', async () => {
    const bridge = await startTestBridge();
    try {
      const { body } = await post(bridge, '/payment/uzum', { amount: 2500, qr_code: code() });
      assert.equal(body.is_success, true, JSON.stringify(body));
      assert.equal(body.data.payment_status, 'SUCCESS');
      const cancel = await post(bridge, '/payment/uzum_cancel', { transaction_id: body.data.transaction_id });
      assert.equal(cancel.body.is_success, true, JSON.stringify(cancel.body));
      assert.equal((await bridge.journal.get(body.data.transaction_id))!.status, 'cancelled');
    } finally {
      await bridge.close();
    }
  });
});

/**
 * A clock that is also Uzum's wire: v2/payment lost twice, then made in process by the third try;
 * payment/status "not found" until 299 ms after that, then SUCCESS.
 */
class ClockedUzum extends ManualClock implements ProviderTransport {
  readonly lastClockOffsetMs = undefined;
  private sends = 0;
  madeAt: number | undefined;

  async send(_method: string, url: string): Promise<HttpResponse> {
    const reply = (body: unknown): HttpResponse => ({ statusCode: 200, body: JSON.stringify(body) });
    if (url.endsWith('v2/payment')) {
      if (++this.sends < 3) throw new TransportError('connection lost: socket hang up', true, 'ECONNRESET');
      this.madeAt ??= this.now();
      return reply({ error_code: 0, error_message: 'operation.is.inProcess', payment_id: 'p-1' });
    }
    if (this.madeAt === undefined || this.now() < this.madeAt + 299) return reply({ error_code: 404, error_message: 'operation.not.found' });
    return reply({ payment_id: 'p-1', payment_status: 'SUCCESS', error_code: 0, error_message: null });
  }

  async close(): Promise<void> {}
}
