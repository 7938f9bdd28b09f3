import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Value } from '@sinclair/typebox/value';
import fc from 'fast-check';
import { longestSettleMs, MIN_LIVE_LEASE_MS, operationBounds, type OperationBounds } from '../src/config/leases.js';
import { ConfigError, loadConfig } from '../src/config/load.js';
import { ClickConfigSchema, PaymeConfigSchema, TerminalConfigSchema, type Config } from '../src/config/schema.js';
import { fenceOf, type ClaimHeld } from '../src/payments/ports/journal.js';
import { SqliteJournal } from '../src/journal/sqlite/sqlite-journal.js';
import { OperationEngine } from '../src/payments/operation-engine.js';
import { createLogger } from '../src/logger.js';
import type { CardPaymentService } from '../src/payments/card-payment-service.js';
import type { QrPaymentService } from '../src/payments/qr-payment-service.js';
import { RecoveryService } from '../src/payments/recovery.js';
import type { Transaction } from '../src/payments/transaction.js';
import { LogCapture, tempDir } from './helpers.js';
import { ManualClock } from './manual-clock.js';

/** loadConfig of `file` (an object, written as JSON); the problems it reports, or [] when it loads. */
function problemsOf(file: object): string[] {
  const dir = tempDir();
  const path = join(dir, 'paybridge.json');
  writeFileSync(path, JSON.stringify(file));
  try {
    loadConfig({ PAYBRIDGE_CONFIG: path, PAYBRIDGE_DATA_DIR: dir }, dir);
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
}

const CLICK = { service_id: 1, merchant_user_id: 'u', secret_key: 's' };
const PAYME = { cashbox_id: 'c', cashbox_key: 'k' };
const ARCUS2 = { id: 'humo-1', method: 'humo', default: true, driver: 'arcus2', arcus2: { command: 'CommandLineTool.exe', work_dir: 'C:\\Arcus2' } };
const BRIDGE = { id: 'uzcard-1', method: 'uzcard', default: true, driver: 'bridge', bridge: { transport: 'tcp', host: '127.0.0.1', port: 7000 } };

describe('leases checked against the operations they must outlive, when the configuration loads', () => {
  test('the defaults load: sandbox, and production with both providers and both kinds of terminal', () => {
    assert.deepEqual(problemsOf({}), []);
    assert.deepEqual(problemsOf({ mode: 'production', click: CLICK, payme: PAYME, terminals: { devices: [ARCUS2, BRIDGE] } }), []);
    const example = fileURLToPath(new URL('../paybridge.example.yaml', import.meta.url));
    assert.doesNotThrow(() => loadConfig({ PAYBRIDGE_CONFIG: example, PAYBRIDGE_DATA_DIR: tempDir() }));
  });

  test('a recovery claim shorter than the longest settle is refused, naming recovery.claim_ms and the settings it depends on', () => {
    const click = { ...CLICK, timeouts: { connect_ms: 1_000, response_ms: 2_000 }, poll_interval_ms: 500, status_deadline_ms: 20_000 };
    // CLICK recovery: 2 × 20000 + 2 × 500 + 4 × (1000 + 2 × 2000) = 61000 ms.
    const settle = 2 * 20_000 + 2 * 500 + 4 * (1_000 + 2 * 2_000);
    const refused = problemsOf({ mode: 'production', click, recovery: { claim_ms: settle } });
    assert.equal(refused.length, 1, refused.join('\n'));
    const [problem] = refused;
    assert.match(problem!, /^recovery\.claim_ms \(61000\) must exceed the longest settle of one transaction \(61000 ms, a CLICK recovery/);
    for (const setting of ['click.status_deadline_ms (20000)', 'click.poll_interval_ms (500)', 'click.timeouts.connect_ms (1000)', 'click.timeouts.response_ms (2000)']) {
      assert.ok(problem!.includes(setting), `${setting} named in: ${problem}`);
    }
    assert.deepEqual(problemsOf({ mode: 'production', click, recovery: { claim_ms: settle + 1 } }), []);

    // With a terminal whose settle is longer, the terminal's settings are named.
    const terminal = { ...BRIDGE, bridge: { ...BRIDGE.bridge, connect_timeout_ms: 5_000, answer_timeout_ms: 60_000 } };
    const [cards] = problemsOf({ mode: 'production', click, terminals: { queue_wait_ms: 10_000, devices: [terminal] }, recovery: { claim_ms: settle + 1 } });
    assert.match(cards!, /recovery\.claim_ms \(61001\) must exceed the longest settle of one transaction \(140000 ms, a card recovery on uzcard-1: /);
    assert.ok(cards!.includes('terminals.queue_wait_ms (10000) + 2 × terminals.devices.0.bridge.connect_timeout_ms (5000) + 2 × terminals.devices.0.bridge.answer_timeout_ms (60000)'), cards);

    // The sandbox's emulated terminals count with sandbox.terminal_timeout_ms.
    const [sandbox] = problemsOf({ sandbox: { terminal_timeout_ms: 600_000 }, recovery: { claim_ms: 900_000 } });
    assert.match(sandbox!, /^recovery\.claim_ms \(900000\) must exceed .*a card recovery on uzcard-sandbox: terminals\.queue_wait_ms \(30000\) \+ .*2 × sandbox\.terminal_timeout_ms \(600000\)/);
  });

  test('lease problems are reported together with the other problems of the file', () => {
    const problems = problemsOf({ server: { prot: 1 }, recovery: { claim_ms: 1_000 } });
    assert.ok(problems.some((p) => p.startsWith('server.prot: unknown key')));
    assert.ok(problems.some((p) => p.startsWith('recovery.claim_ms (1000) must exceed')));
  });

  test('an idempotency key that can be purged while its request runs is refused, naming key_ttl_ms, wait_ms and the operation', () => {
    // Sandbox defaults: the longest operation is a Payme charge whose receipt id was lost (its orphan
    // looked up, cancelled, and a 21 followed until 50): 45000 + 1000 + 13 × (5000 + 2 × 10000) = 371000 ms.
    const needed = 2 * 30_000 + 2 * 371_000;
    const [problem] = problemsOf({ idempotency: { key_ttl_ms: needed } });
    assert.match(
      problem!,
      /^idempotency\.key_ttl_ms \(802000\) must exceed 2 × idempotency\.wait_ms \(30000\) \+ 2 × the longest operation \(371000 ms, a Payme charge whose receipt id was lost: payme\.status_deadline_ms \(45000\) \+ payme\.poll_interval_ms \(1000\) \+ 13 × payme\.timeouts\.connect_ms \(5000\) \+ 26 × payme\.timeouts\.response_ms \(10000\)\), 802000 ms in all/,
    );
    assert.deepEqual(problemsOf({ idempotency: { key_ttl_ms: needed + 1 } }), []);
    // A longer wait needs a longer key.
    assert.match(problemsOf({ idempotency: { key_ttl_ms: needed + 1, wait_ms: 30_001 } })[0]!, /idempotency\.key_ttl_ms \(802001\) must exceed 2 × idempotency\.wait_ms \(30001\)/);
  });

  test('a live-claim lease too short to survive its renewals is refused', () => {
    assert.match(problemsOf({ recovery: { grace_ms: 1 } })[0]!, /^recovery\.grace_ms \(1\) must be at least 60: .*renewed every max\(20 ms, recovery\.grace_ms \/ 3\) \(here every 20 ms\)/);
    assert.equal(problemsOf({ recovery: { grace_ms: MIN_LIVE_LEASE_MS - 1 } }).length, 1);
    assert.deepEqual(problemsOf({ recovery: { grace_ms: MIN_LIVE_LEASE_MS } }), []);
  });
});

// ---- the bounds grow with every timeout ----

/** Every timing setting the bounds read, as a path into the configuration. */
const SETTINGS = [
  'click.timeouts.connect_ms',
  'click.timeouts.response_ms',
  'click.poll_interval_ms',
  'click.status_deadline_ms',
  'click.not_found_after_ms',
  'payme.timeouts.connect_ms',
  'payme.timeouts.response_ms',
  'payme.poll_interval_ms',
  'payme.status_deadline_ms',
  'payme.not_found_after_ms',
  'terminals.queue_wait_ms',
  'sandbox.terminal_timeout_ms',
  'terminals.devices.0.arcus2.timeout_ms',
  'terminals.devices.1.bridge.connect_timeout_ms',
  'terminals.devices.1.bridge.answer_timeout_ms',
] as const;

function setPath(target: object, path: string, value: number): void {
  const keys = path.split('.');
  let at = target as Record<string, unknown>;
  for (const k of keys.slice(0, -1)) at = at[k] as Record<string, unknown>;
  at[keys[keys.length - 1]!] = value;
}

const BASE = loadConfig({ PAYBRIDGE_DATA_DIR: tempDir() }).config;

function configWith(mode: 'sandbox' | 'production', terminals: boolean, values: readonly number[]): Config {
  const c = structuredClone(BASE);
  c.mode = mode;
  c.click = Value.Default(ClickConfigSchema, { ...CLICK }) as Config['click'];
  c.payme = Value.Default(PaymeConfigSchema, { ...PAYME }) as Config['payme'];
  c.terminals.devices = terminals ? [Value.Default(TerminalConfigSchema, structuredClone(ARCUS2)), Value.Default(TerminalConfigSchema, structuredClone(BRIDGE))] as Config['terminals']['devices'] : [];
  SETTINGS.forEach((path, i) => {
    if (!terminals && path.startsWith('terminals.devices')) return;
    setPath(c, path, values[i]!);
  });
  return c;
}

const KINDS: (keyof OperationBounds)[] = ['qrCharge', 'qrSettle', 'cardOperation', 'cardSettle', 'operation', 'settle'];

describe('the bounds', () => {
  test('increasing any timeout never decreases a bound, and increasing one a bound is made of raises it by its share', () => {
    const ms = fc.integer({ min: 1, max: 3_600_000 });
    fc.assert(
      fc.property(
        fc.constantFrom('sandbox' as const, 'production' as const),
        fc.boolean(),
        fc.array(ms, { minLength: SETTINGS.length, maxLength: SETTINGS.length }),
        fc.nat({ max: SETTINGS.length - 1 }),
        ms,
        (mode, terminals, values, which, delta) => {
          const before = operationBounds(configWith(mode, terminals, values));
          const raised = [...values];
          raised[which] = raised[which]! + delta;
          const after = operationBounds(configWith(mode, terminals, raised));
          for (const kind of KINDS) {
            const a = before[kind];
            const b = after[kind];
            assert.equal(a === undefined, b === undefined, kind);
            if (!a || !b) continue;
            assert.ok(b.ms >= a.ms, `${kind}: ${SETTINGS[which]} + ${delta} took it from ${a.ms} to ${b.ms}`);
            const share = a.terms.filter((t) => t.setting === SETTINGS[which]).reduce((n, t) => n + t.times, 0);
            assert.ok(b.ms >= a.ms + share * delta, `${kind}: ${SETTINGS[which]} (× ${share}) + ${delta} took it from ${a.ms} to ${b.ms}`);
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  test('the longest settle covers every provider and terminal PayBridge runs', () => {
    const c = configWith('production', true, SETTINGS.map(() => 1_000));
    const b = operationBounds(c);
    assert.equal(longestSettleMs(c), b.settle!.ms);
    // Payme without a receipt id: 12 calls of 3000 ms and a queued cancel followed until the deadline (1000 + 1000); the bridge terminal: queue + 2 × (connect + answer) = 5000.
    assert.equal(b.qrSettle!.ms, 38_000);
    assert.equal(b.cardSettle!.ms, 5_000);
    c.mode = 'production';
    c.payme = undefined;
    c.terminals.devices = [];
    // CLICK alone: 2 × 1000 + 2 × 1000 + 4 × 3000.
    assert.equal(longestSettleMs(c), 16_000);
    c.click = undefined;
    assert.equal(longestSettleMs(c), 0);
  });
});

// ---- recovery claims one transaction at a time, right before it settles it, and keeps the claim while it does ----

/**
 * A recovery pass over real SQLite rows on a clock the test moves: each settle waits `durations[i]`
 * of that clock (the provider taking its time) while another PayBridge on the same journal tries to
 * take every row, and the claim the pass holds is renewed as the clock moves.
 */
async function pass(options: { claimMs: number; durations: number[]; staysUnknown?: (i: number) => boolean }) {
  const clock = new ManualClock();
  const path = join(tempDir(), 'journal.sqlite');
  const origin = { instance: 'pb-a', inFlightLeaseMs: 1_000 };
  const journal = new SqliteJournal({ path, origin, clock: () => clock.now() });
  const other = new SqliteJournal({ path, origin: { instance: 'pb-b', inFlightLeaseMs: 1_000 }, clock: () => clock.now() });
  const log = new LogCapture();
  const engine = new OperationEngine(journal, { leaseMs: options.claimMs, instance: 'pb-a', clock, log: createLogger('warn', log) });
  try {
    const ids: string[] = [];
    for (const [i] of options.durations.entries()) {
      const tx = await journal.insert({ id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, method: 'click', amount: 100, qrCodeMasked: null, qrCodeHash: null, createdAt: clock.now() - 10_000 + i }, { step: 'received' });
      await journal.transition(tx.id, 'pending', 'unknown', {}, { step: 'answer_lost' }, fenceOf(tx)!);
      await journal.releaseClaim(tx.id, fenceOf(tx)!);
      ids.push(tx.id);
    }
    const starts: { id: string; owner: string | null; othersHeld: string[] }[] = [];
    const takenFromUnderIt: string[] = [];
    let current: string | undefined;
    const recover = (claimed: Transaction & { claim: ClaimHeld }) =>
      engine.recover(
        claimed,
        () => ({
          execute: () => Promise.reject(new Error('never sent again')),
          settle: async (tx) => {
            const i = ids.indexOf(tx.id);
            current = tx.id;
            const rows = await Promise.all(ids.map((id) => journal.get(id)));
            starts.push({ id: tx.id, owner: rows[i]!.claim?.owner ?? null, othersHeld: rows.filter((r) => r!.id !== tx.id && r!.claim !== null).map((r) => r!.id) });
            await clock.sleep(options.durations[i]!);
            current = undefined;
            return options.staysUnknown?.(i) ? { outcome: 'unknown', step: 'status_inconclusive', reason: 'no answer', detail: { reason: 'no answer' } } : { outcome: 'succeeded', step: 'recovered' };
          },
        }),
        options.claimMs,
      );
    const services = { isInFlight: () => false, recover };
    const recovery = new RecoveryService(
      journal,
      services as unknown as QrPaymentService,
      services as unknown as CardPaymentService,
      createLogger('warn', log),
      { intervalMs: 3_600_000, graceMs: 0, owner: 'pb-a', claimMs: options.claimMs, clock },
      engine,
    );
    const running = recovery.recoverNow();
    // The other PayBridge tries to take the row being settled at every step of the clock: never while it is settled.
    let done = false;
    void running.finally(() => (done = true));
    while (!done) {
      await clock.advance(Math.max(1, Math.floor(options.claimMs / 4)));
      if (current) {
        const attempt = await other.claim(current, 'pb-b', options.claimMs);
        if (attempt.taken) {
          takenFromUnderIt.push(current);
          await other.releaseClaim(current, fenceOf(attempt.tx)!);
        }
      }
    }
    const settled = await running;
    const claimedAfter = (await Promise.all(ids.map((id) => journal.get(id)))).filter((r) => r!.claim !== null).map((r) => r!.id);
    return { settled, starts, takenFromUnderIt, claimedAfter, statuses: await Promise.all(ids.map(async (id) => (await journal.get(id))!.status)) };
  } finally {
    await Promise.all([journal.close(), other.close()]);
  }
}

describe('recovery under its claim', () => {
  test('each transaction is claimed right before it is settled, the others stay free, and a settle far longer than the claim keeps it', async () => {
    const claimMs = 1_000;
    const r = await pass({ claimMs, durations: [100, 5_000, 300, 2_500] });
    assert.equal(r.settled, 4);
    assert.deepEqual(r.statuses, ['succeeded', 'succeeded', 'succeeded', 'succeeded']);
    for (const s of r.starts) {
      assert.equal(s.owner, 'pb-a', `${s.id} claimed by this PayBridge when its settle started`);
      assert.deepEqual(s.othersHeld, [], `while ${s.id} was settled no other row was held: a till's retry or an operator could take them`);
    }
    assert.deepEqual(r.takenFromUnderIt, [], 'renewed as it ran: no other PayBridge took a row from under its settle');
    assert.deepEqual(r.claimedAfter, []);
  });

  test('whatever the settles take, none is taken over while it runs, every row is tried once, and every claim is let go', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          claimMs: fc.integer({ min: 40, max: 2_000 }),
          durations: fc.array(fc.integer({ min: 0, max: 8_000 }), { minLength: 1, maxLength: 8 }),
          unknownEvery: fc.integer({ min: 2, max: 7 }),
        }),
        async ({ claimMs, durations, unknownEvery }) => {
          const r = await pass({ claimMs, durations, staysUnknown: (i) => i % unknownEvery === 0 });
          assert.equal(r.starts.length, durations.length, 'every transaction tried once');
          for (const s of r.starts) assert.equal(s.owner, 'pb-a');
          assert.deepEqual(r.takenFromUnderIt, []);
          assert.deepEqual(r.claimedAfter, [], 'every claim let go at the end of the pass');
          r.statuses.forEach((status, i) => assert.equal(status, i % unknownEvery === 0 ? 'unknown' : 'succeeded'));
        },
      ),
      { numRuns: 40 },
    );
  });
});
