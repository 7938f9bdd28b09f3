import { cashierText } from '../payments/pinpad-codes.js';
import type { Language } from './language.js';
import { MESSAGES, type MessageKey } from './messages.js';
import { formatSoum } from './money.js';

/**
 * A sentence not yet put into a language: a key of MESSAGES (or a pinpad code) and its parameters;
 * or an amount, which each language prints its own way (formatSoum, the console's rule).
 */
export type Text =
  | { readonly key: MessageKey; readonly params?: Readonly<Record<string, string | number | Text>> }
  | { readonly pinpadCode: string }
  | { readonly tiyin: number };

export function text(key: MessageKey, params?: Record<string, string | number | Text>): Text {
  return params ? { key, params } : { key };
}

/** An amount of tiyin, as a sentence's parameter: "1 234,56 сум", "1,234.56 soum". */
export function soum(tiyin: number): Text {
  return { tiyin };
}

export function isText(value: unknown): value is Text {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as { key?: unknown; pinpadCode?: unknown; tiyin?: unknown };
  return (typeof v.key === 'string' && v.key in MESSAGES) || typeof v.pinpadCode === 'string' || (Object.keys(v).length === 1 && Number.isSafeInteger(v.tiyin));
}

/** The status word as it reads in a sentence ("отменён"). */
export function statusText(status: string): Text | string {
  const key = `status_${status}`;
  return key in MESSAGES ? { key: key as MessageKey } : status;
}

export function translate(t: Text, language: Language): string {
  if ('pinpadCode' in t) return cashierText(t.pinpadCode, language);
  if ('tiyin' in t) return formatSoum(t.tiyin, language);
  return MESSAGES[t.key][language].replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = t.params?.[name];
    if (value === undefined) return whole;
    return typeof value === 'object' ? translate(value, language) : String(value);
  });
}
