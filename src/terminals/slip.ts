import type { ShiftTotals } from '../payments/ports/terminal.js';

/**
 * Reads the facts a bank slip prints. Labels differ between terminals and firmware ("RRN:",
 * "RRN(ссылка) :", "RRN  0109…"; "Чек 6", "Номер операции: 168"), and the value after "Код ответа:"
 * may stand on the next line, so each fact has its patterns and whole tokens are matched.
 */
export interface SlipFacts {
  rrn: string | null;
  receiptNumber: number | null;
  shiftNumber: number | null;
  authCode: string | null;
  terminalId: string | null;
  code: string | null;
  /** The amount printed as "500.00 UZS" (or "1 500 000.00 UZS"), in tiyin; null when it cannot be read exactly. */
  amount: number | null;
}

/**
 * Thousands separators seen or expected on Uzbek terminal and till printouts: a space (other Uzbek
 * terminal software prints "5 000.00"), NBSP and narrow NBSP (what locale-aware formatters such as
 * Intl.NumberFormat('ru-RU'/'uz-UZ') put there), and the comma of "1,500,000.00".
 *
 * Every published slip and report (the FiscalBox API docs for Humo/Ingenico and UzCard/PAX A35, the
 * seed documents) prints its decimals with a dot: "500.00 UZS", "0.10 UZS", "-0000000000.00". No
 * published one uses a decimal comma, so a comma is read only as a thousands separator between
 * groups of three digits, and "1500,00" is refused rather than guessed to be 1500 soum.
 */
const GROUP_SEPARATORS = ' \u00A0\u202F,';

/**
 * A printed soum amount → integer tiyin, by digit-string arithmetic: "1 500 000.00" → 150000000,
 * "5 000" → 500000, "0.1" → 10, "-0.00" → 0. Thousands groups must be consistent (one separator kind,
 * groups of exactly three digits after the first of one to three); more than two decimals, a decimal
 * comma, or a value beyond Number.MAX_SAFE_INTEGER tiyin is refused with a RangeError, never rounded.
 */
export function parsePrintedAmount(text: string): number {
  const m = /^([+-]?)(\d+(?:[ \u00A0\u202F,]\d+)*)(?:\.(\d*))?$/.exec(text.trim());
  if (!m) throw new RangeError(`not a printed amount: ${JSON.stringify(text)}`);
  const [, sign = '', integral = '', fraction = ''] = m;
  if (fraction.length > 2) throw new RangeError(`more than two decimals in ${JSON.stringify(text)}: refused rather than rounded`);
  const groups = integral.split(/[ \u00A0\u202F,]/);
  if (!fraction && /,\d{1,2}$/.test(integral)) {
    throw new RangeError(`a decimal comma in ${JSON.stringify(text)}: no published slip prints one, so it is not guessed at`);
  }
  if (groups.length > 1) {
    const separators = new Set([...integral].filter((c) => GROUP_SEPARATORS.includes(c)));
    if (separators.size !== 1) throw new RangeError(`mixed thousands separators in ${JSON.stringify(text)}`);
    if (!/^\d{1,3}$/.test(groups[0]!) || groups.slice(1).some((g) => !/^\d{3}$/.test(g))) {
      throw new RangeError(`digits not grouped by thousands in ${JSON.stringify(text)}`);
    }
  }
  const tiyin = BigInt(groups.join('') + fraction.padEnd(2, '0'));
  if (tiyin > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError(`amount out of range: ${JSON.stringify(text)}`);
  const value = Number(tiyin);
  // "-0.00" is how reports print an empty debit column; it is zero, not minus zero.
  return sign === '-' && value !== 0 ? -value : value;
}

/**
 * One printed amount token directly before "UZS". The look-behind refuses a start inside a number
 * ("500.00" of "1500.00" or of "1,500.00") and right after "digit + space" ("1500.00" of "2 1500.00",
 * NBSP alike), so a count or a
 * second number printed before the amount is never joined to it or cut from it: such a line reads
 * as no amount, not as a wrong one.
 */
const AMOUNT_BEFORE_UZS = /(?<![\d.,+-]|\d[ \u00A0\u202F])([+-]?\d[\d \u00A0\u202F,]*(?:\.\d*)?)[ \u00A0\u202F]*UZS/u;

/** The first amount printed as "… UZS" in `text`, in tiyin; null when there is none or it cannot be read exactly. */
export function amountBeforeUzs(text: string): number | null {
  const m = AMOUNT_BEFORE_UZS.exec(text);
  if (!m?.[1]) return null;
  try {
    return parsePrintedAmount(m[1].replace(/[ \u00A0\u202F]+$/u, ''));
  } catch {
    return null;
  }
}

const first = (text: string, patterns: RegExp[]): string | null => {
  for (const p of patterns) {
    const m = p.exec(text);
    if (m?.[1]) return m[1];
  }
  return null;
};

export function parseSlip(slip: string): SlipFacts {
  const receipt = first(slip, [/(?:^|\s)Чек\s+(\d{1,9})\b/m, /Номер операции:\s*(\d{1,9})\b/, /Invoice:?\s*(\d{1,9})\b/i]);
  const shift = first(slip, [/Номер смены:?\s*(\d{1,9})\b/, /Смена:?\s*(\d{1,9})\b/]);
  // The amount line is the one labelled СУММА/ИТОГО where a slip prints several (the 2023 Humo
  // layout prints СУММА(AMOUNT), КОМИССИЯ(SURCHARGE) and ИТОГО(TOTAL)); otherwise the first "… UZS".
  const amountLine = /^.*(?:СУММА|ИТОГО|Total Amount).*UZS.*$/mu.exec(slip)?.[0];
  return {
    rrn: first(slip, [/RRN(?:\(ссылка\))?\s*:?\s*(\d{12})\b/]),
    receiptNumber: receipt === null ? null : Number(receipt),
    shiftNumber: shift === null ? null : Number(shift),
    authCode: first(slip, [/Код авториз(?:ации|\.)?:\s*(\w{6})\b/, /Auth Code:?\s*(\w{6})\b/i]),
    terminalId: first(slip, [/ID Терм(?:инала|\.)?:\s*(\w{8})\b/, /Терминал:\s*(\w{8})\b/, /TID:?\s*(\w{8})\b/]),
    // At most one line break between label and value (Humo prints the code on the next line), and
    // the three digits must stand alone: "000" of "10 000.00" or "100 000" is never a response code.
    code: first(slip, [/Код ответа:[ \t]*(?:\r?\n[ \t]*)?(\d{3})(?![\d.,]|[ \u00A0\u202F]\d)/u, /Resp Code:?[ \t]*(\d{3})(?![\d.,]|[ \u00A0\u202F]\d)/iu]),
    amount: amountBeforeUzs(amountLine ?? slip),
  };
}

/**
 * Totals printed on a shift-close report as per-operation count lines: "Оплата: 3 шт. 1 500.00 UZS"
 * and "Отмена/Возврат: 1 шт. 200.00 UZS". Null when the report does not print both lines readably.
 *
 * The close reports FiscalBox publishes for Humo (Ingenico) and UzCard (PAX A35) — "Отчет закрытия
 * смены … Сверка итогов … Итоги совпали … Краткий отчет … Отчет окончен", or "Сверка итогов не
 * требуется" — print no such lines, no shift number and no labelled totals (the one figure they carry,
 * "-0000000000.00", has no label and no currency); those give null, and the reconciliation says so
 * instead of comparing anything. See test/fixtures/close-*.txt.
 */
export function parseReportTotals(report: string): ShiftTotals | null {
  const line = (label: string) => {
    const m = new RegExp(`${label}:?[ \\t]*(\\d{1,9})[ \\t]*шт\\.?([^\\n]*)$`, 'mu').exec(report);
    if (!m) return null;
    const amount = amountBeforeUzs(m[2] ?? '');
    return amount === null || amount < 0 ? null : { count: Number(m[1]), amount };
  };
  const purchases = line('Оплата');
  const returns = line('Отмена\\/Возврат');
  if (!purchases || !returns) return null;
  return { purchaseCount: purchases.count, purchaseAmount: purchases.amount, returnCount: returns.count, returnAmount: returns.amount };
}
