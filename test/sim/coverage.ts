import { UNDOCUMENTED_RULE, type OutcomeRule, type OutcomeTable } from '../../src/payments/outcome-table.js';
import { CLICK_TABLES } from '../../src/providers/click/outcomes.js';
import { PAYME_TABLES } from '../../src/providers/payme/outcomes.js';
import { UZUM_TABLES } from '../../src/providers/uzum/outcomes.js';
import { BRIDGE_OUTCOMES } from '../../src/terminals/outcomes.js';

/**
 * Which rows of the outcome tables a run made the production code classify an answer by: `classify`
 * looks a row up with the table's `rules.find`, so each table's rules are watched through a proxy
 * that counts the row found. The tables of the adapters the simulator runs (CLICK, Payme, Uzum, the
 * terminal bridge protocol) are watched; Arcus2's and arccom's are not simulated. An answer no row
 * names falls back to UNDOCUMENTED_RULE, counted apart (its `outcome` is read).
 */

export const SIMULATED_TABLES: readonly OutcomeTable[] = [...CLICK_TABLES, ...PAYME_TABLES, ...UZUM_TABLES, BRIDGE_OUTCOMES];

const hits = new Map<OutcomeRule, number>();
let installed = false;

/** The fallback row: counted as its `outcome` is read. */
function watch(rule: OutcomeRule): void {
  const outcome = rule.outcome;
  Object.defineProperty(rule, 'outcome', {
    get: () => {
      hits.set(rule, (hits.get(rule) ?? 0) + 1);
      return outcome;
    },
    enumerable: true,
    configurable: true,
  });
}

/** Starts counting (once per process) and forgets earlier counts. */
export function resetCoverage(): void {
  if (!installed) {
    installed = true;
    for (const t of SIMULATED_TABLES) {
      const rules = t.rules as OutcomeRule[];
      (t as { rules: readonly OutcomeRule[] }).rules = new Proxy(rules, {
        get: (target, prop, receiver) => {
          if (prop !== 'find') return Reflect.get(target, prop, receiver);
          return (predicate: (r: OutcomeRule) => boolean) => {
            const found = target.find(predicate);
            if (found) hits.set(found, (hits.get(found) ?? 0) + 1);
            return found;
          };
        },
      });
    }
    watch(UNDOCUMENTED_RULE);
  }
  hits.clear();
}

export interface Coverage {
  rows: number;
  hit: number;
  undocumented: number;
  /** "table: answer" of each row never used. */
  missed: string[];
}

export function coverage(): Coverage {
  const missed: string[] = [];
  let rows = 0;
  for (const t of SIMULATED_TABLES) {
    for (const r of t.rules as OutcomeRule[]) {
      rows++;
      if (!hits.has(r)) missed.push(`${t.title}: ${r.answer}`);
    }
  }
  return { rows, hit: rows - missed.length, undocumented: hits.get(UNDOCUMENTED_RULE) ?? 0, missed };
}
