import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openSqlite } from '../src/journal/sqlite/connection.js';
import { passesLuhn } from '../src/payments/masking.js';
import { SANDBOX_CLICK, SANDBOX_PAYME, SANDBOX_UZUM } from '../src/sandbox/credentials.js';
import { TERMINAL_MAGIC } from '../src/sandbox/card-terminal/emulated-terminal.js';
import { get, post, startTestBridge, uniqueQr, type TestBridge } from './helpers.js';

const TOKEN = 'secret-token-7f3a9c1e5b2d4f60';
const SECRETS = [SANDBOX_CLICK.secretKey, SANDBOX_PAYME.cashboxKey, SANDBOX_UZUM.secretKey, TOKEN];

/** A whole card number: 16–19 digits of a card scheme's ranges (Humo, UzCard, Visa, Mastercard, UnionPay) passing Luhn. */
function fullPans(text: string): string[] {
  // Not after a decimal point: the digits of a float (a response time in ms) are not a card.
  return [...text.matchAll(/(?<![\d.])(?:9860|8600|4\d{3}|5[1-5]\d{2}|2[2-7]\d{2}|62\d{2})\d{12,15}(?!\d)/g)].map((m) => m[0]).filter(passesLuhn);
}

/** Every row of every table of the journal, as text. */
function dumpJournal(path: string): string {
  const db = openSqlite(path, 'auto');
  try {
    const tables = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).all() as { name: string }[];
    return tables.map(({ name }) => JSON.stringify(db.prepare(`SELECT * FROM "${name}"`).all())).join('\n');
  } finally {
    db.close();
  }
}

describe('secrets and card numbers never reach the logs or the journal', () => {
  let bridge: TestBridge;
  const auth = { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` };

  before(async () => {
    bridge = await startTestBridge((c) => {
      c.server.api_token = TOKEN;
      c.log.level = 'trace';
    });
  });
  after(() => bridge.close());

  it('after a full sandbox run: QR payments, declines, a cancel, a fiscal hand-off, card payments whose slips print the whole card number', async () => {
    const paid = await post(bridge, '/payment/click', { amount: 1_000, qr_code: uniqueQr() }, auth);
    assert.equal(paid.body.is_success, true);
    await post(bridge, '/payment/click', { amount: 1_000, qr_code: '880101698207133116' }, auth);
    await post(bridge, '/payment/click', { amount: 1_000, qr_code: '880101698207133502' }, auth);
    await post(bridge, '/payment/click_confirm', { payment_id: paid.body.data.payment_id, qr_code: 'https://ofd.soliq.uz/check?t=EP000000000123&r=1542&c=20261123150102&s=512345678901' }, auth);
    await post(bridge, '/payment/click_cancel', { transaction_id: paid.body.data.transaction_id }, auth);
    const payme = await post(bridge, '/payment/payme', { amount: 2_000, qr_code: uniqueQr() }, auth);
    assert.equal(payme.body.is_success, true);
    await post(bridge, '/payment/payme', { amount: 2_000, qr_code: '880101698207133116' }, auth);
    // Uzum: a payment, a decline and a lost answer (codes of 40 characters, the last three the magic).
    const uzum = await post(bridge, '/payment/uzum', { amount: 3_000, qr_code: '880101698207133392' }, auth);
    assert.equal(uzum.body.is_success, true, JSON.stringify(uzum.body));
    for (const magic of ['116', '502']) await post(bridge, '/payment/uzum', { amount: 3_000, qr_code: `${'4'.repeat(37)}${magic}` }, auth);
    await post(bridge, '/payment/uzum_cancel', { transaction_id: uzum.body.data.transaction_id }, auth);
    await post(bridge, '/payment/click', { amount: 500, qr_code: '1', card_number: '9860091000097856' }, auth);
    await post(bridge, '/payment/click', { amount: 500 }, { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}wrong` });

    const humo = await post(bridge, '/payment/xumo', { amount: TERMINAL_MAGIC.fullPan }, auth);
    const uzcard = await post(bridge, '/payment/uzcard', { amount: TERMINAL_MAGIC.fullPan }, auth);
    for (const [name, answer] of [['humo', humo], ['uzcard', uzcard]] as const) {
      assert.equal(answer.body.is_success, true, `${name}: ${JSON.stringify(answer.body)}`);
      assert.deepEqual(fullPans(answer.body.data.message), [], `${name}: the till gets the slip with the number masked`);
      assert.match(answer.body.data.message, /(986009|544081)\*{6}(7856|5040)/, `${name}: first six and last four stay`);
    }
    await post(bridge, '/payment/uzcard', { amount: TERMINAL_MAGIC.fullPan, request_id: uzcard.body.data.ppt_id, is_return: true }, auth);
    await bridge.server.inject({ method: 'GET', url: '/payment/xumo/print_last', headers: auth });
    await bridge.server.inject({ method: 'GET', url: '/payment/xumo_close', headers: auth });
    const listed = await bridge.server.inject({ method: 'GET', url: '/payment/transactions?limit=50', headers: auth });
    for (const item of listed.json().data.items) await bridge.server.inject({ method: 'GET', url: `/payment/transactions/${item.transaction_id}`, headers: auth });
    void get;

    const logs = bridge.logs.text;
    const journal = dumpJournal(bridge.config.journal.path!);
    assert.ok(logs.length > 10_000 && journal.length > 5_000, 'the run wrote plenty');
    assert.match(journal, /986009\*{6}7856/, 'the masked card number is kept');
    for (const [where, text] of [['logs', logs], ['journal', journal]] as const) {
      for (const secret of SECRETS) assert.ok(!text.includes(secret), `${where} contain the secret ${secret.slice(0, 4)}…`);
      assert.deepEqual(fullPans(text), [], `${where} contain a whole card number`);
      assert.doesNotMatch(text, new RegExp(`${SANDBOX_CLICK.merchantUserId}:[0-9a-f]{40}:\\d+`), `${where} contain a Click Auth header`);
      assert.doesNotMatch(text, new RegExp(`${SANDBOX_UZUM.merchantServiceUserId}:[0-9a-f]{40}:\\d+`), `${where} contain an Uzum Authorization header`);
      assert.doesNotMatch(text, /Bearer [\x21-\x7e]{8,}/, `${where} contain a bearer token`);
    }
  });

  it('the pattern used above does find a whole card number', () => {
    assert.deepEqual(fullPans('card 9860091000097856 and 5440811000085040, not 880101698207133392 nor 9860091000097857 nor 0.4674009999998816'), [
      '9860091000097856',
      '5440811000085040',
    ]);
  });
});
