import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { get, post, startTestBridge, uniqueQr, type TestBridge, transitionAsHolder } from './helpers.js';

/** The value of one sample, e.g. sample(text, 'paybridge_http_requests_total', {route: '/payment/click', outcome: 'ok'}). */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

describe('GET /metrics', () => {
  let bridge: TestBridge;
  before(async () => {
    bridge = await startTestBridge();
  });
  after(() => bridge.close());

  const scrape = async () => {
    const res = await bridge.server.inject({ method: 'GET', url: '/metrics' });
    assert.equal(res.statusCode, 200);
    assert.match(res.headers['content-type'] as string, /^text\/plain; version=0\.0\.4/);
    return res.body;
  };

  it('counts requests by route and outcome, and transactions by method and status', async () => {
    await post(bridge, '/payment/click', { amount: 500, qr_code: uniqueQr() });
    await post(bridge, '/payment/click', { amount: 500, qr_code: uniqueQr() });
    await post(bridge, '/payment/click', { amount: 500, qr_code: '880101698207133116' });
    await post(bridge, '/payment/click', { amount: -1, qr_code: '1' });
    await post(bridge, '/payment/uzcard', { amount: 5_000 });
    const text = await scrape();
    assert.equal(sample(text, 'paybridge_http_requests_total', { route: '/payment/click', outcome: 'ok' }), 2);
    assert.equal(sample(text, 'paybridge_http_requests_total', { route: '/payment/click', outcome: 'error_104' }), 1);
    assert.equal(sample(text, 'paybridge_http_requests_total', { route: '/payment/click', outcome: 'error_7' }), 1);
    assert.equal(sample(text, 'paybridge_transactions_total', { method: 'click', kind: 'payment', status: 'succeeded' }), 2);
    assert.equal(sample(text, 'paybridge_transactions_total', { method: 'click', kind: 'payment', status: 'failed' }), 1);
    assert.equal(sample(text, 'paybridge_transactions_total', { method: 'uzcard', kind: 'payment', status: 'succeeded' }), 1);
    assert.ok(sample(text, 'paybridge_http_request_duration_seconds_count', { route: '/payment/click' })! >= 4);
  });

  it('measures Click/Payme calls and pinpad operations', async () => {
    await post(bridge, '/payment/payme', { amount: 700, qr_code: uniqueQr() });
    await post(bridge, '/payment/xumo', { amount: 700 });
    const text = await scrape();
    // A Payme payment is several JSON-RPC calls (create, pay, check…), each timed.
    assert.ok(sample(text, 'paybridge_provider_request_duration_seconds_count', { provider: 'payme', outcome: '2xx' })! >= 2);
    assert.ok(sample(text, 'paybridge_provider_request_duration_seconds_count', { provider: 'click', outcome: '2xx' })! >= 1);
    assert.equal(sample(text, 'paybridge_terminal_operation_duration_seconds_count', { terminal: 'humo-sandbox', operation: 'purchase', outcome: 'answered' }), 1);
    assert.equal(sample(text, 'paybridge_terminal_queue_depth', { terminal: 'humo-sandbox' }), 0);
    assert.equal(sample(text, 'paybridge_terminal_busy', { terminal: 'uzcard-sandbox' }), 0);
    assert.ok(sample(text, 'paybridge_process_resident_memory_bytes')! > 0);
  });

  it('reports what is still open from the journal: unknown and pending payments, undelivered hand-offs', async () => {
    const id = randomUUID();
    await bridge.journal.insert({ id, method: 'payme', amount: 900, qrCodeMasked: '****1', qrCodeHash: null, createdAt: Date.now(), kind: 'payment' }, { step: 'received' });
    await transitionAsHolder(bridge.journal, id, 'pending', 'unknown', {}, { step: 'lost' });
    await bridge.journal.insertHandoff({ id: randomUUID(), method: 'click', paymentId: '555', transactionId: null, receipt: { paymentId: '555', qrCodeUrl: 'https://ofd.soliq.uz/check?t=1' }, state: 'pending', createdAt: Date.now() });
    const text = await scrape();
    assert.equal(sample(text, 'paybridge_open_transactions', { method: 'payme', status: 'unknown' }), 1);
    assert.equal(sample(text, 'paybridge_open_transactions', { method: 'click', status: 'pending' }), 0);
    assert.ok(sample(text, 'paybridge_fiscal_handoffs_pending')! >= 1);
    void get;
  });

  it('gives every answer the request id its log lines carry', async () => {
    const res = await bridge.server.inject({ method: 'POST', url: '/payment/click', payload: '{"amount":1}' });
    const id = res.headers['x-request-id'] as string;
    assert.match(id, /^[0-9a-f-]{36}$/);
    assert.ok(bridge.logs.lines.some((l) => l.includes(`"reqId":"${id}"`)), 'the log names the request');
  });
});
