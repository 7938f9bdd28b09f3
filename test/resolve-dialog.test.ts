import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { get, post, startTestBridge, uniqueQr, type TestBridge } from './helpers.js';

/**
 * The manager's "decide the outcome" dialog (issue #25 item 5), driven in Debian's chromium: for an
 * unknown payment, an unknown cancel and an unknown refund, in Russian and in Uzbek, it names the
 * operation and the direction of the money in plain words, shows what PayBridge knows, will not save
 * without a choice and a reason, and what is recorded is what the words said.
 */

const CHROMIUM = process.env.PAYBRIDGE_CHROMIUM ?? '/usr/bin/chromium';
const haveBrowser = existsSync(CHROMIUM);
if (!haveBrowser && process.env.CI) throw new Error(`the resolve dialog's browser test needs Debian's chromium at ${CHROMIUM}`);
const WAIT = { timeout: 15_000 };
const clickCode = (magic: string) => uniqueQr().slice(0, -3) + magic;

type Lang = 'ru' | 'uz';
type Op = 'payment' | 'cancel' | 'refund';

/** What the dialog must say, per language and operation: title, the operation's line, the two choices. */
const SAYS: Record<Lang, Record<Op, { title: string; what: RegExp; help: RegExp; yes: string; no: string }>> = {
  ru: {
    payment: { title: 'Решить исход оплаты', what: /^Оплата Click на 1\s234,00\sсум, /, help: /списаны ли деньги с покупателя/, yes: 'Деньги списаны с покупателя', no: 'Деньги не списаны' },
    cancel: { title: 'Решить исход отмены', what: /^Отмена платежа Click: покупателю 50,00\sсум, /, help: /вернулись ли деньги покупателю.*не возвращайте эти деньги снова/, yes: 'Деньги вернулись покупателю', no: 'Деньги не вернулись' },
    refund: { title: 'Решить исход возврата', what: /^Возврат по платежу Click: покупателю 20,00\sсум, /, help: /вернулись ли деньги покупателю/, yes: 'Деньги вернулись покупателю', no: 'Деньги не вернулись' },
  },
  uz: {
    payment: { title: 'Toʻlov natijasini hal qilish', what: /^Click orqali toʻlov: 1\s234,00\ssoʻm, /, help: /xaridordan pul yechilgan-yechilmaganini/, yes: 'Pul xaridordan yechilgan', no: 'Pul yechilmagan' },
    cancel: { title: 'Bekor qilish natijasini hal qilish', what: /^Click toʻlovini bekor qilish: xaridorga 50,00\ssoʻm, /, help: /pul xaridorga qaytgan-qaytmaganini.*qayta qaytarmang/, yes: 'Pul xaridorga qaytgan', no: 'Pul qaytmagan' },
    refund: { title: 'Qaytarish natijasini hal qilish', what: /^Click toʻlovi boʻyicha qaytarish: xaridorga 20,00\ssoʻm, /, help: /pul xaridorga qaytgan-qaytmaganini/, yes: 'Pul xaridorga qaytgan', no: 'Pul qaytmagan' },
  },
};

/** Which way each decision goes, different in each language so that both choices are driven for each operation. */
const CHOICE: Record<Lang, Record<Op, 'succeeded' | 'failed'>> = {
  ru: { payment: 'failed', cancel: 'succeeded', refund: 'failed' },
  uz: { payment: 'succeeded', cancel: 'failed', refund: 'succeeded' },
};

describe('the resolve dialog in a real browser', { skip: !haveBrowser }, () => {
  let bridge: TestBridge;
  let browser: Browser;
  let page: Page;
  let base: string;
  const problems: string[] = [];

  before(async () => {
    bridge = await startTestBridge((c) => {
      // "535": CLICK charges, answers 504, and its status lookups answer −500 this long: unknown.
      c.sandbox.click.status_lag_ms = 600_000;
      // Without CLICK's confirmation mode: in it, a charge whose answer was lost is settled by CLICK's own
      // lapse (never confirmed, cancelled), so it would not stay unknown for the dialog to decide.
      c.click!.confirm_mode = false;
      // "604": every reversal is applied, then answered 504; partial ones too.
      c.click!.partial_reversal = true;
      // The unknown outcomes stay unknown while the test decides them: recovery only when asked.
      c.recovery.interval_ms = 3_600_000;
    });
    base = await bridge.server.listen({ host: '127.0.0.1', port: 0 });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
    page = await (await browser.newContext({ viewport: { width: 1366, height: 768 } })).newPage();
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(String(e)));
    await page.goto(`${base}/`);
    await page.waitForSelector('#app:not([hidden])');
  });
  after(async () => {
    await browser?.close();
    await bridge?.close();
  });

  /** Three unknown operations, made through the till's own API: a payment, a cancel, a refund. */
  async function unknownOperations(): Promise<Record<Op, { id: string; paymentId: string }>> {
    const payment = await post(bridge, '/payment/click', { amount: 123_400, qr_code: clickCode('535') });
    assert.equal(payment.body.error?.transaction_status, 'unknown', JSON.stringify(payment.body));
    const ops = {} as Record<Op, { id: string; paymentId: string }>;
    ops.payment = { id: String(payment.body.error?.transaction_id), paymentId: String(payment.body.error?.transaction_id) };
    for (const [op, amount] of [['cancel', undefined], ['refund', 2_000]] as const) {
      const paid = await post(bridge, '/payment/click', { amount: 5_000, qr_code: clickCode('604') });
      assert.equal(paid.body.is_success, true, JSON.stringify(paid.body));
      const giveBack = await post(bridge, '/payment/click_cancel', { transaction_id: paid.body.data.transaction_id, ...(amount ? { amount } : {}) });
      assert.equal(giveBack.body.error?.give_back_status, 'unknown', JSON.stringify(giveBack.body));
      const id = String(giveBack.body.error?.give_back_id);
      assert.equal((await bridge.journal.get(id))?.kind, op);
      ops[op] = { id, paymentId: String(paid.body.data.transaction_id) };
    }
    return ops;
  }

  async function decide(lang: Lang, op: Op, id: string): Promise<void> {
    const says = SAYS[lang][op];
    await page.locator(`#attention-items button[data-id="${id}"]`).click(WAIT);
    await page.locator('#detail [data-fact="transaction"]', { hasText: id }).waitFor(WAIT);
    await page.click('#resolve-open');
    await page.waitForSelector('#resolve-dialog[open]');
    assert.equal(await page.locator('#resolve-title').innerText(), says.title);
    assert.match(await page.locator('#resolve-what').innerText(), says.what);
    assert.match(await page.locator('#resolve-help').innerText(), says.help);
    assert.equal(await page.locator('#resolve-yes').innerText(), says.yes);
    assert.equal(await page.locator('#resolve-no').innerText(), says.no);
    assert.equal(await page.locator('#resolve-yes').getAttribute('value'), 'succeeded', `${says.yes} is recorded as succeeded`);
    assert.equal(await page.locator('#resolve-no').getAttribute('value'), 'failed');
    // The evidence: the timeline as PayBridge wrote it — what was asked, what was answered.
    const evidence = await page.locator('#resolve-evidence').innerText();
    assert.ok((await page.locator('#resolve-evidence li[data-step="received"]').count()) === 1, evidence);
    assert.ok((await page.locator('#resolve-evidence li[data-step]').count()) >= 2, `what was asked and answered: ${evidence}`);
    assert.match(evidence, op === 'payment' ? /amount: 123400/ : /amount: (5000|2000)/);
    assert.match(await page.locator('#resolve-last-error').innerText(), /OUTCOME_UNKNOWN/);

    // Nothing is chosen for the manager, and a reason is required: the browser will not send it.
    assert.equal(await page.locator('#resolve-form select[name="status"]').inputValue(), '');
    await page.fill('#resolve-form input[name="operator"]', `manager ${lang}`);
    await page.click('#resolve-confirm');
    assert.ok(await page.locator('#resolve-dialog[open]').isVisible(), 'not sent without a choice');
    const choice = CHOICE[lang][op];
    await page.selectOption('#resolve-form select[name="status"]', choice);
    await page.click('#resolve-confirm');
    assert.ok(await page.locator('#resolve-dialog[open]').isVisible(), 'not sent without a reason');
    assert.equal((await bridge.journal.get(id))?.status, 'unknown');

    await page.fill('#resolve-form textarea[name="reason"]', `${lang} ${op}: seen in the Click cabinet`);
    await page.click('#resolve-confirm');
    const words = choice === 'succeeded' ? says.yes : says.no;
    await page.locator('#toast', { hasText: words }).waitFor(WAIT);
    assert.equal(await page.locator('#resolve-dialog[open]').count(), 0);
    await page.click('#detail-close');
  }

  it('a refusal by PayBridge’s own ledger is PayBridge’s, not "the provider’s answer", and its amounts read as the console’s', async () => {
    const paid = await post(bridge, '/payment/click', { amount: 20_000, qr_code: uniqueQr() });
    assert.equal(paid.body.is_success, true, JSON.stringify(paid.body));
    const id = String(paid.body.data.transaction_id);
    const row = page.locator(`#transactions tbody tr[data-id="${id}"]`);
    await row.waitFor(WAIT);
    await row.click();
    await page.locator('#detail [data-fact="transaction"]', { hasText: id }).waitFor(WAIT);
    await page.click('#refund-open');
    await page.waitForSelector('#refund-dialog[open]');
    await page.fill('#refund-form input[name="amount"]', '999');
    await page.click('#refund-confirm');
    await page.locator('#refund-error-message', { hasText: '106' }).waitFor(WAIT);
    const message = await page.locator('#refund-error-message').innerText();
    assert.match(message, /^106: Нельзя вернуть 999,00\sсум: из 200,00\sсум осталось только 200,00\sсум\.$/);
    assert.match(await page.locator('#detail [data-fact="amount"]').innerText(), /^200,00\sсум$/, 'the same amount, printed the same way');
    const fine = page.locator('#refund-error-data');
    assert.equal(await fine.innerText(), 'Это проверка самого PayBridge: провайдеру и терминалу ничего не отправлено.');
    assert.equal(await fine.getAttribute('data-source'), 'paybridge');
    assert.doesNotMatch(await page.locator('#refund-error').innerText(), /Ответ провайдера/);
    await page.click('#refund-cancel');
    await page.click('#detail-close');
    assert.equal((await bridge.journal.giveBackLedger(id)).reserved, 0, 'nothing was sent or reserved');
  });

  for (const lang of ['ru', 'uz'] as const) {
    it(`${lang}: a payment, a cancel and a refund, each decided in the words of its direction, recorded as said`, async () => {
      if (lang !== 'ru') {
        await page.selectOption('#language', lang);
        await page.waitForFunction((l) => (globalThis as any).document.documentElement.lang === l, lang, WAIT);
      }
      const ops = await unknownOperations();
      for (const op of ['payment', 'cancel', 'refund'] as const) await decide(lang, op, ops[op].id);

      for (const op of ['payment', 'cancel', 'refund'] as const) {
        const choice = CHOICE[lang][op];
        const tx = (await get(bridge, `/payment/transactions/${ops[op].id}`)).body.data;
        assert.equal(tx.status, choice, `${lang} ${op}`);
        const decision = tx.events.at(-1);
        assert.equal(decision.step, 'operator_decision');
        assert.deepEqual(decision.detail, { operator: `manager ${lang}`, reason: `${lang} ${op}: seen in the Click cabinet` });
      }
      // What the decisions mean for the payments' money: a cancel that "went back" cancelled its
      // payment; one that "did not" left it paid with nothing reserved.
      const cancelled = (await get(bridge, `/payment/transactions/${ops.cancel.paymentId}`)).body.data;
      const refunded = (await get(bridge, `/payment/transactions/${ops.refund.paymentId}`)).body.data;
      if (CHOICE[lang].cancel === 'succeeded') assert.deepEqual([cancelled.status, cancelled.refunded_amount], ['cancelled', 5_000]);
      else assert.deepEqual([cancelled.status, cancelled.refunded_amount, (await bridge.journal.giveBackLedger(ops.cancel.paymentId)).reserved], ['succeeded', 0, 0]);
      if (CHOICE[lang].refund === 'succeeded') assert.equal(refunded.refunded_amount, 2_000);
      else assert.deepEqual([refunded.refunded_amount, (await bridge.journal.giveBackLedger(ops.refund.paymentId)).reserved], [0, 0]);
      assert.deepEqual(problems, [], 'no console error');
    });
  }
});
