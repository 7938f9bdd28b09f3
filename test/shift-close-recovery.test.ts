import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, describe, test } from 'node:test';
import { openSqlite } from '../src/journal/sqlite/connection.js';
import { SANDBOX_CLICK } from '../src/sandbox/credentials.js';
import type { ClickEmulator } from '../src/sandbox/click/emulator.js';
import { BridgeTerminalEmulator } from '../src/sandbox/uzcard/bridge-emulator.js';
import { freePort, spawnPayBridge, startClickEmulator, tempDir, type PayBridgeProcess } from './helpers.js';

/**
 * A PayBridge process (src/main.ts, as `npm start` runs it) killed in the middle of a shift close,
 * and started again on the same journal: the close it left `sent` is settled by recovery — by the
 * terminal's own answer where the bridge protocol lets it be asked about the close's request id,
 * `unknown` where the terminal cannot be asked — and never stays `sent`.
 */

type Envelope = { data: any; error: any; is_success: boolean };

/**
 * A TCP path between PayBridge and the terminal that kills the PayBridge process at a close: before
 * the terminal hears of it (`before`), or once the terminal has closed the shift and before its
 * answer reaches PayBridge (`after`).
 */
class KillingRelay {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  victim: PayBridgeProcess | undefined;

  constructor(
    private readonly targetPort: number,
    private readonly when: 'before' | 'after',
  ) {}

  async start(): Promise<number> {
    this.server = createServer((client) => {
      const upstream = connect(this.targetPort, '127.0.0.1');
      this.sockets.add(client).add(upstream);
      const end = () => {
        client.destroy();
        upstream.destroy();
      };
      client.on('error', end).on('close', end);
      upstream.on('error', end).on('close', end);
      let closeId: string | undefined;
      createInterface({ input: client }).on('line', (line) => {
        const m = JSON.parse(line) as { id: string; op: string };
        if (m.op === 'close_shift' && this.victim) {
          closeId = m.id;
          if (this.when === 'before') return this.kill();
        }
        upstream.write(`${line}\n`);
      });
      createInterface({ input: upstream }).on('line', (line) => {
        const m = JSON.parse(line) as { id: string };
        if (closeId !== undefined && m.id === closeId) return this.kill();
        client.write(`${line}\n`);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return (this.server.address() as { port: number }).port;
  }

  private kill(): void {
    const victim = this.victim;
    this.victim = undefined;
    victim?.child.kill('SIGKILL');
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}

describe('a PayBridge killed in the middle of a shift close', () => {
  let click: ClickEmulator;
  const started: PayBridgeProcess[] = [];
  /** Stops every PayBridge a test started (the dead ones have exited already). */
  const stopAll = async () => {
    for (const p of started.splice(0)) {
      p.child.kill('SIGTERM');
      await p.exited;
    }
  };
  after(async () => {
    await stopAll();
    await click?.close();
  });

  /** A production PayBridge with one UzCard terminal behind the bridge protocol at `terminalPort`, its journal in `dir`. */
  async function start(dir: string, port: number, terminalPort: number): Promise<PayBridgeProcess> {
    click ??= await startClickEmulator();
    const config = join(dir, 'paybridge.json');
    writeFileSync(
      config,
      JSON.stringify({
        mode: 'production',
        server: { host: '127.0.0.1', port },
        log: { level: 'info' },
        instance: { id: 'pb-till' },
        click: { base_url: click.baseUrl, service_id: SANDBOX_CLICK.serviceId, merchant_user_id: SANDBOX_CLICK.merchantUserId, secret_key: SANDBOX_CLICK.secretKey },
        terminals: {
          devices: [{ id: 'pax-1', method: 'uzcard', default: true, driver: 'bridge', bridge: { transport: 'tcp', host: '127.0.0.1', port: terminalPort, connect_timeout_ms: 500, answer_timeout_ms: 2_000 } }],
        },
      }),
    );
    const p = await spawnPayBridge('pb-till', config, dir, port);
    started.push(p);
    return p;
  }

  const json = async (res: Promise<Response>) => (await (await res).json()) as Envelope;

  /** Kills PayBridge at the close, and shows the journal as the dead process left it. */
  async function killAtClose(when: 'before' | 'after', terminal: BridgeTerminalEmulator) {
    const dir = tempDir();
    const port = await freePort();
    const terminalPort = await terminal.listen();
    const relay = new KillingRelay(terminalPort, when);
    const relayPort = await relay.start();
    const first = await start(dir, port, relayPort);
    const paid = await json(fetch(`${first.base}/payment/uzcard`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ amount: 12_000 }) }));
    assert.equal(paid.is_success, true, JSON.stringify(paid));
    relay.victim = first;
    await fetch(`${first.base}/payment/uzcard_close`).then(
      () => assert.fail('PayBridge answered the close although it was killed'),
      () => undefined,
    );
    await first.exited;
    const db = openSqlite(join(dir, 'journal.sqlite'));
    const left = db.prepare('SELECT id, state, claimed_by FROM shift_closes').all() as { id: string; state: string; claimed_by: string | null }[];
    db.close();
    assert.deepEqual(left.map((c) => [c.state, c.claimed_by]), [['sent', 'pb-till#live']], 'journaled sent, under the dead request’s claim');
    return { dir, port, relay, relayPort, closeId: left[0]!.id, paid };
  }

  /** The shift closes once recovery of the restarted PayBridge has settled the one left sent. */
  async function settledCloses(p: PayBridgeProcess): Promise<{ id: string; state: string; shift_number: number | null; report: string; reason: string | null }[]> {
    // Recovery's first pass runs at start; "settle now" waits for it, or runs another.
    await json(fetch(`${p.base}/payment/recovery/run`, { method: 'POST' }));
    return (await json(fetch(`${p.base}/payment/shift-closes?terminal=pax-1`))).data;
  }

  test('the terminal closed the shift before PayBridge died: recovery asks it by the close’s request id and records it closed', async () => {
    const terminal = new BridgeTerminalEmulator(join(tempDir(), 'pax.json'));
    const relays: KillingRelay[] = [];
    try {
      const { dir, port, relay, relayPort, closeId, paid } = await killAtClose('after', terminal);
      relays.push(relay);
      const second = await start(dir, port, relayPort);
      const closes = await settledCloses(second);
      assert.equal(closes.length, 1);
      assert.equal(closes[0]!.id, closeId);
      assert.equal(closes[0]!.state, 'closed');
      assert.equal(closes[0]!.shift_number, paid.data.shift_number);
      assert.match(closes[0]!.report, /\S/, 'the terminal’s report, as its status repeated it');
      const terminals = (await json(fetch(`${second.base}/payment/terminals`))).data;
      assert.equal(terminals[0].last_close.state, 'closed');
      assert.equal((await json(fetch(`${second.base}/payment/attention`))).data.unknown_closes_count, 0);
    } finally {
      await stopAll();
      await Promise.all(relays.map((r) => r.close()));
      await terminal.close();
    }
  });

  test('PayBridge died before the terminal heard of the close: the terminal has no record of it (asked twice), so it is recorded not sent', async () => {
    const terminal = new BridgeTerminalEmulator(join(tempDir(), 'pax.json'));
    const relays: KillingRelay[] = [];
    try {
      const { dir, port, relay, relayPort, closeId } = await killAtClose('before', terminal);
      relays.push(relay);
      const second = await start(dir, port, relayPort);
      const closes = await settledCloses(second);
      assert.deepEqual(
        closes.map((c) => [c.id, c.state]),
        [[closeId, 'not_sent']],
      );
      assert.match(String(closes[0]!.reason), /PayBridge stopped before the terminal's answer was recorded; the terminal has no record of this close \(asked twice\)/);
    } finally {
      await stopAll();
      await Promise.all(relays.map((r) => r.close()));
      await terminal.close();
    }
  });

  test('the terminal cannot be asked when PayBridge comes back: the close becomes unknown ("print the last report"), listed and counted on the attention list', async () => {
    const terminal = new BridgeTerminalEmulator(join(tempDir(), 'pax.json'));
    try {
      const { dir, port, relay, relayPort, closeId } = await killAtClose('after', terminal);
      await terminal.close();
      await relay.close();
      const second = await start(dir, port, relayPort);
      const closes = await settledCloses(second);
      assert.deepEqual(
        closes.map((c) => [c.id, c.state]),
        [[closeId, 'unknown']],
      );
      assert.match(String(closes[0]!.reason), /the shift may or may not be closed; print the last report to see/);
      const attention = (await json(fetch(`${second.base}/payment/attention`))).data;
      assert.equal(attention.unknown_closes_count, 1);
      assert.deepEqual(
        attention.unknown_closes.map((c: { id: string; state: string }) => [c.id, c.state]),
        [[closeId, 'unknown']],
      );
      assert.ok(attention.count >= 1);
    } finally {
      await stopAll();
      await terminal.close();
    }
  });
});
