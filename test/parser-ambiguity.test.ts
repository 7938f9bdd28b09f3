/**
 * Issue #13, item 6: the parser refuses what it could read two ways. A key given twice in one object
 * and a number that is an integer only after rounding (or after reading its exponent) are refused with
 * code 7 naming the field, before anything is journaled or sent; the seed documents' quirks stay
 * accepted exactly as before.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { JsonDuplicateKeyError, JsonSyntaxError, parseLenientJson } from '../src/lib/lenient-json.js';
import { classify } from '../src/payments/outcome-table.js';
import { ClickClient, ClickHttpError } from '../src/providers/click/client.js';
import { CLICK_PAYMENT, paymentKeys } from '../src/providers/click/outcomes.js';
import { PaymeClient, PaymeHttpError } from '../src/providers/payme/client.js';
import { PAYME_CHECK, checkKeys } from '../src/providers/payme/outcomes.js';
import { post, startTestBridge, type Envelope, type TestBridge } from './helpers.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

function codeSeven(body: Envelope): string {
  assert.equal(body.is_success, false, JSON.stringify(body));
  assert.equal(body.data, null);
  assert.equal(body.error?.code, 7, JSON.stringify(body.error));
  return String(body.error.data);
}

describe('the parser refuses ambiguity', () => {
  test('a key given twice is refused, naming the key, its path and both places', () => {
    const text = '{\n  "amount": 500,\n  "amount": 5,\n  "qr_code": "880101698207133392"\n}';
    assert.throws(
      () => parseLenientJson(text),
      (err: unknown) => {
        assert.ok(err instanceof JsonDuplicateKeyError);
        assert.ok(err instanceof JsonSyntaxError, 'still a document that cannot be read one way');
        assert.equal(err.path, 'amount');
        assert.equal(err.message, 'amount: given twice (line 2 column 3 and line 3 column 3); a field may appear only once');
        return true;
      },
    );
    // Nested, in arrays, spelt with an escape, with the tills' quirks around it: all the same key.
    const cases: [string, string][] = [
      ['{"a":{"b":1,"b":2}}', 'a.b'],
      ['{"items":[{"price":1},{"price":1,"price":2}]}', 'items.1.price'],
      ['[{"x":1,"x":1}]', '0.x'],
      ['{"amount":500,"\\u0061mount":5}', 'amount'],
      ['{\n "amount": 500 (note)\n "amount": 5\n}', 'amount'],
      ['{"amount":500,"qr_code":"1","amount":500,}', 'amount'],
      ['{"amount":500,"amount":500}', 'amount'], // the same value twice is refused too: one field, one place
      ['{"toString":1,"toString":2}', 'toString'],
    ];
    for (const [bad, path] of cases) {
      assert.throws(() => parseLenientJson(bad), (err: unknown) => err instanceof JsonDuplicateKeyError && err.path === path && err.message.startsWith(`${path}: given twice`), bad);
      assert.throws(() => parseLenientJson(bad, { numbers: 'raw' }), JsonDuplicateKeyError, bad);
    }
    // The same key in different objects is no duplicate.
    assert.deepEqual(parseLenientJson('[{"a":1},{"a":2}]'), [{ a: 1 }, { a: 2 }]);
    assert.deepEqual(parseLenientJson('{"a":{"a":1},"b":{"a":2}}'), { a: { a: 1 }, b: { a: 2 } });
    assert.deepEqual(parseLenientJson('{"toString":1,"valueOf":2}'), { toString: 1, valueOf: 2 });
  });

  test('a number with a fraction or an exponent never comes back as an integer', () => {
    const asText = ['500.0000000000000001', '5e2', '5E+2', '500.0', '500.00', '50000e-2', '0.0', '-3.0', '1e400', '9007199254740993.5', '1.5e300'];
    for (const literal of asText) {
      const value = parseLenientJson(`{"amount":${literal}}`) as { amount: unknown };
      assert.equal(value.amount, literal, `${literal} is kept as written`);
    }
    // A value that is no integer anyway stays a number: integer validation refuses it as it is.
    assert.deepEqual(parseLenientJson('[500.5, 0.1, -2.25, 1e-7, 5e-324]'), [500.5, 0.1, -2.25, 1e-7, 5e-324]);
    // Plain integer literals are read as before.
    assert.deepEqual(parseLenientJson('[500, -500, 0, -0, 9007199254740991, 9007199254740992, 0500]'), [500, -500, 0, -0, 9007199254740991, '9007199254740992', '0500']);
    assert.deepEqual(parseLenientJson('{"amount":5.00}', { numbers: 'raw' }), { amount: '5.00' });
  });

  test('property: an object serialised with one key given twice is always refused, naming that key', () => {
    // Keys the parser refuses for another reason (they would reach Object.prototype) are left out, nested ones too.
    const forbidden = /^(__proto__|constructor|prototype)$/;
    const key = fc.string({ maxLength: 12 }).filter((k) => !forbidden.test(k));
    const value = fc.jsonValue({ maxDepth: 2 }).filter((v) => !/"(__proto__|constructor|prototype)":/.test(JSON.stringify(v)));
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(key, value), { minLength: 1, maxLength: 8, selector: ([k]) => k }),
        fc.nat(),
        fc.nat(),
        value,
        fc.constantFrom(',', ',\n', '\n', ' ,'),
        (members, which, where, again, separator) => {
          const [dupKey] = members[which % members.length]!;
          const parts = members.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`);
          const at = 1 + (where % parts.length); // after the first copy, wherever that is
          const first = members.findIndex(([k]) => k === dupKey);
          parts.splice(Math.max(at, first + 1), 0, `${JSON.stringify(dupKey)}:${JSON.stringify(again)}`);
          // '\n' alone: the tills' forgotten comma before a member on its own line.
          const text = `{${parts.join(separator)}}`;
          assert.throws(
            () => parseLenientJson(text),
            (err: unknown) => err instanceof JsonDuplicateKeyError && err.path === dupKey && err.message.startsWith(`${dupKey}: given twice (`),
            text,
          );
        },
      ),
      { numRuns: 2000 },
    );
  });

  test('property: any safe integer, written plainly, reads as exactly that integer; written with a fraction or exponent, never as a number', () => {
    fc.assert(
      fc.property(fc.maxSafeInteger(), fc.constantFrom('.0', '.00', 'e0', 'E+0', '.0000000000000001', '.0e0'), (n, tail) => {
        assert.equal(parseLenientJson(String(n)), n);
        assert.deepEqual(parseLenientJson(`{"amount":${n}}`), { amount: n });
        // Kept as written, or (0.0000000000000001) a number that is no integer: never one that passes for one.
        const written = `${n}${tail}`;
        const read = parseLenientJson(written);
        assert.ok(read === written || (typeof read === 'number' && !Number.isInteger(read)), `${written} read as ${String(read)}`);
      }),
      { numRuns: 1000 },
    );
  });

  test('the seed documents’ requests still parse to what they meant', () => {
    assert.deepEqual(parseLenientJson(fixture('seed-click-content.txt')), { amount: 500, qr_code: '880101698207133392' });
    assert.deepEqual(parseLenientJson(fixture('seed-click-request-shape.txt')), { amount: 500, qr_code: '880101698207133392' });
    assert.deepEqual(parseLenientJson(fixture('seed-humo-pay.txt')), { amount: 50000 });
    assert.deepEqual(parseLenientJson(fixture('seed-humo-cancel.txt')), { request_id: 650, amount: 30000, is_return: 'true' });
    assert.deepEqual(parseLenientJson(fixture('seed-uzcard-refund.txt')), { request_id: '010965270742', amount: 30000, is_return: 'true' });
  });
});

describe('over HTTP: ambiguous requests get code 7 naming the field, and change nothing', () => {
  let bridge: TestBridge;
  before(async () => {
    bridge = await startTestBridge();
  });
  after(() => bridge.close());

  const counts = async () => ({
    journal: (await bridge.journal.list({ limit: 500 })).items.length,
    click: bridge.emulators!.click.ledger().length,
    payme: bridge.emulators!.payme.ledger().length,
  });
  const nothingHappened = async (charges: { journal: number; click: number; payme: number }) => {
    assert.equal((await bridge.journal.list({ limit: 500 })).items.length, charges.journal, 'nothing was journaled');
    assert.equal(bridge.emulators!.click.ledger().length, charges.click, 'Click saw nothing');
    assert.equal(bridge.emulators!.payme.ledger().length, charges.payme, 'Payme saw nothing');
  };

  test('a duplicated amount: refused, naming amount', async () => {
    const charges = await counts();
    const payloads: [string, string][] = [
      ['/payment/click', '{\n  "amount": 500,\n  "amount": 5,\n  "qr_code": "880101698207133392"\n}'],
      ['/payment/payme', '{"amount":500,"qr_code":"880101698207133392","amount":5}'],
      ['/payment/click', '{\n  "amount": 500 (цена)\n  "amount": 5\n  "qr_code": "880101698207133392",\n}'],
      ['/payment/xumo', '{\n  "amount": 30000 (цена в сотых 00)\n  "amount": 300\n}'],
      ['/payment/uzcard', '{"request_id":"010965270742","amount":30000,"amount":300,"is_return":true}'],
    ];
    for (const [url, payload] of payloads) {
      const { statusCode, body } = await post(bridge, url, payload);
      assert.equal(statusCode, 200);
      const data = codeSeven(body);
      assert.match(data, /^amount: given twice \(line \d+ column \d+ and line \d+ column \d+\); a field may appear only once$/, payload);
      assert.deepEqual(body.error?.problems, [data]);
      assert.match(body.error!.message, /\(amount\)/, 'the cashier’s message names the field');
    }
    const first = await post(bridge, '/payment/click', payloads[0]![1]);
    assert.equal(first.body.error?.data, 'amount: given twice (line 2 column 3 and line 3 column 3); a field may appear only once');
    const nested = await post(bridge, '/payment/click', '{"amount":500,"qr_code":"1","items":[{"price":5,"price":6}]}');
    assert.equal(codeSeven(nested.body), 'items.0.price: given twice (line 1 column 39 and line 1 column 49); a field may appear only once');
    const qr = await post(bridge, '/payment/click', '{"amount":500,"qr_code":"880101698207133392","qr_code":"880101698207133116"}');
    assert.match(codeSeven(qr.body), /^qr_code: given twice/);
    await nothingHappened(charges);
    assert.equal(charges.journal, 0, 'the first request of this bridge: its journal is empty');
  });

  test('an amount that is an integer only after rounding or reading an exponent: refused, naming amount', async () => {
    const charges = await counts();
    for (const literal of ['500.0000000000000001', '5e2', '500.5', '500.0', '5E+2', '50000e-2', '499.99999999999999999']) {
      for (const url of ['/payment/click', '/payment/payme']) {
        const { body } = await post(bridge, url, `{"amount":${literal},"qr_code":"880101698207133392"}`);
        assert.match(codeSeven(body), /^amount: must be a positive integer number of tiyin \(1 soum = 100 tiyin\), at most \d+$/, `${url} ${literal}`);
      }
      for (const url of ['/payment/xumo', '/payment/uzcard']) {
        const { body } = await post(bridge, url, `{"amount":${literal}}`);
        assert.match(codeSeven(body), /^amount: must be a positive integer number of tiyin/, `${url} ${literal}`);
      }
    }
    // Other integer fields are read the same way.
    const cancel = await post(bridge, '/payment/click_cancel', '{"payment_id":"2170000001","amount":5e2}');
    assert.match(codeSeven(cancel.body), /^amount: must be a positive integer number of tiyin/);
    const receipt = await post(bridge, '/payment/payme_confirm', '{"payment_id":"x","qr_code":"https://ofd.soliq.uz/check?t=1","receipt_id":1542.0}');
    assert.match(codeSeven(receipt.body), /receipt_id: must be the fiscal receipt number \(an integer\)/);
    await nothingHappened(charges);
  });

  test('the seed quirks are still accepted: the Click seed request pays 500 tiyin', async () => {
    for (const name of ['seed-click-content.txt', 'seed-click-request-shape.txt']) {
      const { body } = await post(bridge, '/payment/click', fixture(name));
      assert.equal(body.is_success, true, `${name}: ${JSON.stringify(body)}`);
      assert.equal(body.data.amount, 500);
      assert.equal(body.data.qr_code, '880101698207133392');
    }
    // The card seeds reach the service as the seed meant them (their full runs are in cards.test.ts).
    const cancel = await post(bridge, '/payment/xumo', fixture('seed-humo-cancel.txt'));
    assert.equal(cancel.body.error?.code, 106, JSON.stringify(cancel.body));
    assert.match(String(cancel.body.error?.data), /receipt number or RRN 650 /);
    const refund = await post(bridge, '/payment/uzcard', fixture('seed-uzcard-refund.txt'));
    assert.equal(refund.body.error?.code, 106, JSON.stringify(refund.body));
    assert.match(String(refund.body.error?.data), /RRN 010965270742 /);
  });
});

describe('provider answers parsed by the same function', () => {
  let server: Server;
  let answer = '';
  let url = '';
  before(async () => {
    server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(answer);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const timeouts = { connectMs: 1_000, responseMs: 1_000 };

  test('a Click answer with a key given twice is an unreadable body: uncertain, never a decline', async () => {
    const click = new ClickClient({ baseUrl: url, serviceId: 1, merchantUserId: 'x', secretKey: 'x' }, timeouts);
    try {
      answer = '{"error_code":0,"payment_id":2170000001,"payment_status":2,"payment_status":-1}';
      await assert.rejects(click.status('2170000001'), (err: unknown) => err instanceof ClickHttpError && err.garbage && err.statusCode === 200);
      assert.equal(classify(CLICK_PAYMENT, paymentKeys({ kind: 'http', statusCode: 200, garbage: true, body: answer })).outcome, 'uncertain');
      // A status written with a fraction is no status: uncertain, where 2 would be paid and -1 declined.
      answer = '{"error_code":0,"payment_id":2170000001,"payment_status":-1.0}';
      const reply = await click.status('2170000001');
      assert.equal(reply.payment_status, '-1.0');
      assert.equal(classify(CLICK_PAYMENT, paymentKeys({ kind: 'reply', reply })).outcome, 'uncertain');
    } finally {
      await click.close();
    }
  });

  test('a Payme answer with a key given twice is no JSON-RPC reply: uncertain', async () => {
    const payme = new PaymeClient({ url, cashboxId: 'x', cashboxKey: 'x' }, timeouts);
    try {
      answer = '{"jsonrpc":"2.0","id":1,"result":{"state":4,"state":50}}';
      await assert.rejects(payme.check('r1'), (err: unknown) => err instanceof PaymeHttpError && err.statusCode === 200);
      assert.equal(classify(PAYME_CHECK, checkKeys({ kind: 'http', statusCode: 200, body: answer })).outcome, 'uncertain');
    } finally {
      await payme.close();
    }
  });
});
