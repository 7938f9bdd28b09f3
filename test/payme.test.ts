import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { PaymeEmulator } from '../src/sandbox/payme/emulator.js';
import { get, post, productionPayme, startPaymeEmulator, startTestBridge, type TestBridge } from './helpers.js';

const QR = '880101698207133392';
const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

async function steps(bridge: TestBridge, id: string): Promise<string[]> {
  return (await bridge.journal.get(id))!.events.map((e) => `${e.status}:${e.step}`);
}

describe('Payme Go against the Payme emulator over a loopback socket', () => {
  let emulator: PaymeEmulator;
  let bridge: TestBridge;
  before(async () => {
    emulator = await startPaymeEmulator();
    bridge = await startTestBridge((c) => {
      productionPayme(emulator.url)(c);
      c.shop = { ...c.shop, inn: '302563214', kkm_id: 'UZ170703100367', device_id: 'till-3' };
    });
  });
  after(async () => {
    await bridge.close();
    await emulator.close();
  });

  test('the seed document’s Payme Go request, byte for byte: paid, with the seed’s fields and the shop’s', async (t) => {
    const seed = fixture('seed-click-content.txt');
    const dir = new URL('../../shared/seeds/', import.meta.url);
    if (existsSync(dir)) {
      const doc = readdirSync(dir).map((f) => readFileSync(new URL(f, dir), 'utf8')).find((s) => s.includes('# PAYME GO'));
      assert.ok(doc, 'the seed with the Payme section');
      const section = doc.slice(doc.indexOf('# PAYME GO'));
      assert.ok(section.includes('```' + seed + '```'), 'the Payme Go request in the seed is this exact text');
    } else t.diagnostic('../shared/seeds not beside this checkout; the fixture is used alone');

    const { statusCode, body } = await post(bridge, '/payment/payme', seed);
    assert.equal(statusCode, 200);
    assert.equal(body.is_success, true, JSON.stringify(body));
    const d = body.data;
    assert.equal(d.status_code, 0);
    assert.equal(d.status, 'successfully');
    assert.equal(d.amount, 500);
    assert.equal(d.qr_code, QR);
    assert.match(d.payment_id, /^[0-9a-f]{24}$/);
    assert.match(d.client_phone_number, /^998\d{9}$/);
    assert.equal(d.inn, '302563214');
    assert.equal(d.kkm_id, 'UZ170703100367');
    assert.equal(d.device_id, 'till-3');
    const receipt = emulator.charges().find((r) => r._id === d.payment_id);
    assert.ok(receipt);
    assert.equal(receipt.amount, 500, 'receipts.create got the amount in tiyin');
    assert.deepEqual(receipt.account, { order_id: d.transaction_id });
    assert.equal(receipt.token, QR, 'receipts.pay got the QR as the token');
    assert.deepEqual(await steps(bridge, d.transaction_id), ['pending:received', 'pending:receipt_created', 'pending:pay_answered', 'succeeded:succeeded']);
  });

  test('a decline is 104 with Payme’s code and text, and the receipt is cancelled, not left open', async () => {
    const { body } = await post(bridge, '/payment/payme', { amount: 800, qr_code: '880101698207133116' });
    assert.equal(body.error?.code, 104);
    assert.equal(body.error?.message, 'BILLING_ERROR');
    assert.equal(body.error?.data, '-31303: Недостаточно средств на карте');
    const tx = await bridge.journal.get(body.error!.transaction_id);
    assert.equal(tx?.status, 'failed');
    const receipt = emulator.ledger().find((r) => r._id === tx!.providerPaymentId);
    assert.equal(receipt?.state, 50, 'the unpaid receipt was cancelled');
    assert.ok(!emulator.ledger().some((r) => r.state === 0), 'no receipt is left open anywhere');
  });

  test('lost answer (…408): resolved with receipts.check, one receipt, one charge', async () => {
    const { body } = await post(bridge, '/payment/payme', { amount: 4_080, qr_code: '880101698207133408' });
    assert.equal(body.is_success, true, JSON.stringify(body));
    const mine = emulator.ledger().filter((r) => (r.account as { order_id?: string }).order_id === body.data.transaction_id);
    assert.equal(mine.length, 1, 'one receipt, never a second one');
    assert.equal(mine[0]!.state, 4);
    assert.equal(emulator.ledger().filter((r) => r.token === '880101698207133408').length, 1);
    const trail = await steps(bridge, body.data.transaction_id);
    assert.deepEqual(trail.slice(0, 3), ['pending:received', 'pending:receipt_created', 'unknown:answer_lost']);
    assert.ok(trail.includes('unknown:check'));
    assert.equal(trail.at(-1), 'succeeded:succeeded');
  });

  test('in flight (…102): checked until paid', async () => {
    const { body } = await post(bridge, '/payment/payme', { amount: 1_020, qr_code: '880101698207133102' });
    assert.equal(body.is_success, true, JSON.stringify(body));
    const trail = await steps(bridge, body.data.transaction_id);
    assert.ok(trail.filter((s) => s === 'pending:check').length >= 2, trail.join(' '));
  });

  for (const [name, qr] of [
    ['HTTP 502', '880101698207133502'],
    ['an unreadable answer', '880101698207133520'],
  ] as const) {
    test(`${name} from receipts.pay: checked, receipt cancelled, failed, nothing charged`, async () => {
      const { body } = await post(bridge, '/payment/payme', { amount: 500, qr_code: qr });
      assert.equal(body.error?.code, 104, JSON.stringify(body));
      const tx = await bridge.journal.get(body.error!.transaction_id);
      assert.equal(tx?.status, 'failed');
      assert.equal(emulator.ledger().find((r) => r._id === tx!.providerPaymentId)?.state, 50);
      assert.ok((await steps(bridge, tx!.id)).includes('unknown:receipt_cancelled'));
    });
  }
});

describe('Payme Go with a wrong cashbox key', () => {
  test('104 with a clear message, nothing charged, the key never logged', async () => {
    const emulator = await startPaymeEmulator();
    const bridge = await startTestBridge(productionPayme(emulator.url, 'wrong-key-Px9'));
    try {
      const { body } = await post(bridge, '/payment/payme', { amount: 500, qr_code: QR });
      assert.equal(body.error?.code, 104);
      assert.equal(body.error?.data, '-32504: Недостаточно привилегий для выполнения метода');
      assert.match(String(body.error?.provider_said), /Payme refused to create the receipt/);
      assert.equal(emulator.ledger().length, 0);
      assert.doesNotMatch(bridge.logs.text, /wrong-key-Px9/);
    } finally {
      await bridge.close();
      await emulator.close();
    }
  });
});

describe('the sandbox takes Payme Go too', () => {
  test('POST /payment/payme in sandbox mode, and the payment in the journal listing', async () => {
    const bridge = await startTestBridge();
    try {
      const { body } = await post(bridge, '/payment/payme', '{"amount":"1500","qr_code":"880101698207133392",}');
      assert.equal(body.is_success, true, JSON.stringify(body));
      const list = await get(bridge, '/payment/transactions?method=payme');
      assert.equal(list.body.data.items[0].transaction_id, body.data.transaction_id);
      assert.equal(bridge.emulators!.payme.charges().length, 1);
    } finally {
      await bridge.close();
    }
  });
});
