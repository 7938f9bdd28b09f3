import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { TERMINAL_GIVE_BACK_MAGIC } from '../src/sandbox/card-terminal/emulated-terminal.js';
import { formatSoum } from '../src/i18n/money.js';
// @ts-expect-error: the console's own module, plain browser JavaScript without types
import { makeFormat } from '../public/console/format.js';
// @ts-expect-error: the console's words, plain browser JavaScript without types
import { WORDS } from '../public/console/i18n.js';
import { join } from 'node:path';
import pino from 'pino';
import { failure } from '../src/http/envelope.js';
import { SqliteJournal } from '../src/journal/sqlite/sqlite-journal.js';
import { CardPaymentService, type CardTerminal } from '../src/payments/card-payment-service.js';
import { PayBridgeError } from '../src/payments/errors.js';
import { TerminalLinkError, type TerminalAnswer, type TerminalDriver } from '../src/payments/ports/terminal.js';
import { TerminalQueue } from '../src/payments/terminal-queue.js';
import { BRIDGE_OUTCOMES } from '../src/terminals/outcomes.js';
import { post, startTestBridge, tempDir, uniqueQr, type TestBridge } from './helpers.js';

/**
 * What the people at the till are told (issue #25 item 5): an unknown outcome's answer carries
 * `transaction_status: "unknown"` and, in the shop's language, what to do; the provider's or the
 * terminal's words travel apart in `provider_said`; PayBridge's own refusals are not the provider's;
 * amounts read the shop's way, as the console prints them.
 */

const json = (language?: string) => ({ 'content-type': 'application/json', ...(language ? { 'accept-language': language } : {}) });
/** A dot between digits: an amount printed as a JSON literal ("999.00"), not the shop's way. */
const LITERAL_AMOUNT = /\d\.\d\d(?!\d)/;
const LOST = TERMINAL_GIVE_BACK_MAGIC.answerLost;
const LATIN_WORDS = /\b(the|payment|provider|Click|could|not|HTTP|answer|Do)\b/;

describe('the till’s answer when the outcome is unknown', () => {
  let bridge: TestBridge;

  before(async () => {
    bridge = await startTestBridge((c) => {
      // "535": CLICK charges, answers 504, and its status lookups answer −500 for this long: the
      // payment stays unknown past click.status_deadline_ms (2 s in the tests' configuration).
      c.sandbox.click.status_lag_ms = 600_000;
      // Without CLICK's confirmation mode: in it, a charge whose answer was lost is settled by CLICK's own
      // lapse (never confirmed, cancelled), so it would not stay unknown for the dialog to decide.
      c.click!.confirm_mode = false;
      c.recovery.interval_ms = 3_600_000;
    });
  });
  after(async () => {
    await bridge?.close();
  });

  test('a pinpad give-back whose answer is lost, asked in Uzbek: headline and reason in Uzbek, the headline says the card may be credited', async () => {
    const paid = await post(bridge, '/payment/uzcard', { amount: 100_000 });
    assert.equal(paid.body.is_success, true, JSON.stringify(paid.body));
    const rrn = String(paid.body.data.ppt_id);
    const { body } = await post(bridge, '/payment/uzcard', { request_id: rrn, amount: TERMINAL_GIVE_BACK_MAGIC.answerLost, is_return: true }, json('uz'));
    const error = body.error!;
    assert.equal(body.is_success, false);
    assert.deepEqual(Object.keys(body), ['data', 'error', 'is_success']);
    assert.deepEqual(Object.keys(error).slice(0, 3), ['code', 'message', 'data'], 'the contract’s fields first');
    assert.equal(error.code, 109);
    assert.equal(error.transaction_status, 'unknown');
    // Not "no connection" alone: the headline says the money may already be back on the card.
    assert.equal(error.message, 'Qaytarish natijasi nomaʼlum (PIN-pad bilan aloqa yoʻq): pul kartaga qaytgan boʻlishi mumkin.');
    assert.match(String(error.reason), /^Qaytarishni takrorlamang: pul xaridorning kartasiga allaqachon qaytgan boʻlishi mumkin\. PIN-pad ekraniga yoki uning chekiga \(slipga\) qarang va menejerni chaqiring/);
    assert.doesNotMatch(String(error.reason), LATIN_WORDS, 'no English in the cashier’s sentence');
    // The integrator's detail stays in English, where it always was.
    assert.equal(error.data, '999 No connection with PIN pad');
    assert.equal(error.response_code, '999');
    assert.equal(typeof error.transaction_id, 'string');
    // PayBridge's account of the exchange, apart from the cashier's sentence.
    assert.match(String(error.provider_said), /terminal/);
    const keys = Object.keys(error);
    assert.ok(keys.indexOf('transaction_id') < keys.indexOf('provider_said'), `ids before the free text: ${keys.join(', ')}`);
    assert.equal((await bridge.journal.get(String(error.transaction_id)))?.status, 'unknown');

    // PayBridge's own ledger refuses more than is left: its sentence, amounts the shop's way, nobody's "answer".
    const over = (await post(bridge, '/payment/uzcard', { request_id: rrn, amount: 100_000, is_return: true }, json('ru'))).body;
    assert.equal(over.error?.code, 106, JSON.stringify(over));
    const shown = `${over.error?.message} ${over.error?.reason}`;
    assert.doesNotMatch(shown, LITERAL_AMOUNT, `no "999.00" beside "200,00": ${shown}`);
    for (const tiyin of [100_000, LOST, 100_000 - LOST]) assert.ok(shown.includes(formatSoum(tiyin, 'ru')), `${formatSoum(tiyin, 'ru')} in ${shown}`);
    assert.ok(shown.includes('1\u00a0000,00\u00a0сум'), shown);
    assert.doesNotMatch(shown, /Ответ провайдера|Её ответ|провайдер/i);
    assert.equal(over.error?.provider_said, undefined, 'a refusal of PayBridge’s own carries no provider’s words');
    assert.equal(over.error?.remaining_amount, 100_000 - LOST);
  });

  test('a QR payment whose outcome is unknown: the reason in Russian without the provider’s English, which is in provider_said', async () => {
    const { body } = await post(bridge, '/payment/click', { amount: 12_345_600, qr_code: uniqueQr().slice(0, -3) + '535' });
    const error = body.error!;
    assert.equal(body.is_success, false, JSON.stringify(body));
    assert.deepEqual(Object.keys(error).slice(0, 3), ['code', 'message', 'data']);
    assert.equal(error.code, 104);
    assert.equal(error.message, 'BILLING_ERROR', 'the contract’s message');
    assert.equal(error.data, 'OUTCOME_UNKNOWN');
    assert.equal(error.transaction_status, 'unknown');
    assert.equal(
      error.reason,
      'Не проводите платёж снова: деньги могли быть списаны. Попросите покупателя посмотреть в приложении Click, списаны ли деньги, и позовите менеджера; PayBridge продолжает проверять.',
    );
    assert.doesNotMatch(String(error.reason), /\b(the|payment|provider|could|HTTP|answer|not)\b/, 'no English in the cashier’s sentence');
    assert.match(String(error.provider_said), /Click/);
    assert.match(String(error.provider_said), /[A-Za-z]{4,} [a-z]{3,}/, 'the provider’s account, in English');
    assert.ok(!String(error.reason).includes(String(error.provider_said)));
    const tx = await bridge.journal.get(String(error.transaction_id));
    assert.equal(tx?.status, 'unknown');
  });

  test('a QR give-back whose answer is lost names the give-back and the app, in each language', async () => {
    const paid = await post(bridge, '/payment/click', { amount: 5_000, qr_code: uniqueQr().slice(0, -3) + '604' });
    assert.equal(paid.body.is_success, true, JSON.stringify(paid.body));
    const { body } = await post(bridge, '/payment/click_cancel', { transaction_id: paid.body.data.transaction_id }, json('en'));
    const error = body.error!;
    assert.equal(error.code, 104);
    assert.equal(error.give_back_status, 'unknown');
    assert.equal(error.transaction_status, 'unknown', 'whether the payment’s money is still the shop’s is not known');
    assert.match(String(error.reason), /^Do not repeat the give-back: the money may already be back with the customer\. Ask the customer to look in the Click app/);
    assert.ok(error.provider_said, 'what CLICK answered, apart');
  });
});

describe('a shift close whose answer is lost', () => {
  test('is unknown too: transaction_status unknown, the headline and what to do in the shop’s language, PayBridge’s account apart', async () => {
    const journal = new SqliteJournal({ path: join(tempDir(), 'journal.sqlite'), driver: 'auto', origin: { instance: 'words', inFlightLeaseMs: 60_000 } });
    try {
      const refused = (): TerminalAnswer => ({ code: '902', slip: '', rrn: null, receiptNumber: null, shiftNumber: null, authCode: null, terminalId: 'T1' });
      // A terminal that takes the close and loses its answer, and cannot be asked about one request.
      const driver: TerminalDriver = {
        kind: 'scripted',
        outcomes: BRIDGE_OUTCOMES,
        exactStatus: false,
        purchase: async () => refused(),
        cancel: async () => refused(),
        refund: async () => refused(),
        closeShift: async () => {
          throw new TerminalLinkError('the link dropped after the close was sent', true);
        },
        lastSlip: async () => refused(),
        status: async () => refused(),
        close: async () => {},
      };
      const terminal: CardTerminal = { id: 'humo-1', method: 'humo', isDefault: true, driver, queue: new TerminalQueue(1_000) };
      const cards = new CardPaymentService(journal, [terminal], pino({ level: 'silent' }), { allowForeignRrns: false }, { leaseMs: 60_000 });
      const thrown = await cards.closeShift('humo').then(
        () => assert.fail('a lost close is no success'),
        (err: unknown) => err,
      );
      assert.ok(thrown instanceof PayBridgeError, String(thrown));
      const { error } = failure(thrown, 'uz');
      assert.equal(error!.code, 108);
      assert.deepEqual(Object.keys(error!).slice(0, 3), ['code', 'message', 'data']);
      assert.equal(error!.message, 'Smena yopilgan-yopilmagani nomaʼlum (PIN-pad bilan aloqa yoʻq).');
      assert.equal(error!.reason, 'Smenani qayta yopmang: yopilgan-yopilmaganini bilish uchun terminalda oxirgi hisobotni chop eting va menejerni chaqiring.');
      assert.equal(error!.transaction_status, 'unknown');
      assert.equal(error!.close_state, 'unknown');
      assert.match(String(error!.provider_said), /the link dropped.*print the last report/);
      assert.equal((await journal.listShiftCloses({ terminal: 'humo-1', limit: 1 }))[0]?.state, 'unknown');
    } finally {
      journal.close();
    }
  });
});

describe('one way to print an amount', () => {
  test('the till’s sentences and the console print every amount alike, in each language', () => {
    for (const [lang, words] of Object.entries(WORDS as Record<'ru' | 'uz' | 'en', unknown>) as ['ru' | 'uz' | 'en', unknown][]) {
      const console = makeFormat(lang, 'Asia/Tashkent', words);
      for (const tiyin of [0, 5, 99, 100, 20_000, 99_900, 123_456, 100_000_000, 9_007_199_254_740_991]) {
        assert.equal(formatSoum(tiyin, lang), console.money(tiyin), `${lang} ${tiyin}`);
      }
    }
    assert.equal(formatSoum(99_900, 'ru'), '999,00\u00a0сум');
    assert.equal(formatSoum(123_456, 'en'), '1,234.56\u00a0soum');
  });
});
