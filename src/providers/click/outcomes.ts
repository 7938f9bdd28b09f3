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

const DOCS_PASS = 'CLICK docs, Click Pass: `payment_status` < 0 error, 0 created, 1 processing, 2 successful; only 2 means money was taken';
const TRANSPORT_NOT_SENT = 'PayBridge’s transport: the connection was refused or never made (DNS, connect timeout, TLS), so CLICK never saw the request';
const NO_ANSWER = `${NOT_DOCUMENTED}: the request may have been processed (CLICK has no idempotency key, so it is never sent again)`;
const HTTP_5XX = `CLICK docs: HTTP 502 means the service is down or being upgraded; no page says whether a request answered with a 5xx was processed → uncertain`;

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
  if (code !== 0) {
    const status = integer(reply.payment_status);
    return status !== undefined && status >= 0 ? ['error_code ≠ 0 with payment_status ≥ 0'] : [`error_code ${code}`, 'error_code ≠ 0'];
  }
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
  { answer: 'request never sent', outcome: 'declined', source: TRANSPORT_NOT_SENT },
  { answer: 'sent, no answer (timeout, dropped connection)', outcome: 'uncertain', source: NO_ANSWER },
  { answer: 'HTTP 5xx', outcome: 'uncertain', source: HTTP_5XX },
  { answer: 'HTTP 4xx', outcome: 'uncertain', source: NOT_DOCUMENTED },
  { answer: 'unreadable body', outcome: 'uncertain', source: `${NOT_DOCUMENTED}: the body could not be read, whatever it said is lost` },
  { answer: 'no error_code', outcome: 'uncertain', source: `${NOT_DOCUMENTED}: every CLICK reply carries error_code` },
] as const;

/** For a question about a payment (not the charge itself): a question that never left proves nothing. */
const askingRules = transportRules.map((r) =>
  r.answer === 'request never sent' ? { ...r, outcome: 'uncertain' as const, source: `${TRANSPORT_NOT_SENT}: the question was not asked, so nothing is learnt` } : r,
);

const statusRules = [
  { answer: 'error_code 0, payment_status 2', outcome: 'paid', source: DOCS_PASS },
  { answer: 'error_code 0, payment_status 1', outcome: 'uncertain', source: `${DOCS_PASS}: still processing, asked again` },
  { answer: 'error_code 0, payment_status 0', outcome: 'uncertain', source: `${DOCS_PASS}: created, asked again` },
  { answer: 'error_code 0, payment_status < 0', outcome: 'declined', source: DOCS_PASS },
  { answer: 'error_code 0 without payment_status', outcome: 'uncertain', source: NOT_DOCUMENTED },
  { answer: 'error_code 0 without payment_id', outcome: 'uncertain', source: `${NOT_DOCUMENTED}: a success names its payment_id` },
] as const;

export const CLICK_PAYMENT: OutcomeTable = table(
  'CLICK `click_pass/payment`',
  'The answer to the charge itself. An uncertain answer with a `payment_id` is followed by `payment/status`; without one, by `status_by_mti` for our transaction id.',
  [
    ...transportRules,
    {
      answer: 'HTTP 401',
      outcome: 'declined',
      source: 'CLICK docs: every request must carry a valid `Auth` header; HTTP 401 (RFC 9110) refuses the request unprocessed',
    },
    { answer: 'HTTP 403', outcome: 'declined', source: 'HTTP 403 (RFC 9110): the request was refused, not processed' },
    ...statusRules,
    {
      answer: 'error_code ≠ 0',
      outcome: 'declined',
      source: 'CLICK docs: `error_code` 0 is success, any other the call’s error with `error_note` (no list is published; −5017 "insufficient funds" in the FiscalBox pages)',
    },
    {
      answer: 'error_code ≠ 0 with payment_status ≥ 0',
      outcome: 'uncertain',
      source: `${NOT_DOCUMENTED}: an error that names a live payment contradicts itself`,
    },
  ],
);

export const CLICK_LOOKUP: OutcomeTable = table(
  'CLICK `payment/status_by_mti`',
  'Asked for our own transaction id when the charge’s answer was lost or unusable (every candidate day: Tashkent’s and UTC’s, and near midnight the day on its other side, CLICK’s clock not being this computer’s). `not_found` counts only when asked `click.not_found_after_ms` after the charge was sent and a second round agrees.',
  [
    ...askingRules,
    ...statusRules,
    {
      answer: 'error_code -6',
      outcome: 'not_found',
      source:
        'CLICK docs: −6 "transaction not found" (the code list is the SHOP API’s; the Merchant API’s status endpoints answer it for an unknown id — unconfirmed, hence the delay and the second lookup)',
    },
    { answer: 'error_code ≠ 0', outcome: 'uncertain', source: `${NOT_DOCUMENTED}: any other code (a system error) is no answer` },
    { answer: 'another merchant_trans_id', outcome: 'uncertain', source: `${NOT_DOCUMENTED}: an answer about another transaction says nothing of ours` },
  ],
);

export const CLICK_STATUS: OutcomeTable = table(
  'CLICK `payment/status`',
  'Asked by CLICK’s `payment_id` while a payment is processing, after a confirmation, or at recovery.',
  [...askingRules, ...statusRules, { answer: 'error_code ≠ 0', outcome: 'uncertain', source: `${NOT_DOCUMENTED}: CLICK gave us this payment_id, so "not found" is lag, not absence` }],
);

/** After a reversal whose answer was lost: `paid` = the money went back, `not_found` = the payment is still whole. */
export const CLICK_REVERSAL_STATUS: OutcomeTable = table(
  'CLICK `payment/status` after a reversal',
  'Asked by recovery about a whole reversal (`payment/reversal`) whose answer was lost. "Still paid" proves the reversal did not happen only when asked `click.not_found_after_ms` after it was sent and a second question agrees. A partial reversal cannot be seen in `payment/status` at all: it stays unknown, reserved, for an operator.',
  [
    ...askingRules,
    {
      answer: 'error_code 0, payment_status < 0',
      outcome: 'paid',
      source: `${DOCS_PASS}: below 0 is a failed or cancelled payment; that a reversed payment reads so is not documented (unconfirmed; PayBridge's sandbox does so)`,
    },
    { answer: 'error_code 0, payment_status 2', outcome: 'not_found', source: `${DOCS_PASS}: 2 is a successful payment, so the money is still with the merchant` },
    { answer: 'error_code 0, payment_status 1', outcome: 'uncertain', source: `${DOCS_PASS}: processing` },
    { answer: 'error_code 0, payment_status 0', outcome: 'uncertain', source: `${DOCS_PASS}: created` },
    { answer: 'error_code 0 without payment_status', outcome: 'uncertain', source: NOT_DOCUMENTED },
    { answer: 'error_code 0 without payment_id', outcome: 'uncertain', source: NOT_DOCUMENTED },
    { answer: 'error_code ≠ 0', outcome: 'uncertain', source: `${NOT_DOCUMENTED}: no answer about the payment` },
  ],
);

export const CLICK_TABLES: readonly OutcomeTable[] = [CLICK_PAYMENT, CLICK_LOOKUP, CLICK_STATUS, CLICK_REVERSAL_STATUS];
