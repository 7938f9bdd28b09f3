import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { SqliteJournal } from '../src/journal/sqlite/sqlite-journal.js';
import { OperationEngine } from '../src/payments/operation-engine.js';
import { ClaimGoneError, HeldClaim } from '../src/payments/live-claim.js';
import { PayBridgeError } from '../src/payments/errors.js';
import { fenceOf, type Journal } from '../src/payments/ports/journal.js';
import { UNSETTLEABLE, type OperationAdapter, type OperationContext, type Verdict } from '../src/payments/ports/operation-adapter.js';
import { qrGiveBack } from '../src/payments/qr-operations.js';
import type { QrProvider } from '../src/payments/ports/qr-provider.js';
import type { Transaction } from '../src/payments/transaction.js';
import { tempDir, transitionAsHolder } from './helpers.js';
import { ManualClock } from './manual-clock.js';

/**
 * The engine every QR and card operation runs through, against a real SQLite journal, with adapters
 * that play scripted verdicts: what it writes, in what order, under which claim, and what it keeps
 * when a proof of money moved cannot be written.
 */

const journal = new SqliteJournal({ path: join(tempDir(), 'journal.sqlite'), driver: 'auto', origin: { instance: 'engine-test', inFlightLeaseMs: 60_000 } });
after(() => journal.close());

function newEngine(j: Journal = journal, linked: string[] = [], instance = 'engine-test'): OperationEngine {
  return new OperationEngine(j, { leaseMs: 60_000, instance, onTransaction: async (id) => void linked.push(id) });
}

async function begin(engine: OperationEngine, kind: 'payment' = 'payment'): Promise<Transaction> {
  return engine.begin({ id: randomUUID(), method: 'uzcard', amount: 5_000, qrCodeMasked: null, qrCodeHash: null, createdAt: Date.now(), kind, terminal: 't1' }, { step: 'received' });
}

async function trail(id: string): Promise<string[]> {
  return (await journal.get(id))!.events.map((e) => `${e.status}:${e.step}`);
}

const never = async (): Promise<Verdict> => assert.fail('not expected here');
const holderOf = async (id: string) => (await journal.get(id))!.claim?.owner ?? null;

/** A paid payment and an unknown give-back of it (its cancel answered 504), nobody holding it. */
async function unknownGiveBack(engine: OperationEngine): Promise<{ payment: Transaction; giveBack: Transaction }> {
  const payment = await begin(engine);
  await transitionAsHolder(journal, payment.id, 'pending', 'succeeded', { providerPaymentId: '010900000001' }, { step: 'approved' });
  const { giveBack } = await engine.beginGiveBack(payment.id, { partialSupported: true, methodName: 'UzCard' }, (p, d) => ({
    tx: { id: randomUUID(), method: 'uzcard', amount: d.amount, qrCodeMasked: null, qrCodeHash: null, createdAt: Date.now(), kind: 'refund', originalId: p.id, terminal: 't1' },
    step: { step: 'received' },
  }));
  const { tx } = await engine.execute(giveBack, { execute: async () => ({ outcome: 'unknown', step: 'cancel_unknown', reason: 'HTTP 504' }), settle: never });
  assert.equal(tx.status, 'unknown');
  assert.equal(await holderOf(giveBack.id), null, 'an unsettled operation is let go for recovery');
  return { payment, giveBack };
}

describe('OperationEngine', () => {
  test('a pending operation nothing can be asked about turns unknown at its first recovery, so that it is listed (found by the simulator)', async () => {
    // A QR payment an operator decided paid without its provider id, and a give-back of it journaled by
    // a request that stopped before sending it: no provider can be asked, and a row left pending is
    // on no operator's list.
    const engine = newEngine();
    const payment = await begin(engine);
    await transitionAsHolder(journal, payment.id, 'pending', 'succeeded', {}, { step: 'operator_decision' });
    const { giveBack } = await engine.beginGiveBack(payment.id, { partialSupported: true, methodName: 'CLICK' }, (p, d) => ({
      tx: { id: randomUUID(), method: 'click', amount: d.amount, qrCodeMasked: null, qrCodeHash: null, createdAt: Date.now(), kind: 'cancel', originalId: p.id },
      step: { step: 'received' },
    }));
    await journal.releaseClaim(giveBack.id, fenceOf(giveBack)!);
    const provider = { giveBackStatus: () => assert.fail('nothing to ask about') } as unknown as QrProvider;
    for (const adapter of [qrGiveBack(provider, (await journal.get(payment.id))!), UNSETTLEABLE]) {
      const attempt = await journal.claim(giveBack.id, 'engine-test', 60_000);
      assert.ok(attempt.taken);
      const after = await engine.recover(attempt.tx, () => adapter, 60_000);
      await journal.releaseClaim(giveBack.id, fenceOf(attempt.tx)!);
      assert.equal(after.status, 'unknown', 'listed for an operator, no longer pending');
    }
    assert.deepEqual(await trail(giveBack.id), ['pending:received', 'unknown:recovery_inconclusive'], 'the second look adds nothing');
  });

  test('journals first, ties the key, writes each fact under its claim before the next step, and turns unknown when an answer is lost', async () => {
    const linked: string[] = [];
    const engine = newEngine(journal, linked);
    const tx = await begin(engine);
    assert.deepEqual(linked, [tx.id], 'tied to the key as soon as it is journaled');
    assert.equal(tx.claim?.owner, 'engine-test#live', 'claimed for the request by its insert');
    const seen: string[] = [];
    const adapter: OperationAdapter = {
      execute: async (op, ctx) => {
        assert.equal(await holderOf(op.id), 'engine-test#live', 'held while it is sent');
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
    assert.deepEqual([stored.providerPaymentId, stored.slip, stored.claim], ['P-1', 'SLIP', null]);
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
    assert.equal(await holderOf(tx.id), null, 'recovery may take it at once');
  });

  test('a request whose claim was taken over stops before its next outward step, writes nothing, and says so', async () => {
    const engine = newEngine();
    const tx = await begin(engine);
    let sentAfter = 0;
    const { verdict, recorded } = await engine.execute(tx, {
      execute: async (op, ctx) => {
        await ctx.progress({ step: 'sent', facts: { providerPaymentId: 'R-1' } });
        // Another holder takes the row over (the request's lease ran out while it waited).
        await journal.releaseClaim(op.id, fenceOf((await journal.get(op.id))!)!);
        assert.equal((await journal.claim(op.id, 'other-instance', 60_000)).taken, true);
        try {
          await ctx.progress({ step: 'receipt_created', facts: { providerPaymentId: 'R-2' } });
        } catch {
          // the fence refused it
        }
        await ctx.guard();
        sentAfter++;
        return { outcome: 'failed', step: 'declined' };
      },
      settle: never,
    });
    assert.equal(sentAfter, 0, 'the guard stopped it before sending anything more');
    assert.equal(verdict.outcome, 'unknown');
    assert.equal(verdict.step, 'claim_lost');
    assert.match(verdict.reason ?? '', /took this operation over/);
    assert.equal(recorded, false);
    const row = (await journal.get(tx.id))!;
    assert.deepEqual([row.status, row.providerPaymentId, row.claim?.owner], ['pending', 'R-1', 'other-instance'], 'nothing written after the takeover');
    assert.deepEqual(await trail(tx.id), ['pending:received', 'pending:sent']);
  });

  test('recovery settles under its own claim from the row read again; an inconclusive pass adds nothing; one in flight here is left alone', async () => {
    const engine = newEngine();
    const tx = await begin(engine);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const running = engine.execute(tx, {
      execute: async () => {
        await gate;
        return { outcome: 'unknown', step: 'status_inconclusive', reason: 'no answer', detail: { reason: 'no answer' } };
      },
      settle: never,
    });
    while (!engine.isInFlight(tx.id)) await new Promise((r) => setImmediate(r));
    assert.equal((await engine.settleOnce(tx.id, () => ({ execute: never, settle: never }))).tx?.status, 'pending', 'not asked while this process is still sending it');
    const held = await journal.claim(tx.id, 'engine-test', 60_000);
    assert.equal(held.taken === false && held.holder?.owner, 'engine-test#live', 'nor by recovery: the request holds it');
    release();
    const { tx: unknown } = await running;
    assert.equal(unknown.status, 'unknown');

    let asked = 0;
    const inconclusive = () => ({
      execute: never,
      settle: async (_: Transaction, ctx: OperationContext): Promise<Verdict> => {
        asked++;
        // Each pass polls twice and sees the same state each time: one line in the timeline, not six.
        await ctx.progress({ step: 'check', detail: { state: 0 } });
        await ctx.progress({ step: 'check', detail: { state: 0 } });
        return { outcome: 'unknown', step: 'status_inconclusive', reason: 'no answer', detail: { reason: 'no answer' } };
      },
    });
    for (let pass = 0; pass < 3; pass++) {
      const claimed = await journal.claim(tx.id, 'engine-test', 60_000);
      assert.equal(claimed.taken, true);
      assert.equal((await engine.recover(claimed.tx!, inconclusive, 60_000)).status, 'unknown');
      await journal.releaseClaim(tx.id, fenceOf(claimed.tx!)!);
    }
    assert.equal(asked, 3);
    assert.deepEqual(await trail(tx.id), ['pending:received', 'unknown:status_inconclusive', 'unknown:check'], 'passes that learnt nothing new write nothing more');

    // A claim taken from a stale list is read again: a row settled meanwhile is not asked about.
    const proof = () => ({ execute: never, settle: async (): Promise<Verdict> => ({ outcome: 'failed', facts: { error: { code: 109, message: 'x', data: '202: not found' } }, step: 'recovered' }) });
    const settled = await engine.settleOnce(tx.id, proof);
    assert.equal(settled.tx?.status, 'failed');
    assert.deepEqual(await trail(tx.id), ['pending:received', 'unknown:status_inconclusive', 'unknown:check', 'failed:recovered']);
  });

  test('an operator cannot decide a give-back recovery is settling; a proof that meets a row settled otherwise becomes a conflict and keeps the reservation', async () => {
    const engine = newEngine();
    const { payment, giveBack } = await unknownGiveBack(engine);
    // Recovery claims it and asks the provider, which takes its time.
    const recoveryClaim = await journal.claim(giveBack.id, 'engine-test', 60_000);
    assert.equal(recoveryClaim.taken, true);
    let answer!: (v: Verdict) => void;
    const asking = engine.recover(recoveryClaim.tx!, () => ({ execute: never, settle: () => new Promise<Verdict>((r) => (answer = r)) }), 60_000);
    while (!answer) await new Promise((r) => setImmediate(r));
    // Meanwhile the operator tries to resolve it as failed: refused, naming the holder and until when.
    const operator = newEngine(journal, [], 'engine-test');
    await assert.rejects(operator.resolve(giveBack.id, 'failed', 'ops', 'looked in the cabinet'), (err: unknown) => err instanceof PayBridgeError && err.extras.held_by === 'engine-test' && typeof err.extras.held_until === 'string');
    assert.equal((await journal.get(giveBack.id))!.status, 'unknown');

    // Had recovery's claim lapsed and an operator taken the row and decided it failed, the proof that the
    // money did go back is not dropped: it is a conflict, and the amount stays reserved.
    await journal.releaseClaim(giveBack.id, fenceOf(recoveryClaim.tx!)!); // (its lease ran out)
    await operator.resolve(giveBack.id, 'failed', 'ops', 'looked in the cabinet');
    assert.equal((await journal.giveBackLedger(payment.id)).reserved, 0);
    answer({ outcome: 'succeeded', step: 'recovered', detail: { rule: 'payment_status -2' } });
    const after = await asking;
    assert.equal(after.status, 'succeeded', 'the verdict is told as it is');
    const [conflict] = await journal.conflictsOf(giveBack.id);
    assert.deepEqual([conflict?.kind, conflict?.journalStatus, conflict?.state, conflict?.proven], ['contradicted', 'failed', 'open', 'succeeded']);
    const ledger = await journal.giveBackLedger(payment.id);
    assert.equal(ledger.reserved, giveBack.amount, 'reserved again until an operator decides: the till cannot give it back twice');
    // The operator accepts the proof: the row is corrected, the payment's total follows, the conflict closes.
    const accepted = await operator.resolve(giveBack.id, 'succeeded', 'ops', 'the refund is in the cabinet after all');
    assert.equal(accepted.status, 'succeeded');
    assert.equal((await journal.get(payment.id))!.refundedAmount, giveBack.amount);
    assert.equal((await journal.conflictsOf(giveBack.id))[0]!.state, 'resolved');
    assert.deepEqual(await journal.openConflicts(10), []);
  });

  test('a success the journal cannot record is still answered as a success; its proof is held until the journal takes it, then applied by recovery', async () => {
    const engine0 = newEngine();
    const tx = await begin(engine0);
    // The same journal, whose writes of a success (and of conflicts) fail: the disk filled up at that moment.
    let full = true;
    const failing = Object.create(journal) as Journal;
    failing.transition = async (...args) => {
      if (full && args[2] === 'succeeded') throw new Error('disk full');
      return journal.transition(...args);
    };
    failing.recordConflict = async (c) => {
      if (full) throw new Error('disk full');
      return journal.recordConflict(c);
    };
    const engine = newEngine(failing);
    const { tx: done, recorded } = await engine.execute(tx, { execute: async () => ({ outcome: 'succeeded', facts: { providerPaymentId: 'RRN-9' }, step: 'approved' }), settle: never });
    assert.equal(done.status, 'succeeded');
    assert.equal(done.providerPaymentId, 'RRN-9');
    assert.equal(recorded, false);
    assert.equal((await journal.get(tx.id))!.status, 'pending', 'not on record: recovery asks again');
    assert.equal(engine.proofsHeld, 1, 'the proof is held in memory');
    assert.equal(await engine.flushProofs(), 1, 'still held while the journal refuses');
    full = false;
    assert.equal(await engine.flushProofs(), 0);
    const [conflict] = await journal.conflictsOf(tx.id);
    assert.equal(conflict?.kind, 'unrecorded');
    // Recovery applies the proof instead of asking again, and the conflict closes as agreed.
    const settled = await engine.settleOnce(tx.id, () => ({ execute: never, settle: never }));
    assert.equal(settled.tx?.status, 'succeeded');
    assert.equal((await journal.get(tx.id))!.providerPaymentId, 'RRN-9');
    assert.equal((await journal.conflictsOf(tx.id))[0]!.resolution?.decision, 'agreed');
  });
});

describe('HeldClaim before an outward step', () => {
  test('a holder frozen past its lease (no renewal ran) asks the journal first: taken over meanwhile, it sends nothing; lapsed but nobody’s, it goes on', async () => {
    const clock = new ManualClock(Date.now());
    const engine = newEngine();
    const taken = await begin(engine);
    const frozen = new HeldClaim(journal, taken.id, fenceOf(taken)!, 1_000, clock);
    // Frozen: the process's clock moves on, none of its timers ran (no renewal was even asked for).
    await clock.advance(5_000);
    await journal.releaseClaim(taken.id, fenceOf(taken)!); // (its lease ran out on the journal's clock)
    assert.equal((await journal.claim(taken.id, 'another-instance', 60_000)).taken, true);
    assert.equal(frozen.lost, undefined, 'nothing failed that it knows of');
    await assert.rejects(frozen.ensureHeld(), ClaimGoneError);
    assert.match(frozen.lost ?? '', /taken over/);

    const idle = await begin(engine);
    const asleep = new HeldClaim(journal, idle.id, fenceOf(idle)!, 1_000, clock);
    await clock.advance(5_000);
    await asleep.ensureHeld(); // nobody took it: renewed, and the step goes on
    assert.equal(asleep.lost, undefined);
    assert.equal((await journal.claim(idle.id, 'another-instance', 60_000)).taken, false, 'renewed before the step');
  });
});
