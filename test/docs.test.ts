import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startTestBridge, type TestBridge } from './helpers.js';

const CHROMIUM = process.env.PAYBRIDGE_CHROMIUM ?? '/usr/bin/chromium';
const ARTIFACTS = new URL('../test-artifacts/', import.meta.url).pathname;
const haveBrowser = existsSync(CHROMIUM);
if (!haveBrowser && process.env.CI) throw new Error(`the API reference's browser test needs Debian's chromium at ${CHROMIUM} (apt-get install chromium); CI must have it`);
if (!haveBrowser) process.stderr.write(`\n*** SKIPPING the API reference's browser test: no chromium at ${CHROMIUM} (apt-get install chromium) ***\n\n`);

// Debian's chromium, headless, with nothing that would reach out to the network (as test/console.test.ts).
const launch = () =>
  chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });

/** Every console error and CSP violation of a page, from its first script on. */
async function watch(context: BrowserContext): Promise<string[]> {
  const problems: string[] = [];
  await context.addInitScript(
    "document.addEventListener('securitypolicyviolation', (e) => console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`))",
  );
  context.on('page', (page) => {
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  });
  return problems;
}

describe('the API reference in a real browser', { skip: !haveBrowser }, () => {
  let bridge: TestBridge;
  let browser: Browser;
  let base: string;
  const outside: string[] = [];

  before(async () => {
    bridge = await startTestBridge();
    base = await bridge.server.listen({ host: '127.0.0.1', port: 0 });
    browser = await launch();
    mkdirSync(ARTIFACTS, { recursive: true });
  });
  after(async () => {
    await browser?.close();
    await bridge?.close();
  });

  async function open(width: number, height: number): Promise<{ page: Page; problems: string[]; context: BrowserContext }> {
    const context = await browser.newContext({ viewport: { width, height } });
    const problems = await watch(context);
    const page = await context.newPage();
    page.on('request', (r) => {
      if (!r.url().startsWith(base) && !r.url().startsWith('data:')) outside.push(r.url());
    });
    await page.goto(`${base}/docs`);
    await page.waitForSelector('.opblock-tag-section');
    await page.waitForSelector('#operations-qr-post_payment_click');
    return { page, problems, context };
  }

  it('opens at 1366 px with no console error, no CSP violation, nothing from another host', async () => {
    const { page, problems, context } = await open(1366, 768);
    try {
      // An operation opened shows the recorded answers by name.
      await page.click('#operations-cards-post_payment_uzcard .opblock-summary');
      const select = page.locator('#operations-cards-post_payment_uzcard .responses-wrapper .examples-select-element').first();
      await select.waitFor();
      const names = await select.locator('option').allInnerTexts();
      assert.ok(names.includes('paid') && names.includes("declined by the card's bank (109)"), `the UzCard answers are named: ${names.join(', ')}`);
      const paid = JSON.parse(await page.locator('#operations-cards-post_payment_uzcard .responses-wrapper .highlight-code').first().innerText()) as { data: { message: string } };
      assert.match(paid.data.message, /UZCARD/, 'the UzCard example is a UzCard slip');
      await page.screenshot({ path: `${ARTIFACTS}docs-1366.png` });
      assert.deepEqual(problems, []);
      assert.deepEqual(outside, []);
    } finally {
      await context.close();
    }
  });

  it('fits a 390 px phone: no sideways scroll of the page, an operation opens and can be read', async () => {
    const { page, problems, context } = await open(390, 844);
    try {
      const meta = await page.locator('meta[name="viewport"]').getAttribute('content');
      assert.match(String(meta), /width=device-width/);
      const op = '#operations-cards-post_payment_xumo';
      await page.click(`${op} .opblock-summary`);
      await page.waitForSelector(`${op} .opblock-body`);
      await page.locator(`${op} .responses-wrapper`).scrollIntoViewIfNeeded();
      const widths = (await page.evaluate('({ scroll: document.documentElement.scrollWidth, body: document.body.scrollWidth, inner: window.innerWidth })')) as { scroll: number; body: number; inner: number };
      assert.ok(widths.scroll <= widths.inner && widths.body <= widths.inner, `the page is ${widths.scroll}/${widths.body} px wide in a ${widths.inner} px window`);
      // The description and the example answer are inside the screen, not cut off at its right edge.
      for (const part of [`${op} .opblock-description-wrapper`, `${op} .responses-wrapper .highlight-code`]) {
        const box = await page.locator(part).first().boundingBox();
        assert.ok(box && box.x >= 0 && box.x + box.width <= widths.inner + 1, `${part} is at ${JSON.stringify(box)}`);
      }
      await page.locator(op).screenshot({ path: `${ARTIFACTS}docs-390-operation.png` });
      // An operation with a table of query parameters fits as well.
      const list = '#operations-journal-get_payment_transactions';
      await page.click(`${list} .opblock-summary`);
      await page.waitForSelector(`${list} table.parameters`);
      const after = (await page.evaluate('({ scroll: document.documentElement.scrollWidth, inner: window.innerWidth })')) as { scroll: number; inner: number };
      assert.ok(after.scroll <= after.inner, `with the parameters open the page is ${after.scroll} px wide in a ${after.inner} px window`);
      const input = await page.locator(`${list} tr[data-param-name="method"] select, ${list} tr[data-param-name="method"] input`).first().boundingBox();
      assert.ok(input && input.x + input.width <= after.inner + 1, `the method field is at ${JSON.stringify(input)}`);
      await page.locator(`${list} table.parameters`).screenshot({ path: `${ARTIFACTS}docs-390-parameters.png` });
      await page.evaluate('window.scrollTo(0, 0)');
      await page.screenshot({ path: `${ARTIFACTS}docs-390.png` });
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });

  it('“Try it out” starts from the recorded request and takes a real sandbox payment', async () => {
    const { page, problems, context } = await open(1366, 768);
    try {
      const op = '#operations-qr-post_payment_click';
      await page.click(`${op} .opblock-summary`);
      // tryItOutEnabled: the request form is open as soon as the operation is.
      const body = page.locator(`${op} textarea.body-param__text`);
      await body.waitFor();
      assert.deepEqual(JSON.parse(await body.inputValue()), { amount: 150_000, qr_code: '880101698207133392' }, 'the body is the recorded example, nothing generated');
      const key = page.locator(`${op} tr[data-param-name="idempotency-key"] input`);
      assert.equal(await key.inputValue(), 'docs-click-1', 'the header too');
      await page.click(`${op} .execute`);
      const answer = page.locator(`${op} .live-responses-table .response-col_description .highlight-code pre`).first();
      await answer.waitFor({ timeout: 20_000 });
      const shown = JSON.parse(await answer.innerText()) as { is_success: boolean; data: { amount: number } };
      assert.equal(shown.is_success, true, JSON.stringify(shown));
      assert.equal(shown.data.amount, 150_000);
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });
});
