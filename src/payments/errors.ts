/**
 * The one registry of error codes PayBridge answers with. The numbers and the upper-case
 * messages are the POS contract (the seed documents); existing clients compare them, so they
 * never change. Anything a cashier or an integrator needs beyond that travels in extra fields.
 */
export const ErrorCode = {
  /** The request is malformed; the message names each bad field and why. */
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
} as const;

export type ErrorCodeValue = (typeof ErrorCode)[keyof typeof ErrorCode];

const CONTRACT_MESSAGES: Partial<Record<ErrorCodeValue, string>> = {
  [ErrorCode.INTERNAL]: 'INTERNAL_ERROR',
  [ErrorCode.BILLING]: 'BILLING_ERROR',
  [ErrorCode.PAYMENT]: 'PAYMENT_ERROR',
};

export interface ErrorExtras {
  /** A sentence for the cashier or the integrator. */
  reason?: string;
  transaction_id?: string;
  transaction_status?: string;
  [key: string]: unknown;
}

export class PayBridgeError extends Error {
  constructor(
    readonly code: ErrorCodeValue,
    message: string,
    /** Always a string or null: the contract's `error.data`. */
    readonly data: string | null = null,
    readonly extras: ErrorExtras = {},
  ) {
    super(message);
    this.name = 'PayBridgeError';
  }
}

export function invalidRequest(problems: string[]): PayBridgeError {
  return new PayBridgeError(ErrorCode.INVALID_REQUEST, problems.join('; '), null, { problems });
}

export function billingError(data: string | null, extras: ErrorExtras): PayBridgeError {
  return new PayBridgeError(ErrorCode.BILLING, CONTRACT_MESSAGES[ErrorCode.BILLING]!, data, extras);
}

export function paymentError(reason: string, extras: ErrorExtras = {}): PayBridgeError {
  return new PayBridgeError(ErrorCode.PAYMENT, CONTRACT_MESSAGES[ErrorCode.PAYMENT]!, reason, { reason, ...extras });
}

export function internalError(reference: string): PayBridgeError {
  return new PayBridgeError(ErrorCode.INTERNAL, CONTRACT_MESSAGES[ErrorCode.INTERNAL]!, `see the PayBridge log, request ${reference}`, {
    reason: 'PayBridge failed internally. Look the payment up in the journal before taking it again.',
  });
}
