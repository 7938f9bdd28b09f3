import type { JsonValue } from '../../lib/lenient-json.js';
import { NOT_DOCUMENTED, table, type OutcomeTable } from '../../payments/outcome-table.js';
import type { ClickReply } from './client.js';

/**
 * CLICK's answers and what they prove about the money. Sources: docs.click.uz (click-pass,
 * merchant-api-request) as summarised in shared/reference/click.md. CLICK publishes no list of
 * Merchant API error codes, so only what its pages say is taken as proof.
 */

/** One exchange with CLICK as the outcome tables see it. */
export type ClickExchange =
  /** The connection was never made: the request never left this machine. */
  | { kind: 'not_sent'; code: string; error: string }
  /** Sent, and no (complete) answer came: a timeout or a dropped connection. */
  | { kind: 'no_answer'; error: string }
  | { kind: 'http'; statusCode: number; garbage: boolean; body: string; clockOffsetMs?: number | undefined }
  | { kind: 'reply'; reply: ClickReply };

/** CLICK's Pass page, English edition: the "Payment status codes" table (verified through the search tool's stored copy). */
export const CLICK_PASS_PAGE = 'https://docs.click.uz/en/click-pass';
/** The same page in Russian, where the confirmation mode's section reads as quoted (a stored mirror of the page's text). */
export const CLICK_PASS_PAGE_RU = 'https://docs.click.uz/click-pass';
/** The words of the confirmation mode's section: unconfirmed payments are cancelled 30 seconds after they were created. */
export const CONFIRM_LAPSE_QUOTE = 'Неподтвержденные платежи будут отменены после 30 секунд после создания платежа';
/** CLICK's documented window, from a payment's creation to its cancellation when left unconfirmed. */
export const CLICK_CONFIRM_WINDOW_MS = 30_000;

const DOCS_PASS = 'CLICK docs, Click Pass: `payment_status` < 0 error, 0 created, 1 processing, 2 successful; only 2 means money was taken';
const PAID_CITE = { doc: CLICK_PASS_PAGE, quote: 'Payment status codes: 2 | Payment successful' } as const;
const ERROR_CITE = { doc: CLICK_PASS_PAGE, quote: 'Payment status codes: <0 | Error (details in error_note)' } as const;
const TRANSPORT_NOT_SENT = 'PayBridge’s transport: the connection was refused or never made (DNS, connect timeout, TLS), so CLICK never saw the request';
const NOT_SENT_CITE = {
  evidence: 'the transport reports the connection was never made (refused, DNS, connect timeout, TLS handshake): no byte of the request reached CLICK, and PayBridge never sends a charge again',
} as const;
const NO_ANSWER = `${NOT_DOCUMENTED}: the request may have been processed (CLICK has no idempotency key, so it is never sent again)`;
const HTTP_5XX = `CLICK docs: HTTP 502 means the service is down or being upgraded; no page says whether a request answered with a 5xx was processed → uncertain`;
/**
 * CLICK documents that every request carries the `Auth` header, not what a 401 or 403 says of the
 * request's fate. RFC 9110 makes 401 "lacks valid authentication credentials", which a sane server checks
 * before it acts — but a proxy, a half-deployed node or a retry behind CLICK's gateway could have acted
 * all the same, and for money "sane" is no proof: uncertain, asked, then the operator. (With the
 * confirmation mode on, a bad credential or clock is met by its switch before any charge leaves: see ClickPass.)
 */
const HTTP_AUTH = `${NOT_DOCUMENTED}: CLICK documents the \`Auth\` header as required, not that a request it refused with 401/403 was left unprocessed`;
/** CLICK publishes no error list for the Merchant API; −1…−9 are the SHOP API's (Click calling a merchant). */
const NO_PASS_CODES = `${NOT_DOCUMENTED}: CLICK publishes no \`error_code\` list for Click Pass (−1…−9 are the SHOP API’s, Click calling a merchant), so no code proves the charge was refused`;

export function integer(value: JsonValue | undefined): number | undefined {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return Number(value);
  return undefined;
}

export function idText(value: JsonValue | undefined): string | undefined {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value > 0) return String(value);
  if (typeof value === 'string' && /^\d{1,20}$/.test(value) && !/^0+$/.test(value)) return value;
  return undefined;
}

/** Keys shared by every call: the transport and HTTP layers. Undefined for a JSON reply. */
function exchangeKeys(x: ClickExchange): string[] | undefined {
  if (x.kind === 'not_sent') return ['request never sent'];
  if (x.kind === 'no_answer') return ['sent, no answer (timeout, dropped connection)'];
  if (x.kind === 'http') return x.garbage ? ['unreadable body'] : [`HTTP ${x.statusCode}`, `HTTP ${Math.floor(x.statusCode / 100)}xx`];
  return undefined;
}

/** The keys of a reply that names a payment's status, from most to least specific. */
function statusKeys(reply: ClickReply): string[] {
  if (!idText(reply.payment_id)) return ['error_code 0 without payment_id'];
  const status = integer(reply.payment_status);
  if (status === undefined) return ['error_code 0 without payment_status'];
  if (status < 0) return ['error_code 0, payment_status < 0'];
  return [`error_code 0, payment_status ${status}`];
}

/** Keys of a `click_pass/payment` exchange. */
export function paymentKeys(x: ClickExchange): string[] {
  const keys = exchangeKeys(x);
  if (keys) return keys;
  const reply = (x as { reply: ClickReply }).reply;
  const code = integer(reply.error_code);
  if (code === undefined) return ['no error_code'];
  // Whatever payment_status an error names, CLICK documents no refusal of this call: the status
  // questions decide (payment/status when the reply names a payment_id).
  if (code !== 0) return [`error_code ${code}`, 'error_code ≠ 0'];
  return statusKeys(reply);
}

/** Keys of a `payment/status` exchange, asked by CLICK's payment_id. */
export function statusQueryKeys(x: ClickExchange): string[] {
  const keys = exchangeKeys(x);
  if (keys) return keys;
  const reply = (x as { reply: ClickReply }).reply;
  const code = integer(reply.error_code);
  if (code === undefined) return ['no error_code'];
  if (code !== 0) return [`error_code ${code}`, 'error_code ≠ 0'];
  return statusKeys(reply);
}

/** Keys of a `payment/status_by_mti` exchange, asked for our own transaction id: a status query that must name ours. */
export function lookupKeys(x: ClickExchange, transactionId: string): string[] {
  if (x.kind === 'reply' && integer(x.reply.error_code) === 0) {
    const echoed = x.reply.merchant_trans_id;
    if (echoed !== undefined && echoed !== null && String(echoed) !== transactionId) return ['another merchant_trans_id'];
  }
  return statusQueryKeys(x);
}

const transportRules = [
  { answer: 'request never sent', outcome: 'declined', source: TRANSPORT_NOT_SENT, cite: NOT_SENT_CITE },
  { answer: 'sent, no answer (timeout, dropped connection)', outcome: 'uncertain', source: NO_ANSWER },
  { answer: 'HTTP 5xx', outcome: 'uncertain', source: HTTP_5XX },
  { answer: 'HTTP 4xx', outcome: 'uncertain', source: NOT_DOCUMENTED },
  { answer: 'unreadable body', outcome: 'uncertain', source: `${NOT_DOCUMENTED}: the body could not be read, whatever it said is lost` },
  { answer: 'no error_code', outcome: 'uncertain', source: `${NOT_DOCUMENTED}: every CLICK reply carries error_code` },
] as const;

/** For a question about a payment (not the charge itself): a question that never left proves nothing. */
const askingRules = transportRules.map((r) =>
  r.answer === 'request never sent' ? { answer: r.answer, outcome: 'uncertain' as const, source: `${TRANSPORT_NOT_SENT}: the question was not asked, so nothing is learnt` } : r,
);

const statusRules = [
  { answer: 'error_code 0, payment_status 2', outcome: 'paid', source: DOCS_PASS, cite: PAID_CITE },
  { answer: 'error_code 0, payment_status 1', outcome: 'uncertain', source: `${DOCS_PASS}: still processing, asked again` },
  { answer: 'error_code 0, payment_status 0', outcome: 'uncertain', source: `${DOCS_PASS}: created, asked again` },
  { answer: 'error_code 0, payment_status < 0', outcome: 'declined', source: DOCS_PASS, cite: ERROR_CITE },
  { answer: 'error_code 0 without payment_status', outcome: 'uncertain', source: NOT_DOCUMENTED },
  { answer: 'error_code 0 without payment_id', outcome: 'uncertain', source: `${NOT_DOCUMENTED}: a success names its payment_id` },
] as const;

export const CLICK_PAYMENT: OutcomeTable = table(
  'CLICK `click_pass/payment`',
  'The answer to the charge itself. CLICK documents no refusal of this call, so a non-zero `error_code` proves nothing by itself. In the confirmation mode (the default) a charge answered with anything but `error_code` 0 naming its payment is never confirmed, and CLICK cancels an unconfirmed payment 30 s after creating it: `failed` at once, citing the page (README, “CLICK: what settles a lost answer”). Without the mode, an uncertain answer with a `payment_id` is followed by `payment/status`; without one, by `status_by_mti` for our transaction id, and then by an operator.',
  [
    ...transportRules,
    { answer: 'HTTP 401', outcome: 'uncertain', source: HTTP_AUTH },
    { answer: 'HTTP 403', outcome: 'uncertain', source: HTTP_AUTH },
    ...statusRules,
    { answer: 'error_code ≠ 0', outcome: 'uncertain', source: NO_PASS_CODES },
  ],
);

export const CLICK_LOOKUP: OutcomeTable = table(
  'CLICK `payment/status_by_mti`',
  'Asked for our own transaction id when the charge’s answer was lost or unusable (every candidate day: Tashkent’s and UTC’s, and near midnight the day on its other side, CLICK’s clock not being this computer’s). CLICK does not document that it finds a Click Pass payment by the `transaction_id` PayBridge sent, nor any “not found” answer: a lookup that finds nothing proves nothing. What it finds is followed by `payment/status`.',
  [
    ...askingRules,
    ...statusRules,
    {
      answer: 'error_code -6',
      outcome: 'uncertain',
      source: `${NOT_DOCUMENTED}: −6 “transaction not found” is the SHOP API’s code (Click calling a merchant), not an answer documented for this lookup, and CLICK does not say this lookup finds a Pass payment by our transaction_id`,
    },
    { answer: 'error_code ≠ 0', outcome: 'uncertain', source: `${NOT_DOCUMENTED}: any other code (a system error) is no answer` },
    { answer: 'another merchant_trans_id', outcome: 'uncertain', source: `${NOT_DOCUMENTED}: an answer about another transaction says nothing of ours` },
  ],
);

export const CLICK_STATUS: OutcomeTable = table(
  'CLICK `payment/status`',
  'Asked by CLICK’s `payment_id` while a payment is processing, after a confirmation, or at recovery. In the confirmation mode a payment PayBridge’s confirmation was not answered for may still be cancelled by CLICK: its 2 is taken as final only once CLICK’s 30 s have surely passed.',
  [...askingRules, ...statusRules, { answer: 'error_code ≠ 0', outcome: 'uncertain', source: `${NOT_DOCUMENTED}: CLICK gave us this payment_id, so "not found" is lag, not absence` }],
);

/** After a reversal whose answer was lost: no row proves either way, CLICK not documenting what a reversed payment's status reads. */
export const CLICK_REVERSAL_STATUS: OutcomeTable = table(
  'CLICK `payment/status` after a reversal',
  'Asked by recovery about a reversal (`payment/reversal`, `payment/partial_reversal`) whose answer was lost. CLICK documents the payment’s status codes, not what a reversed payment shows: neither a status below 0 (“given back”?) nor 2 (“still paid”?) is proof, so a lost reversal stays unknown, its amount reserved, until an operator looks in CLICK’s merchant cabinet and decides. It is never recorded “not given back” by PayBridge itself (that would invite a second give-back).',
  [
    ...askingRules,
    {
      answer: 'error_code 0, payment_status < 0',
      outcome: 'uncertain',
      source: `${NOT_DOCUMENTED}: below 0 is “Error (details in error_note)” in CLICK’s table; that a reversed payment reads so is not documented`,
    },
    {
      answer: 'error_code 0, payment_status 2',
      outcome: 'uncertain',
      source: `${NOT_DOCUMENTED}: 2 is “Payment successful”; whether a reversed payment keeps reading 2 is not documented`,
    },
    { answer: 'error_code 0, payment_status 1', outcome: 'uncertain', source: `${DOCS_PASS}: processing` },
    { answer: 'error_code 0, payment_status 0', outcome: 'uncertain', source: `${DOCS_PASS}: created` },
    { answer: 'error_code 0 without payment_status', outcome: 'uncertain', source: NOT_DOCUMENTED },
    { answer: 'error_code 0 without payment_id', outcome: 'uncertain', source: NOT_DOCUMENTED },
    { answer: 'error_code ≠ 0', outcome: 'uncertain', source: `${NOT_DOCUMENTED}: no answer about the payment` },
  ],
);

export const CLICK_TABLES: readonly OutcomeTable[] = [CLICK_PAYMENT, CLICK_LOOKUP, CLICK_STATUS, CLICK_REVERSAL_STATUS];
