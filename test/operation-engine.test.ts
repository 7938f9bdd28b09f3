import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { SqliteJournal } from '../src/journal/sqlite/sqlite-journal.js';
import { LiveClaims } from '../src/payments/live-claim.js';
import { OperationEngine } from '../src/payments/operation-engine.js';
import type { Journal } from '../src/payments/ports/journal.js';
import type { OperationAdapter, Verdict } from '../src/payments/ports/operation-adapter.js';
import type { Transaction } from '../src/payments/transaction.js';
import { tempDir } from './helpers.js';

/**
 * The engine every QR and card operation runs through, against a real SQLite journal, with adapters
 * that play scripted verdicts: what it writes, in what order, and what it holds.
 */

const journal = new SqliteJournal({ path: join(tempDir(), 'journal.sqlite'), driver: 'auto', origin: { instance: 'engine-test', inFlightLeaseMs: 60_000 } });
after(() => journal.close());

function newEngine(j: Journal = journal, linked: string[] = []): OperationEngine {
  return new OperationEngine(j, { claims: new LiveClaims(j, 60_000), onTransaction: async (id) => void linked.push(id) });
}

async function begin(engine: OperationEngine): Promise<Transaction> {
  return engine.begin({ id: randomUUID(), method: 'uzcard', amount: 5_000, qrCodeMasked: null, qrCodeHash: null, createdAt: Date.now(), kind: 'payment', terminal: 't1' }, { step: 'received' });
}

async function trail(id: string): Promise<string[]> {
  return (await journal.get(id))!.events.map((e) => `${e.status}:${e.step}`);
}

const never = async (): Promise<Verdict> => assert.fail('not expected here');

describe('OperationEngine', () => {
  test('journals first, ties the key, writes each fact before the next step, and turns unknown when an answer is lost', async () => {
    const linked: string[] = [];
    const engine = newEngine(journal, linked);
    const tx = await begin(engine);
    assert.deepEqual(linked, [tx.id], 'tied to the key as soon as it is journaled');
    const seen: string[] = [];
    const adapter: OperationAdapter = {
      execute: async (op, ctx) => {
        assert.equal(await journal.isHeldLive(op.id, Date.now()), true, 'held while it is sent');
        assert.equal(engine.isInFlight(op.id), true);
        await ctx.progress({ step: 'sent', facts: { providerPaymentId: 'P-1' } });
        seen.push((await journal.get(op.id))!.providerPaymentId ?? 'none');
        await ctx.progress({ step: 'answer_lost', uncertain: 'HTTP 504' });
        seen.push((await journal.get(op.id))!.status);
        return { outcome: 'succeeded', facts: { slip: 'SLIP' }, step: 'approved' };
      },
      settle: never,
    };
    const { tx: done, verdict } = await engine.execute(tx, adapter);
    assert.deepEqual(seen, ['P-1', 'unknown'], 'each fact was on record before the adapter went on');
    assert.equal(verdict.outcome, 'succeeded');
    assert.equal(done.status, 'succeeded');
    assert.deepEqual(await trail(tx.id), ['pending:received', 'pending:sent', 'unknown:answer_lost', 'succeeded:approved']);
    const stored = (await journal.get(tx.id))!;
    assert.deepEqual([stored.providerPaymentId, stored.slip], ['P-1', 'SLIP']);
    assert.equal(engine.isInFlight(tx.id), false);
  });

  test('an adapter that throws leaves the operation unknown, never failed, and lets its claim go for recovery', async () => {
    const engine = newEngine();
    const tx = await begin(engine);
    const { tx: done, verdict } = await engine.execute(tx, {
      execute: async () => {
        throw new Error('bug in an adapter');
      },
      settle: never,
    });
    assert.equal(done.status, 'unknown');
    assert.equal(verdict.outcome, 'unknown');
    assert.match(verdict.reason ?? '', /Do not repeat it/);
    assert.deepEqual(await trail(tx.id), ['pending:received', 'unknown:interrupted']);
    assert.equal(await journal.isHeldLive(tx.id, Date.now()), false, 'recovery may take it at once');
  });

  test('recovery settles through the adapter by asking; an inconclusive pass adds nothing; an operation in flight is left alone', async () => {
    const engine = newEngine();
    const tx = await begin(engine);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const running = engine.execute(tx, {
      execute: async () => {
        await gate;
        return { outcome: 'unknown', step: 'status_inconclusive', reason: 'no answer' };
      },
      settle: never,
    });
    while (!engine.isInFlight(tx.id)) await new Promise((r) => setImmediate(r));
    // Not asked while this process is still sending it.
    assert.equal((await engine.recover(tx, { execute: never, settle: never })).status, 'pending');
    release();
    const { tx: unknown } = await running;
    assert.equal(unknown.status, 'unknown');
    assert.equal(await journal.isHeldLive(tx.id, Date.now()), false);

    let asked = 0;
    const inconclusive: OperationAdapter = { execute: never, settle: async () => (asked++, { outcome: 'unknown', step: null }) };
    assert.equal((await engine.recover(unknown, inconclusive)).status, 'unknown');
    assert.equal(asked, 1);
    assert.deepEqual(await trail(tx.id), ['pending:received', 'unknown:status_inconclusive'], 'a pass that learnt nothing writes nothing');

    const proof: OperationAdapter = { execute: never, settle: async () => ({ outcome: 'failed', facts: { error: { code: 109, message: 'x', data: '202: not found' } }, step: 'recovered' }) };
    const settled = await engine.recover(unknown, proof);
    assert.equal(settled.status, 'failed');
    assert.deepEqual(await trail(tx.id), ['pending:received', 'unknown:status_inconclusive', 'failed:recovered']);
  });

  test('a success the journal cannot record is still answered as a success, and the journal keeps it unsettled for recovery', async () => {
    const engine0 = newEngine();
    const tx = await begin(engine0);
    // The same journal, whose write of a success fails (the disk filled up at that moment).
    const failing = Object.create(journal) as Journal;
    failing.transition = async (id, from, to, patch, step) => {
      if (to === 'succeeded') throw new Error('disk full');
      return journal.transition(id, from, to, patch, step);
    };
    const engine = newEngine(failing);
    const { tx: done } = await engine.execute(tx, { execute: async () => ({ outcome: 'succeeded', facts: { providerPaymentId: 'RRN-9' }, step: 'approved' }), settle: never });
    assert.equal(done.status, 'succeeded');
    assert.equal(done.providerPaymentId, 'RRN-9');
    assert.equal((await journal.get(tx.id))!.status, 'pending', 'not on record: recovery asks again');
  });
});
