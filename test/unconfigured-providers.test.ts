import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { get, post, startTestBridge, type Envelope, type TestBridge } from './helpers.js';

/**
 * FiscalBox's example requests for UzQR and Anorbank, byte for byte as its documentation prints
 * them: github.com/abdullo211/fiscal_document `Payments/UzQR.md` (every version, 2026-06-23 to
 * 2026-07-22), `Payments/Anor Bank.md` (formerly `Payments/Anor.md`, and `Payment.md` since
 * 2023-12-06), and FiscalBox's site dev.fbox.uz (payment/anor, payment/anor/fiscalization).
 */
const UZQR_POSTS: [string, string][] = [
  ['/payment/one_qr/create', '{\n  "external_id": "EXT001",\n  "amount": "100.00"\n}'],
  [
    '/payment/one_qr/create',
    '{\n  "external_id": "EXT001",\n  "amount": "100.00",\n  "print": true,\n  "banners": [\n    {\n      "type": "text",\n      "data": "Thank you for your purchase!",\n      "style": { "align": "center", "is_bold": true }\n    }\n  ]\n}',
  ],
  [
    '/payment/one_qr/receipt',
    '{\n  "pay_id": "PAY12345678901234567",\n  "fiscal_receipt_url": "https://example.com/fiscal-receipt/123](https://ofd.soliq.uz/check?t=LG420230601161&r=92927&c=20260617102213&s=117733149112"\n}',
  ],
  ['/payment/one_qr/cancel', '{\n  "invoice_id": "INV8D1EBF7CDCBA44E7BF90D3"\n}'],
  ['/payment/one_qr/refund', '{\n  "pay_id": "PAY123456",\n  "amount": "1"\n}'],
];
const UZQR_GETS = [
  '/payment/one_qr/status?invoice_id=INVC134B7FEFED34BC3B470B8',
  '/payment/one_qr/refund/status?refund_id=REF123456',
  '/payment/one_qr/refund/status?refund_id=REFF5149C4B458F4D7FB',
];
const ANOR_POSTS: [string, string][] = [
  ['/payment/anor', '{\n\t"amount":500,\n\t"qr_code":"880101698207133392"\n}'],
  ['/payment/anor', '{\n  "amount": 1000,\n  "qr_code": "50502044301381396427"\n}'],
  [
    '/payment/anor_confirm',
    '{\n"qr_code":"https://ofd.soliq.uz/check?t=UZ170703100597&r=6013&c=20231201160732&s=025561534771",\n"transaction_id":"05a447d7-ad64-4b95-931e-951b624b6534"\n} ',
  ],
  [
    '/payment/anor_confirm',
    '{\n  "transaction_id": "a12fc00f-5af5-65b8-adf8-74bff44680ee",\n  "qr_code": "https://ofd.soliq.uz/check?t=UZ170703100597&r=2421&c=20230104121801&s=514343190161"\n}',
  ],
];

function assertRefused(statusCode: number, body: Envelope, provider: 'UzQR' | 'Anorbank', where: string): void {
  assert.equal(statusCode, 200, where);
  assert.equal(body.is_success, false, where);
  assert.equal(body.data, null, where);
  assert.equal(body.error?.code, 104, `${where}: ${JSON.stringify(body)}`);
  assert.equal(body.error?.message, 'BILLING_ERROR', where);
  assert.equal(body.error?.data, `${provider} endpoint not configured`, where);
  assert.match(String(body.error?.reason), new RegExp(`^${provider} не подключён к этому PayBridge`), where);
}

describe('UzQR and Anorbank: FiscalBox’s requests, refused as FiscalBox refuses an unconfigured provider', () => {
  let bridge: TestBridge;
  before(async () => {
    bridge = await startTestBridge();
  });
  after(() => bridge.close());

  test('every example request, sent as printed, gets code 104 "… endpoint not configured" in the envelope, HTTP 200', async () => {
    for (const [url, payload] of UZQR_POSTS) {
      const { statusCode, body } = await post(bridge, url, payload);
      assertRefused(statusCode, body, 'UzQR', `POST ${url} ${payload}`);
    }
    for (const url of UZQR_GETS) {
      const { statusCode, body } = await get(bridge, url);
      assertRefused(statusCode, body, 'UzQR', `GET ${url}`);
    }
    for (const [url, payload] of ANOR_POSTS) {
      const { statusCode, body } = await post(bridge, url, payload);
      assertRefused(statusCode, body, 'Anorbank', `POST ${url} ${payload}`);
    }
  });

  test('nothing is journaled, not even the Idempotency-Key: the same key then takes a real payment', async () => {
    const key = 'fiscalbox-uzqr-1';
    const headers = { 'content-type': 'application/json', 'idempotency-key': key };
    const refused = await post(bridge, UZQR_POSTS[0]![0], UZQR_POSTS[0]![1], headers);
    assert.equal(refused.body.error?.code, 104);
    const anor = await post(bridge, ANOR_POSTS[0]![0], ANOR_POSTS[0]![1], headers);
    assert.equal(anor.body.error?.code, 104);
    const listed = await get(bridge, '/payment/transactions');
    assert.deepEqual(listed.body.data.items, [], 'the journal holds no transaction');
    // Had the refusal been tied to the key, a different body under it would be refused as a conflict.
    const paid = await post(bridge, '/payment/click', { amount: 500, qr_code: '880101698207133392' }, headers);
    assert.equal(paid.body.is_success, true, JSON.stringify(paid.body));
    assert.equal(paid.body.data.replayed, undefined);
  });

  test('the cashier’s reason follows the shop’s language; the contract fields do not', async () => {
    const res = await bridge.server.inject({ method: 'POST', url: '/payment/anor', payload: ANOR_POSTS[0]![1], headers: { 'accept-language': 'uz' } });
    const body = res.json() as Envelope;
    assert.equal(body.error?.message, 'BILLING_ERROR');
    assert.equal(body.error?.data, 'Anorbank endpoint not configured');
    assert.match(String(body.error?.reason), /^Anorbank ushbu PayBridge’ga ulanmagan/);
    const en = await bridge.server.inject({ method: 'GET', url: UZQR_GETS[0]!, headers: { 'accept-language': 'en' } });
    assert.match(String((en.json() as Envelope).error?.reason), /^UzQR is not connected to this PayBridge/);
  });

  test('a request FiscalBox documents differently is refused with code 7 naming the field, before the refusal', async () => {
    const bad: [string, object, string][] = [
      ['/payment/one_qr/create', { amount: '100.00' }, 'external_id'],
      ['/payment/one_qr/create', { external_id: 'E'.repeat(21), amount: '100.00' }, 'external_id'],
      ['/payment/one_qr/create', { external_id: 'EXT001', amount: '100.001' }, 'amount'],
      ['/payment/one_qr/create', { external_id: 'EXT001', amount: '0.00' }, 'amount'],
      ['/payment/one_qr/create', { external_id: 'EXT001', amount: '100,00' }, 'amount'],
      ['/payment/one_qr/create', { external_id: 'EXT001', amount: '100.00', print: 'yes' }, 'print'],
      ['/payment/one_qr/receipt', { pay_id: 'PAY12345678901234567' }, 'fiscal_receipt_url'],
      ['/payment/one_qr/cancel', {}, 'invoice_id'],
      ['/payment/one_qr/refund', { pay_id: 'PAY123456', amount: '-1' }, 'amount'],
      ['/payment/anor', { amount: '5.5', qr_code: '880101698207133392' }, 'amount'],
      ['/payment/anor', { amount: 500 }, 'qr_code'],
      ['/payment/anor_confirm', { transaction_id: '05a447d7-ad64-4b95-931e-951b624b6534', qr_code: 'http://example.com/check' }, 'qr_code'],
    ];
    for (const [url, payload, field] of bad) {
      const { statusCode, body } = await post(bridge, url, payload);
      assert.equal(statusCode, 200);
      assert.equal(body.error?.code, 7, `${url} ${JSON.stringify(payload)}: ${JSON.stringify(body)}`);
      assert.ok(body.error?.problems.some((p: string) => p.startsWith(`${field}:`)), `${url}: ${JSON.stringify(body.error?.problems)} names ${field}`);
    }
    for (const url of ['/payment/one_qr/status', '/payment/one_qr/refund/status?refund_id=']) {
      const { body } = await get(bridge, url);
      assert.equal(body.error?.code, 7, `${url}: ${JSON.stringify(body)}`);
    }
  });

  test('the API reference lists them, marked not configured', async () => {
    const spec = (await bridge.server.inject({ method: 'GET', url: '/openapi.json' })).json() as { paths: Record<string, Record<string, { tags: string[]; description: string }>> };
    const expected = {
      '/payment/one_qr/create': 'post',
      '/payment/one_qr/status': 'get',
      '/payment/one_qr/receipt': 'post',
      '/payment/one_qr/cancel': 'post',
      '/payment/one_qr/refund': 'post',
      '/payment/one_qr/refund/status': 'get',
      '/payment/anor': 'post',
      '/payment/anor_confirm': 'post',
    };
    for (const [path, method] of Object.entries(expected)) {
      const op = spec.paths[path]?.[method];
      assert.ok(op, `${method.toUpperCase()} ${path} is in the reference`);
      assert.deepEqual(op.tags, ['not configured']);
      assert.match(op.description, /published specification/);
    }
  });
});
