/**
 * Money crosses PayBridge's edges in two units: integer tiyin at the POS API and in the journal,
 * decimal soum on some provider wires (Click's `amount`). The conversion is done on the decimal
 * text, never through floating-point arithmetic, so no tiyin can drift or be rounded away.
 */

export const TIYIN_PER_SOUM = 100;

export function isTiyin(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
}

/** 123456 tiyin → "1234.56": a JSON number literal in soum with exactly two decimals. */
export function tiyinToSoumLiteral(tiyin: number): string {
  if (!Number.isSafeInteger(tiyin) || tiyin < 0) {
    throw new RangeError(`not a non-negative integer amount of tiyin: ${tiyin}`);
  }
  const digits = String(tiyin).padStart(3, '0');
  return `${digits.slice(0, -2)}.${digits.slice(-2)}`;
}

/**
 * "1234.56", "1234.5", "1234", "1.2345e3" → tiyin, exactly; a literal that does not name a whole
 * number of tiyin (e.g. "0.001") is refused instead of being rounded.
 */
export function soumLiteralToTiyin(literal: string): number {
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(literal.trim());
  if (!m) throw new RangeError(`not a decimal number: ${JSON.stringify(literal)}`);
  const [, sign, whole = '', fraction = '', exponentText] = m;
  // Shift the decimal point by the exponent plus two places (soum → tiyin), on the digit string.
  const shift = Number(exponentText ?? 0) + 2;
  if (!Number.isSafeInteger(shift) || Math.abs(shift) > 40) throw new RangeError(`amount out of range: ${literal}`);
  const allDigits = whole + fraction;
  const pointAt = whole.length + shift;
  let intPart: string;
  let rest: string;
  if (pointAt <= 0) {
    intPart = '0';
    rest = '0'.repeat(-pointAt) + allDigits;
  } else if (pointAt >= allDigits.length) {
    intPart = allDigits + '0'.repeat(pointAt - allDigits.length);
    rest = '';
  } else {
    intPart = allDigits.slice(0, pointAt);
    rest = allDigits.slice(pointAt);
  }
  if (/[1-9]/.test(rest)) throw new RangeError(`amount is not a whole number of tiyin: ${literal}`);
  const tiyin = Number(BigInt(intPart));
  if (!Number.isSafeInteger(tiyin)) throw new RangeError(`amount out of range: ${literal}`);
  return sign === '-' && tiyin !== 0 ? -tiyin : tiyin;
}
