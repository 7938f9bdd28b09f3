import { PayBridgeError } from '../payments/errors.js';

/** The POS contract's response body: HTTP 200, success or failure told by `is_success`. */
export interface Envelope<T = unknown> {
  data: T | null;
  error: { code: number; message: string; data: string | null; [extra: string]: unknown } | null;
  is_success: boolean;
}

export function success<T>(data: T): Envelope<T> {
  return { data, error: null, is_success: true };
}

export function failure(err: PayBridgeError): Envelope<never> {
  // Extra detail rides along after the three contract fields, which it can never overwrite.
  const { code: _c, message: _m, data: _d, ...extras } = err.extras;
  return { data: null, error: { code: err.code, message: err.message, data: err.data, ...extras }, is_success: false };
}
