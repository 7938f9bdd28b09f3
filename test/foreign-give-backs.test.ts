import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Config } from '../src/config/schema.js';
import type { TerminalAnswer } from '../src/payments/ports/terminal.js';
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { get, post, startTestBridge, type TestBridge } from './helpers.js';

const CHROMIUM = process.env.PAYBRIDGE_CHROMIUM ?? '/usr/bin/chromium';

/**
 * A shop switching from FiscalBox: its Humo pinpad holds payments FiscalBox took, which PayBridge's
 * journal has never seen. Such a payment is made here on the emulated pinpad itself (through the
 * Arcus2 tool, as FiscalBox drove it), never through PayBridge.
 */
const fast = (c: Config) => {
  // Generous: each Arcus2 call is a process start, slow on a loaded machine.
  c.sandbox.terminal_timeout_ms = 15_000;
  c.terminals.queue_wait_ms = 10_000;
};

async function paidBeforeTheSwitch(bridge: TestBridge, amount: number): Promise<TerminalAnswer> {
  const humo = bridge.cards.all().find((t) => t.method === 'humo')!;
  const answer = await humo.driver.purchase({ requestId: `fiscalbox-${amount}`, amount });
  assert.equal(answer.code, '000', answer.slip);
  return answer;
}

interface PinpadState {
  operations: { kind: string; amount: number; receipt: number; returned: number }[];
}
const pinpad = (bridge: TestBridge) => JSON.parse(readFileSync(join(bridge.emulators!.arcus2.workDir, 'arcus2-emulator.json'), 'utf8')) as PinpadState;

describe('a Humo cancel of a payment FiscalBox took, with terminals.allow_foreign_rrns', () => {
  let bridge: TestBridge;
  before(async () => {
    bridge = await startTestBridge((c) => {
      fast(c);
      c.terminals.allow_foreign_rrns = true;
    });
  });
  after(() => bridge.close());

  test('by receipt number: journaled as a foreign cancel (no original), sent, approved; the same cancel again is refused by the pinpad', async () => {
    const sale = await paidBeforeTheSwitch(bridge, 30_000);
    const cancel = await post(bridge, '/payment/xumo', { request_id: String(sale.receiptNumber), amount: 30_000, is_return: 'true' });
    assert.equal(cancel.body.is_success, true, JSON.stringify(cancel.body));
    assert.equal(cancel.body.data.foreign, true);
    assert.match(cancel.body.data.message, /Отмена \(CANCEL\)[\s\S]*ОПЕРАЦИЯ ОТМЕНЕНА/);

    const entry = await get(bridge, `/payment/transactions/${cancel.body.data.transaction_id}`);
    assert.equal(entry.body.data.kind, 'cancel');
    assert.equal(entry.body.data.status, 'succeeded');
    assert.equal(entry.body.data.original_transaction_id, null);
    assert.equal(entry.body.data.events[0].step, 'received');
    assert.deepEqual(
      { foreign: entry.body.data.events[0].detail.foreign, receipt: entry.body.data.events[0].detail.receipt, amount: entry.body.data.events[0].detail.amount },
      { foreign: true, receipt: sale.receiptNumber, amount: 30_000 },
    );
    assert.equal(pinpad(bridge).operations.find((o) => o.kind === 'purchase' && o.receipt === sale.receiptNumber)?.returned, 30_000, 'the pinpad gave it back');

    // PayBridge has nothing to reserve against; the pinpad's own refusal stops a second cancel.
    const again = await post(bridge, '/payment/xumo', { request_id: String(sale.receiptNumber), amount: 30_000, is_return: true });
    assert.equal(again.body.error?.code, 108, JSON.stringify(again.body));
    assert.equal(again.body.error?.transaction_status, 'failed');
    assert.equal(pinpad(bridge).operations.find((o) => o.kind === 'purchase' && o.receipt === sale.receiptNumber)?.returned, 30_000, 'given back once');
  });

  test('by RRN: the same, the RRN kept in the first step', async () => {
    const sale = await paidBeforeTheSwitch(bridge, 41_000);
    assert.match(String(sale.rrn), /^\d{12}$/);
    const cancel = await post(bridge, '/payment/xumo', { request_id: sale.rrn, amount: 41_000, is_return: true });
    assert.equal(cancel.body.is_success, true, JSON.stringify(cancel.body));
    const entry = await get(bridge, `/payment/transactions/${cancel.body.data.transaction_id}`);
    assert.equal(entry.body.data.original_transaction_id, null);
    assert.equal(entry.body.data.events[0].detail.foreign, true);
    assert.equal(entry.body.data.events[0].detail.rrn, sale.rrn);
    // The listing carries the missing original too: the console marks such a give-back as foreign.
    const listed = await get(bridge, '/payment/transactions?method=humo');
    const item = listed.body.data.items.find((tx: { transaction_id: string }) => tx.transaction_id === cancel.body.data.transaction_id);
    assert.deepEqual({ kind: item.kind, original_transaction_id: item.original_transaction_id }, { kind: 'cancel', original_transaction_id: null });
  });

  test('the console marks the foreign cancel, and not a cancel of a payment PayBridge took', { skip: !existsSync(CHROMIUM) && `no chromium at ${CHROMIUM}` }, async () => {
    const sale = await paidBeforeTheSwitch(bridge, 52_000);
    const foreign = await post(bridge, '/payment/xumo', { request_id: String(sale.receiptNumber), amount: 52_000, is_return: true });
    assert.equal(foreign.body.is_success, true, JSON.stringify(foreign.body));
    const own = await post(bridge, '/payment/xumo', { amount: 53_000 });
    const ownCancel = await post(bridge, '/payment/xumo', { request_id: String(own.body.data.receipt_number), amount: 53_000, is_return: true });
    assert.equal(ownCancel.body.is_success, true, JSON.stringify(ownCancel.body));
    assert.equal(ownCancel.body.data.foreign, undefined);

    const base = await bridge.server.listen({ host: '127.0.0.1', port: 0 });
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] });
    try {
      const page = await browser.newPage();
      await page.goto(`${base}/`);
      const row = (id: string) => page.locator(`#transactions tbody tr[data-id="${id}"]`);
      await row(foreign.body.data.transaction_id).waitFor({ timeout: 15_000 });
      assert.equal(await row(foreign.body.data.transaction_id).locator('.pill.foreign').innerText(), 'чужой платёж');
      assert.equal(await row(ownCancel.body.data.transaction_id).locator('.pill.foreign').count(), 0, 'a give-back of a journaled payment is not foreign');
      assert.equal(await row(own.body.data.transaction_id).locator('.pill.foreign').count(), 0);
      await row(foreign.body.data.transaction_id).click();
      await page.waitForSelector('#detail:not([hidden])');
      // The kind in the console's language (it once said "cancel" on the Russian screen), marked foreign.
      assert.match(await page.locator('#detail [data-fact="kind"]').innerText(), /отмена · чужой платёж/);
    } finally {
      await browser.close();
    }
  });
});

describe('a Humo cancel of a payment FiscalBox took, without terminals.allow_foreign_rrns (the default)', () => {
  let bridge: TestBridge;
  before(async () => {
    bridge = await startTestBridge(fast);
  });
  after(() => bridge.close());

  test('refused with 106, the reason naming the setting; nothing journaled, nothing sent to the pinpad', async () => {
    const sale = await paidBeforeTheSwitch(bridge, 30_000);
    const before = pinpad(bridge).operations.length;
    const refused = await bridge.server.inject({
      method: 'POST',
      url: '/payment/xumo',
      payload: { request_id: String(sale.receiptNumber), amount: 30_000, is_return: true },
      headers: { 'accept-language': 'en' },
    });
    const body = refused.json();
    assert.equal(body.error?.code, 106, JSON.stringify(body));
    assert.equal(body.error?.data, `No payment with receipt number or RRN ${sale.receiptNumber} on terminal humo-sandbox.`);
    assert.match(body.error?.reason, /terminals\.allow_foreign_rrns is true/);
    const listed = await get(bridge, '/payment/transactions');
    assert.deepEqual(listed.body.data.items, []);
    assert.equal(pinpad(bridge).operations.length, before, 'the pinpad was not asked');
    assert.equal(pinpad(bridge).operations.find((o) => o.receipt === sale.receiptNumber)?.returned, 0);
  });
});
