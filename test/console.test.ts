import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { post, startTestBridge, uniqueQr, type TestBridge } from './helpers.js';

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

describe('the console in a real browser', { skip: !haveBrowser }, () => {
  let bridge: TestBridge;
  let browser: Browser;
  let page: Page;
  let base: string;
  const outside: string[] = [];

  before(async () => {
    bridge = await startTestBridge((c) => {
      c.instance.shop = 'chilonzor';
      c.instance.till = '3';
    });
    base = await bridge.server.listen({ host: '127.0.0.1', port: 0 });
    browser = await launch();
    page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
    page.on('request', (r) => {
      if (!r.url().startsWith(base) && !r.url().startsWith('data:')) outside.push(r.url());
    });
  });
  after(async () => {
    await browser?.close();
    await bridge?.close();
  });

  it('shows a payment taken through the API, gives it back with confirmation, and shows the new state', async () => {
    await page.goto(`${base}/`);
    await page.waitForSelector('#app:not([hidden])');
    assert.equal(await page.locator('#transactions tbody tr').count(), 0);

    // A sandbox payment through the till's own API while the console is open.
    const paid = await post(bridge, '/payment/click', { amount: 150_000, qr_code: uniqueQr() });
    assert.equal(paid.body.is_success, true);
    const id = paid.body.data.transaction_id as string;
    const row = page.locator(`#transactions tbody tr[data-id="${id}"]`);
    await row.waitFor({ timeout: 10_000 }); // it appears without a reload
    assert.equal(await row.getAttribute('data-status'), 'succeeded');
    assert.match(await row.innerText(), /1\s500,00 сум/);
    assert.match(await page.locator('#totals [data-method="click"] .net').innerText(), /1\s500,00 сум/);

    await row.click();
    await page.waitForSelector('#detail:not([hidden])');
    assert.equal(await page.locator('#detail [data-fact="transaction"]').innerText(), id);
    assert.equal(await page.locator('#detail [data-fact="shop"]').innerText(), 'chilonzor', 'where the payment was taken');
    assert.equal(await page.locator('#detail [data-fact="till"]').innerText(), '3');
    assert.match(await page.locator('#detail-events').innerText(), /received/);

    await page.click('#refund-open');
    await page.waitForSelector('#refund-dialog[open]');
    assert.match(await page.locator('#refund-question').innerText(), /1\s500,00 сум/);
    await page.fill('#refund-form input[name="operator"]', 'Manager Dilnoza');
    await page.click('#refund-confirm');
    await page.locator(`#transactions tbody tr[data-id="${id}"][data-status="cancelled"]`).waitFor({ timeout: 10_000 });
    assert.equal((await bridge.journal.get(id))!.status, 'cancelled', 'the journal agrees');
    assert.equal(bridge.emulators!.click.charges().filter((c) => c.merchantTransId === id).length, 0, 'the provider gave it back');
    // The list is redrawn before the open detail is fetched again: wait for the detail's own redraw.
    await page.locator('#detail [data-fact="status"]', { hasText: /отменён/ }).waitFor({ timeout: 10_000 });
    assert.match(await page.locator('#detail [data-fact="status"]').innerText(), /отменён/);
    assert.ok(await page.locator('#refund-open').isHidden(), 'nothing left to give back');

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: `${ARTIFACTS}console.png`, fullPage: true });
    assert.deepEqual(outside, [], 'the console loads nothing from outside PayBridge');
  });

  it('shows the terminals and a reconciliation, and speaks Uzbek and English', async () => {
    await post(bridge, '/payment/uzcard', { amount: 5_000 });
    await bridge.server.inject({ method: 'GET', url: '/payment/uzcard_close' });
    await page.locator('#closes tbody tr').first().waitFor({ timeout: 10_000 });
    assert.match(await page.locator('#terminals tbody tr[data-terminal="uzcard-sandbox"]').innerText(), /свободен/);
    assert.match(await page.locator('#closes tbody tr').first().innerText(), /совпало/);

    await page.selectOption('#language', 'uz');
    await page.waitForFunction("document.documentElement.lang === 'uz'");
    assert.equal(await page.locator('#terminals-title').innerText(), 'Terminallar');
    assert.match(await page.locator('#totals [data-method="click"]').innerText(), /soʻm/);
    await page.selectOption('#language', 'en');
    await page.waitForFunction("document.querySelector('#terminals-title')?.textContent === 'Terminals'");
    // The tables are drawn again from their next fetch, a moment after the headings.
    await page.waitForFunction("/matched/.test(document.querySelector('#closes tbody tr')?.innerText ?? '')", undefined, { timeout: 10_000 });
    assert.match(await page.locator('#closes tbody tr').first().innerText(), /matched/);
    await page.screenshot({ path: `${ARTIFACTS}console-en.png`, fullPage: true });
    await page.selectOption('#language', 'ru');

    // A chain's manager narrows the list to one till; Enter filters without leaving the page.
    const rows = page.locator('#transactions tbody tr');
    await page.fill('#filters input[name="till"]', '4');
    await page.press('#filters input[name="till"]', 'Enter');
    await page.waitForSelector('#empty:not([hidden])', { timeout: 10_000 });
    assert.equal(await rows.count(), 0, 'nothing was taken at till 4');
    await page.fill('#filters input[name="till"]', '3');
    await page.press('#filters input[name="till"]', 'Enter');
    await rows.first().waitFor({ timeout: 10_000 });
    // The Click payment given back, its give-back (an operation of its own in the journal), the UzCard payment.
    assert.equal(await rows.count(), 3, "till 3's operations are back");
    assert.equal(new URL(page.url()).pathname, '/console/', 'still on the console');
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
      await page.waitForFunction("document.getElementById('login-error').textContent !== ''");
      assert.match(await page.locator('#login-error').innerText(), /Ключ не подошёл/);
      await page.fill('#login-form input[name="token"]', token);
      await page.click('#login-form button[type="submit"]');
      await page.waitForSelector('#app:not([hidden])');
      assert.ok(await page.locator('#login').isHidden());
    } finally {
      await browser.close();
      await bridge.close();
    }
  });
});
