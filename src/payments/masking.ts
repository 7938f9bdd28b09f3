/**
 * What may be written down. Provider answers and request details are masked before they reach the
 * journal or a log line: card numbers keep their first six and last four digits (as a slip prints
 * them), secrets disappear, one-time QR codes keep only their tail.
 */

const SECRET_KEY = /(secret|password|passwd|token|auth|key|signature|cvv|cvc|pin)$/i;
const QR_KEY = /^(qr_code|otp_data|qrcode|qr)$/i;
const CARD_KEY = /^(card_number|pan|card)$/i;
// Identifiers (payment ids, RRNs) are long digit strings too, but never card numbers.
const ID_KEY = /(^|_)id$/i;
// 13 to 19 digits, optionally grouped by spaces or dashes: the shape of a payment card number.
const PAN_IN_TEXT = /(?<![\d*])\d(?:[ -]?\d){12,18}(?![\d*])/g;

export function maskPan(pan: string): string {
  const digits = pan.replace(/[ -]/g, '');
  if (!/^\d{13,19}$/.test(digits)) return pan.replace(/\d(?=\d{4})/g, '*');
  return `${digits.slice(0, 6)}${'*'.repeat(digits.length - 10)}${digits.slice(-4)}`;
}

/** A one-time code is useless once spent, but it is still a bearer token until then. */
export function maskQrCode(qr: string): string {
  if (qr.length <= 4) return '*'.repeat(qr.length);
  return `${'*'.repeat(Math.min(qr.length - 4, 12))}${qr.slice(-4)}`;
}

// The password of a URL with credentials (postgres://user:password@host/db): a journal URL in an
// error message or a configuration dump must not carry it into a log.
const URL_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*):[^\s@/]*@/gi;

/**
 * The URL with its password (if any) replaced by `***`, where libpq and node-postgres take one: in the
 * user part, and in the query (`?password=`, `&sslpassword=`: any secret-like parameter, see
 * maskUrlQuery). User, host and database stay readable.
 */
export function maskUrlPassword(url: string): string {
  return maskUrlQuery(url.replace(URL_PASSWORD, '$1:***@'));
}

// A query parameter (after `?` or `&`) whose name says it holds a secret: `?token=…`, `&api_key=…`.
const QUERY_PARAM = /([?&;])([^=&#;\s?]+)=([^&#;\s]*)/g;

export function paramName(raw: string): string {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    return raw;
  }
}

/**
 * A URL or path with the values of its secret-like query parameters (token, secret, password, key,
 * auth, signature, …; the names' spelling percent-decoded) replaced by `***`: a token sent in the URL
 * is refused, but the URL is logged. Other parameters stay readable.
 */
export function maskUrlQuery(url: string): string {
  if (!url.includes('=')) return url;
  return url.replace(QUERY_PARAM, (whole, sep: string, name: string, value: string) => (value !== '' && SECRET_KEY.test(paramName(name)) ? `${sep}${name}=***` : whole));
}

export function maskText(text: string): string {
  return maskUrlPassword(text).replace(PAN_IN_TEXT, (match) => maskPan(match));
}

export interface MaskOptions {
  /**
   * Also look for card numbers inside free text (default). Off for answers kept to be given again
   * word for word, such as a bank slip, whose card number the terminal has already masked.
   */
  freeText?: boolean;
}

/** The Luhn check every payment card number passes (and most other long numbers fail). */
export function passesLuhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return sum % 10 === 0;
}

const CARD_IN_SLIP = /(?<![\d*])\d(?:[ -]?\d){15,18}(?![\d*])/g;

/**
 * A slip as the pinpad printed it, with any whole card number masked to its first six and last
 * four digits. Firmware is supposed to do this itself; when it does not, no full number may go
 * on to the journal, the logs or the till. Only 16–19 digits passing the Luhn check count, so the
 * slip's other long numbers (merchant ids, 15 digits) stay as printed.
 */
export function maskCardNumbers(slip: string): string {
  return slip.replace(CARD_IN_SLIP, (match) => (passesLuhn(match.replace(/[ -]/g, '')) ? maskPan(match) : match));
}

/**
 * `value` made safe to store or log: the value itself where nothing in it needs masking, else a copy
 * with what does masked (and only the objects on the way to it copied). Never changes `value`.
 */
export function maskDeep(value: unknown, key = '', options: MaskOptions = {}): unknown {
  if (value === null || value === undefined) return value;
  const type = typeof value;
  if (type === 'string' || type === 'number') {
    if (key) {
      if (SECRET_KEY.test(key)) return '[secret]';
      if (QR_KEY.test(key)) return maskQrCode(String(value));
      if (CARD_KEY.test(key)) return maskPan(String(value));
      if (ID_KEY.test(key)) return value;
    }
    return type === 'string' && options.freeText !== false ? maskText(value as string) : value;
  }
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const masked = maskDeep(value[i], key, options);
      if (masked !== value[i]) (copy ??= value.slice())[i] = masked;
    }
    return copy ?? value;
  }
  if (type === 'object') {
    const record = value as Record<string, unknown>;
    let copy: Record<string, unknown> | undefined;
    for (const k of Object.keys(record)) {
      const masked = maskDeep(record[k], k, options);
      if (masked !== record[k]) (copy ??= { ...record })[k] = masked;
    }
    return copy ?? value;
  }
  return value;
}
