/**
 * Outcome tables: what each answer a provider or terminal can give means for the customer's money.
 * Every client classifies through its table (data, not branches scattered over the code), and the
 * domain acts only on the class. docs/outcomes.md is generated from the same rows.
 *
 * The rule behind every row: a transaction becomes `failed` only on positive evidence that no money
 * moved. Anything a table does not name is `uncertain`.
 */

/**
 * - `paid`: money moved for this request.
 * - `declined`: a documented refusal of this request, or proof that it never reached the provider
 *   or terminal: no money moved.
 * - `not_found`: a status answer documented as "no such payment". Evidence of absence only when it
 *   was asked late enough for the provider to have recorded a charge, and a second lookup agrees.
 * - `uncertain`: anything else (no answer, 5xx, unreadable body, system error, busy, in progress,
 *   undocumented code): keep asking, then an operator decides.
 */
export type OutcomeClass = 'paid' | 'declined' | 'not_found' | 'uncertain';

/**
 * What a row that proves something rests on. A row that says money moved, did not move, went back or
 * did not go back is a decision a till acts on (a till told "nothing was charged" charges again), so it
 * names its proof; a row without one can only be `uncertain` (test/outcome-citations.test.ts).
 */
export type Citation =
  /** The provider's (or the terminal vendor's) published documentation for this very call: the page, and its words quoted. */
  | { doc: string; quote: string }
  /** PayBridge's own evidence, where no one else's word is needed (the connection was never made; our own journal). */
  | { evidence: string };

export interface OutcomeRule {
  /** The answer, as a reader of the provider's docs would name it; also the key clients look up. */
  answer: string;
  outcome: OutcomeClass;
  /** Where the meaning comes from: the provider's docs, or "not documented → uncertain". */
  source: string;
  /** Required of every row that is not `uncertain`. */
  cite?: Citation;
  /**
   * Only in a wallet's record table (what the reconciliation reads): the payment was `paid` and the
   * wallet shows money given back since — all of it, or a part.
   */
  givenBack?: 'whole' | 'part';
}

export interface OutcomeTable {
  /** e.g. "CLICK click_pass/payment" */
  title: string;
  /** What the table classifies, for the generated docs. */
  about: string;
  rules: readonly OutcomeRule[];
}

export const NOT_DOCUMENTED = 'not documented → uncertain';

/** The row every table falls back to: an answer nobody documented proves nothing. */
export const UNDOCUMENTED_RULE: OutcomeRule = { answer: 'any other answer', outcome: 'uncertain', source: NOT_DOCUMENTED };

export function table(title: string, about: string, rules: readonly OutcomeRule[]): OutcomeTable {
  const seen = new Set<string>();
  for (const r of rules) {
    if (seen.has(r.answer)) throw new Error(`${title}: the answer "${r.answer}" is listed twice`);
    seen.add(r.answer);
  }
  return { title, about, rules };
}

/**
 * The rule for an answer, tried from its most specific description to its most general (e.g.
 * "error_code -5017" before "error_code ≠ 0"); an answer no row names is uncertain.
 */
export function classify(t: OutcomeTable, keys: readonly string[]): OutcomeRule {
  for (const key of keys) {
    const rule = t.rules.find((r) => r.answer === key);
    if (rule) return rule;
  }
  return UNDOCUMENTED_RULE;
}

/**
 * Whether a run of status lookups that found nothing proves that nothing was charged: at least two
 * `not_found` answers, the first asked no earlier than `notFoundAfterMs` after the charge was sent,
 * and the last at least `confirmGapMs` after the first.
 */
export function absenceProven(notFoundAt: readonly number[], sentAt: number, notFoundAfterMs: number, confirmGapMs: number): boolean {
  const late = notFoundAt.filter((t) => t >= sentAt + notFoundAfterMs);
  if (late.length < 2) return false;
  return late[late.length - 1]! - late[0]! >= confirmGapMs;
}

/** The rows of a table that decide something (not `uncertain`) and name no proof. */
export function uncitedRules(t: OutcomeTable): OutcomeRule[] {
  return t.rules.filter((r) => r.outcome !== 'uncertain' && citationProblem(r.cite) !== undefined);
}

/** Why a citation does not count, or undefined when it does. */
export function citationProblem(cite: Citation | undefined): string | undefined {
  if (!cite) return 'no citation';
  if ('doc' in cite) {
    if (!/^https:\/\/[^\s]+$/.test(cite.doc)) return `"${cite.doc}" is not a page's address`;
    if (cite.quote.trim().length < 8) return 'the quoted words are missing';
    return undefined;
  }
  return cite.evidence.trim().length < 8 ? 'the evidence is not said' : undefined;
}

function citationText(cite: Citation | undefined): string {
  if (!cite) return '';
  return 'doc' in cite ? ` — [${new URL(cite.doc).host}${new URL(cite.doc).pathname}](${cite.doc}): “${cite.quote}”` : ` — PayBridge’s own evidence: ${cite.evidence}`;
}

/** A table as Markdown, for docs/outcomes.md. */
export function tableMarkdown(t: OutcomeTable): string {
  const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const lines = [`### ${t.title}`, '', t.about, '', '| answer | outcome | source |', '|---|---|---|'];
  for (const r of [...t.rules, UNDOCUMENTED_RULE]) lines.push(`| ${cell(r.answer)} | \`${r.outcome}\`${r.givenBack ? `, given back: ${r.givenBack}` : ''} | ${cell(r.source + citationText(r.cite))} |`);
  return `${lines.join('\n')}\n`;
}
