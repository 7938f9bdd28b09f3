import { soum, text, translate, type Text } from '../i18n/text.js';

/**
 * The one registry of error codes PayBridge answers with. The numbers are the POS contract (the
 * seed documents) and never change; so does `BILLING_ERROR`, the one message the seeds fix, which
 * existing clients compare. Every other message is a sentence for the cashier in the shop's
 * language, and the detail for integrators travels in `data` and the extra fields.
 */
export const ErrorCode = {
  /** The request is malformed; `problems` names each bad field and why. */
  INVALID_REQUEST: 7,
  /** Something broke inside PayBridge; never carries a stack trace. */
  INTERNAL: 103,
  /** The QR provider (Click, Payme) declined or failed; `data` carries the provider's own code and text. */
  BILLING: 104,
  /** The request conflicts with the state of a payment. */
  PAYMENT: 106,
  /** The Humo pinpad refused or failed. */
  HUMO_TERMINAL: 108,
  /** The UzCard pinpad refused or failed. */
  UZCARD_TERMINAL: 109,
  /** PayBridge is configured with an API token and the request did not carry it (HTTP 401). */
  UNAUTHORIZED: 110,
} as const;

export type ErrorCodeValue = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Messages the contract fixes: machines compare them, so they are never translated. */
const CONTRACT_MESSAGES: Partial<Record<ErrorCodeValue, string>> = {
  [ErrorCode.BILLING]: 'BILLING_ERROR',
};

export interface ErrorExtras {
  /** A sentence for the cashier (a Text is put into the request's language). */
  reason?: string | Text;
  transaction_id?: string;
  transaction_status?: string;
  [key: string]: unknown;
}

export class PayBridgeError extends Error {
  constructor(
    readonly code: ErrorCodeValue,
    /** The sentence for the cashier; `message` is its English reading, for logs. */
    readonly text: Text,
    /** Always a string or null: the contract's `error.data`. */
    readonly data: string | null = null,
    readonly extras: ErrorExtras = {},
    /** The contract answers HTTP 200; only a refused token is 401, as HTTP clients expect. */
    readonly httpStatus = 200,
  ) {
    super(translate(text, 'en'));
    this.name = 'PayBridgeError';
  }

  /** `error.message` as the contract shows it, in the given language where it is a sentence. */
  messageIn(language: Parameters<typeof translate>[1]): string {
    return CONTRACT_MESSAGES[this.code] ?? translate(this.text, language);
  }
}

export function invalidRequest(problems: string[]): PayBridgeError {
  const fields = [...new Set(problems.map((p) => p.split(':')[0]!.trim()))].join(', ');
  return new PayBridgeError(ErrorCode.INVALID_REQUEST, text('invalid_request', { fields }), problems.join('; '), { problems });
}

export function billingError(data: string | null, extras: ErrorExtras): PayBridgeError {
  return new PayBridgeError(ErrorCode.BILLING, text('provider_declined'), data, extras);
}

/**
 * A conflict with a payment's state. `data` keeps the English sentence, as it always did, for
 * integrators' logs; `message` and `reason` carry it in the cashier's language.
 */
export function paymentError(reason: Text, extras: ErrorExtras = {}): PayBridgeError {
  return new PayBridgeError(ErrorCode.PAYMENT, reason, translate(reason, 'en'), { reason, ...extras });
}

/** "Cannot give back 5.00 soum: only 3.00 soum of the 10.00 soum paid remain", each amount the shop's way. */
export function overRemaining(amount: number, remaining: number, paid: number): Text {
  return text('amount_over_remaining', { amount: soum(amount), remaining: soum(remaining), paid: soum(paid) });
}

export function internalError(reference: string): PayBridgeError {
  return new PayBridgeError(ErrorCode.INTERNAL, text('internal'), `see the PayBridge log, request ${reference}`, { reason: text('internal') });
}

/**
 * The journal's database cannot be reached. Nothing is started without the journal, so this is
 * said before any provider or terminal is asked; `data` names the engine, never a password.
 */
export function journalUnavailable(reference: string): PayBridgeError {
  return new PayBridgeError(ErrorCode.INTERNAL, text('journal_unavailable'), `JOURNAL_UNAVAILABLE: see the PayBridge log, request ${reference}`, {
    reason: text('journal_unavailable'),
  });
}

export function unauthorized(token: 'missing' | 'wrong'): PayBridgeError {
  return new PayBridgeError(ErrorCode.UNAUTHORIZED, text(token === 'missing' ? 'unauthorized_missing' : 'unauthorized_wrong'), null, {}, 401);
}
