import type { JsonValue } from '../../lib/lenient-json.js';
import { NOT_DOCUMENTED, table, type Citation, type OutcomeRule, type OutcomeTable } from '../../payments/outcome-table.js';
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
const DOCS_RPC = 'Payme docs, JSON-RPC errors (the general list Payme prints for its Merchant API, where Payme calls the merchant)';
const LIBS = 'client libraries only (payme-pkg exception map), not on Payme’s pages';
const LOW = 'one Go client only (low confidence)';
const NOT_SENT = 'PayBridge’s transport: the connection was never made, so Payme never saw the request';

/** Payme's pages, as cited by the rows that prove something (issue #25). */
export const PAYME_PAGES = {
  states: 'https://developer.help.paycom.uz/metody-subscribe-api/sostoyaniya-cheka/',
  methods: 'https://developer.help.paycom.uz/metody-subscribe-api',
  pay: 'https://developer.help.paycom.uz/metody-subscribe-api/receipts.pay/',
  getAll: 'https://developer.help.paycom.uz/metody-subscribe-api/receipts.get_all/',
} as const;

/** The state list's own words (Payme's "Состояния чека" page). */
const STATE_WORDS = {
  created: 'Чек создан. Ожидание подтверждения оплаты.',
  paid: 'Чек оплачен.',
  cancelling: 'Чек в очереди на отмену.',
  cancelled: 'Чек отменён.',
} as const;
const citeState = (words: string): Citation => ({ doc: PAYME_PAGES.states, quote: words });
/** The proof that a request never left: PayBridge's own transport. */
const NEVER_SENT: Citation = { evidence: 'the connection to Payme was never made (refused, DNS, connect timeout), so no byte of the request left this computer' };
/** receipts.create moves no money: only receipts.pay debits a receipt, and PayBridge never sent it for this payment. */
const PAY_NEVER_SENT: Citation = {
  evidence:
    'receipts.pay — the only method that debits a receipt (Payme’s method list: “receipts.pay. Оплата чека.”) — was never sent for this payment: PayBridge sends it only with a receipt id it journaled first',
};

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
  { answer: 'request never sent', outcome: 'declined', source: NOT_SENT, cite: NEVER_SENT },
  { answer: 'sent, no answer (timeout, dropped connection)', outcome: 'uncertain', source: `${NOT_DOCUMENTED}: the request may have been processed` },
  { answer: 'no JSON-RPC reply (HTTP error or unreadable body)', outcome: 'uncertain', source: `${NOT_DOCUMENTED}: whatever the reply said is lost` },
  { answer: 'result without a receipt state', outcome: 'uncertain', source: NOT_DOCUMENTED },
];

/** For a question about a receipt (not the charge itself): a question that never left proves nothing. */
const askingLayers: OutcomeRule[] = lowerLayers.map((r) => {
  if (r.answer !== 'request never sent') return r;
  const { cite: _cite, ...rest } = r;
  return { ...rest, outcome: 'uncertain', source: `${NOT_SENT}: the question was not asked, so nothing is learnt` };
});

const uncertainStates = (why: string, states: readonly number[] = [1, 2, 3, 5, 6, 20, 21, 30]): OutcomeRule[] =>
  states.map((s) => ({ answer: `state ${s}`, outcome: 'uncertain' as const, source: `${DOCS_STATES}: ${s === 21 ? 'queued for cancellation, not cancelled yet — ' : ''}${why}` }));

/** Payme's own trouble: whether the method ran is not known, whatever the method. */
export const SYSTEM_ERROR_CODES: readonly number[] = [-32400, -31001, -31002];

const systemErrors: OutcomeRule[] = [
  { answer: 'error -32400', outcome: 'uncertain', source: `${DOCS_RPC}: −32400 system error — says nothing of whether the method ran` },
  { answer: 'error -31001', outcome: 'uncertain', source: `${LOW}: service unavailable` },
  { answer: 'error -31002', outcome: 'uncertain', source: `${LIBS}: processing centre unavailable` },
];

/**
 * JSON-RPC errors that would refuse a request before the method runs. Payme prints them for its
 * Merchant API (Payme calling the merchant), not for the Subscribe API's receipts.pay: a code borrowed
 * from another API proves nothing, so the receipt's own state decides (checked, cancelled once unpaid).
 */
const refusedUnprocessed: OutcomeRule[] = [
  { answer: 'error -32300', outcome: 'uncertain', source: `${DOCS_RPC}: −32300 the request is not a POST — not documented for receipts.pay; the receipt’s state decides` },
  { answer: 'error -32700', outcome: 'uncertain', source: `${DOCS_RPC}: −32700 JSON parse error — not documented for receipts.pay; the receipt’s state decides` },
  { answer: 'error -32600', outcome: 'uncertain', source: `${DOCS_RPC}: −32600 required RPC fields missing or invalid — not documented for receipts.pay; the receipt’s state decides` },
  { answer: 'error -32601', outcome: 'uncertain', source: `${DOCS_RPC}: −32601 method not found — not documented for receipts.pay; the receipt’s state decides` },
  { answer: 'error -32504', outcome: 'uncertain', source: `${DOCS_RPC}: −32504 insufficient privileges (X-Auth refused) — not documented for receipts.pay; the receipt’s state decides` },
  { answer: 'error -32602', outcome: 'uncertain', source: `${LIBS}: −32602 invalid params; the receipt’s state decides` },
];

export const PAYME_CREATE: OutcomeTable = table(
  'Payme `receipts.create`',
  'No money moves here: a receipt is paid only by `receipts.pay`, which PayBridge sends only with a receipt id it journaled first. An answer that may hide a created receipt (no answer, an unreadable reply, a system error) makes PayBridge look it up by the account field that carries its transaction id (`payme.account_field`, through `receipts.get_all`, whose receipts carry `account` as an array of `{name, title, value}` — read as an object too) and settle it from its own state: paid (4) → the payment succeeded; new (0) → cancelled under the operation’s claim, and only a cancel answered 50 closes it; queued for cancellation (21) → `receipts.check` until 50. The payment is `failed` only once no receipt of it is left open; a list that cannot be read, or a receipt in any other state, leaves it `unknown` (recovery asks again, then an operator).',
  [
    { answer: 'result with a receipt', outcome: 'uncertain', source: 'Payme docs: the receipt exists, unpaid (state 0); `receipts.pay` follows' },
    { answer: 'request never sent', outcome: 'declined', source: NOT_SENT, cite: NEVER_SENT },
    ...lowerLayers
      .filter((r) => r.answer !== 'request never sent')
      .map((r) => ({ ...r, outcome: 'declined' as const, source: 'Payme docs: only receipts.pay pays a receipt, so no money moved; a receipt this answer may hide is found by account and settled before the payment is failed', cite: PAY_NEVER_SENT })),
    { answer: 'error -32400', outcome: 'declined', source: 'Payme’s system error: a receipt may have been made — found by account and settled before the payment is failed; no money moved', cite: PAY_NEVER_SENT },
    { answer: 'any other JSON-RPC error', outcome: 'declined', source: 'Payme docs: receipts.create moves no money; receipts.pay was never sent', cite: PAY_NEVER_SENT },
  ],
);

export const PAYME_PAY: OutcomeTable = table(
  'Payme `receipts.pay`',
  'The charge. Whatever it answers, the receipt is cancelled only once `receipts.check` shows it unpaid (state 0), and only a cancel answered with state 50 proves it was never paid; a receipt found paid is a success. Payme’s pages document no error of `receipts.pay` itself, so every JSON-RPC error — the client libraries’ “insufficient funds” included — leaves the receipt’s state to decide (seen unpaid twice, `payme.not_found_after_ms` after the pay, then cancelled); the till is told Payme’s words once that proof is in.',
  [
    ...lowerLayers,
    { answer: 'state 4', outcome: 'paid', source: DOCS_STATES, cite: citeState(STATE_WORDS.paid) },
    { answer: 'state 50', outcome: 'declined', source: DOCS_STATES, cite: citeState(STATE_WORDS.cancelled) },
    { answer: 'state 0', outcome: 'uncertain', source: `${DOCS_STATES}: not paid yet` },
    ...uncertainStates('not final, checked again'),
    ...systemErrors,
    ...refusedUnprocessed,
    ...(
      [
        [-31303, LIBS, 'insufficient funds'],
        [-31300, LIBS, 'bad card number, corporate card or bad expiry'],
        [-31301, LIBS, 'card expired or blocked, SMS not connected'],
        [-31302, LIBS, 'balance unavailable'],
        [-31400, LIBS, 'card not found'],
        [-31101, LIBS, 'OTP expired'],
        [-31102, LIBS, 'too many OTP tries'],
        [-31103, LIBS, 'wrong OTP'],
        [-31110, LIBS, 'SMS could not be sent'],
        [-32500, LOW, 'bad token format'],
        [-31403, LOW, 'receipt expired or cancelled'],
      ] as const
    ).map(([code, who, what]) => ({ answer: `error ${code}`, outcome: 'uncertain' as const, source: `${who}: ${String(code).replace('-', '−')} ${what} — not on Payme’s receipts.pay page; the receipt’s state decides` })),
    { answer: 'error -31402', outcome: 'uncertain', source: `${LOW}: −31402 already paid — possibly by this very request; the receipt's state decides` },
    { answer: 'error -31401', outcome: 'uncertain', source: `${LOW}: −31401 receipt not found — our own receipt, so lag, not proof` },
    { answer: 'error -31602', outcome: 'uncertain', source: `${LIBS}: −31602 receipt not found — our own receipt, so lag, not proof` },
  ],
);

export const PAYME_CHECK: OutcomeTable = table(
  'Payme `receipts.check`',
  'The receipt’s state, asked after an uncertain `receipts.pay` and at recovery. State 0 counts as "not paid" only when asked `payme.not_found_after_ms` after the pay was sent and seen twice; the receipt is then cancelled, and only a cancel answered 50 proves it.',
  [
    ...askingLayers,
    { answer: 'state 4', outcome: 'paid', source: DOCS_STATES, cite: citeState(STATE_WORDS.paid) },
    { answer: 'state 50', outcome: 'declined', source: DOCS_STATES, cite: citeState(STATE_WORDS.cancelled) },
    { answer: 'state 0', outcome: 'not_found', source: `${DOCS_STATES}: no payment on the receipt yet`, cite: citeState(STATE_WORDS.created) },
    ...uncertainStates('not final, checked again'),
    ...systemErrors,
  ],
);

export const PAYME_CANCEL: OutcomeTable = table(
  'Payme `receipts.cancel` (of a receipt seen unpaid)',
  'The proof that a receipt will never be paid. Anything but state 50 is followed by another `receipts.check`; 21 ("queued for cancellation") is what a *paid* receipt becomes, so it is followed until 50, never taken as cancelled.',
  [
    ...askingLayers,
    { answer: 'state 50', outcome: 'declined', source: 'Payme docs: an unpaid receipt is cancelled at once (a paid one is queued for cancellation, 21, first)', cite: citeState(STATE_WORDS.cancelled) },
    { answer: 'state 21', outcome: 'uncertain', source: `Payme docs: “${STATE_WORDS.cancelling}” — a paid receipt goes to 21; checked until 50` },
    ...systemErrors,
    { answer: 'error -31630', outcome: 'uncertain', source: `${LOW}: the receipt is in processing, cannot be cancelled` },
  ],
);

/** After a cancel of a paid receipt whose answer was lost: `paid` = the money went back, `not_found` = still paid. */
export const PAYME_GIVE_BACK_CHECK: OutcomeTable = table(
  'Payme `receipts.check` after a cancel of a paid receipt',
  'Asked by recovery about a give-back (`receipts.cancel` of a paid receipt) whose answer was lost, and after a cancel answered 21. Only 50 is "given back": 21 (queued for cancellation) is followed until it becomes 50, or the give-back waits for an operator. State 4 proves the cancel did not happen only when asked `payme.not_found_after_ms` after it was sent and a second check agrees.',
  [
    ...askingLayers,
    { answer: 'state 50', outcome: 'paid', source: `${DOCS_STATES}: cancelled, the money went back`, cite: citeState(STATE_WORDS.cancelled) },
    { answer: 'state 21', outcome: 'uncertain', source: `Payme docs: “${STATE_WORDS.cancelling}” — queued, not cancelled yet: checked until 50` },
    { answer: 'state 4', outcome: 'not_found', source: `${DOCS_STATES}: still paid`, cite: citeState(STATE_WORDS.paid) },
    ...[0, 1, 2, 3, 5, 6, 20, 30].map((s) => ({ answer: `state ${s}`, outcome: 'uncertain' as const, source: `${DOCS_STATES}: not what a paid receipt becomes by a cancel` })),
    ...systemErrors,
  ],
);

/** The keys of a `receipts.get` answer read by the reconciliation: a cancelled receipt says by its pay_time whether it had been paid. */
export function recordKeys(x: PaymeExchange): string[] {
  const base = keys(x, 'state');
  if (x.kind !== 'result' || base[0] !== 'state 50') return base;
  const payTime = (x.result as PaymeObject).pay_time;
  return [typeof payTime === 'number' && payTime > 0 ? 'state 50, pay_time set' : 'state 50, no pay_time'];
}

/** What Payme's record of a receipt says at the day's reconciliation (`receipts.get`, or a row of `receipts.get_all`). */
export const PAYME_RECORD: OutcomeTable = table(
  'Payme `receipts.get` / `receipts.get_all` at the reconciliation',
  'Asked once per receipt of the day by the wallet reconciliation; the day’s `receipts.get_all` finds the receipts the journal does not know. A receipt carries its amount, so Payme’s amount is compared with the journal’s. Payme cancels whole receipts only.',
  [
    ...askingLayers,
    ...SYSTEM_ERROR_CODES.map((code) => ({ answer: `error ${code}`, outcome: 'uncertain' as const, source: `${DOCS_RPC}: Payme’s own trouble — no answer about the receipt` })),
    { answer: 'any other JSON-RPC error', outcome: 'uncertain', source: `${NOT_DOCUMENTED}: an error of the question is no answer about the receipt` },
    { answer: 'state 4', outcome: 'paid', source: `${DOCS_STATES}: paid, nothing given back`, cite: citeState(STATE_WORDS.paid) },
    { answer: 'state 50, pay_time set', outcome: 'paid', givenBack: 'whole', source: `${DOCS_STATES}: cancelled after it was paid (its pay_time is set) — the whole receipt given back`, cite: citeState(STATE_WORDS.cancelled) },
    { answer: 'state 50, no pay_time', outcome: 'declined', source: `${DOCS_STATES}: cancelled before any payment — nothing charged`, cite: citeState(STATE_WORDS.cancelled) },
    { answer: 'state 0', outcome: 'not_found', source: `${DOCS_STATES}: created and never paid — nothing charged yet, but it can still be paid until cancelled`, cite: citeState(STATE_WORDS.created) },
    ...uncertainStates('in flight, cancelling or held: asked again at the next reconciliation'),
  ],
);

export const PAYME_TABLES: readonly OutcomeTable[] = [PAYME_CREATE, PAYME_PAY, PAYME_CHECK, PAYME_CANCEL, PAYME_GIVE_BACK_CHECK, PAYME_RECORD];
