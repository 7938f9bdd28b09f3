import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { compareRecord, journalNet, resultOf, unknownToJournal, walletNet, type WalletRecord } from '../src/payments/wallet-records.js';
import type { TransactionStatus } from '../src/payments/state-machine.js';

// The journal against a wallet's record, every pairing (#26): the comparison is a pure table.

const tx = (status: TransactionStatus, amount = 10_000, refundedAmount = 0) => ({ id: 't1', method: 'payme' as const, status, amount, refundedAmount, createdAt: 0 });
const charged = (givenBack: 'none' | 'whole' | 'part' = 'none', amount: number | null = 10_000, givenBackAmount: number | null = null): WalletRecord => ({
  state: 'charged',
  amount,
  givenBack,
  givenBackAmount: givenBack === 'whole' ? amount : givenBack === 'none' ? 0 : givenBackAmount,
  providerId: 'r1',
  providerStatus: 'x',
  rule: 'x',
});
const notCharged: WalletRecord = { state: 'not_charged', providerId: 'r1', providerStatus: 'x', rule: 'x' };
const unsure: WalletRecord = { state: 'not_confirmed', providerId: 'r1', providerStatus: 'x', reason: 'no answer', askAgain: true };

describe('compareRecord', () => {
  const cases: [string, ReturnType<typeof tx>, WalletRecord, string | null][] = [
    ['paid both sides', tx('succeeded'), charged(), null],
    ['failed both sides', tx('failed'), notCharged, null],
    ['failed, the wallet charged', tx('failed'), charged(), 'paid_at_provider_only'],
    ['unknown, the wallet charged', tx('unknown'), charged(), 'paid_at_provider_only'],
    ['unknown, the wallet shows nothing held', tx('unknown'), notCharged, 'not_confirmed'],
    ['failed, charged and given back since (nothing held either side)', tx('failed'), charged('whole'), null],
    ['paid, the wallet shows no charge', tx('succeeded'), notCharged, 'paid_in_journal_only'],
    ['paid, the wallet gave it all back', tx('succeeded'), charged('whole'), 'given_back_outside'],
    ['paid, the wallet gave a part back', tx('succeeded'), charged('part', 10_000, 3_000), 'given_back_outside'],
    ['given back both sides', tx('refunded', 10_000, 10_000), charged('whole'), null],
    ['given back in the journal only', tx('refunded', 10_000, 10_000), charged(), 'given_back_in_journal_only'],
    ['a part given back in the journal only', tx('succeeded', 10_000, 4_000), charged(), 'given_back_in_journal_only'],
    ['the same part given back both sides', tx('succeeded', 10_000, 4_000), charged('part', 10_000, 4_000), null],
    ['different parts given back', tx('succeeded', 10_000, 4_000), charged('part', 10_000, 3_000), 'amount_differs'],
    ['another amount charged', tx('succeeded'), charged('none', 12_000), 'amount_differs'],
    ['a wallet that could not say', tx('succeeded'), unsure, 'not_confirmed'],
    ['a wallet that could not say, journal failed', tx('failed'), unsure, 'not_confirmed'],
  ];
  for (const [name, t, record, kind] of cases) {
    test(name, () => assert.equal(compareRecord(t, record)?.kind ?? null, kind));
  }

  test('never a match where the wallet could not say, and never a difference where both hold the same money by a proven record', () => {
    const statuses: TransactionStatus[] = ['succeeded', 'failed', 'unknown', 'cancelled', 'refunded'];
    const records = fc.oneof(
      fc.constant(notCharged),
      fc.constant(unsure),
      fc.record({ givenBack: fc.constantFrom('none' as const, 'whole' as const, 'part' as const), part: fc.integer({ min: 1, max: 9_999 }) }).map(({ givenBack, part }) => charged(givenBack, 10_000, part)),
    );
    fc.assert(
      fc.property(fc.constantFrom(...statuses), fc.integer({ min: 0, max: 10_000 }), records, (status, refunded, record) => {
        const t = tx(status, 10_000, status === 'succeeded' ? Math.min(refunded, 9_999) : status === 'cancelled' || status === 'refunded' ? 10_000 : 0);
        const found = compareRecord(t, record);
        if (record.state === 'not_confirmed') return found?.kind === 'not_confirmed';
        const j = journalNet(t);
        const w = walletNet(record, t.amount);
        const sameGiveBack = record.state !== 'charged' || record.givenBack !== 'part' || t.refundedAmount === record.givenBackAmount;
        if (found === null) return j !== null && j === w;
        return !(j !== null && j === w && sameGiveBack && record.state === 'charged' && (t.status !== 'failed' || record.givenBack === 'whole'));
      }),
    );
  });
});

describe('the result and the wallet’s own list', () => {
  test('exit codes follow the worst: a difference, else something unconfirmed, else a match', () => {
    const d = (kind: 'not_confirmed' | 'given_back_outside') => ({ kind, method: 'payme' as const, transactionId: 't', journalStatus: null, providerStatus: 'x', amount: 1, detail: null, at: null });
    assert.equal(resultOf([]), 'match');
    assert.equal(resultOf([d('not_confirmed')]), 'not_confirmed');
    assert.equal(resultOf([d('not_confirmed'), d('given_back_outside')]), 'discrepancies');
  });

  test('a receipt the journal never saw is reported when it holds money or waits open, not when it was cancelled unpaid', () => {
    const listed = (record: WalletRecord, open = false) => ({ providerId: 'r9', transactionId: 'cabinet-1', amount: 5_000, createdAt: 0, record, open });
    assert.equal(unknownToJournal('payme', listed(charged('none', 5_000)))?.kind, 'unknown_to_journal');
    assert.equal(unknownToJournal('payme', listed(notCharged, true))?.amount, 0);
    assert.equal(unknownToJournal('payme', listed(notCharged)), null);
    assert.equal(unknownToJournal('payme', listed(charged('whole', 5_000))), null);
  });
});
