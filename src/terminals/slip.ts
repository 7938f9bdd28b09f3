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
  /** The amount printed as "500.00 UZS", in tiyin. */
  amount: number | null;
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
  const amount = first(slip, [/(\d{1,12}\.\d{2})\s*UZS/]);
  return {
    rrn: first(slip, [/RRN(?:\(ссылка\))?\s*:?\s*(\d{12})\b/]),
    receiptNumber: receipt === null ? null : Number(receipt),
    shiftNumber: shift === null ? null : Number(shift),
    authCode: first(slip, [/Код авториз(?:ации|\.)?:\s*(\w{6})\b/, /Auth Code:?\s*(\w{6})\b/i]),
    terminalId: first(slip, [/ID Терм(?:инала|\.)?:\s*(\w{8})\b/, /Терминал:\s*(\w{8})\b/, /TID:?\s*(\w{8})\b/]),
    code: first(slip, [/Код ответа:\s*(\d{3})\b/, /Resp Code:?\s*(\d{3})\b/i]),
    amount: amount === null ? null : Number(amount.replace('.', '')),
  };
}

/** Totals printed on a shift-close report: "Оплата: 3 шт. 1500.00 UZS" and "Отмена/Возврат: 1 шт. 200.00 UZS". */
export function parseReportTotals(report: string): ShiftTotals | null {
  const line = (label: RegExp) => {
    const m = new RegExp(`${label.source}:?\\s*(\\d+)\\s*шт\\.?\\s*(\\d{1,12})\\.(\\d{2})\\s*UZS`).exec(report);
    return m ? { count: Number(m[1]), amount: Number(`${m[2]}${m[3]}`) } : null;
  };
  const purchases = line(/Оплата/);
  const returns = line(/Отмена\/Возврат/);
  if (!purchases || !returns) return null;
  return { purchaseCount: purchases.count, purchaseAmount: purchases.amount, returnCount: returns.count, returnAmount: returns.amount };
}
