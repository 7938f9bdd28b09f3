import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { JournalUnavailableError } from '../src/payments/ports/journal.js';
import { get, post, rawRequest, startTestBridge, type Envelope, type TestBridge } from './helpers.js';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

function assertFailure(body: Envelope, code: number): NonNullable<Envelope['error']> {
  assert.equal(body.is_success, false, JSON.stringify(body));
  assert.equal(body.data, null);
  assert.ok(body.error);
  assert.equal(body.error.code, code, JSON.stringify(body.error));
  assert.equal(typeof body.error.message, 'string');
  assert.ok(body.error.data === null || typeof body.error.data === 'string', 'error.data is a string or null');
  return body.error;
}

async function journalCount(bridge: TestBridge): Promise<number> {
  return (await bridge.journal.list({ limit: 500 })).items.length;
}

describe('the POS contract over HTTP', () => {
  let bridge: TestBridge;
  before(async () => {
    bridge = await startTestBridge();
  });
  after(() => bridge.close());

  test('the seed document’s Click Pass request, byte for byte, takes a payment with the seed’s fields', async () => {
    const seed = fixture('seed-click-content.txt');
    const { statusCode, body } = await post(bridge, '/payment/click', seed);
    assert.equal(statusCode, 200);
    assert.equal(body.is_success, true, JSON.stringify(body));
    assert.equal(body.error, null);
    assert.deepEqual(Object.keys(body).sort(), ['data', 'error', 'is_success']);
    const d = body.data;
    assert.equal(d.status_code, 0);
    assert.equal(d.status, 'successfully');
    assert.equal(d.message, 'Успешно подтвержден');
    assert.match(d.transaction_id, UUID_V4);
    assert.match(d.payment_id, /^\d+$/);
    assert.equal(d.amount, 500);
    assert.equal(d.qr_code, '880101698207133392');
    assert.match(d.client_phone_number, /^998\d{9}$/);
    const charge = bridge.emulators!.click.charges().find((c) => c.merchantTransId === d.transaction_id);
    assert.ok(charge, 'the emulator charged it');
    assert.equal(charge.amountTiyin, 500);
    assert.equal(String(charge.paymentId), d.payment_id);
  });

  test('the fixture is the seed text itself, where the seeds are at hand', (t) => {
    const dir = new URL('../../shared/seeds/', import.meta.url);
    if (!existsSync(dir)) return t.skip('../shared/seeds not beside this checkout');
    const seeds = readdirSync(dir).map((f) => readFileSync(new URL(f, dir), 'utf8'));
    assert.ok(seeds.some((s) => s.includes('```' + fixture('seed-click-content.txt') + '```')));
    assert.ok(seeds.some((s) => s.includes('"amount": [Payment price],\n  "qr_code": [Qr code from CLICK PASS],\n}')));
  });

  test('quirks real tills send are accepted', async () => {
    const cases: [string, string, Record<string, string>?][] = [
      ['the request shape with its trailing comma', fixture('seed-click-request-shape.txt')],
      ['amount as a numeric string', '{"amount":"500","qr_code":"880101698207133392"}'],
      ['amount with leading zeros', '{"amount":0500,"qr_code":"880101698207133392"}'],
      ['qr_code as a bare number above 2^53, kept digit for digit', '{"amount":500,"qr_code":880101698207133392}'],
      ['no content type', '{"amount":500,"qr_code":"880101698207133392"}', {}],
      ['text/plain', '{"amount":500,"qr_code":"880101698207133392"}', { 'content-type': 'text/plain' }],
      ['form content type (curl -d)', '{"amount":500,"qr_code":"880101698207133392"}', { 'content-type': 'application/x-www-form-urlencoded' }],
      ['a byte-order mark and CRLF line ends', '\ufeff{\r\n"amount": 500,\r\n"qr_code": "880101698207133392",\r\n}\r\n'],
      ['unknown extra fields', '{"amount":500,"qr_code":"880101698207133392","cashier":"Dilnoza","items":[]}'],
    ];
    for (const [name, payload, headers] of cases) {
      const { statusCode, body } = await post(bridge, '/payment/click', payload, headers ?? { 'content-type': 'application/json' });
      assert.equal(statusCode, 200, name);
      assert.equal(body.is_success, true, `${name}: ${JSON.stringify(body)}`);
      assert.equal(body.data.amount, 500, name);
      assert.equal(body.data.qr_code, '880101698207133392', name);
    }
  });

  test('every malformed request gets code 7 naming the field, and changes nothing', async () => {
    const before = await journalCount(bridge);
    const charges = bridge.emulators!.click.ledger().length;
    const cases: [string, string, RegExp][] = [
      ['not JSON', 'amount=500&qr_code=1', /^body: invalid JSON at line 1 column 1/],
      ['truncated JSON', '{"amount":500,', /^body: invalid JSON/],
      ['an array', '[{"amount":500,"qr_code":"1"}]', /^body: must be a JSON object/],
      ['a string', '"hello"', /^body: must be a JSON object/],
      ['null', 'null', /^body: must be a JSON object/],
      ['empty body', '', /^body: is empty/],
      ['whitespace body', '  \n ', /^body: is empty/],
      ['missing amount', '{"qr_code":"880101698207133392"}', /^amount: is required$/],
      ['missing qr_code', '{"amount":500}', /^qr_code: is required$/],
      ['both missing', '{}', /^amount: is required; qr_code: is required$/],
      ['amount zero', '{"amount":0,"qr_code":"1"}', /^amount: must be a positive integer number of tiyin/],
      ['amount negative', '{"amount":-500,"qr_code":"1"}', /^amount: must be a positive integer number of tiyin/],
      ['amount fractional', '{"amount":500.5,"qr_code":"1"}', /^amount: must be a positive integer number of tiyin/],
      ['amount fractional string', '{"amount":"500.00","qr_code":"1"}', /^amount: must be a positive integer number of tiyin/],
      ['amount in words', '{"amount":"five","qr_code":"1"}', /^amount: must be a positive integer number of tiyin/],
      ['amount boolean', '{"amount":true,"qr_code":"1"}', /^amount: must be a positive integer number of tiyin/],
      ['amount null', '{"amount":null,"qr_code":"1"}', /^amount: must be a positive integer number of tiyin/],
      ['amount above the maximum', '{"amount":10000000001,"qr_code":"1"}', /^amount: .*at most 10000000000/],
      ['amount beyond 2^53', '{"amount":99999999999999999999,"qr_code":"1"}', /^amount: must be a positive integer/],
      ['amount as an exponent overflow', '{"amount":1e400,"qr_code":"1"}', /^amount: must be a positive integer/],
      ['qr_code empty', '{"amount":500,"qr_code":""}', /^qr_code: must be the scanned QR code/],
      ['qr_code with spaces', '{"amount":500,"qr_code":"8801 0169"}', /^qr_code: must be the scanned QR code/],
      ['qr_code too long', `{"amount":500,"qr_code":"${'7'.repeat(513)}"}`, /^qr_code: must be the scanned QR code: 1 to 512/],
      ['qr_code an object', '{"amount":500,"qr_code":{"a":1}}', /^qr_code: must be the scanned QR code/],
      ['a forbidden key', '{"amount":500,"qr_code":"1","__proto__":{"x":1}}', /^body: invalid JSON.*__proto__/],
      ['a body over the limit', `{"amount":500,"qr_code":"1","pad":"${'x'.repeat(20_000)}"}`, /^body: larger than the limit of 16384 bytes$/],
    ];
    for (const [name, payload, message] of cases) {
      const { statusCode, body } = await post(bridge, '/payment/click', payload);
      assert.equal(statusCode, 200, name);
      const error = assertFailure(body, 7);
      assert.match(String(error.data), message, name);
      assert.match(error.message, /^Касса отправила неверный запрос \(.+\)/, name);
    }
    assert.equal(await journalCount(bridge), before, 'no journal entry was written');
    assert.equal(bridge.emulators!.click.ledger().length, charges, 'Click saw nothing');
  });

  test('a decline is code 104 BILLING_ERROR with the provider’s code and text', async () => {
    const { statusCode, body } = await post(bridge, '/payment/click', { amount: 700, qr_code: '880101698207133116' });
    assert.equal(statusCode, 200);
    const error = assertFailure(body, 104);
    assert.equal(error.message, 'BILLING_ERROR');
    assert.equal(error.data, '-5017: Недостаточно средств на карте');
    assert.equal(error.transaction_status, 'failed');
    const tx = await bridge.journal.get(error.transaction_id);
    assert.equal(tx?.status, 'failed');
    assert.deepEqual(tx?.error, { code: 104, message: 'BILLING_ERROR', data: '-5017: Недостаточно средств на карте' });
  });

  test('unknown paths answer HTTP 200 with the envelope, like every answer of the contract', async () => {
    const res = await bridge.server.inject({ method: 'GET', url: '/payment/bitcoin?x=1' });
    assert.equal(res.statusCode, 200);
    const error = assertFailure(res.json(), 7);
    assert.equal(error.data, 'GET /payment/bitcoin: no such endpoint');
  });

  test('GET /health reports mode, version and journal', async () => {
    const { statusCode, body } = await get(bridge, '/health');
    assert.equal(statusCode, 200);
    assert.equal(body.is_success, true);
    assert.equal(body.data.mode, 'sandbox');
    assert.equal(body.data.version, JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version);
    assert.equal(body.data.journal.engine, 'sqlite');
    assert.equal(body.data.journal.ok, true);
  });

  test('property: any JSON body, or any text at all, gets a well-formed envelope and never a 5xx', async () => {
    const jsonBodies = fc.oneof(
      fc.jsonValue().map((v) => JSON.stringify(v)),
      fc.record({ amount: fc.jsonValue(), qr_code: fc.jsonValue() }, { requiredKeys: [] }).map((v) => JSON.stringify(v)),
      fc.string({ unit: 'binary', maxLength: 300 }),
    );
    await fc.assert(
      fc.asyncProperty(jsonBodies, async (payload) => {
        const res = await bridge.server.inject({ method: 'POST', url: '/payment/click', payload, headers: { 'content-type': 'application/json' } });
        assert.equal(res.statusCode, 200);
        const body = res.json() as Envelope;
        assert.deepEqual(Object.keys(body).sort(), ['data', 'error', 'is_success']);
        assert.equal(typeof body.is_success, 'boolean');
        if (body.is_success) {
          assert.equal(body.error, null);
          assert.equal(body.data.status, 'successfully');
        } else {
          assert.equal(body.data, null);
          assert.equal(typeof body.error?.code, 'number');
          assert.notEqual(body.error?.code, 103, `internal error for ${JSON.stringify(payload)}`);
          assert.ok(body.error?.data === null || typeof body.error?.data === 'string');
        }
      }),
      { numRuns: 300 },
    );
  });
});


describe('FiscalBox paths as its clients send them', () => {
  let bridge: TestBridge;
  let port: number;
  before(async () => {
    bridge = await startTestBridge();
    await bridge.server.listen({ port: 0, host: '127.0.0.1' });
    port = (bridge.server.server.address() as { port: number }).port;
  });
  after(() => bridge.close());

  const noSuchEndpoint = (body: Envelope) => body.error?.code === 7 && /no such endpoint|is not served/.test(String(body.error.data));

  test('every documented payment path PayBridge serves answers the same with and without a trailing slash', async () => {
    for (const slash of ['', '/']) {
      for (const path of ['/payment/click', '/payment/payme']) {
        const { statusCode, body } = await post(bridge, path + slash, '{"amount":500,"qr_code":"880101698207133392"}');
        assert.equal(statusCode, 200, path + slash);
        assert.equal(body.is_success, true, `${path}${slash}: ${JSON.stringify(body)}`);
        assert.equal(body.data.amount, 500);
      }
      for (const path of ['/payment/click_confirm', '/payment/payme_confirm']) {
        // Routed (a payment the journal does not know is refused by the service, not by the router).
        const { statusCode, body } = await post(bridge, path + slash, '{"payment_id":"1","qr_code":"https://ofd.soliq.uz/check?t=1&r=2&c=3&s=4"}');
        assert.equal(statusCode, 200, path + slash);
        assert.ok(!noSuchEndpoint(body), `${path}${slash}: ${JSON.stringify(body)}`);
      }
      for (const path of ['/payment/xumo', '/payment/uzcard']) {
        const { statusCode, body } = await post(bridge, path + slash, '{"amount": 50000}');
        assert.equal(statusCode, 200, path + slash);
        assert.equal(body.is_success, true, `${path}${slash}: ${JSON.stringify(body)}`);
        assert.match(body.data.ppt_id, /^\d{12}$/);
      }
      for (const path of ['/payment/xumo_shortreport', '/payment/uzcard_shortreport', '/payment/xumo_close', '/payment/uzcard_close']) {
        const { statusCode, body } = await get(bridge, path + slash);
        assert.equal(statusCode, 200, path + slash);
        assert.equal(body.is_success, true, `${path}${slash}: ${JSON.stringify(body)}`);
        assert.equal(body.data.ppt_id, null);
        assert.ok('reconciliation' in body.data);
      }
      // The rest are routed the same way (an empty body is refused by the route, never as an unknown path).
      for (const [method, path] of [
        ['POST', '/payment/uzum'],
        ['POST', '/payment/uzum_confirm'],
        ['POST', '/payment/uzum_cancel'],
        ['POST', '/payment/click_cancel'],
        ['POST', '/payment/payme_cancel'],
        ['POST', '/payment/anor'],
        ['POST', '/payment/anor_confirm'],
        ['POST', '/payment/one_qr/create'],
        ['GET', '/payment/one_qr/status'],
        ['POST', '/payment/one_qr/receipt'],
        ['POST', '/payment/one_qr/cancel'],
        ['POST', '/payment/one_qr/refund'],
        ['GET', '/payment/one_qr/refund/status'],
      ] as const) {
        const res = await bridge.server.inject({ method, url: path + slash, ...(method === 'POST' ? { payload: '{}' } : {}) });
        assert.equal(res.statusCode, 200, path + slash);
        const body = res.json() as Envelope;
        assert.equal(body.is_success, false);
        assert.ok(!noSuchEndpoint(body), `${path}${slash}: ${res.body}`);
      }
    }
  });

  test('the close paths with the Cyrillic «с» one version of the docs printed reach the close when percent-encoded', async () => {
    for (const path of ['/payment/xumo_%D1%81lose', '/payment/uzcard_%d1%81lose/', '/payment/uzcard_%D1%81lose?terminal=uzcard-sandbox']) {
      const { statusCode, body } = await get(bridge, path);
      assert.equal(statusCode, 200, path);
      assert.equal(body.is_success, true, `${path}: ${JSON.stringify(body)}`);
      assert.ok('reconciliation' in body.data, path);
    }
    // Unencoded, its UTF-8 bytes are refused by Node's HTTP parser: the envelope says so, HTTP 200.
    const raw = await rawRequest(port, Buffer.concat([Buffer.from('GET /payment/xumo_'), Buffer.from('\u0441', 'utf8'), Buffer.from('lose HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')]));
    assert.match(raw.statusLine, /^HTTP\/1\.1 200/);
    assert.match(String(assertFailure(JSON.parse(raw.body) as Envelope, 7).data), /^request: not a well-formed HTTP request \(HPE_INVALID_URL\)/);
    // Only the close paths: a Cyrillic letter elsewhere is an unknown path.
    const other = await get(bridge, '/payment/%D1%81lick');
    assert.ok(noSuchEndpoint(other.body), JSON.stringify(other.body));
  });

  test('a known path asked with the wrong method: HTTP 200, code 7, naming the method it takes; nothing recorded', async () => {
    const before = (await bridge.journal.list({ limit: 500 })).items.length;
    for (const [method, url, takes] of [
      ['GET', '/payment/click', 'POST'],
      ['PUT', '/payment/xumo/', 'POST'],
      ['DELETE', '/payment/uzcard', 'POST'],
      ['POST', '/payment/xumo_close', 'GET'],
      ['PATCH', '/payment/transactions/00000000-0000-4000-8000-000000000000', 'GET'],
    ] as const) {
      const res = await bridge.server.inject({ method, url, payload: method === 'GET' ? undefined : '{"amount":500,"qr_code":"880101698207133392"}' });
      assert.equal(res.statusCode, 200, `${method} ${url}`);
      const error = assertFailure(res.json(), 7);
      assert.match(String(error.data), new RegExp(`^method: ${method} .* is not served; it takes ${takes}$`), `${method} ${url}`);
    }
    assert.equal((await bridge.journal.list({ limit: 500 })).items.length, before);
  });

  test('Fastify\'s and Node\'s own refusals come as the envelope with HTTP 200: bad percent-encoding, an unknown method, headers too large, bad JSON', async () => {
    const badUrl = await bridge.server.inject({ method: 'GET', url: '/payment/%E0%A4%A' });
    assert.equal(badUrl.statusCode, 200);
    assert.match(String(assertFailure(badUrl.json(), 7).data), /^path: .*not a valid url component/);

    const badJson = await post(bridge, '/payment/xumo/', '{"amount": 500');
    assert.equal(badJson.statusCode, 200);
    assert.match(String(assertFailure(badJson.body, 7).data), /^body: invalid JSON/);

    const unknownMethod = await rawRequest(port, 'BREW /payment/click HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.match(unknownMethod.statusLine, /^HTTP\/1\.1 200/);
    assert.match(String(assertFailure(JSON.parse(unknownMethod.body) as Envelope, 7).data), /^method: not an HTTP method PayBridge serves/);

    const bigHeaders = await rawRequest(port, `GET /payment/xumo_close HTTP/1.1\r\nHost: x\r\nX-Note: ${'x'.repeat(64 * 1024)}\r\n\r\n`);
    assert.match(bigHeaders.statusLine, /^HTTP\/1\.1 200/);
    assert.match(String(assertFailure(JSON.parse(bigHeaders.body) as Envelope, 7).data), /^headers: larger than/);

    const garbage = await rawRequest(port, 'this is not http\r\n\r\n');
    assert.match(garbage.statusLine, /^HTTP\/1\.1 200/);
    assertFailure(JSON.parse(garbage.body) as Envelope, 7);
  });
});

describe('an internal failure', () => {
  test('a journal that cannot be written: "nothing was charged" only before anything was sent; an approval it cannot record is still an approval', async () => {
    const bridge = await startTestBridge();
    const journal = bridge.journal as unknown as Record<string, unknown>;
    const own = (name: string) => Object.getOwnPropertyDescriptor(journal, name) ?? { value: Reflect.get(Object.getPrototypeOf(journal) as object, name), writable: true, configurable: true };
    const insertQrPayment = own('insertQrPayment');
    const transition = own('transition');
    try {
      // The first write of a payment fails: Click is never asked, and the cashier is told so.
      journal.insertQrPayment = async () => {
        throw new JournalUnavailableError('PostgreSQL journal at postgres://pb:***@hq/pb cannot be reached: ECONNREFUSED');
      };
      const refused = assertFailure((await post(bridge, '/payment/click', { amount: 500, qr_code: '880101698207133392' })).body, 103);
      assert.match(refused.message, /^Журнал платежей недоступен, поэтому платёж не начат и деньги не списаны/);
      assert.equal(bridge.emulators!.click.ledger().length, 0);
      Object.defineProperty(journal, 'insertQrPayment', insertQrPayment);

      // The terminal approves, then the journal is lost: the card was charged, so the cashier hears the
      // approval and gets the slip — never "nothing was charged", never an error inviting a second try.
      journal.transition = async (...args: unknown[]) => {
        if (args[2] === 'succeeded') throw new JournalUnavailableError('PostgreSQL journal at postgres://pb:***@hq/pb cannot be reached: ECONNRESET');
        return (transition.value as (...a: unknown[]) => Promise<unknown>).apply(journal, args);
      };
      const approved = (await post(bridge, '/payment/uzcard', { amount: 5_000 })).body;
      assert.equal(approved.is_success, true, JSON.stringify(approved));
      assert.match(approved.data.message, /Одобрено/);
      assert.match(approved.data.ppt_id, /^\d{12}$/);
      const id = approved.data.transaction_id as string;
      assert.notEqual((await bridge.journal.get(id))!.status, 'succeeded', 'the journal could not record it');
      assert.match(bridge.logs.text, /money moved but the journal could not record it as this operation’s outcome: kept as a conflict for an operator/);
      // The proof is not lost with the request: it waits in the journal as a conflict, and the operator sees it.
      const attention = (await get(bridge, '/payment/attention')).body.data;
      assert.equal(attention.conflicts_count, 1);
      assert.deepEqual([attention.conflicts[0].transaction_id, attention.conflicts[0].kind, attention.conflicts[0].proven], [id, 'unrecorded', 'succeeded']);
      const metrics = (await bridge.server.inject({ method: 'GET', url: '/metrics' })).body;
      assert.match(metrics, /^paybridge_open_conflicts 1$/m, 'counted where monitoring looks');
      assert.match(metrics, /^paybridge_conflicts_total\{kind="unrecorded",journaled="true"\} 1$/m);

      // The journal is back: "settle now" records the payment at once from that proof (the request let
      // its claim go), with the RRN the till was given, and the conflict closes by itself.
      Object.defineProperty(journal, 'transition', transition);
      assert.equal((await post(bridge, '/payment/recovery/run', {})).body.is_success, true);
      const settled = (await bridge.journal.get(id))!;
      assert.deepEqual([settled.status, settled.providerPaymentId], ['succeeded', approved.data.ppt_id]);
      assert.equal(settled.events.at(-1)?.step, 'proof_applied');
      assert.equal((await get(bridge, '/payment/attention')).body.data.conflicts_count, 0);
    } finally {
      Object.defineProperty(journal, 'insertQrPayment', insertQrPayment);
      Object.defineProperty(journal, 'transition', transition);
      await bridge.close();
    }
  });

  test('is code 103 with no stack trace, and the next request still gets an answer', async () => {
    const bridge = await startTestBridge();
    try {
      await bridge.journal.close(); // the journal is gone: writing the payment down fails
      const { statusCode, body } = await post(bridge, '/payment/click', { amount: 500, qr_code: '880101698207133392' });
      assert.equal(statusCode, 200);
      const error = assertFailure(body, 103);
      assert.match(error.message, /^Внутренняя ошибка PayBridge/);
      const text = JSON.stringify(body);
      assert.doesNotMatch(text, /\.ts:\d+|\.js:\d+|\n\s+at /, 'no stack trace');
      assert.equal(bridge.emulators!.click.ledger().length, 0, 'nothing was sent to Click without a journal entry');
      const health = await get(bridge, '/health');
      assert.equal(health.statusCode, 503);
      assert.equal(health.body.data.journal.ok, false);
      assert.match(bridge.logs.text, /internal error/);
    } finally {
      await bridge.close();
    }
  });
});
