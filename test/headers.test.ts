import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { startTestBridge, type TestBridge } from './helpers.js';

const TOKEN = 'headers-test-token-0123456789';

/** The raw answer to bytes Node's HTTP parser refuses (answered on the socket, outside Fastify). */
function rawAnswer(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(request));
    let text = '';
    socket.on('data', (chunk) => (text += chunk.toString('latin1')));
    socket.on('end', () => resolve(text));
    socket.on('error', reject);
  });
}

describe('security and cache headers over a real socket', () => {
  let bridge: TestBridge;
  let base: string;
  before(async () => {
    bridge = await startTestBridge((c) => (c.server.api_token = TOKEN));
    base = await bridge.server.listen({ host: '127.0.0.1', port: 0 });
  });
  after(() => bridge.close());

  const auth = { authorization: `Bearer ${TOKEN}` };

  test('every API answer says nosniff and no-store: success, refusal, unknown path, missing token', async () => {
    const answers = {
      success: await fetch(`${base}/payment/summary`, { headers: auth }),
      refusal: await fetch(`${base}/payment/click`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: '{"amount": -1}' }),
      'no such path': await fetch(`${base}/payment/nope`, { headers: auth }),
      'no token': await fetch(`${base}/payment/summary`),
      health: await fetch(`${base}/health`, { headers: auth }),
    };
    assert.equal(answers['no token'].status, 401);
    assert.equal(((await answers.refusal.json()) as { error: { code: number } }).error.code, 7);
    for (const [what, res] of Object.entries(answers)) {
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff', what);
      assert.equal(res.headers.get('cache-control'), 'no-store', what);
    }
  });

  test('the console’s files may be kept if checked again; its settings may not be kept at all', async () => {
    const index = await fetch(`${base}/console/`);
    assert.equal(index.status, 200);
    assert.match(index.headers.get('content-type') ?? '', /text\/html/);
    assert.equal(index.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(index.headers.get('cache-control'), 'no-cache');
    const settings = await fetch(`${base}/console/config.json`);
    const config = (await settings.json()) as { timezone: string };
    assert.equal(config.timezone, 'Asia/Tashkent');
    assert.equal(settings.headers.get('cache-control'), 'no-store');
    assert.equal(settings.headers.get('x-content-type-options'), 'nosniff');
  });

  test('an answer written straight to the socket (a request Node cannot parse) carries them too', async () => {
    const port = new URL(base).port;
    const text = await rawAnswer(Number(port), 'BREW /payment/summary HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.match(text, /^HTTP\/1\.1 200 OK\r\n/);
    assert.match(text, /\r\nCache-Control: no-store\r\n/i);
    assert.match(text, /\r\nX-Content-Type-Options: nosniff\r\n/i);
  });
});
