/**
 * The providers' HTTP transport over a real socket: each phase bounded by the provider's timeouts, and
 * the whole exchange by a deadline of its own, so a provider that trickles its answer cannot hold a
 * till forever.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { HttpTransport, TransportError } from '../src/providers/http-transport.js';

describe('the providers’ HTTP transport', () => {
  let server: Server;
  let url: string;
  const trickles = new Set<NodeJS.Timeout>();
  before(async () => {
    server = createServer((req, res) => {
      if (req.url === '/quick') return void res.end('{"ok":true}');
      // A byte every 100 ms: never a gap the response timeout (300 ms here) would notice.
      res.writeHead(200, { 'content-type': 'application/json' });
      const timer = setInterval(() => res.write(' '), 100);
      trickles.add(timer);
      res.on('close', () => (clearInterval(timer), trickles.delete(timer)));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    for (const t of trickles) clearInterval(t);
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  // Without the deadline the trickle would never end: the test's own timeout makes that a failure, not a hang.
  test('an answer that trickles in is cut at the exchange’s deadline (connect + 2 × response timeout): sent, outcome unknown', { timeout: 60_000 }, async () => {
    const transport = new HttpTransport({ connectMs: 200, responseMs: 300 });
    try {
      const started = performance.now();
      const err = await transport.send('GET', `${url}/trickle`, {}).then(
        () => assert.fail('a trickling answer must not be waited for without end'),
        (e: unknown) => e,
      );
      assert.ok(err instanceof TransportError);
      assert.equal(err.code, 'REQUEST_DEADLINE');
      assert.equal(err.sent, true, 'the request reached the provider: whether it acted is not known');
      // Never before the deadline (a lower bound only: a loaded machine may be later).
      assert.ok(performance.now() - started >= 200 + 2 * 300 - 5);
    } finally {
      await transport.close();
    }
  });
});
