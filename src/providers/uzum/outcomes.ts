import { NOT_DOCUMENTED, table, type Citation, type OutcomeRule, type OutcomeTable } from '../../payments/outcome-table.js';
import type { UzumExchange, UzumReply } from './client.js';

const CONTRACT = 'Uzum Fast Pay contract (developer.uzumbank.uz/en/fastpay)';
const NOT_SENT = 'PayBridge’s transport: the connection was refused or never made (DNS, connect timeout, TLS), so Uzum never saw the request';

/** Uzum's published Fast Pay contract (its OpenAPI file is archived in api-evangelist/uzum, openapi/uzum-fastpay-openapi.yaml). */
export const UZUM_DOC = 'https://developer.uzumbank.uz/en/fastpay';
const cite = (quote: string): Citation => ({ doc: UZUM_DOC, quote });
const NEVER_SENT: Citation = { evidence: 'the connection to Uzum was never made (refused, DNS, connect timeout, TLS), so no byte of the request left this computer' };

/** A whole number from a reply field (Uzum's examples send error_code as a number; FiscalBox echoes it as a string). */
export function integer(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string' && /^-?\d+$/.test(value.trim())) return Number(value.trim());
  return undefined;
}

export function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/**
 * The `error_message` values the contract lists for which the answer is no refusal: the request may
 * still be, or have been, carried out (in process, Uzum's own trouble, a duplicate of an earlier try).
 */
const MESSAGE_RULES: readonly OutcomeRule[] = [
  { answer: 'error_message operation.is.inProcess', outcome: 'uncertain', source: `${CONTRACT}: "the request is being processed, the processor has not answered yet" — asked again` },
  { answer: 'error_message external.service.unavailable', outcome: 'uncertain', source: `${CONTRACT}: an external service of the operation was unavailable — whether the operation ran is not said` },
  { answer: 'error_message apelsin.pay.service.not.working', outcome: 'uncertain', source: `${CONTRACT}: the service is temporarily unavailable — whether the request ran is not said` },
  { answer: 'error_message order.id.duplicated', outcome: 'uncertain', source: `${CONTRACT}: a payment with this order_id exists — ours, from an earlier try; its status decides` },
  { answer: 'error_message transaction.duplicated', outcome: 'uncertain', source: `${CONTRACT}: a payment with this transaction_id exists — ours, from an earlier try; its status decides` },
  { answer: 'error_message qr.duplicated', outcome: 'uncertain', source: `${CONTRACT}: the QR code has already paid — possibly by this very request; its status decides` },
];

/** Explanations for the cashier of the refusals whose cause is at the till, not the customer. */
export const CASHIER_HINTS: Readonly<Record<string, string>> = {
  'error_code 403': 'Uzum refused the request as older than 50 seconds: the clock of the PayBridge computer is wrong (set it right, with NTP), or the request was held up on the way',
  'error_code 401': 'Uzum refused PayBridge’s credentials (merchant_service_user_id / secret_key / service_id): check the uzum section of the configuration',
  'error_message apelsin.pay.user.otp.data.expired': 'the QR code in the customer’s app has expired — possibly the clock of the customer’s phone is wrong: ask them to set it right and show a fresh code',
  'error_message apelsin.pay.wrong.prefix.otp.data': 'this is not an Uzum Fast Pay code (wrong length or prefix): scan the code from the customer’s Uzum app',
  'error_message apelsin.pay.safe.mode.on': 'the customer’s card is in safe mode: a new user must first make 3 payments in the Uzum Bank app, otherwise turn safe mode off there',
  'error_code 416': 'the customer’s card is in safe mode: a new user must first make 3 payments in the Uzum Bank app, otherwise turn safe mode off there',
};

/** Refusals the contract documents by `error_message`: the request was not carried out. Each with the error table's words. */
const DECLINES: readonly OutcomeRule[] = [
  ['apelsin.pay.authorization.error', 'authorization failed', 'Authorization failed. Check the authorization data.'],
  ['apelsin.pay.safe.mode.on', 'the customer’s card is in safe mode', "The user's card is in Safe Mode."],
  ['apelsin.pay.wrong.prefix.otp.data', 'wrong QR code format', 'Incorrect QR code format: it should be 43 characters long, with an invalid prefix.'],
  ['apelsin.pay.unsupported.operation', 'operation not supported', 'The operation is not supported by the system.'],
  ['apelsin.pay.user.otp.data.expired', 'the QR code’s OTP has expired (possibly the customer’s device clock)', 'OTP data in the QR code has expired (possibly due to incorrect time on the client device).'],
  ['device.not.registered', 'the customer’s device is not registered with Uzum Bank', 'The client device is not registered with Uzum Bank.'],
  ['receipt.qr.only.yours', 'the QR code was not recognised', 'The QR code was not recognized by the system.'],
  ['user.card.not.found', 'the customer’s card was not found', "The user's card was not found in the system."],
  ['user.does.not.exist', 'no such user', 'The user with the specified data was not found.'],
  ['limit.was.set', 'a transaction limit set by Uzcard, Humo or another provider', 'A transaction limit has been set by Uzcard, Humo, or another provider.'],
  ['operation.failed', 'the operation failed, the transaction was declined', 'The operation failed. The transaction was declined.'],
  ['operation.forbidden', 'the operation is forbidden (card type not supported, or the service blocked)', 'The operation is forbidden. The card type (e.g., Uzcard, Humo) may not be supported, or the service is blocked.'],
].map(([m, what, words]) => ({ answer: `error_message ${m}`, outcome: 'declined' as const, source: `${CONTRACT}: ${what}`, cite: cite(`${m} — ${words}`) }));

const CODES: readonly OutcomeRule[] = [
  {
    answer: 'error_code 400',
    outcome: 'uncertain',
    source: `${CONTRACT}: 400 mixes refusals (otp_data under 40 characters, amount 0 or negative, insufficient funds, invalid payment_id) with “Service is unavailable”: without a documented error_message it proves nothing`,
  },
  { answer: 'error_code 401', outcome: 'declined', source: `${CONTRACT}: 401 — bad Authorization header, inactive merchant/service/user, hash mismatch`, cite: cite('401 — Incorrect Authorization header format … One of the following parameters is inactive … Hash mismatch.') },
  { answer: 'error_code 403', outcome: 'declined', source: `${CONTRACT}: 403 — more than 50 s between the Authorization timestamp and the request’s processing`, cite: cite('403 — The interval between Authorization and request processing exceeds 50 seconds.') },
  { answer: 'error_code 416', outcome: 'declined', source: `${CONTRACT}: 416 — the customer’s card is in safe mode`, cite: cite('416 — The user’s card is in Safe Mode. New users must complete 3 payments in the Uzum Bank app.') },
  { answer: 'error_code 503', outcome: 'declined', source: `${CONTRACT}: 503 — service not found or inactive (a configuration refusal, not an outage: it is an error_code of an HTTP 200 answer)`, cite: cite('503 — Service not found or inactive.') },
];

const lowerLayers = (notSent: OutcomeRule['outcome'], notSentWhy: string): OutcomeRule[] => [
  notSent === 'declined' ? { answer: 'request never sent', outcome: notSent, source: `${NOT_SENT}${notSentWhy}`, cite: NEVER_SENT } : { answer: 'request never sent', outcome: notSent, source: `${NOT_SENT}${notSentWhy}` },
  { answer: 'sent, no answer (timeout, dropped connection)', outcome: 'uncertain', source: `${NOT_DOCUMENTED}: the request may have been processed` },
  { answer: 'HTTP 401', outcome: 'declined', source: `${CONTRACT}: HTTP 401 is the authorization error answer — the request was refused unprocessed`, cite: cite("'401': Authorization Error (every method's documented non-200 answer)") },
  { answer: 'HTTP 403', outcome: 'uncertain', source: `${NOT_DOCUMENTED}: the contract answers a stale Authorization with error_code 403 in an HTTP 200, not HTTP 403 — a bare 403 comes from somewhere on the way` },
  { answer: 'HTTP 5xx', outcome: 'uncertain', source: `${CONTRACT}: every answer is HTTP 200, so a 5xx comes from somewhere on the way — whether the request ran is not known` },
  { answer: 'HTTP 4xx', outcome: 'uncertain', source: NOT_DOCUMENTED },
  { answer: 'unreadable body', outcome: 'uncertain', source: `${NOT_DOCUMENTED}: the body could not be read, whatever it said is lost` },
  { answer: 'no error_code', outcome: 'uncertain', source: `${NOT_DOCUMENTED}: every answer of the contract carries error_code` },
];

/** The keys of an exchange, most specific first. */
export function keys(x: UzumExchange): string[] {
  if (x.kind === 'not_sent') return ['request never sent'];
  if (x.kind === 'no_answer') return ['sent, no answer (timeout, dropped connection)'];
  if (x.kind === 'http') return x.garbage ? ['unreadable body'] : [`HTTP ${x.statusCode}`, `HTTP ${Math.floor(x.statusCode / 100)}xx`];
  const r: UzumReply = x.reply;
  const code = integer(r.error_code);
  const message = text(r.error_message);
  if (code === undefined) return ['no error_code'];
  const out: string[] = [];
  // An "in process" or duplicate message outranks its code: the code alone would read as a refusal.
  if (message) out.push(`error_message ${message}`);
  if (code !== 0) return [...out, `error_code ${code}`, 'error_code ≠ 0'];
  const status = text(r.payment_status);
  if (!text(r.payment_id)) out.push('error_code 0 without payment_id');
  return [...out, status ? `payment_status ${status}` : 'error_code 0 without payment_status'];
}

export function exchangeText(x: UzumExchange): string {
  if (x.kind === 'not_sent') return `Uzum could not be reached (${x.code})`;
  if (x.kind === 'no_answer') return `no answer from Uzum: ${x.error}`;
  if (x.kind === 'http') return x.garbage ? `Uzum answered HTTP ${x.statusCode} with an unreadable body` : `Uzum answered HTTP ${x.statusCode}`;
  const m = text(x.reply.error_message);
  return `Uzum answered error_code ${String(integer(x.reply.error_code) ?? 'none')}${x.reply.payment_status ? `, payment_status ${text(x.reply.payment_status)}` : ''}${m ? ` (${m})` : ''}`;
}

export const UZUM_PAYMENT: OutcomeTable = table(
  'Uzum `v2/payment`',
  'The charge, sent once with our transaction id as both `order_id` and `transaction_id`. An uncertain answer with a `payment_id` is followed by `payment/status`; without one, the same request is sent again with the same ids (next table): Uzum deduplicates by `order_id` and `transaction_id`, so the second request cannot charge a second time.',
  [
    ...lowerLayers('declined', ''),
    ...MESSAGE_RULES,
    ...DECLINES,
    ...CODES,
    { answer: 'error_code ≠ 0', outcome: 'uncertain', source: `${CONTRACT}: a non-zero error_code the error table does not name, without a documented error_message, is no documented refusal` },
    { answer: 'error_code 0 without payment_id', outcome: 'uncertain', source: `${NOT_DOCUMENTED}: payment_id is a required field of the answer` },
    { answer: 'payment_status SUCCESS', outcome: 'paid', source: `${CONTRACT}: SUCCESS — the operation was completed`, cite: cite('`SUCCESS` – The operation was completed successfully.') },
    { answer: 'payment_status FAILED', outcome: 'declined', source: `${CONTRACT}: FAILED — the operation was not completed`, cite: cite('`FAILED` – The operation was not completed.') },
    {
      answer: 'payment_status DUPLICATED',
      outcome: 'uncertain',
      source: `${CONTRACT}: DUPLICATED — a duplicate of an existing operation (operation_time names it). The contract does not say whose payment_id the answer carries (the earlier payment’s, or the rejected repeat’s), so that id’s status is read with the “payment_id from a DUPLICATED answer” table`,
    },
    { answer: 'error_code 0 without payment_status', outcome: 'uncertain', source: NOT_DOCUMENTED },
  ],
);

/**
 * The same request sent again after an answer was lost. Its refusal proves nothing of the first
 * request (an OTP that expired meanwhile, say, while the first one charged), so only a success or a
 * payment id to ask about settles anything.
 */
export const UZUM_PAYMENT_AGAIN: OutcomeTable = table(
  'Uzum `v2/payment` sent again (same order_id and transaction_id)',
  'Sent while the first answer is missing, until `uzum.status_deadline_ms`. SUCCESS is the one payment (the first request never ran, or this is its answer); DUPLICATED or an answer with a `payment_id` is followed by `payment/status`. A refusal of the repeat says nothing of the first request, so it is never proof that nothing was charged. The scanned one-time code is never journaled, so this is asked only while the till’s request is alive: a payment whose PayBridge stopped before Uzum named its `payment_id` cannot be asked about (`payment/status` takes only Uzum’s id) and waits, `unknown`, for an operator to look the order up in Uzum’s merchant cabinet.',
  [
    ...lowerLayers('uncertain', ': the question was not asked, so nothing is learnt'),
    ...MESSAGE_RULES,
    { answer: 'error_code ≠ 0', outcome: 'uncertain', source: `${CONTRACT}: a refusal of the repeat (its OTP may have expired meanwhile) says nothing of the first request` },
    { answer: 'error_code 0 without payment_id', outcome: 'uncertain', source: NOT_DOCUMENTED },
    { answer: 'payment_status SUCCESS', outcome: 'paid', source: `${CONTRACT}: SUCCESS — the order’s one payment was completed`, cite: cite('`SUCCESS` – The operation was completed successfully.') },
    { answer: 'payment_status FAILED', outcome: 'uncertain', source: `${CONTRACT}: FAILED of the repeat — the first request may have run; its payment_id’s status decides` },
    { answer: 'payment_status DUPLICATED', outcome: 'uncertain', source: `${CONTRACT}: DUPLICATED — the first request reached Uzum; the payment_id it carries may be the earlier payment’s or the rejected repeat’s, so its FAILED proves nothing` },
    { answer: 'error_code 0 without payment_status', outcome: 'uncertain', source: NOT_DOCUMENTED },
  ],
);

const askingLayers = lowerLayers('uncertain', ': the question was not asked, so nothing is learnt').map(({ cite: _cite, ...r }): OutcomeRule =>
  r.outcome === 'declined' ? { ...r, outcome: 'uncertain' as const, source: `${r.source}; a refused question says nothing of the payment` } : r,
);

export const UZUM_STATUS: OutcomeTable = table(
  'Uzum `payment/status`',
  'Asked by Uzum’s `payment_id` while a payment is in process, after an uncertain charge, and at recovery. "Not found" counts only when asked `uzum.not_found_after_ms` after the charge was sent and a second lookup agrees.',
  [
    ...askingLayers,
    ...MESSAGE_RULES.filter((r) => r.answer === 'error_message operation.is.inProcess' || r.answer.includes('unavailable') || r.answer.includes('not.working')),
    { answer: 'error_message operation.not.found', outcome: 'not_found', source: `${CONTRACT}: the operation was not found (or the service is inactive — hence the delay and the second lookup)`, cite: cite('operation.not.found — The specified operation was not found or the service is inactive.') },
    { answer: 'error_code 404', outcome: 'not_found', source: `${CONTRACT}: 404 — operation not found for the given payment_id`, cite: cite('404 — Operation not found for the given `payment_id`.') },
    { answer: 'error_code ≠ 0', outcome: 'uncertain', source: `${NOT_DOCUMENTED}: an error of the question is no answer about the payment` },
    { answer: 'error_code 0 without payment_id', outcome: 'uncertain', source: NOT_DOCUMENTED },
    { answer: 'payment_status SUCCESS', outcome: 'paid', source: `${CONTRACT}: SUCCESS — completed`, cite: cite('`SUCCESS` - The transaction was successfully completed.') },
    { answer: 'payment_status FAILED', outcome: 'declined', source: `${CONTRACT}: FAILED — not completed`, cite: cite('`FAILED` - The transaction was not completed.') },
    { answer: 'payment_status HOLD', outcome: 'uncertain', source: `${CONTRACT}: HOLD — created, the payment not received yet: asked again` },
    { answer: 'payment_status REVERSED', outcome: 'uncertain', source: `${CONTRACT}: REVERSED — it was paid and has been reversed since: not this request’s failure, an operator decides` },
    { answer: 'payment_status PARTIAL_CANCELLED', outcome: 'uncertain', source: `${CONTRACT}: PARTIAL_CANCELLED — it was paid and partly given back outside PayBridge: an operator decides` },
    { answer: 'error_code 0 without payment_status', outcome: 'uncertain', source: NOT_DOCUMENTED },
  ],
);

/**
 * payment/status of a payment_id PayBridge did not get from its own charge's answer: from a DUPLICATED
 * answer, or from the answer to the same request sent again. The contract does not say that id is the
 * earlier payment — it may be the rejected repeat — so only SUCCESS (a completed payment of this order)
 * settles anything; FAILED or "not found" of that id says nothing of the first request.
 */
export const UZUM_STATUS_BORROWED: OutcomeTable = table(
  'Uzum `payment/status` of a `payment_id` taken from a DUPLICATED answer or a repeat',
  'The contract does not say that the `payment_id` of a DUPLICATED answer (or of the answer to the same request sent again) names the earlier payment: it may name the rejected repeat. Only SUCCESS settles the payment; FAILED, HOLD or "not found" of that id prove nothing of the first request, which stays `unknown` until an operator looks the order up. Uzum’s contract has no status question by our own `order_id` (`payment/status` takes only `payment_id`), so there is no other id to ask about.',
  [
    ...askingLayers,
    ...MESSAGE_RULES.filter((r) => r.answer === 'error_message operation.is.inProcess' || r.answer.includes('unavailable') || r.answer.includes('not.working')),
    { answer: 'error_message operation.not.found', outcome: 'uncertain', source: `${CONTRACT}: not found — of an id that may not be the first request’s` },
    { answer: 'error_code 404', outcome: 'uncertain', source: `${CONTRACT}: not found — of an id that may not be the first request’s` },
    { answer: 'error_code ≠ 0', outcome: 'uncertain', source: `${NOT_DOCUMENTED}: an error of the question is no answer about the payment` },
    { answer: 'error_code 0 without payment_id', outcome: 'uncertain', source: NOT_DOCUMENTED },
    { answer: 'payment_status SUCCESS', outcome: 'paid', source: `${CONTRACT}: SUCCESS — a completed payment of this order`, cite: cite('`SUCCESS` - The transaction was successfully completed.') },
    { answer: 'payment_status FAILED', outcome: 'uncertain', source: `${CONTRACT}: FAILED — of an id that may be the rejected repeat’s, not the first request’s: proves nothing` },
    { answer: 'payment_status HOLD', outcome: 'uncertain', source: `${CONTRACT}: HOLD — asked again` },
    { answer: 'payment_status REVERSED', outcome: 'uncertain', source: `${CONTRACT}: REVERSED — paid and reversed since: an operator decides` },
    { answer: 'payment_status PARTIAL_CANCELLED', outcome: 'uncertain', source: `${CONTRACT}: PARTIAL_CANCELLED — an operator decides` },
    { answer: 'error_code 0 without payment_status', outcome: 'uncertain', source: NOT_DOCUMENTED },
  ],
);

export const UZUM_REVERSAL: OutcomeTable = table(
  'Uzum `v2/payment/reversal/{orderId}`',
  'The give-back of a whole payment (the contract supports no partial cancellation: a partial one is refused before anything is sent). `paid` here means the money went back.',
  [
    ...lowerLayers('declined', ': nothing was reversed'),
    ...MESSAGE_RULES.filter((r) => !r.answer.includes('duplicated')),
    { answer: 'error_message apelsin.pay.reverse.not.allowed', outcome: 'declined', source: `${CONTRACT}: reversal is not allowed for this partner`, cite: cite('apelsin.pay.reverse.not.allowed — Refund is not allowed for this partner.') },
    ...DECLINES,
    ...CODES,
    { answer: 'error_code ≠ 0', outcome: 'uncertain', source: `${CONTRACT}: a non-zero error_code the error table does not name, without a documented error_message, is no documented refusal` },
    { answer: 'error_code 0 without payment_id', outcome: 'uncertain', source: NOT_DOCUMENTED },
    { answer: 'payment_status REVERSED', outcome: 'paid', source: `${CONTRACT}: REVERSED — the transaction was reversed`, cite: cite('`REVERSED` - The transaction was successfully reversed (cancelled).') },
    { answer: 'error_code 0 without payment_status', outcome: 'uncertain', source: NOT_DOCUMENTED },
  ],
);

/** After a reversal whose answer was lost: `paid` = the money went back, `not_found` = still paid. */
export const UZUM_GIVE_BACK_STATUS: OutcomeTable = table(
  'Uzum `payment/status` after a reversal',
  'Asked by recovery about a reversal whose answer was lost. SUCCESS proves the reversal did not happen only when asked `uzum.not_found_after_ms` after it was sent and a second lookup agrees.',
  [
    ...askingLayers,
    { answer: 'error_code ≠ 0', outcome: 'uncertain', source: `${NOT_DOCUMENTED}: an error of the question is no answer about the payment` },
    { answer: 'error_code 0 without payment_id', outcome: 'uncertain', source: NOT_DOCUMENTED },
    { answer: 'payment_status REVERSED', outcome: 'paid', source: `${CONTRACT}: REVERSED — the money went back`, cite: cite('`REVERSED` - The transaction was successfully reversed (cancelled).') },
    { answer: 'payment_status SUCCESS', outcome: 'not_found', source: `${CONTRACT}: SUCCESS — still paid`, cite: cite('`SUCCESS` - The transaction was successfully completed.') },
    { answer: 'payment_status PARTIAL_CANCELLED', outcome: 'uncertain', source: `${CONTRACT}: partly given back — not what a whole reversal leaves` },
    {
      answer: 'payment_status FAILED',
      outcome: 'uncertain',
      source: `${CONTRACT}: FAILED — the id names an operation that was never completed, so not the paid payment: a payment_id taken from a DUPLICATED answer or a repeat may be the rejected repeat’s, and an operator may have decided the payment succeeded from Uzum’s cabinet. Its status says nothing of the reversal (sent by order_id); the give-back waits, unknown, for an operator`,
    },
    { answer: 'error_code 0 without payment_status', outcome: 'uncertain', source: NOT_DOCUMENTED },
  ],
);

/**
 * What Uzum's record of a payment says at the day's reconciliation, whatever the journal holds: its
 * status list names a payment given back (REVERSED) or partly given back (PARTIAL_CANCELLED) — by
 * PayBridge or in Uzum's merchant cabinet alike. It shows no amounts: the journal's are assumed.
 */
export const UZUM_RECORD: OutcomeTable = table(
  'Uzum `payment/status` at the reconciliation',
  'Asked once per payment of the day by the wallet reconciliation, by the `payment_id` PayBridge journaled (one borrowed from a DUPLICATED answer is read by the table above instead: only SUCCESS counts). An operation "not found" is reported not confirmed: one question at the day’s end is no proof of absence.',
  [
    ...askingLayers,
    ...MESSAGE_RULES.filter((r) => r.answer === 'error_message operation.is.inProcess' || r.answer.includes('unavailable') || r.answer.includes('not.working')),
    { answer: 'error_message operation.not.found', outcome: 'uncertain', source: `${CONTRACT}: not found (or the service is inactive) — one question proves no absence` },
    { answer: 'error_code 404', outcome: 'uncertain', source: `${CONTRACT}: not found — one question proves no absence` },
    { answer: 'error_code ≠ 0', outcome: 'uncertain', source: `${NOT_DOCUMENTED}: an error of the question is no answer about the payment` },
    { answer: 'error_code 0 without payment_id', outcome: 'uncertain', source: NOT_DOCUMENTED },
    { answer: 'payment_status SUCCESS', outcome: 'paid', source: `${CONTRACT}: SUCCESS — paid, nothing given back`, cite: cite('`SUCCESS` - The transaction was successfully completed.') },
    { answer: 'payment_status REVERSED', outcome: 'paid', givenBack: 'whole', source: `${CONTRACT}: REVERSED — paid, and given back since`, cite: cite('`REVERSED` - The transaction was successfully reversed (cancelled).') },
    {
      answer: 'payment_status PARTIAL_CANCELLED',
      outcome: 'paid',
      givenBack: 'part',
      source: `${CONTRACT}: PARTIAL_CANCELLED — paid, and a part given back since (the contract's own reversal takes no part: a cabinet's doing); how much is not shown`,
      cite: cite('`PARTIAL_CANCELLED` - A partial cancellation of the transaction was successfully completed.'),
    },
    { answer: 'payment_status FAILED', outcome: 'declined', source: `${CONTRACT}: FAILED — not completed, nothing charged`, cite: cite('`FAILED` - The transaction was not completed.') },
    { answer: 'payment_status HOLD', outcome: 'uncertain', source: `${CONTRACT}: HOLD — created, the payment not received yet` },
    { answer: 'error_code 0 without payment_status', outcome: 'uncertain', source: NOT_DOCUMENTED },
  ],
);

export const UZUM_TABLES: readonly OutcomeTable[] = [UZUM_PAYMENT, UZUM_PAYMENT_AGAIN, UZUM_STATUS, UZUM_STATUS_BORROWED, UZUM_REVERSAL, UZUM_GIVE_BACK_STATUS, UZUM_RECORD];
