import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { journalShiftClose, post, startTestBridge, uniqueQr, type TestBridge, transitionAsHolder } from './helpers.js';

const CHROMIUM = process.env.PAYBRIDGE_CHROMIUM ?? '/usr/bin/chromium';
const ARTIFACTS = new URL('../test-artifacts/', import.meta.url).pathname;
const haveBrowser = existsSync(CHROMIUM);
if (!haveBrowser && process.env.CI) throw new Error(`the console test needs Debian's chromium at ${CHROMIUM} (apt-get install chromium); CI must have it`);
if (!haveBrowser) process.stderr.write(`\n*** SKIPPING the console's browser test: no chromium at ${CHROMIUM} (apt-get install chromium) ***\n\n`);

// Debian's chromium, headless, with nothing that would reach out to the network.
const launch = () =>
  chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });

const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1366, height: 768 };
const WAIT = { timeout: 15_000 };

/** An Uzum QR code (40 characters) ending in one of the sandbox's magic tails. */
let uzumCounter = 0;
const uzumCode = (magic = '777') => `63857359${String(process.pid % 100_000).padStart(5, '0')}${String(++uzumCounter).padStart(24, '0')}`.slice(0, 37) + magic;
const clickCode = (magic: string) => uniqueQr().slice(0, -3) + magic;

/** The hour of the day in Tashkent (the sandbox shop's zone), through Intl as the console does. */
const tashkentHour = (iso: string) => Number(new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Tashkent', hour: '2-digit', hourCycle: 'h23' }).format(new Date(iso)));

/**
 * Everything the page complains about: console errors (a CSP violation is one, "Refused to …"),
 * uncaught exceptions, and securitypolicyviolation events caught before any of the page's scripts.
 */
async function watch(context: BrowserContext, problems: string[]): Promise<void> {
  await context.addInitScript(() => {
    (globalThis as any).document.addEventListener('securitypolicyviolation', (e: any) => console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`));
  });
  context.on('page', (page) => {
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(String(e)));
  });
}

/**
 * The page is exactly as wide as the window: nothing scrolls sideways. Right after a resize the console
 * redraws its charts and tables on the next frames, so the width is awaited (up to WAIT) before it is
 * judged; what is still too wide then is named.
 */
async function assertFits(page: Page, what: string): Promise<void> {
  const fits = () => (globalThis as any).document.documentElement.scrollWidth === (globalThis as any).innerWidth;
  await page.waitForFunction(fits, undefined, WAIT).catch(() => undefined);
  const { scroll, inner, widest } = await page.evaluate(() => {
    const doc = (globalThis as any).document;
    const width = (globalThis as any).innerWidth as number;
    const over = [...doc.querySelectorAll('body *')].filter((e: any) => e.getBoundingClientRect().right > width + 0.5);
    // (no named function in here: tsx would wrap it in a helper the browser does not have)
    const names = over.slice(0, 5).map((e: any) => `${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ''}${typeof e.className === 'string' && e.className ? `.${e.className.split(' ').join('.')}` : ''}`);
    return { scroll: doc.documentElement.scrollWidth as number, inner: width, widest: names.join(', ') };
  });
  assert.equal(scroll, inner, `${what}: the page is ${scroll} px wide in a ${inner} px window (past its edge: ${widest || 'nothing named'})`);
}

/** Every button of the open dialog is wholly inside the window. */
async function assertButtonsVisible(page: Page, dialog: string): Promise<void> {
  const viewport = page.viewportSize()!;
  const buttons = page.locator(`${dialog} .actions button`);
  const n = await buttons.count();
  assert.ok(n > 0, `${dialog} has buttons`);
  for (let i = 0; i < n; i += 1) {
    const box = (await buttons.nth(i).boundingBox())!;
    assert.ok(box, `${dialog} button ${i} is drawn`);
    assert.ok(box.x >= 0 && box.y >= 0 && box.x + box.width <= viewport.width && box.y + box.height <= viewport.height, `${dialog} button ${i} at ${JSON.stringify(box)} is inside ${JSON.stringify(viewport)}`);
  }
}

/** What a chart draws, in tiyin per method, read from the Chart.js instance on the page. */
async function chartData(page: Page, id: string): Promise<{ labels: string[]; tiyin: Record<string, number[]> }> {
  return page.evaluate((canvasId) => {
    const chart = (globalThis as any).Chart.getChart(canvasId);
    const tiyin: Record<string, number[]> = {};
    for (const d of chart.data.datasets) tiyin[d.method] = d.tiyin;
    return { labels: chart.data.labels, tiyin };
  }, id);
}

async function waitForRefresh(page: Page): Promise<void> {
  const now = Number(await page.evaluate(() => (globalThis as any).document.body.dataset.refreshed ?? 0));
  await page.waitForFunction((n) => Number((globalThis as any).document.body.dataset.refreshed ?? 0) > n, now, WAIT);
}

describe('the console in a real browser', { skip: !haveBrowser }, () => {
  let bridge: TestBridge;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let base: string;
  const outside: string[] = [];
  const problems: string[] = [];
  const paid: { method: string; amount: number; created_at: string; id: string }[] = [];

  before(async () => {
    bridge = await startTestBridge((c) => {
      c.instance.shop = 'chilonzor';
      c.instance.till = '3';
      // An unknown outcome must stay unknown while the test looks at it: recovery only when asked.
      c.recovery.interval_ms = 3_600_000;
    });
    base = await bridge.server.listen({ host: '127.0.0.1', port: 0 });
    browser = await launch();
    context = await browser.newContext({ viewport: DESKTOP });
    await watch(context, problems);
    context.on('request', (r) => {
      if (!r.url().startsWith(base) && !r.url().startsWith('data:')) outside.push(r.url());
    });
    page = await context.newPage();
  });
  after(async () => {
    await browser?.close();
    await bridge?.close();
  });

  async function pay(method: string, body: object): Promise<string> {
    const answer = await post(bridge, `/payment/${method}`, body);
    assert.equal(answer.body.is_success, true, JSON.stringify(answer.body));
    const id = answer.body.data.transaction_id as string;
    const tx = (await bridge.server.inject({ method: 'GET', url: `/payment/transactions/${id}` })).json().data;
    paid.push({ method, amount: tx.amount, created_at: tx.created_at, id });
    return id;
  }

  it('at 1366 px: payments appear live, the charts draw them, a give-back shows beneath its payment, and nothing breaks the CSP', async () => {
    await page.goto(`${base}/`);
    await page.waitForSelector('#app:not([hidden])');
    assert.equal(await page.locator('#transactions tbody tr').count(), 0);

    const csp = (await page.request.get(`${base}/console/`)).headers()['content-security-policy'] ?? '';
    assert.match(csp, /script-src 'self'/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    const vendor = await page.request.get(`${base}/console/vendor/chart.umd.min.js`);
    assert.equal(vendor.status(), 200);
    assert.match(vendor.headers()['content-type'] ?? '', /javascript/);

    // Real sandbox payments through the till's own API while the console is open.
    const id = await pay('click', { amount: 150_000, qr_code: uniqueQr() });
    await pay('payme', { amount: 70_000, qr_code: uniqueQr() });
    await pay('uzcard', { amount: 5_000 });
    const row = page.locator(`#transactions tbody tr[data-id="${id}"]`);
    await row.waitFor(WAIT); // it appears without a reload
    assert.equal(await row.getAttribute('data-status'), 'succeeded');
    assert.match(await row.innerText(), /1\s500,00\sсум/);
    assert.match(await page.locator('#totals [data-method="click"] .net').innerText(), /1\s500,00\sсум/);
    assert.match(await page.locator('#totals [data-method="click"]').innerText(), /1 оплата ·/, 'one purchase, in the singular');

    // The hourly chart draws, for each hour, what each method took in it: exactly these payments.
    await page.waitForFunction(() => (globalThis as any).Chart?.getChart('hourly-chart')?.data.datasets.some((d: any) => d.method === 'uzcard' && d.tiyin.some((x: number) => x > 0)), undefined, WAIT);
    const hourly = await chartData(page, 'hourly-chart');
    assert.equal(hourly.labels.length, 24, 'Tashkent has no DST: 24 hours');
    for (const method of ['click', 'payme', 'uzcard']) {
      const expected = Array<number>(24).fill(0);
      for (const p of paid.filter((x) => x.method === method)) expected[tashkentHour(p.created_at)]! += p.amount;
      assert.deepEqual(hourly.tiyin[method], expected, `${method} by hour`);
    }
    assert.match((await page.locator('#hourly-chart').getAttribute('aria-label')) ?? '', /Click 1\s500,00\sсум/);

    await row.click();
    await page.waitForSelector('#detail:not([hidden])');
    assert.equal(await page.locator('#detail [data-fact="transaction"]').innerText(), id);
    assert.equal(await page.locator('#detail [data-fact="shop"]').innerText(), 'chilonzor', 'where the payment was taken');
    assert.equal(await page.locator('#detail [data-fact="till"]').innerText(), '3');
    assert.match(await page.locator('#detail-events li[data-step="received"]').innerText(), /запрос получен/, 'the step in Russian, not its code name');
    await assertFits(page, '1366 px, detail open');

    await page.click('#refund-open');
    await page.waitForSelector('#refund-dialog[open]');
    assert.match(await page.locator('#refund-question').innerText(), /1\s500,00\sсум/);
    await assertFits(page, '1366 px, give-back dialog');
    await assertButtonsVisible(page, '#refund-dialog');
    await page.fill('#refund-form input[name="operator"]', 'Manager Dilnoza');
    await page.click('#refund-confirm');
    await page.locator(`#transactions tbody tr[data-id="${id}"][data-status="cancelled"]`).waitFor(WAIT);
    assert.equal((await bridge.journal.get(id))!.status, 'cancelled', 'the journal agrees');
    assert.equal(bridge.emulators!.click.charges().filter((c) => c.merchantTransId === id).length, 0, 'the provider gave it back');
    await page.locator('#detail [data-fact="status"]', { hasText: /отменён/ }).waitFor(WAIT);
    assert.ok(await page.locator('#refund-open').isHidden(), 'nothing left to give back');

    // The give-back beneath its payment, with its state, and one click away.
    const giveBack = page.locator('#detail-give-backs-list li').first();
    await giveBack.waitFor(WAIT);
    assert.equal(await giveBack.getAttribute('data-status'), 'succeeded');
    assert.match(await giveBack.innerText(), /отмена · [-−]1\s500,00\sсум/);
    const giveBackId = (await giveBack.getAttribute('data-id'))!;
    // In the list: a give-back, with a minus, pointing at its payment.
    const giveBackRow = page.locator(`#transactions tbody tr[data-id="${giveBackId}"]`);
    await giveBackRow.waitFor(WAIT);
    assert.equal(await giveBackRow.getAttribute('data-kind'), 'cancel');
    assert.match(await giveBackRow.innerText(), /отмена/);
    assert.match(await giveBackRow.innerText(), /[-−]1\s500,00\sсум/);
    assert.equal(await giveBackRow.locator('[data-original]').getAttribute('data-original'), id);
    assert.match(await row.innerText(), /возвращено 1\s500,00\sсум/);
    await giveBack.locator('button').click();
    await page.locator('#detail [data-fact="transaction"]', { hasText: giveBackId }).waitFor(WAIT);
    assert.equal(await page.locator('#detail-original-list li').getAttribute('data-id'), id, 'the give-back names its payment');

    // The day's net: the give-back made today takes the Click payment back out.
    await page.waitForFunction(() => {
      const d = (globalThis as any).Chart?.getChart('days-chart')?.data.datasets.find((x: any) => x.method === 'click');
      return d && d.tiyin.at(-1) === 0;
    }, undefined, WAIT);
    const days = await chartData(page, 'days-chart');
    assert.equal(days.tiyin.payme!.at(-1), 70_000);
    assert.equal(days.tiyin.uzcard!.at(-1), 5_000);
    assert.match(await page.locator('#totals [data-method="click"] [data-part="returned"]').innerText(), /1 возврат[^а-я].*1\s500,00\sсум/);
    await page.click('#detail-close');

    await assertFits(page, '1366 px');
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: `${ARTIFACTS}console-1366.png`, fullPage: true });
    assert.deepEqual(outside, [], 'the console loads nothing from outside PayBridge');
    assert.deepEqual(problems, [], 'no console error, no CSP violation');
  });

  it('shows why the provider refused a give-back, not only BILLING_ERROR', async () => {
    const id = await pay('uzum', { amount: 30_000, qr_code: uzumCode('643') });
    const row = page.locator(`#transactions tbody tr[data-id="${id}"]`);
    await row.waitFor(WAIT);
    await row.click();
    await page.locator('#detail [data-fact="transaction"]', { hasText: id }).waitFor(WAIT);
    await page.click('#refund-open');
    await page.waitForSelector('#refund-dialog[open]');
    await page.click('#refund-confirm');
    await page.waitForFunction(() => (globalThis as any).document.getElementById('refund-error-reason')?.textContent !== '', undefined, WAIT);
    assert.match(await page.locator('#refund-error-message').innerText(), /^104: BILLING_ERROR$/);
    // The sentence in the screen's language; Uzum's own explanation apart, labelled as Uzum's.
    assert.equal(await page.locator('#refund-error-reason').innerText(), 'Платёжная система отказала в возврате; по этому запросу деньги не возвращены.');
    assert.match(await page.locator('#refund-error-data').innerText(), /^Ответ провайдера: Uzum declined: apelsin\.pay\.reverse\.not\.allowed/);
    assert.equal(await page.locator('#refund-error-data').getAttribute('data-source'), 'provider');
    await assertButtonsVisible(page, '#refund-dialog');
    await page.click('#refund-cancel');
    // The refused give-back is kept under its payment, with its reason.
    const refused = page.locator('#detail-give-backs-list li[data-status="failed"]');
    await refused.waitFor(WAIT);
    assert.match(await refused.innerText(), /reverse\.not\.allowed/);
    await page.click('#detail-close');
    assert.deepEqual(problems, []);
  });

  it('counts what waits for an operator and opens it in one click', async () => {
    const id = await pay('click', { amount: 1_000, qr_code: clickCode('604') });
    const cancel = await post(bridge, '/payment/click_cancel', { transaction_id: id });
    assert.equal(cancel.body.error?.give_back_status, 'unknown', JSON.stringify(cancel.body));
    const giveBackId = String(cancel.body.error?.give_back_id);

    await page.waitForSelector('#attention:not([hidden])', WAIT);
    assert.equal(await page.locator('#attention').getAttribute('data-count'), '1');
    assert.equal(await page.locator('#attention-title').innerText(), '1 операция ждёт оператора: 1 неизвестный исход');
    await page.click(`#attention-items button[data-id="${giveBackId}"]`);
    await page.locator('#detail [data-fact="transaction"]', { hasText: giveBackId }).waitFor(WAIT);
    assert.ok(await page.locator('#resolve-open').isVisible(), 'the operator can decide it from here');
    await page.click('#detail-close');
    assert.deepEqual(problems, []);
  });

  it('shows a conflict of proof in the banner and the detail, and an operator decides it there', async () => {
    // Click gave the money back (…604 applies every reversal, then answers 504), but the give-back was
    // decided "failed" by an operator meanwhile: what the engine journals when a recovery whose claim
    // lapsed mid-question proves the reversal afterwards (test/operation-engine.test.ts makes it happen).
    const id = await pay('click', { amount: 2_000, qr_code: clickCode('604') });
    const cancel = await post(bridge, '/payment/click_cancel', { transaction_id: id });
    const giveBackId = String(cancel.body.error?.give_back_id);
    const resolved = await post(bridge, `/payment/transactions/${giveBackId}/resolve`, { status: 'failed', operator: 'day shift', reason: 'not in the cabinet at 10:00' });
    assert.equal(resolved.body.is_success, true, JSON.stringify(resolved.body));
    await bridge.journal.recordConflict({
      id: randomUUID(),
      transactionId: giveBackId,
      kind: 'contradicted',
      writer: 'console-test (epoch 3)',
      journalStatus: 'failed',
      holder: null,
      proven: 'succeeded',
      verdict: { step: 'recovered', facts: {}, detail: { rule: 'payment_status -2' } },
      createdAt: Date.now(),
    });
    assert.equal((await bridge.journal.giveBackLedger(id)).reserved, 2_000, 'reserved again while the conflict is open');

    await page.locator('#attention-title', { hasText: '1 конфликт доказательств' }).waitFor(WAIT);
    await page.click(`#attention-items button[data-conflict]`);
    await page.locator('#detail [data-fact="transaction"]', { hasText: giveBackId }).waitFor(WAIT);
    const item = page.locator('#detail-conflicts-list li');
    await item.waitFor(WAIT);
    assert.match(await item.innerText(), /журнал записал иной исход/);
    assert.match(await item.innerText(), /Do not give it back again/);
    await page.click('#resolve-open');
    await page.waitForSelector('#resolve-dialog[open]');
    await page.selectOption('#resolve-form select[name="status"]', 'succeeded');
    await page.fill('#resolve-form input[name="operator"]', 'manager');
    await page.fill('#resolve-form textarea[name="reason"]', 'the reversal is in the Click cabinet');
    await page.click('#resolve-confirm');
    await page.locator('#detail [data-fact="status"]', { hasText: 'успешен' }).waitFor(WAIT);
    assert.equal((await bridge.journal.get(giveBackId))!.status, 'succeeded');
    assert.equal((await bridge.journal.get(id))!.refundedAmount, 2_000);
    await page.click('#detail-close');
    await page.locator('#attention-items button[data-conflict]').waitFor({ ...WAIT, state: 'detached' });
    assert.deepEqual(problems, []);
  });

  it('at 390 px: no sideways scroll, the detail and the dialogs fit', async () => {
    const phone = await browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true });
    await watch(phone, problems);
    try {
      const small = await phone.newPage();
      await small.goto(`${base}/`);
      await small.waitForSelector('#transactions tbody tr');
      await small.waitForFunction(() => (globalThis as any).Chart?.getChart('hourly-chart'));
      await assertFits(small, '390 px');
      for (const selector of ['#language', 'a[href="/docs"]']) {
        const box = (await small.locator(selector).boundingBox())!;
        assert.ok(box.x + box.width <= PHONE.width, `${selector} fits in the header`);
      }
      await small.screenshot({ path: `${ARTIFACTS}console-390.png`, fullPage: true });

      const payme = paid.find((p) => p.method === 'payme')!;
      await small.locator(`#transactions tbody tr[data-id="${payme.id}"]`).click();
      await small.waitForSelector('#detail:not([hidden])');
      await assertFits(small, '390 px, detail open');
      const drawer = (await small.locator('#detail').boundingBox())!;
      assert.ok(drawer.x >= 0 && drawer.width <= PHONE.width, `the detail fits: ${JSON.stringify(drawer)}`);
      await small.screenshot({ path: `${ARTIFACTS}console-390-detail.png` });

      await small.click('#refund-open');
      await small.waitForSelector('#refund-dialog[open]');
      await assertFits(small, '390 px, give-back dialog');
      await assertButtonsVisible(small, '#refund-dialog');
      await small.screenshot({ path: `${ARTIFACTS}console-390-dialog.png` });
      await small.click('#refund-cancel');
      await small.click('#detail-close');

      await small.click('#attention-items button[data-id]');
      await small.locator('#resolve-open:not([hidden])').waitFor(WAIT);
      await small.click('#resolve-open');
      await small.waitForSelector('#resolve-dialog[open]');
      await assertFits(small, '390 px, resolve dialog');
      await assertButtonsVisible(small, '#resolve-dialog');
      await small.click('#resolve-cancel');
      assert.deepEqual(problems, []);
    } finally {
      await phone.close();
    }
  });

  it('shows the terminals and a reconciliation, and speaks Uzbek and English', async () => {
    await bridge.server.inject({ method: 'GET', url: '/payment/uzcard_close' });
    await page.locator('#closes tbody tr').first().waitFor(WAIT);
    assert.match(await page.locator('#terminals tbody tr[data-terminal="uzcard-sandbox"]').innerText(), /свободен/);
    assert.match(await page.locator('#closes tbody tr').first().innerText(), /совпало/);
    assert.match(await page.locator('#closes tbody tr').first().innerText(), /1 оплата 50,00\sсум \/ 0 возвратов 0,00\sсум/);
    assert.match(await page.locator('#transactions tbody tr').first().locator('td').first().innerText(), /^\d{2}\.\d{2}\.\d{4}, \d{2}:\d{2}:\d{2}$/);
    assert.match(await page.locator('#today-date').innerText(), /^\d{1,2} [а-я]+ \d{4}/);

    const payme = paid.find((p) => p.method === 'payme')!;
    await page.locator(`#transactions tbody tr[data-id="${payme.id}"]`).click();
    await page.locator('#detail [data-fact="transaction"]', { hasText: payme.id }).waitFor(WAIT);

    await page.selectOption('#language', 'uz');
    // Predicates as functions, never as strings: Playwright polls a string predicate through eval()
    // in the page, which the console's CSP (no 'unsafe-eval') refuses whenever the first check is false.
    await page.waitForFunction(() => (globalThis as any).document.documentElement.lang === 'uz', undefined, WAIT);
    assert.equal(await page.locator('#terminals-title').innerText(), 'Terminallar');
    await page.waitForFunction(() => /soʻm/.test((globalThis as any).document.querySelector('#totals [data-method="click"]')?.textContent ?? ''), undefined, WAIT);
    await page.locator('#detail-events li[data-step="received"]', { hasText: 'soʻrov qabul qilindi' }).waitFor(WAIT);

    await page.selectOption('#language', 'en');
    await page.waitForFunction(() => (globalThis as any).document.querySelector('#terminals-title')?.textContent === 'Terminals', undefined, WAIT);
    // The tables are drawn again from their next fetch, a moment after the headings.
    await page.waitForFunction(() => /matched/.test((globalThis as any).document.querySelector('#closes tbody tr')?.innerText ?? ''), undefined, WAIT);
    assert.match(await page.locator('#closes tbody tr').first().innerText(), /1 purchase 50\.00\ssoum \/ 0 returns 0\.00\ssoum/);
    assert.match(await page.locator('#totals [data-method="payme"]').innerText(), /1 purchase · 700\.00\ssoum/);
    assert.match(await page.locator(`#transactions tbody tr[data-id="${paid[0]!.id}"]`).innerText(), /1,500\.00\ssoum/);
    assert.match(await page.locator('#transactions tbody tr').first().locator('td').first().innerText(), /^\d{2}\/\d{2}\/\d{4}, \d{2}:\d{2}:\d{2}$/);
    // The open detail is fetched again after the lists, a moment later.
    await page.locator('#detail-events li[data-step="received"]', { hasText: 'request received' }).waitFor(WAIT);
    assert.equal(await page.locator('#attention-title').innerText(), '1 operation waits for an operator: 1 unknown outcome');
    await page.screenshot({ path: `${ARTIFACTS}console-en.png`, fullPage: true });
    await page.click('#detail-close');
    await page.selectOption('#language', 'ru');
    await waitForRefresh(page);

    // A chain's manager narrows the list to one till; Enter filters without leaving the page.
    const rows = page.locator('#transactions tbody tr');
    await page.fill('#filters input[name="till"]', '4');
    await page.press('#filters input[name="till"]', 'Enter');
    await page.waitForSelector('#empty:not([hidden])', WAIT);
    assert.equal(await rows.count(), 0, 'nothing was taken at till 4');
    await page.fill('#filters input[name="till"]', '3');
    await page.press('#filters input[name="till"]', 'Enter');
    await rows.first().waitFor(WAIT);
    assert.equal(new URL(page.url()).pathname, '/console/', 'still on the console');
    // Only the give-backs: the Click cancel that succeeded, the refused Uzum one, the unknown Click one,
    // and the Click one whose conflict the manager accepted.
    await page.selectOption('#filters select[name="kind"]', 'give_back');
    await page.waitForFunction(() => [...(globalThis as any).document.querySelectorAll('#transactions tbody tr')].every((r: any) => (r as any).dataset.kind !== 'payment'), undefined, WAIT);
    assert.equal(await rows.count(), 4);
    await page.selectOption('#filters select[name="kind"]', '');

    // The date filter is the shop's day, sent as a date: today has every row, the day before none.
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Tashkent' }).format(new Date(paid[0]!.created_at));
    const sent: string[] = [];
    const listen = (r: { url(): string }) => r.url().includes('/payment/transactions?') && sent.push(r.url());
    page.on('request', listen);
    await page.fill('#filters input[name="date"]', today);
    // Every payment, and the four give-backs of them.
    await page.waitForFunction((n) => (globalThis as any).document.querySelectorAll('#transactions tbody tr').length === n, paid.length + 4, WAIT);
    assert.ok(sent.some((u) => new URL(u).searchParams.get('date') === today && !new URL(u).searchParams.has('from')), sent.join('\n'));
    const [y, m, d] = today.split('-').map(Number);
    const before = new Date(Date.UTC(y!, m! - 1, d! - 1)).toISOString().slice(0, 10);
    await page.fill('#filters input[name="date"]', before);
    await page.waitForSelector('#empty:not([hidden])', WAIT);
    page.off('request', listen);
    await page.fill('#filters input[name="date"]', '');
    assert.deepEqual(problems, []);
  });

  it('counts a reconciliation mismatch beside the unknown outcome and shows both sides of it', async () => {
    // A payment the journal holds but the terminal never made: the close does not match.
    const real = await post(bridge, '/payment/uzcard', { amount: 1_000 });
    const ghost = randomUUID();
    await bridge.journal.insert({ id: ghost, method: 'uzcard', amount: 777, qrCodeMasked: null, qrCodeHash: null, createdAt: Date.now(), kind: 'payment', terminal: 'uzcard-sandbox' }, { step: 'received' });
    await transitionAsHolder(bridge.journal, ghost, 'pending', 'succeeded', { shiftNumber: real.body.data.shift_number, providerPaymentId: '010900000777' }, { step: 'approved' });
    await bridge.server.inject({ method: 'GET', url: '/payment/uzcard_close' });

    await page.locator('#attention[data-count="2"]').waitFor(WAIT);
    assert.equal(await page.locator('#attention-title').innerText(), '2 операции ждут оператора: 1 неизвестный исход, 1 расхождение сверки');
    await page.click('#attention-items button[data-close]');
    await page.waitForSelector('#close-dialog[open]');
    const amounts = page.locator('#close-compare tbody tr').nth(1);
    assert.match(await amounts.innerText(), /10,00\sсум\s+17,77\sсум\s+[-−]7,77\sсум/);
    await assertButtonsVisible(page, '#close-dialog');
    await assertFits(page, '1366 px, reconciliation dialog');
    await page.click('#close-close');

    // A close whose answer nobody could get: the shift may or may not be closed.
    const lost = randomUUID();
    const why = 'PayBridge stopped before the terminal’s answer was recorded; the shift may or may not be closed; print the last report to see';
    await journalShiftClose(bridge.journal, { id: lost, state: 'unknown', terminal: 'humo-sandbox', shiftNumber: null, closedAt: Date.now(), report: why, terminalTotals: null, journalTotals: null, matched: null, reason: why });
    await page.locator('#attention[data-count="3"]').waitFor(WAIT);
    assert.equal(await page.locator('#attention-title').innerText(), '3 операции ждут оператора: 1 неизвестный исход, 1 расхождение сверки, 1 закрытие смены без ответа');
    await page.click(`#attention-items button[data-close="${lost}"]`);
    await page.waitForSelector('#close-dialog[open]');
    assert.match(await page.locator('#close-what').innerText(), /humo-sandbox/);
    assert.equal(await page.locator('#close-reason').innerText(), why);
    await page.click('#close-close');
    assert.deepEqual(problems, []);
  });
});

describe('the console behind a token', { skip: !haveBrowser }, () => {
  it('asks for the token, refuses a wrong one, shows the journal with the right one', async () => {
    const token = 'console-token-0123456789';
    const bridge = await startTestBridge((c) => {
      c.server.api_token = token;
    });
    const browser = await launch();
    try {
      const base = await bridge.server.listen({ host: '127.0.0.1', port: 0 });
      const page = await browser.newPage();
      await page.goto(`${base}/console/`);
      await page.waitForSelector('#login:not([hidden])');
      assert.ok(await page.locator('#app').isHidden(), 'nothing of the journal without the token');
      await page.fill('#login-form input[name="token"]', 'wrong-token-0000000000');
      await page.click('#login-form button[type="submit"]');
      await page.waitForFunction(() => (globalThis as any).document.getElementById('login-error').textContent !== '', undefined, WAIT);
      assert.match(await page.locator('#login-error').innerText(), /Ключ не подошёл/);
      await page.fill('#login-form input[name="token"]', token);
      await page.click('#login-form button[type="submit"]');
      await page.waitForSelector('#app:not([hidden])');
      assert.ok(await page.locator('#login').isHidden());
      // The whole header, log-out included, fits on a phone.
      await page.setViewportSize(PHONE);
      const logout = (await page.locator('#logout').boundingBox())!;
      assert.ok(logout.x >= 0 && logout.x + logout.width <= PHONE.width, `log out fits: ${JSON.stringify(logout)}`);
      await assertFits(page, '390 px, logged in');
    } finally {
      await browser.close();
      await bridge.close();
    }
  });
});

describe('the console’s reconciliation with the wallets', { skip: !haveBrowser }, () => {
  it('reconciles the day, shows a refund made in the Uzum cabinet with what to do, counts it in the banner, opens its transaction and gives the CSV', async () => {
    const bridge = await startTestBridge((c) => {
      c.recovery.interval_ms = 3_600_000;
      // Answered 202 at once: the console must show the run under way and follow it until done.
      c.reconciliation.answer_within_ms = 1;
    });
    const browser = await launch();
    const problems: string[] = [];
    try {
      const base = await bridge.server.listen({ host: '127.0.0.1', port: 0 });
      const context = await browser.newContext({ viewport: DESKTOP });
      await watch(context, problems);
      const page = await context.newPage();

      const payme = await post(bridge, '/payment/payme', { amount: 70_000, qr_code: uniqueQr() });
      assert.equal(payme.body.is_success, true, JSON.stringify(payme.body));
      const uzum = await post(bridge, '/payment/uzum', { amount: 30_000, qr_code: uzumCode() });
      assert.equal(uzum.body.is_success, true, JSON.stringify(uzum.body));
      const uzumId = String(uzum.body.data.transaction_id);
      // The shop gives the Uzum payment back in Uzum's merchant cabinet: PayBridge never hears of it.
      const origin = new URL(bridge.emulators!.uzum.baseUrl).origin;
      const refund = await fetch(`${origin}/_sandbox/uzum/cabinet-refund`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ transaction_id: uzumId }) });
      assert.equal(refund.status, 200, await refund.text());

      await page.goto(`${base}/`);
      await page.waitForSelector('#app:not([hidden])');
      // The shop's today (Tashkent), and no reconciliation of it yet.
      const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Tashkent' }).format(new Date());
      await page.locator('#wallets[data-state="none"]').waitFor(WAIT);
      assert.equal(await page.locator('#wallets-date').inputValue(), today);
      assert.match(await page.locator('#wallets-state').innerText(), /^Сверки за \d{1,2} [а-я]+ \d{4}( г\.)? ещё не было\.$/);
      assert.ok(await page.locator('#wallets-report').isHidden());
      assert.ok(await page.locator('#attention').isHidden(), 'nothing waits before the reconciliation');

      // Every state the view goes through, and what it says meanwhile.
      await page.evaluate(() => {
        const doc = (globalThis as any).document;
        const seen: string[] = ((globalThis as any).walletStates = []);
        new (globalThis as any).MutationObserver(() => seen.push(`${doc.getElementById('wallets').dataset.state}|${doc.getElementById('wallets-state').textContent}`)).observe(doc.getElementById('wallets'), {
          attributes: true,
          subtree: true,
          childList: true,
          characterData: true,
        });
      });
      await page.click('#wallets-run');
      await page.locator('#wallets[data-state="done"]').waitFor({ timeout: 60_000 });
      const states: string[] = await page.evaluate(() => (globalThis as any).walletStates);
      assert.ok(states.some((s) => /^running\|Сверка идёт с /.test(s)), `the run was shown under way (HTTP 202): ${states.join(' / ')}`);

      assert.equal(await page.locator('#wallets-result').getAttribute('data-result'), 'discrepancies');
      assert.match(await page.locator('#wallets-result').innerText(), /есть расхождения/);
      // Per wallet: the journal's side against the wallet's.
      const uzumRow = page.locator('#wallets-methods tr[data-method="uzum"]');
      assert.match(await uzumRow.locator('[data-side="journal"]').innerText(), /1 оплата · 300,00\sсум/);
      assert.doesNotMatch(await uzumRow.locator('[data-side="provider"]').innerText(), /300,00/);
      assert.equal(await uzumRow.getAttribute('class'), 'mismatch');
      const paymeRow = page.locator('#wallets-methods tr[data-method="payme"]');
      assert.match(await paymeRow.locator('[data-side="journal"]').innerText(), /1 оплата · 700,00\sсум/);
      assert.match(await paymeRow.locator('[data-side="provider"]').innerText(), /1 оплата · 700,00\sсум/);

      // The difference: its kind, wallet, amount, both statuses and what to do, as the API says it.
      const report = (await bridge.server.inject({ method: 'GET', url: `/payment/reconciliation/wallets?date=${today}`, headers: { 'accept-language': 'ru' } })).json().data;
      assert.deepEqual(report.discrepancies.map((d: any) => [d.kind, d.transaction_id]), [['given_back_outside', uzumId]]);
      const row = page.locator(`#wallets-differences tr[data-kind="given_back_outside"][data-id="${uzumId}"]`);
      assert.equal(await page.locator('#wallets-differences tbody tr').count(), 1);
      const text = await row.innerText();
      for (const part of ['возврат мимо PayBridge', 'Uzum', 'успешен', 'REVERSED']) assert.ok(text.includes(part), `${part} in ${text}`);
      assert.match(text, /300,00\sсум/);
      assert.equal(await row.locator('td.action').innerText(), report.discrepancies[0].action);
      assert.match(report.discrepancies[0].action, /^Uzum вернул 300,00\sсум/);

      // The banner counts it and leads to it.
      await page.locator('#attention[data-count="1"]').waitFor(WAIT);
      assert.equal(await page.locator('#attention-title').innerText(), '1 операция ждёт оператора: 1 расхождение с кошельками');
      const item = page.locator(`#attention-items a[data-wallet="${uzumId}"]`);
      assert.match(await item.innerText(), /возврат мимо PayBridge · Uzum · 300,00\sсум/);
      await page.fill('#wallets-date', '2020-01-01');
      await page.locator('#wallets[data-state="none"]').waitFor(WAIT);
      await item.click();
      await page.locator(`#wallets[data-state="done"][data-date="${today}"]`).waitFor(WAIT);
      await row.waitFor(WAIT);

      // Its transaction opens from the row.
      await row.locator('a[data-open]').click();
      await page.locator('#detail [data-fact="transaction"]', { hasText: uzumId }).waitFor(WAIT);
      assert.match(await page.locator('#detail [data-fact="method"]').innerText(), /Uzum/);
      await page.click('#detail-close');
      await assertFits(page, '1366 px, reconciliation');
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.locator('#wallets').screenshot({ path: `${ARTIFACTS}console-wallets.png` });

      // The CSV of the day: the link answers text/csv, and clicking it saves the file.
      const href = (await page.locator('#wallets-csv').getAttribute('href'))!;
      assert.equal(href, `/payment/reconciliation/wallets.csv?date=${today}`);
      const csv = await page.request.get(`${base}${href}`, { headers: { 'accept-language': 'ru' } });
      assert.equal(csv.status(), 200);
      assert.match(csv.headers()['content-type'] ?? '', /^text\/csv/);
      assert.match(await csv.text(), new RegExp(`Расхождение.*\\r\\n.*возврат мимо PayBridge,${uzumId}`, 's'));
      const [download] = await Promise.all([page.waitForEvent('download', WAIT), page.click('#wallets-csv')]);
      assert.equal(download.suggestedFilename(), `wallet-reconciliation-${today}.csv`);
      const saved = await new Promise<string>((resolve, reject) => {
        void download.createReadStream().then((stream) => {
          let all = '';
          stream.on('data', (chunk: Buffer) => (all += chunk.toString('utf8')));
          stream.on('end', () => resolve(all));
          stream.on('error', reject);
        }, reject);
      });
      assert.match(saved, /Что делать/, 'in the console’s language');
      assert.ok(saved.includes(uzumId));

      // In English, the words and the sentence.
      await page.selectOption('#language', 'en');
      await row.locator('td', { hasText: 'given back outside PayBridge' }).waitFor(WAIT);
      await row.locator('td.action', { hasText: /^Uzum gave back 300\.00\ssoum/ }).waitFor(WAIT);
      assert.equal(await page.locator('#attention-title').innerText(), '1 operation waits for an operator: 1 difference with the wallets');
      await page.selectOption('#language', 'ru');

      // On a phone: nothing scrolls sideways.
      const phone = await browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true });
      await watch(phone, problems);
      const small = await phone.newPage();
      await small.goto(`${base}/`);
      await small.locator('#wallets[data-state="done"]').waitFor(WAIT);
      await small.locator(`#wallets-differences tr[data-id="${uzumId}"]`).scrollIntoViewIfNeeded();
      await assertFits(small, '390 px, reconciliation');
      await small.screenshot({ path: `${ARTIFACTS}console-390-wallets.png`, fullPage: true });
      await phone.close();
      assert.deepEqual(problems, [], 'no console error, no CSP violation');
    } finally {
      await browser.close();
      await bridge.close();
    }
  });
});
