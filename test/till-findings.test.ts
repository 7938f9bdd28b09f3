import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { createLogger } from '../src/logger.js';
import { LogCapture, rawRequest, startTestBridge, uniqueQr, type Envelope, type TestBridge } from './helpers.js';

/**
 * Issue #28, "The till": what a till met on a shop's day, each over real sockets with the real journal
 * and the real log lines.
 */


const lines = (bridge: TestBridge, from = 0) => bridge.logs.lines.slice(from).map((l) => JSON.parse(l) as Record<string, unknown>);

describe('the till', () => {
  let bridge: TestBridge;
  let base: string;
  let port: number;
  before(async () => {
    bridge = await startTestBridge((c) => {
      c.log.level = 'info';
    });
    base = await bridge.server.listen({ host: '127.0.0.1', port: 0 });
    port = (bridge.server.server.address() as { port: number }).port;
  });
  after(() => bridge.close());

  const postJson = async (path: string, body: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body) });
    return (await res.json()) as Envelope;
  };

  test('the same QR code and amount within the retry window: the earlier payment, marked replayed: true (last), with or without a new key', async () => {
    for (const method of ['click', 'payme', 'uzum'] as const) {
      // Uzum takes codes of 40 characters or more (the last three 000: no trouble in the sandbox).
      const qr = method === 'uzum' ? uniqueQr().padEnd(40, '0') : uniqueQr();
      const first = await postJson(`/payment/${method}`, { amount: 500, qr_code: qr });
      assert.equal(first.is_success, true, `${method}: ${JSON.stringify(first)}`);
      assert.equal(first.data.replayed, undefined, 'the payment taken is not a replay');

      const again = await postJson(`/payment/${method}`, { amount: 500, qr_code: qr });
      assert.equal(again.is_success, true);
      assert.equal(again.data.transaction_id, first.data.transaction_id);
      // The first answer, word for word, with the marker after the contract's fields (as a keyed replay has it).
      assert.deepEqual(again, { ...first, data: { ...first.data, replayed: true } }, method);
      assert.deepEqual(Object.keys(again.data), [...Object.keys(first.data), 'replayed']);
      assert.deepEqual(Object.keys(again), ['data', 'error', 'is_success']);

      const keyed = await postJson(`/payment/${method}`, { amount: 500, qr_code: qr }, { 'idempotency-key': randomUUID() });
      assert.deepEqual(keyed, { ...first, data: { ...first.data, replayed: true } }, `${method}, a new key`);
    }
    assert.equal(bridge.emulators!.click.ledger().length, 1, 'Click charged once');
  });

  test('a body that is not UTF-8 is refused with code 7 on every route, before anything is charged or journaled', async () => {
    const before = (await bridge.journal.list({ limit: 500 })).items.length;
    const terminalOps = bridge.logs.lines.length;
    // Valid JSON but for one byte (0xFF, never UTF-8) inside a field the route does not read.
    const withBadByte = (prefix: string, suffix: string) => Buffer.concat([Buffer.from(prefix), Buffer.from([0xff]), Buffer.from(suffix)]);
    const cases: [string, Buffer][] = [
      ['/payment/xumo', withBadByte('{"amount":50000,"comment":"', '"}')],
      ['/payment/uzcard', withBadByte('{"amount":50000,"comment":"', '"}')],
      ['/payment/click', withBadByte('{"amount":500,"qr_code":"880101698207133392","note":"', '"}')],
      ['/payment/click', withBadByte('{"amount":500,"qr_code":"88010169820713339', '2"}')],
      ['/payment/payme', withBadByte('{"amount":500,"qr_code":"880101698207133392","x":"', '"}')],
      // An overlong encoding of "/" and a lone surrogate: well-formed-looking bytes that UTF-8 forbids.
      ['/payment/xumo', Buffer.concat([Buffer.from('{"amount":50000,"c":"'), Buffer.from([0xc0, 0xaf]), Buffer.from('"}')])],
      ['/payment/xumo', Buffer.concat([Buffer.from('{"amount":50000,"c":"'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('"}')])],
    ];
    for (const [path, bytes] of cases) {
      const answer = await postJson(path, bytes);
      assert.equal(answer.is_success, false, `${path}: ${JSON.stringify(answer)}`);
      assert.equal(answer.error?.code, 7, path);
      assert.match(String(answer.error?.data), /^body: is not valid UTF-8 \(byte \d+\)/, path);
    }
    assert.equal((await bridge.journal.list({ limit: 500 })).items.length, before, 'nothing journaled, so nothing charged');
    assert.ok(!lines(bridge, terminalOps).some((l) => typeof l.transaction_id === 'string'), 'no operation started');
    // The byte named is the first bad one, counted from 0 (27 ASCII bytes, then é's two).
    const named = await postJson('/payment/xumo', withBadByte('{"amount":50000,"comment":"é', '"}'));
    assert.match(String(named.error?.data), /\(byte 29\)/);
    // UTF-8 itself is taken as before.
    const cyrillic = await postJson('/payment/xumo', Buffer.from('{"amount":50000,"comment":"Ёлка"}'));
    assert.equal(cyrillic.is_success, true, JSON.stringify(cyrillic));
  });

  test('CONNECT gets the code-7 envelope, like any method the parser refuses, and the connection is closed', async () => {
    const answer = await rawRequest(port, 'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n');
    assert.equal(answer.statusLine, 'HTTP/1.1 200 OK');
    const body = JSON.parse(answer.body) as Envelope;
    assert.equal(body.is_success, false);
    assert.equal(body.error?.code, 7);
    assert.match(String(body.error?.data), /method: CONNECT is not an HTTP method PayBridge serves/);
    // The server goes on serving.
    const health = await fetch(`${base}/health`);
    assert.equal(health.status, 200);
  });

  test('a card payment whose till hung up before the answer still gets its line at info, with what it came to', async () => {
    const from = bridge.logs.lines.length;
    // 40800: the pinpad approves after 5 s; the till gives up after a moment.
    await new Promise<void>((resolve, reject) => {
      const body = '{"amount":40800}';
      const socket = connect(port, '127.0.0.1', () => {
        socket.write(`POST /payment/uzcard HTTP/1.1\r\nHost: till\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
        setTimeout(() => socket.destroy(), 300);
      });
      socket.on('close', () => resolve());
      socket.on('error', reject);
    });
    // Done at the pinpad and journaled (however long the machine takes); its request is over a round trip later.
    let tx;
    do {
      await new Promise((r) => setTimeout(r, 100));
      tx = (await bridge.journal.list({ limit: 20 })).items.find((t) => t.amount === 40800 && t.status !== 'pending');
    } while (!tx);
    assert.equal((await fetch(`${base}/payment/terminals`)).status, 200);
    const line = lines(bridge, from).find((l) => l.msg === 'request completed' && (l.req as { url?: string } | undefined)?.url === '/payment/uzcard');
    assert.ok(line, 'the request has a line');
    assert.equal(line.level, 30);
    assert.equal(line.is_success, true);
    assert.equal(line.answer_delivered, false);
    assert.equal(line.transaction_id, tx.id);
    assert.equal(tx.status, 'succeeded');
    assert.equal(lines(bridge, from).filter((l) => l.msg === 'request completed').length, 1, 'one line for the request');
  });

  test('card payments, give-backs and terminal operations that reach the till are one info line each, with the transaction', async () => {
    const from = bridge.logs.lines.length;
    const paid = await postJson('/payment/xumo', { amount: 50000 });
    const refund = await postJson(`/payment/transactions/${paid.data.transaction_id}/refund`, {});
    assert.equal(refund.is_success, true, JSON.stringify(refund));
    const close = await fetch(`${base}/payment/uzcard_close`).then((r) => r.json() as Promise<Envelope>);
    assert.equal(close.is_success, true);
    const completed = lines(bridge, from).filter((l) => l.msg === 'request completed');
    assert.deepEqual(
      completed.map((l) => [l.level, (l.req as { url: string }).url, l.is_success, l.answer_delivered]),
      [
        [30, '/payment/xumo', true, undefined],
        [30, `/payment/transactions/${paid.data.transaction_id}/refund`, true, undefined],
        [30, '/payment/uzcard_close', true, undefined],
      ],
    );
    assert.equal(completed[0]!.transaction_id, paid.data.transaction_id);
    assert.equal(completed[1]!.transaction_id, refund.data.transaction_id);
  });

  test('a token in the query is masked in every logged URL', async () => {
    const from = bridge.logs.lines.length;
    const secret = `tok-${randomUUID()}`;
    const refused = await fetch(`${base}/payment/transactions?limit=5&token=${secret}`).then((r) => r.json() as Promise<Envelope>);
    assert.equal(refused.error?.code, 7);
    await postJson(`/payment/xumo?access_token=${secret}&api_key=${secret}`, { amount: 50000 });
    await fetch(`${base}/payment/summary?Token=${secret}`);
    const written = bridge.logs.lines.slice(from);
    assert.ok(written.length >= 2, 'the requests were logged');
    assert.ok(!written.some((l) => l.includes(secret)), written.filter((l) => l.includes(secret)).join('\n'));
    const urls = lines(bridge, from)
      .filter((l) => l.msg === 'request completed')
      .map((l) => (l.req as { url: string }).url);
    assert.ok(urls.includes('/payment/transactions?limit=5&token=***'), urls.join('\n'));
    assert.ok(urls.includes('/payment/xumo?access_token=***&api_key=***'), urls.join('\n'));
  });
});

test('an error line carrying a URL with a token in it: masked in its message and stack', () => {
  const capture = new LogCapture();
  const logger = createLogger('info', capture);
  const secret = randomUUID();
  logger.error({ err: new Error(`GET http://127.0.0.1:8080/payment/transactions?token=${secret} failed`), problems: [`url: /x?secret=${secret}`] }, 'internal error');
  logger.info({ note: `see /payment/summary?date=2026-12-06&password=${secret}` }, 'free text');
  assert.ok(!capture.text.includes(secret), capture.text);
  assert.match(capture.text, /transactions\?token=\*\*\* failed/);
  assert.match(capture.text, /date=2026-12-06&password=\*\*\*/);
});
