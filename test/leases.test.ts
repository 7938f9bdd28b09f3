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
import type { Journal } from '../src/payments/ports/journal.js';
import { createLogger } from '../src/logger.js';
import type { CardPaymentService } from '../src/payments/card-payment-service.js';
import type { QrPaymentService } from '../src/payments/qr-payment-service.js';
import { RecoveryService } from '../src/payments/recovery.js';
import type { TransactionStatus } from '../src/payments/state-machine.js';
import type { Transaction } from '../src/payments/transaction.js';
import { LogCapture, tempDir } from './helpers.js';

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
    // CLICK recovery: 2 × 20000 + 2 × 500 + 3 × (1000 + 2 × 2000) = 56000 ms.
    const settle = 2 * 20_000 + 2 * 500 + 3 * (1_000 + 2 * 2_000);
    const refused = problemsOf({ mode: 'production', click, recovery: { claim_ms: settle } });
    assert.equal(refused.length, 1, refused.join('\n'));
    const [problem] = refused;
    assert.match(problem!, /^recovery\.claim_ms \(56000\) must exceed the longest settle of one transaction \(56000 ms, a CLICK recovery/);
    for (const setting of ['click.status_deadline_ms (20000)', 'click.poll_interval_ms (500)', 'click.timeouts.connect_ms (1000)', 'click.timeouts.response_ms (2000)']) {
      assert.ok(problem!.includes(setting), `${setting} named in: ${problem}`);
    }
    assert.deepEqual(problemsOf({ mode: 'production', click, recovery: { claim_ms: settle + 1 } }), []);

    // With a terminal whose settle is longer, the terminal's settings are named.
    const terminal = { ...BRIDGE, bridge: { ...BRIDGE.bridge, connect_timeout_ms: 5_000, answer_timeout_ms: 60_000 } };
    const [cards] = problemsOf({ mode: 'production', click, terminals: { queue_wait_ms: 10_000, devices: [terminal] }, recovery: { claim_ms: settle + 1 } });
    assert.match(cards!, /recovery\.claim_ms \(56001\) must exceed the longest settle of one transaction \(140000 ms, a card recovery on uzcard-1: /);
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
    // Sandbox defaults: the longest operation is a Payme charge whose receipt id was lost, 12 × (5000 + 2 × 10000) = 300000 ms.
    const needed = 2 * 30_000 + 2 * 300_000;
    const [problem] = problemsOf({ idempotency: { key_ttl_ms: needed } });
    assert.match(problem!, /^idempotency\.key_ttl_ms \(660000\) must exceed 2 × idempotency\.wait_ms \(30000\) \+ 2 × the longest operation \(300000 ms, a Payme charge whose receipt id was lost: 12 × payme\.timeouts\.connect_ms \(5000\) \+ 24 × payme\.timeouts\.response_ms \(10000\)\), 660000 ms in all/);
    assert.deepEqual(problemsOf({ idempotency: { key_ttl_ms: needed + 1 } }), []);
    // A longer wait needs a longer key.
    assert.match(problemsOf({ idempotency: { key_ttl_ms: needed + 1, wait_ms: 30_001 } })[0]!, /idempotency\.key_ttl_ms \(660001\) must exceed 2 × idempotency\.wait_ms \(30001\)/);
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
    // Payme without a receipt id: 11 calls of 3000 ms; the bridge terminal: queue + 2 × (connect + answer) = 5000.
    assert.equal(b.qrSettle!.ms, 33_000);
    assert.equal(b.cardSettle!.ms, 5_000);
    c.mode = 'production';
    c.payme = undefined;
    c.terminals.devices = [];
    // CLICK alone: 2 × 1000 + 2 × 1000 + 3 × 3000.
    assert.equal(longestSettleMs(c), 13_000);
    c.click = undefined;
    assert.equal(longestSettleMs(c), 0);
  });
});

// ---- recovery never starts a settle on a claim with too little time left ----

interface Row {
  tx: Transaction;
  claimedBy: string | null;
  until: number | null;
}

/** The journal's claims as the SQL of claimUnsettled and releaseClaim keeps them, on a clock the test turns. */
class FakeJournal {
  readonly rows = new Map<string, Row>();
  claimCalls = 0;

  add(id: string, createdAt: number, method: Transaction['method']): void {
    const tx = { id, method, status: 'unknown', createdAt, updatedAt: createdAt, amount: 100, kind: 'payment', terminal: method === 'uzcard' ? 't' : null } as Transaction;
    this.rows.set(id, { tx, claimedBy: null, until: null });
  }

  async claimUnsettled(before: number, limit: number, claim: { owner: string; now: number; until: number }): Promise<Transaction[]> {
    if (claim.owner === 'pb-a') this.claimCalls++;
    const open = [...this.rows.values()]
      .filter((r) => (r.tx.status === 'pending' || r.tx.status === 'unknown') && r.tx.createdAt < before)
      .filter((r) => r.claimedBy === null || r.claimedBy === claim.owner || r.until === null || r.until <= claim.now)
      .sort((a, b) => a.tx.createdAt - b.tx.createdAt)
      .slice(0, limit);
    for (const r of open) {
      r.claimedBy = claim.owner;
      r.until = claim.until;
    }
    return open.map((r) => ({ ...r.tx }));
  }

  async releaseClaim(id: string, owner: string): Promise<void> {
    const r = this.rows.get(id);
    if (r && r.claimedBy === owner) {
      r.claimedBy = null;
      r.until = null;
    }
  }

  settle(id: string, status: TransactionStatus): void {
    const r = this.rows.get(id)!;
    r.tx = { ...r.tx, status };
    if (status !== 'pending' && status !== 'unknown') {
      r.claimedBy = null;
      r.until = null;
    }
  }
}

/**
 * A recovery pass over `durations.length` transactions whose settles take those durations (at most
 * settleMs each, as the bound promises) on a clock that only the settles move, while another PayBridge
 * on the same journal (pb-b) tries to claim them at the start and end of every settle. Returns what
 * was seen at the start of each settle.
 */
async function pass(options: { claimMs: number; settleMs: number; durations: number[]; staysUnknown?: (i: number) => boolean; log?: LogCapture }) {
  const realNow = Date.now;
  let clock = 1_000_000;
  Date.now = () => clock;
  try {
    const journal = new FakeJournal();
    options.durations.forEach((_, i) => journal.add(`tx-${String(i).padStart(3, '0')}`, clock - 10_000 + i, i % 3 === 2 ? 'uzcard' : 'click'));
    const starts: { id: string; owner: string | null; left: number }[] = [];
    const tried = new Set<string>();
    const takenByOther: string[] = [];
    const other = async () => {
      for (const tx of await journal.claimUnsettled(clock, 200, { owner: 'pb-b', now: clock, until: clock + options.claimMs })) {
        if (!tried.has(tx.id)) takenByOther.push(tx.id);
        await journal.releaseClaim(tx.id, 'pb-b');
      }
    };
    const recover = async (tx: Transaction): Promise<Transaction> => {
      const row = journal.rows.get(tx.id)!;
      starts.push({ id: tx.id, owner: row.claimedBy, left: (row.until ?? 0) - clock });
      tried.add(tx.id);
      await other();
      const i = Number(tx.id.slice(3));
      clock += options.durations[i]!;
      await other();
      const status: TransactionStatus = options.staysUnknown?.(i) ? 'unknown' : 'succeeded';
      journal.settle(tx.id, status);
      return { ...tx, status };
    };
    const services = { isInFlight: () => false, recover };
    const recovery = new RecoveryService(
      journal as unknown as Journal,
      services as unknown as QrPaymentService,
      services as unknown as CardPaymentService,
      createLogger('warn', options.log ?? new LogCapture()),
      { intervalMs: 3_600_000, graceMs: 0, owner: 'pb-a', claimMs: options.claimMs, settleMs: options.settleMs },
    );
    const settled = await recovery.recoverNow();
    const claimedAfter = [...journal.rows.values()].filter((r) => r.claimedBy !== null).map((r) => r.tx.id);
    return { settled, starts, takenByOther, claimCalls: journal.claimCalls, claimedAfter };
  } finally {
    Date.now = realNow;
  }
}

describe('recovery under its claim', () => {
  test('a pass longer than the claim renews it before a settle that would not fit, and none lapses', async () => {
    // Ten settles of settleMs each under a claim that holds three: 3000 ms of settling, 1000 ms claims.
    const claimMs = 1_000;
    const settleMs = 300;
    const r = await pass({ claimMs, settleMs, durations: Array.from({ length: 10 }, () => settleMs) });
    assert.equal(r.settled, 10);
    assert.equal(r.starts.length, 10);
    for (const s of r.starts) {
      assert.equal(s.owner, 'pb-a', `${s.id} claimed by this PayBridge when its settle started`);
      assert.ok(s.left > settleMs, `${s.id} started with ${s.left} ms of claim left, not more than the longest settle (${settleMs})`);
    }
    assert.deepEqual(r.takenByOther, [], 'another PayBridge never got a transaction this pass was still to settle');
    // Three settles fit in each claim (1000 − 3 × 300 = 100 left is too little for a fourth): the first claim and three renewals.
    assert.equal(r.claimCalls, 4);
    assert.deepEqual(r.claimedAfter, []);
  });

  test('whatever the settles take, none starts with less than the longest settle left, and none is taken over before it is tried', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 500 }).chain((settleMs) =>
          fc.record({
            settleMs: fc.constant(settleMs),
            claimMs: fc.integer({ min: settleMs + 1, max: settleMs * 5 }),
            durations: fc.array(fc.integer({ min: 0, max: settleMs }), { minLength: 1, maxLength: 40 }),
            unknownEvery: fc.integer({ min: 2, max: 7 }),
          }),
        ),
        async ({ settleMs, claimMs, durations, unknownEvery }) => {
          const r = await pass({ claimMs, settleMs, durations, staysUnknown: (i) => i % unknownEvery === 0 });
          assert.equal(r.starts.length, durations.length, 'every transaction tried once');
          for (const s of r.starts) {
            assert.equal(s.owner, 'pb-a');
            assert.ok(s.left > settleMs, `${s.id}: ${s.left} ms left for a settle of up to ${settleMs}`);
          }
          assert.deepEqual(r.takenByOther, []);
          assert.deepEqual(r.claimedAfter, [], 'every claim let go at the end of the pass');
        },
      ),
      { numRuns: 300 },
    );
  });

  test('a claim no longer than the longest settle settles nothing, and lets its claims go', async () => {
    const log = new LogCapture();
    const r = await pass({ claimMs: 300, settleMs: 300, durations: [100, 100, 100], log });
    assert.equal(r.starts.length, 0, 'no settle started');
    assert.deepEqual(r.claimedAfter, []);
    assert.match(log.text, /recovery\.claim_ms must exceed the longest settle/);
  });
});
