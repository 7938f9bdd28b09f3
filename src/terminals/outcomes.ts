import { NOT_DOCUMENTED, table, type OutcomeRule, type OutcomeTable } from '../payments/outcome-table.js';
import { PINPAD_CODES } from './response-codes.js';

/**
 * What a pinpad's answers prove about the money, shared by both drivers: the response codes of the
 * public FiscalBox API documentation (Errors.md, shared/reference/pinpad-codes.md) with the handling
 * shared/reference/humo-arcus2.md gives them.
 */

const CODES_DOC = 'FiscalBox API docs, pinpad response codes';
export const APPROVED_CODES = ['000', '001', '003', '020'] as const;
/** The request may have reached the pinpad and nothing definite came back. */
export const NO_LINK_CODES = ['912', '923', '998', '999'] as const;
/** Host or link trouble: whether the bank approved is not known. */
const SYSTEM_ERROR_CODES = ['005', '402', '403', '404', '911'] as const;

/** Whether a code approves: 000/001/003/020, and 400 as the answer to a cancel. */
export function isApproval(code: string, op?: 'purchase' | 'cancel' | 'refund'): boolean {
  return (APPROVED_CODES as readonly string[]).includes(code) || (code === '400' && op === 'cancel');
}

/** Every documented code as the answer to an operation (purchase, cancel, refund). */
function operationCodeRules(): OutcomeRule[] {
  const rules: OutcomeRule[] = [];
  for (const [code, meaning] of Object.entries(PINPAD_CODES)) {
    const name = `code ${code} (${meaning.en})`;
    if (isApproval(code)) rules.push({ answer: `code ${code}`, outcome: 'paid', source: `${CODES_DOC}: ${meaning.en} — approved` });
    else if (code === '984') rules.push({ answer: `code ${code}`, outcome: 'declined', source: `${CODES_DOC}: ${meaning.en} — the pinpad refused to start it (busy with another dialogue)` });
    else if ((NO_LINK_CODES as readonly string[]).includes(code)) {
      rules.push({ answer: `code ${code}`, outcome: 'uncertain', source: `${CODES_DOC}: ${meaning.en} — may have reached the pinpad; the terminal is asked` });
    } else if ((SYSTEM_ERROR_CODES as readonly string[]).includes(code)) {
      rules.push({ answer: `code ${code}`, outcome: 'uncertain', source: `${CODES_DOC}: ${meaning.en} — a system or link error says nothing of the bank's decision` });
    } else rules.push({ answer: `code ${code}`, outcome: 'declined', source: `${CODES_DOC}: ${name} — a refusal` });
  }
  rules.push({ answer: 'code 400 to a cancel', outcome: 'paid', source: `${CODES_DOC}: 400 on a Humo cancel slip — the cancel was approved` });
  rules.push({
    answer: 'an approval that names another operation or amount',
    outcome: 'uncertain',
    source: `${NOT_DOCUMENTED}: not this operation's answer (a late one of an earlier call, a tool left running); the terminal is asked`,
  });
  return rules;
}

/**
 * Keys of an operation's own answer. `about` is what the answer (Arcus2: its slip) says it is about,
 * where it says: an approval of another operation or amount is no approval of this one.
 */
export function operationKeys(
  code: string,
  op: 'purchase' | 'cancel' | 'refund',
  about?: { operation?: string | null | undefined; amount?: number | null | undefined; expectedAmount?: number | undefined },
): string[] {
  const approval = isApproval(code, op);
  const other =
    !!about && ((about.operation != null && about.operation !== op) || (about.amount != null && about.expectedAmount !== undefined && about.amount !== about.expectedAmount));
  if (approval && other) return ['an approval that names another operation or amount'];
  return code === '400' && op === 'cancel' ? ['code 400 to a cancel'] : [`code ${code}`];
}

/** Keys of a status answer (bridge `status`, or Arcus2's last slip) as the card service compares it. */
export type StatusEvidence =
  /** The terminal answered for our request id, with this code. */
  | { kind: 'answer'; code: string; matches: boolean }
  | { kind: 'not_found' }
  | { kind: 'no_answer' }
  /** Arcus2: print_last's own result code was not an approval. */
  | { kind: 'print_last_failed'; code: string }
  | { kind: 'slip_of_this_operation' }
  | { kind: 'slip_of_an_earlier_operation' }
  /** A last document with no approval on it (a refusal slip, or none), and nothing journaled on the terminal since. */
  | { kind: 'no_approval_since' }
  | { kind: 'slip_unrelated' };

export function statusKeys(e: StatusEvidence): string[] {
  switch (e.kind) {
    case 'answer':
      if (isApproval(e.code, 'cancel')) return [e.matches ? 'status: approved, same operation and amount' : 'status: approved, another operation or amount'];
      // Only a code the documentation lists can be a refusal; any other is uncertain by default.
      return PINPAD_CODES[e.code] ? [`status: code ${e.code}`, 'status: a documented refusal code'] : [`status: code ${e.code}`];
    case 'not_found':
      return ['status: 202 (never performed)'];
    case 'no_answer':
      return ['status: no answer (timeout, link down)'];
    case 'print_last_failed':
      return [`print_last: code ${e.code}`, 'print_last: any code but an approval'];
    case 'slip_of_this_operation':
      return ['print_last: the slip of this operation'];
    case 'slip_of_an_earlier_operation':
      return ['print_last: the slip of an operation journaled before this one'];
    case 'no_approval_since':
      return ['print_last: no approval on the last slip, nothing journaled on the terminal since'];
    case 'slip_unrelated':
      return ['print_last: any other slip (a refusal, an unknown operation, none)'];
  }
}

const statusUncertain = (codes: readonly string[], why: string): OutcomeRule[] => codes.map((c) => ({ answer: `status: code ${c}`, outcome: 'uncertain' as const, source: why }));

function refusalStatusRule(): OutcomeRule {
  return {
    answer: 'status: a documented refusal code',
    outcome: 'declined',
    source: `${CODES_DOC}, and the bridge protocol (docs/terminals.md): the terminal's recorded answer to this very request id was a refusal`,
  };
}

export const BRIDGE_OUTCOMES: OutcomeTable = table(
  'Terminal bridge protocol (UzCard PAX A35 adapter)',
  'Answers to an operation, and to `status` asked about it by request id when its answer was lost. A `202` counts once a second `status` agrees.',
  [
    { answer: 'link could not be opened or written', outcome: 'declined', source: 'PayBridge’s transport: the request never reached the terminal' },
    { answer: 'no answer (timeout, link dropped)', outcome: 'uncertain', source: `${NOT_DOCUMENTED}: the terminal may be running it; asked with \`status\`` },
    ...operationCodeRules(),
    { answer: 'status: approved, same operation and amount', outcome: 'paid', source: 'bridge protocol v1 (docs/terminals.md): the answer the terminal gave to this request id' },
    { answer: 'status: approved, another operation or amount', outcome: 'uncertain', source: `${NOT_DOCUMENTED}: an answer that does not match the request proves nothing` },
    { answer: 'status: 202 (never performed)', outcome: 'not_found', source: 'bridge protocol v1 (docs/terminals.md): 202 to `status` means the terminal never performed `ref`' },
    ...statusUncertain(['984'], `${CODES_DOC}: PIN pad busy — a terminal runs one dialogue at a time and answers busy while ours may still run; asked again later`),
    ...statusUncertain(NO_LINK_CODES, `${CODES_DOC}: no link, timeout or in progress; asked again later`),
    ...statusUncertain(SYSTEM_ERROR_CODES, `${CODES_DOC}: a system error; asked again later`),
    refusalStatusRule(),
    { answer: 'status: no answer (timeout, link down)', outcome: 'uncertain', source: `${NOT_DOCUMENTED}: asked again later` },
  ],
);

export const ARCUS2_OUTCOMES: OutcomeTable = table(
  'Arcus2 CommandLineTool (Humo on Ingenico)',
  'Answers to an operation (`rc.out`, `cheq.out`), and to print-last, Arcus2’s only way to learn what the pinpad last did: it cannot be asked about one request, so the last slip proves something only when it identifies this operation, or is an operation the journal knows was made before this one (nothing ran since).',
  [
    { answer: 'tool could not be started', outcome: 'declined', source: 'PayBridge: the CommandLineTool never ran, nothing reached the pinpad' },
    {
      answer: 'no fresh rc.out, or the tool timed out',
      outcome: 'uncertain',
      source: 'shared/reference/humo-arcus2.md, safe-call pattern: missing or stale files mean unknown, not failed; a killed tool may leave the pinpad running the dialogue',
    },
    ...operationCodeRules(),
    { answer: 'print_last: any code but an approval', outcome: 'uncertain', source: 'Arcus2: print-last that did not succeed (busy 984, no link 999, …) shows nothing; asked again later' },
    {
      answer: 'print_last: the slip of this operation',
      outcome: 'paid',
      source: 'FiscalBox docs, Humo slips: approved, same operation and amount, an RRN no other journal entry has',
    },
    {
      answer: 'print_last: the slip of an operation journaled before this one',
      outcome: 'declined',
      source: 'the pinpad’s last document predates this operation: it left no slip, so it was not approved',
    },
    {
      answer: 'print_last: no approval on the last slip, nothing journaled on the terminal since',
      outcome: 'declined',
      source:
        'the pinpad’s last document is a refusal or nothing, and no operation was journaled on this terminal after this one: had this one been approved, its slip (with an RRN) would be the last (the pinpad is driven by PayBridge alone)',
    },
    {
      answer: 'print_last: any other slip (a refusal, an unknown operation, none)',
      outcome: 'uncertain',
      source: `${NOT_DOCUMENTED}: a slip that cannot be tied to this operation or ruled out proves nothing; an operator decides`,
    },
  ],
);

export const TERMINAL_TABLES: readonly OutcomeTable[] = [BRIDGE_OUTCOMES, ARCUS2_OUTCOMES];
