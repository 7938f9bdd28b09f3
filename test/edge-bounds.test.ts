import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { startTestBridge, type TestBridge } from './helpers.js';

const BOUND_MS = 1_000;

interface Trickle {
  /** When the client started: the server's own clock for the request starts later. */
  startedAt: number;
  closedAt: Promise<number>;
  received: () => string;
  bytesSent: () => number;
}

/**
 * A client that sends `head` at once and then `tail` one byte at a time, slower than the whole
 * request may take; it stops when the server closes the connection.
 */
function trickle(port: number, head: string, tail: string, everyMs: number): Trickle {
  const socket: Socket = connect({ host: '127.0.0.1', port });
  const startedAt = performance.now();
  let received = '';
  let sent = 0;
  let open = true;
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => (received += chunk));
  socket.on('error', () => undefined);
  const closedAt = new Promise<number>((resolve) =>
    socket.on('close', () => {
      open = false;
      resolve(performance.now());
    }),
  );
  socket.on('connect', async () => {
    socket.write(head);
    for (const byte of tail) {
      await sleep(everyMs);
      if (!open || socket.writableEnded) return;
      socket.write(byte);
      sent += 1;
    }
  });
  return { startedAt, closedAt, received: () => received, bytesSent: () => sent };
}

function envelopeOf(raw: string): { is_success: boolean; error: { code: number; data: string } | null; data: unknown } {
  return JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4));
}

describe('a request must arrive whole within server.request_timeout_ms (#16)', () => {
  let bridge: TestBridge;
  let port: number;
  before(async () => {
    bridge = await startTestBridge((c) => {
      c.server.request_timeout_ms = BOUND_MS;
      // A payment whose handling takes longer than the bound: handling must not count.
      c.sandbox.click.processing_ms = BOUND_MS * 2;
    });
    port = Number(new URL(await bridge.server.listen({ host: '127.0.0.1', port: 0 })).port);
  });
  after(() => bridge.close());

  it('cuts off trickling bodies and headers, answering the envelope, while other tills are served', async () => {
    // Sent whole, the body would be ~50 bounds long: a server that does not cut it answers the
    // (invalid) request instead, and the assertions below fail rather than hang.
    const tail = ' '.repeat(50);
    const everyMs = BOUND_MS;
    const body = `{${tail}`;
    const bodies = Array.from({ length: 5 }, () =>
      trickle(port, `POST /payment/click HTTP/1.1\r\nHost: till\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n{`, tail, everyMs),
    );
    const headers = trickle(port, 'POST /payment/click HTTP/1.1\r\nHost: till\r\n', 'X-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n', everyMs);

    // Meanwhile another till pays, and its payment is handled for longer than the bound.
    const paid = await fetch(`http://127.0.0.1:${port}/payment/click`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ amount: 500, qr_code: '880101698207133102' }),
    });
    const answer = (await paid.json()) as { is_success: boolean };
    assert.equal(answer.is_success, true, JSON.stringify(answer));

    for (const t of [...bodies, headers]) {
      const closedAt = await t.closedAt;
      assert.ok(closedAt - t.startedAt >= BOUND_MS, `closed after ${Math.round(closedAt - t.startedAt)} ms, before the bound of ${BOUND_MS} ms`);
      assert.ok(t.bytesSent() < tail.length, 'cut off before the request was complete');
      const raw = t.received();
      assert.match(raw, /^HTTP\/1\.1 200 OK\r\n/);
      const envelope = envelopeOf(raw);
      assert.equal(envelope.is_success, false);
      assert.equal(envelope.error!.code, 7);
      assert.match(envelope.error!.data, /request: not received whole within server\.request_timeout_ms/);
    }
    assert.equal(bridge.emulators!.click.charges().length, 1, 'only the whole request reached CLICK');
  });

  it('is refused at load when not a number of milliseconds PayBridge can use', async () => {
    const { loadConfig, ConfigError } = await import('../src/config/load.js');
    const { writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const dir = bridge.dataDir;
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ server: { request_timeout_ms: 0 } }));
    assert.throws(() => loadConfig({ PAYBRIDGE_CONFIG: file, PAYBRIDGE_DATA_DIR: dir }, dir), (err: unknown) => err instanceof ConfigError && /server\.request_timeout_ms/.test(err.message));
  });
});
