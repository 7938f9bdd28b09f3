import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { failureReason } from '../src/i18n/failure-reason.js';
import { post, startTestBridge, uniqueQr, type TestBridge } from './helpers.js';

/**
 * A failed transaction says why in words for people (issue #28: the console showed "104: BILLING_ERROR
 * — (400: apelsin.pay.wrong.prefix.otp.data)"): `error.reason` in the language asked for, the code,
 * message and raw detail kept beside it. Real sandbox declines, read back through the API.
 */
describe('why a journaled transaction failed, for people', () => {
  let bridge: TestBridge;
  before(async () => {
    bridge = await startTestBridge((c) => {
      c.sandbox.terminal_timeout_ms = 5_000;
    });
  });
  after(() => bridge?.close());

  const read = async (id: string, language: string) => {
    const res = await bridge.server.inject({ method: 'GET', url: `/payment/transactions/${id}`, headers: { 'accept-language': language } });
    return res.json().data;
  };

  it('a pinpad decline: the code spelled out, then what it means, in the language asked for; the raw error kept', async () => {
    const declined = await post(bridge, '/payment/uzcard', { amount: 11_600 });
    assert.equal(declined.body.is_success, false);
    const id = declined.body.error!.transaction_id as string;
    const ru = await read(id, 'ru');
    assert.equal(ru.status, 'failed');
    assert.equal(ru.error.reason, 'Недостаточно средств. Терминал не провёл оплату; деньги не списаны.');
    assert.equal(Object.keys(ru.error)[0], 'reason', 'the reason comes first');
    assert.match(ru.error.data, /^116\b/, 'the pinpad’s own code is still there');
    assert.equal((await read(id, 'uz')).error.reason, 'Mablagʻ yetarli emas. Terminal toʻlovni oʻtkazmadi; pul yechilmadi.');
    const listed = (await bridge.server.inject({ method: 'GET', url: '/payment/transactions?status=failed&limit=5', headers: { 'accept-language': 'en' } })).json().data.items;
    assert.equal(listed.find((t: { transaction_id: string }) => t.transaction_id === id).error.reason, 'Insufficient funds. The terminal did not take the payment; nothing was charged.');
  });

  it('a wallet’s refusal: the sentence the till was told, not BILLING_ERROR', async () => {
    // Click's sandbox declines a code ending in 116 (not enough money); in the confirmation mode PayBridge never confirms it: failed.
    const r = await post(bridge, '/payment/click', { amount: 5_000, qr_code: uniqueQr().replace(/777$/, '116') });
    assert.equal(r.body.is_success, false, JSON.stringify(r.body));
    const tx = await read(r.body.error!.transaction_id as string, 'ru');
    assert.equal(tx.status, 'failed', JSON.stringify(tx));
    assert.equal(tx.error.reason, 'Платёжная система не приняла платёж; деньги не списаны.');
    assert.equal(tx.error.message, 'BILLING_ERROR');
  });

  it('nothing to explain for what did not fail', () => {
    const error = { code: 104, message: 'BILLING_ERROR', data: 'OUTCOME_UNKNOWN' };
    assert.equal(failureReason({ method: 'click', kind: 'payment', status: 'unknown', error }, 'ru'), null);
    assert.equal(failureReason({ method: 'click', kind: 'payment', status: 'succeeded', error: null }, 'ru'), null);
    assert.equal(failureReason({ method: 'uzum', kind: 'refund', status: 'failed', error: { ...error, data: '400: apelsin.pay.reverse.not.allowed' } }, 'en'), 'The provider refused to give the money back; nothing was given back by this request.');
    assert.equal(failureReason({ method: 'humo', kind: 'payment', status: 'failed', error: { code: 109, message: 'NOT_SENT', data: 'NOT_SENT: never handed to the terminal' } }, 'en'), 'The terminal did not take the payment; nothing was charged.');
  });
});
