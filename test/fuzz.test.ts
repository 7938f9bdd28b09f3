import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { startTestBridge } from './helpers.js';

const PATHS = [
  '/payment/click',
  '/payment/payme',
  '/payment/xumo',
  '/payment/uzcard',
  '/payment/click_confirm',
  '/payment/payme_confirm',
  '/payment/click_cancel',
  '/payment/payme_cancel',
  '/payment/xumo_close',
  '/payment/uzcard/print_last',
  '/payment/transactions',
  '/payment/transactions/00000000-0000-4000-8000-000000000000',
  '/payment/transactions/00000000-0000-4000-8000-000000000000/resolve',
  '/health',
];

// Values that hurt parsers and validators: huge and odd numbers, unicode, nesting, wrong types.
const nasty = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  fc.constantFrom(1e308, -1e308, 5e-324, 2 ** 53 + 1, -0, '99999999999999999999999', '0x1F', ' 500', '500 ', '٥٠٠', '５００', '\u0000', '\ud800', 'true', 'null', '[]', '{}'),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.array(fc.anything({ maxDepth: 2 }), { maxLength: 3 }).map((a) => JSON.parse(JSON.stringify(a)) as unknown),
);

const body = fc.oneof(
  fc.record({ amount: nasty, qr_code: nasty, request_id: nasty, is_return: nasty, payment_id: nasty, transaction_id: nasty, terminal: nasty }, { requiredKeys: [] }).map((o) => JSON.stringify(o)),
  fc.jsonValue({ maxDepth: 5 }).map((v) => JSON.stringify(v)),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.constantFrom('{', '{"amount":', '{"amount":1,,}', '[1,2', '{"a":"\\u12"}', '{"amount":0500,"qr_code":"1",}', 'null', '', '{"__proto__":{"admin":true}}', '['.repeat(5000)),
  fc.nat({ max: 40 }).map((n) => `{"qr_code":"${'9'.repeat(n * 30)}","amount":${'9'.repeat(n)}}`),
);

const request = fc.record({
  method: fc.constantFrom('GET', 'POST', 'POST', 'POST', 'PUT', 'DELETE', 'PATCH'),
  path: fc.oneof(fc.constantFrom(...PATHS), fc.webPath().map((p) => (p.startsWith('/') ? p : `/${p}`)), fc.constantFrom(...PATHS).chain((p) => fc.string({ maxLength: 30 }).map((q) => `${p}?${encodeURIComponent(q)}=${encodeURIComponent(q)}`))),
  contentType: fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=cp1251', ''),
  key: fc.option(fc.oneof(fc.uuid(), fc.string({ maxLength: 300 }).filter((s) => !/[\r\n\0]/.test(s) && /^[\x20-\x7e]*$/.test(s))), { nil: undefined }),
  longHeader: fc.boolean(),
  payload: body,
});

describe('fuzzing the HTTP surface', () => {
  test('10,000 generated requests: every answer is an envelope with HTTP 200, never a 5xx, and a refused request changes nothing', async () => {
    const bridge = await startTestBridge((c) => {
      c.sandbox.terminal_timeout_ms = 300;
      c.terminals.queue_wait_ms = 200;
      c.click!.status_deadline_ms = 200;
      c.payme!.status_deadline_ms = 200;
    });
    const counts = { total: 0, refused: 0, succeeded: 0, otherFailures: 0, notFound: 0 };
    try {
      await fc.assert(
        fc.asyncProperty(request, async (r) => {
          const before = (await bridge.journal.list({ limit: 1 })).items[0]?.id;
          const headers: Record<string, string> = {};
          if (r.contentType) headers['content-type'] = r.contentType;
          if (r.key !== undefined) headers['idempotency-key'] = r.key;
          if (r.longHeader) headers['x-cashier-note'] = 'x'.repeat(8_000);
          const res = await bridge.server.inject({ method: r.method as 'GET', url: r.path, headers, ...(r.method === 'GET' ? {} : { payload: r.payload }) });
          counts.total++;
          assert.ok(res.statusCode < 500, `${r.method} ${r.path} → ${res.statusCode}: ${res.body.slice(0, 300)}`);
          // The console's page, the API reference and the metrics are for people and Prometheus, not tills;
          // a path the router normalises to `/` (`/.`, `/%2e`) is sent to the console like `/` itself.
          if (r.method === 'GET' && (res.headers.location === '/console/' || /^\/(?:$|\?|console|docs|openapi\.json|metrics)/.test(r.path))) return;
          let parsed: { data: unknown; error: { code: number; data: unknown } | null; is_success: boolean };
          try {
            parsed = res.json();
          } catch {
            assert.fail(`${r.method} ${r.path} → not JSON: ${res.body.slice(0, 200)}`);
          }
          assert.deepEqual(Object.keys(parsed).sort(), ['data', 'error', 'is_success'], res.body.slice(0, 200));
          // The contract's answer is HTTP 200 whatever it says: unknown paths and refused methods included.
          assert.equal(res.statusCode, 200, `${r.method} ${r.path} → ${res.statusCode}: ${res.body.slice(0, 200)}`);
          if (parsed.error?.code === 7 && /no such endpoint|is not served/.test(String(parsed.error.data))) counts.notFound++;
          if (parsed.is_success) {
            counts.succeeded++;
            return;
          }
          assert.ok(parsed.error && typeof parsed.error.code === 'number');
          assert.notEqual(parsed.error.code, 103, `internal error for ${r.method} ${r.path}: ${res.body.slice(0, 300)}`);
          assert.ok(parsed.error.data === null || typeof parsed.error.data === 'string');
          if (parsed.error.code === 7) {
            counts.refused++;
            const after = (await bridge.journal.list({ limit: 1 })).items[0]?.id;
            assert.equal(after, before, `a refused request wrote to the journal: ${r.method} ${r.path} ${String(r.payload).slice(0, 100)}`);
          } else counts.otherFailures++;
        }),
        { numRuns: 10_000 },
      );
    } finally {
      await bridge.close();
    }
    assert.equal(counts.total, 10_000);
    assert.ok(counts.refused > 1_000, `most generated requests are refused (${JSON.stringify(counts)})`);
  });
});
