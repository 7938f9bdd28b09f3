import type { JsonValue } from '../../lib/lenient-json.js';
import { NOT_DOCUMENTED, table, type OutcomeRule, type OutcomeTable } from '../../payments/outcome-table.js';
import type { PaymeObject } from './client.js';

/**
 * Payme's answers and what they prove about the money. Sources: Payme's Subscribe API pages
 * (developer.help.paycom.uz: methods, receipt states, JSON-RPC errors) and, where Payme's pages are
 * silent, the client libraries named in shared/reference/payme.md — marked as such.
 */

/** One exchange with Payme as the outcome tables see it. */
export type PaymeExchange =
  | { kind: 'not_sent'; code: string; error: string }
  | { kind: 'no_answer'; error: string }
  /** An answer that is not a JSON-RPC reply: a non-200 status or an unreadable body. */
  | { kind: 'http'; statusCode: number; body: string }
  | { kind: 'error'; code: number; text: string; data: JsonValue | undefined }
  | { kind: 'result'; result: JsonValue };

const DOCS_STATES = 'Payme docs, receipt states: 0 created, 1–3 in flight, 4 paid, 5–6 held, 20 paused, 21 queued for cancellation, 30 closing, 50 cancelled';
const DOCS_RPC = 'Payme docs, JSON-RPC errors';
const LIBS = 'client libraries only (payme-pkg exception map), not on Payme’s pages';
const LOW = 'one Go client only (low confidence)';
const NOT_SENT = 'PayBridge’s transport: the connection was never made, so Payme never saw the request';

function stateOf(x: PaymeExchange, path: 'receipt' | 'state'): number | undefined {
  if (x.kind !== 'result' || !x.result || typeof x.result !== 'object' || Array.isArray(x.result)) return undefined;
  const value = path === 'state' ? (x.result as PaymeObject).state : ((x.result as PaymeObject).receipt as PaymeObject | undefined)?.state;
  return typeof value === 'number' ? value : undefined;
}

function keys(x: PaymeExchange, path: 'receipt' | 'state'): string[] {
  if (x.kind === 'not_sent') return ['request never sent'];
  if (x.kind === 'no_answer') return ['sent, no answer (timeout, dropped connection)'];
  if (x.kind === 'http') return ['no JSON-RPC reply (HTTP error or unreadable body)'];
  if (x.kind === 'error') return [`error ${x.code}`, 'any other JSON-RPC error'];
  const state = stateOf(x, path);
  return state === undefined ? ['result without a receipt state'] : [`state ${state}`];
}

export const createKeys = (x: PaymeExchange) => (x.kind === 'result' ? ['result with a receipt'] : keys(x, 'receipt'));
export const payKeys = (x: PaymeExchange) => keys(x, 'receipt');
export const checkKeys = (x: PaymeExchange) => keys(x, 'state');
export const cancelKeys = (x: PaymeExchange) => keys(x, 'receipt');
export { stateOf as receiptStateOf };

const lowerLayers: OutcomeRule[] = [
  { answer: 'request never sent', outcome: 'declined', source: NOT_SENT },
  { answer: 'sent, no answer (timeout, dropped connection)', outcome: 'uncertain', source: `${NOT_DOCUMENTED}: the request may have been processed` },
  { answer: 'no JSON-RPC reply (HTTP error or unreadable body)', outcome: 'uncertain', source: `${NOT_DOCUMENTED}: whatever the reply said is lost` },
  { answer: 'result without a receipt state', outcome: 'uncertain', source: NOT_DOCUMENTED },
];

/** For a question about a receipt (not the charge itself): a question that never left proves nothing. */
const askingLayers: OutcomeRule[] = lowerLayers.map((r) =>
  r.answer === 'request never sent' ? { ...r, outcome: 'uncertain', source: `${NOT_SENT}: the question was not asked, so nothing is learnt` } : r,
);

const uncertainStates = (why: string): OutcomeRule[] =>
  [1, 2, 3, 5, 6, 20, 21, 30].map((s) => ({ answer: `state ${s}`, outcome: 'uncertain' as const, source: `${DOCS_STATES}: ${why}` }));

/** Payme's own trouble: whether the method ran is not known, whatever the method. */
export const SYSTEM_ERROR_CODES: readonly number[] = [-32400, -31001, -31002];

const systemErrors: OutcomeRule[] = [
  { answer: 'error -32400', outcome: 'uncertain', source: `${DOCS_RPC}: −32400 system error — says nothing of whether the method ran` },
  { answer: 'error -31001', outcome: 'uncertain', source: `${LOW}: service unavailable` },
  { answer: 'error -31002', outcome: 'uncertain', source: `${LIBS}: processing centre unavailable` },
];

/** JSON-RPC errors that refuse the request before the method runs (Payme's own pages). */
const refusedUnprocessed: OutcomeRule[] = [
  { answer: 'error -32300', outcome: 'declined', source: `${DOCS_RPC}: −32300 the request is not a POST` },
  { answer: 'error -32700', outcome: 'declined', source: `${DOCS_RPC}: −32700 JSON parse error` },
  { answer: 'error -32600', outcome: 'declined', source: `${DOCS_RPC}: −32600 required RPC fields missing or invalid` },
  { answer: 'error -32601', outcome: 'declined', source: `${DOCS_RPC}: −32601 method not found` },
  { answer: 'error -32504', outcome: 'declined', source: `${DOCS_RPC}: −32504 insufficient privileges (X-Auth refused)` },
  { answer: 'error -32602', outcome: 'declined', source: `${LIBS}: −32602 invalid params` },
];

export const PAYME_CREATE: OutcomeTable = table(
  'Payme `receipts.create`',
  'No money moves here: a receipt is paid only by `receipts.pay`. An answer that may hide a created receipt (no answer, system error) makes PayBridge look it up by the account field that carries its transaction id (`payme.account_field`, through `receipts.get_all`) and cancel it, so none is left open.',
  [
    { answer: 'result with a receipt', outcome: 'uncertain', source: 'Payme docs: the receipt exists, unpaid (state 0); `receipts.pay` follows' },
    ...lowerLayers.map((r) =>
      r.outcome === 'uncertain'
        ? { ...r, outcome: 'declined' as const, source: 'Payme docs: only receipts.pay pays a receipt, so no money moved; a receipt this answer may hide is found by account and cancelled' }
        : r,
    ),
    { answer: 'any other JSON-RPC error', outcome: 'declined', source: 'Payme docs: receipts.create moves no money; a receipt it may have made is found by account and cancelled' },
  ],
);

export const PAYME_PAY: OutcomeTable = table(
  'Payme `receipts.pay`',
  'The charge. Whatever it answers, the receipt is cancelled only once `receipts.check` shows it unpaid (state 0), and only a cancel answered with state 50 proves it was never paid; a receipt found paid is a success.',
  [
    ...lowerLayers,
    { answer: 'state 4', outcome: 'paid', source: `${DOCS_STATES}` },
    { answer: 'state 50', outcome: 'declined', source: `${DOCS_STATES}` },
    { answer: 'state 0', outcome: 'uncertain', source: `${DOCS_STATES}: not paid yet` },
    ...uncertainStates('not final, checked again'),
    ...systemErrors,
    ...refusedUnprocessed,
    { answer: 'error -31303', outcome: 'declined', source: `${LIBS}: −31303 insufficient funds` },
    { answer: 'error -31300', outcome: 'declined', source: `${LIBS}: −31300 bad card number, corporate card or bad expiry` },
    { answer: 'error -31301', outcome: 'declined', source: `${LIBS}: −31301 card expired or blocked, SMS not connected` },
    { answer: 'error -31302', outcome: 'declined', source: `${LIBS}: −31302 balance unavailable` },
    { answer: 'error -31400', outcome: 'declined', source: `${LIBS}: −31400 card not found` },
    { answer: 'error -31101', outcome: 'declined', source: `${LIBS}: −31101 OTP expired` },
    { answer: 'error -31102', outcome: 'declined', source: `${LIBS}: −31102 too many OTP tries` },
    { answer: 'error -31103', outcome: 'declined', source: `${LIBS}: −31103 wrong OTP` },
    { answer: 'error -31110', outcome: 'declined', source: `${LIBS}: −31110 SMS could not be sent` },
    { answer: 'error -32500', outcome: 'declined', source: `${LOW}: −32500 bad token format` },
    { answer: 'error -31403', outcome: 'declined', source: `${LOW}: −31403 receipt expired or cancelled` },
    { answer: 'error -31402', outcome: 'uncertain', source: `${LOW}: −31402 already paid — possibly by this very request; the receipt's state decides` },
    { answer: 'error -31401', outcome: 'uncertain', source: `${LOW}: −31401 receipt not found — our own receipt, so lag, not proof` },
    { answer: 'error -31602', outcome: 'uncertain', source: `${LIBS}: −31602 receipt not found — our own receipt, so lag, not proof` },
  ],
);

export const PAYME_CHECK: OutcomeTable = table(
  'Payme `receipts.check`',
  'The receipt’s state, asked after an uncertain `receipts.pay` and at recovery. State 0 counts as "not paid" only when asked `payme.not_found_after_ms` after the pay was sent and seen twice (at once after a documented decline); the receipt is then cancelled.',
  [
    ...askingLayers,
    { answer: 'state 4', outcome: 'paid', source: DOCS_STATES },
    { answer: 'state 50', outcome: 'declined', source: DOCS_STATES },
    { answer: 'state 0', outcome: 'not_found', source: `${DOCS_STATES}: no payment on the receipt yet` },
    ...uncertainStates('not final, checked again'),
    ...systemErrors,
  ],
);

export const PAYME_CANCEL: OutcomeTable = table(
  'Payme `receipts.cancel` (of a receipt seen unpaid)',
  'The proof that a receipt will never be paid. Anything but state 50 is followed by another `receipts.check`.',
  [
    ...askingLayers,
    { answer: 'state 50', outcome: 'declined', source: 'Payme docs, receipts.cancel: an unpaid receipt becomes 50 at once (a paid one goes to 21 first)' },
    { answer: 'state 21', outcome: 'uncertain', source: 'Payme docs, receipts.cancel: a paid receipt goes to 21 — it was paid; checked until final' },
    ...systemErrors,
    { answer: 'error -31630', outcome: 'uncertain', source: `${LOW}: the receipt is in processing, cannot be cancelled` },
  ],
);

/** After a cancel of a paid receipt whose answer was lost: `paid` = the money went back, `not_found` = still paid. */
export const PAYME_GIVE_BACK_CHECK: OutcomeTable = table(
  'Payme `receipts.check` after a cancel of a paid receipt',
  'Asked by recovery about a give-back (`receipts.cancel` of a paid receipt) whose answer was lost. State 4 proves the cancel did not happen only when asked `payme.not_found_after_ms` after it was sent and a second check agrees.',
  [
    ...askingLayers,
    { answer: 'state 50', outcome: 'paid', source: `${DOCS_STATES}: cancelled, the money went back` },
    { answer: 'state 21', outcome: 'paid', source: 'Payme docs, receipts.cancel: a paid receipt goes to 21 (queued for cancellation) when the cancel is accepted' },
    { answer: 'state 4', outcome: 'not_found', source: `${DOCS_STATES}: still paid` },
    ...[0, 1, 2, 3, 5, 6, 20, 30].map((s) => ({ answer: `state ${s}`, outcome: 'uncertain' as const, source: `${DOCS_STATES}: not what a paid receipt becomes by a cancel` })),
    ...systemErrors,
  ],
);

export const PAYME_TABLES: readonly OutcomeTable[] = [PAYME_CREATE, PAYME_PAY, PAYME_CHECK, PAYME_CANCEL, PAYME_GIVE_BACK_CHECK];
