/**
 * Issue #25: a row that proves something — money moved, nothing was charged, the money went back, it
 * did not — names its proof: the provider's page for that very call with its words quoted, or PayBridge's
 * own evidence (the connection never made). A row that cannot is `uncertain`, and leads to the status
 * question and then to an operator.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { OUTCOME_TABLES } from '../src/outcomes-doc.js';
import { citationProblem, table, uncitedRules } from '../src/payments/outcome-table.js';

describe('outcome tables cite their proof', () => {
  for (const { heading, tables } of OUTCOME_TABLES) {
    for (const t of tables) {
      test(`${heading} — ${t.title}: every declined, not_found and paid row is cited`, () => {
        const missing = uncitedRules(t).map((r) => `"${r.answer}" (${r.outcome}): ${citationProblem(r.cite)}`);
        assert.deepEqual(missing, []);
      });
    }
  }

  test('the check itself: an uncited decline, a citation without an address or words, an uncertain row needs none', () => {
    const t = table('test', 'test', [
      { answer: 'a', outcome: 'declined', source: 's' },
      { answer: 'b', outcome: 'not_found', source: 's', cite: { doc: 'docs.example.uz/page', quote: 'not found here' } },
      { answer: 'c', outcome: 'paid', source: 's', cite: { doc: 'https://docs.example.uz/page', quote: '' } },
      { answer: 'd', outcome: 'paid', source: 's', cite: { doc: 'https://docs.example.uz/page', quote: 'status 2: payment successful' } },
      { answer: 'e', outcome: 'declined', source: 's', cite: { evidence: 'the connection was refused: nothing left this machine' } },
      { answer: 'f', outcome: 'uncertain', source: 's' },
    ]);
    assert.deepEqual(
      uncitedRules(t).map((r) => r.answer),
      ['a', 'b', 'c'],
    );
  });
});
