import type { Language } from '../i18n/language.js';
import { isText, translate } from '../i18n/text.js';
import type { PayBridgeError } from '../payments/errors.js';

/** The POS contract's response body: HTTP 200, success or failure told by `is_success`. */
export interface Envelope<T = unknown> {
  data: T | null;
  error: { code: number; message: string; data: string | null; [extra: string]: unknown } | null;
  is_success: boolean;
}

export function success<T>(data: T): Envelope<T> {
  return { data, error: null, is_success: true };
}

export function failure(err: PayBridgeError, language: Language): Envelope<never> {
  // Extra detail rides along after the three contract fields, which it can never overwrite.
  const { code: _c, message: _m, data: _d, ...extras } = err.extras;
  for (const [name, value] of Object.entries(extras)) if (isText(value)) extras[name] = translate(value, language);
  return { data: null, error: { code: err.code, message: err.messageIn(language), data: err.data, ...extras }, is_success: false };
}
