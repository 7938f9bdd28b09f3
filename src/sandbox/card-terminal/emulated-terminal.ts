import { randomBytes, randomInt } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { tiyinToSoumLiteral } from '../../payments/money.js';

/**
 * Magic amounts of the card-terminal sandbox, in tiyin (documented in the README):
 * 11600 declined for lack of funds (116), 99200 aborted at the pinpad (992), 99900 the pinpad does
 * not answer (999, nothing charged), 40800 approved but the terminal takes 5 s to answer, 40400
 * approved with the whole card number on the slip, as misconfigured firmware prints it, 98400
 * approved 5 s later at the end of a pinpad dialogue that answers 984 (busy) to every request
 * meanwhile, its own status and the last slip included, and that completes even if the caller
 * gives up or dies.
 */
export const TERMINAL_MAGIC = { insufficientFunds: 11_600, aborted: 99_200, noAnswer: 99_900, slow: 40_800, fullPan: 40_400, busyDialogue: 98_400 } as const;

/**
 * Magic amounts of give-backs (a cancel or refund of this amount, whatever the purchase's): 40900 is
 * performed (the card is credited, the operation recorded with its slip and its answer kept for
 * `status`), but the answer is lost — the pinpad answers 999 (no answer) without a slip and restarts:
 * for RESTART_MS it answers 984 (busy) to every request, `status`, `last_slip` and Arcus2's
 * print-last included; then `status` and the last slip show the approved give-back.
 */
export const TERMINAL_GIVE_BACK_MAGIC = { answerLost: 40_900 } as const;
export const RESTART_MS = 5_000;

/**
 * Magic of the shift close: a shift in which a purchase of 70100 tiyin (701.00 soum) was approved
 * closes with the report in the layout FiscalBox publishes for real Humo (Ingenico) and UzCard (PAX A35)
 * terminals (abdullo211/fiscal_document, `xumo_close` / `uzcard_close`): «Сверка итогов», the terminal
 * and shop ids, «Итоги совпали», an empty «Краткий отчет» — no count lines, no totals, no shift
 * number. The bridge answer then carries no `totals` and no `shift` either, as an adapter reading
 * such a terminal could not, so the whole close path meets what a real terminal gives.
 */
export const TERMINAL_REPORT_MAGIC = { publishedLayout: 70_100 } as const;

/** Luhn-valid numbers with the masked ones' first six and last four digits. */
const FULL_PANS = { humo: '9860091000097856', uzcard: '5440811000085040' } as const;
export const SLOW_ANSWER_MS = 5_000;

export type Flavour = 'humo' | 'uzcard';

interface Operation {
  requestId: string | null;
  kind: 'purchase' | 'cancel' | 'refund';
  amount: number;
  rrn: string;
  receipt: number;
  shift: number;
  at: number;
  originalRrn: string | null;
  /** Given back from this purchase so far. */
  returned: number;
}

interface State {
  shift: number;
  receipt: number;
  operations: Operation[];
  lastSlip: string;
  lastReport: string;
  /** Answers by request id, for the bridge protocol's `status`. */
  answers: Record<string, TerminalOutcome>;
  /**
   * A purchase the pinpad is still in a dialogue about (magic 98400): it is approved at
   * `completesAt` whatever happens to whoever asked for it; until then the terminal is busy.
   */
  pending?: PendingPurchase | null;
  /** Restarting after a give-back whose answer was lost (magic 40900): busy to everything until then (epoch ms). */
  restartUntil?: number;
}

export interface PendingPurchase {
  /** Its key in `answers` once applied: the caller's request id, or one of the terminal's own. */
  id: string;
  amount: number;
  startedAt: number;
  completesAt: number;
}

export interface TerminalOutcome {
  code: string;
  slip: string;
  rrn: string | null;
  receipt: number | null;
  shift: number | null;
  authCode: string | null;
  terminalId: string;
  op?: 'purchase' | 'cancel' | 'refund';
  amount?: number;
  totals?: { purchase_count: number; purchase_amount: number; return_count: number; return_amount: number } | null;
}

const money = (tiyin: number) => `${tiyinToSoumLiteral(tiyin)} UZS`;
const pad = (left: string, right: string, width = 36) => `${left}${' '.repeat(Math.max(1, width - left.length - right.length))}${right}`;
const center = (text: string, width = 36) => `${' '.repeat(Math.max(0, Math.floor((width - text.length) / 2)))}${text}`;
const two = (n: number) => String(n).padStart(2, '0');

function humoDate(d: Date): string {
  return `${two(d.getDate())}/${two(d.getMonth() + 1)}/${String(d.getFullYear()).slice(2)} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

function isoDate(d: Date): string {
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

/**
 * A card terminal's own memory, kept on disk like a real terminal's: shift number, receipt counter,
 * every operation (what was cancelled or refunded), the last slip and report. Slips are printed in
 * the formats of the seed documents: Humo's "Univ. EMV POS", UzCard's SKappay.
 */
export class EmulatedTerminal {
  private state: State;

  constructor(
    private readonly file: string,
    readonly flavour: Flavour,
    readonly terminalId: string = flavour === 'humo' ? '01000002' : '00000013',
  ) {
    try {
      this.state = JSON.parse(readFileSync(file, 'utf8')) as State;
    } catch {
      this.state = { shift: 1, receipt: 0, operations: [], lastSlip: '', lastReport: '', answers: {} };
    }
  }


  private save(): void {
    mkdirSync(dirname(this.file), { recursive: true });
    writeFileSync(`${this.file}.tmp`, JSON.stringify(this.state));
    renameSync(`${this.file}.tmp`, this.file);
  }

  get shift(): number {
    return this.state.shift;
  }

  /** Every operation, for tests: what the terminal believes happened. */
  operations(): readonly Operation[] {
    return this.state.operations;
  }

  answerFor(requestId: string): TerminalOutcome | undefined {
    return this.state.answers[requestId];
  }

  /**
   * Starts a purchase that the pinpad completes at `completesAt` (magic 98400), saved before the
   * caller waits, so that it completes even if the caller is killed. Refused with 984 while another
   * dialogue is still running.
   */
  beginDialogue(amount: number, requestId: string | null, completesAt: number, now = Date.now()): PendingPurchase | TerminalOutcome {
    this.settleDue(now);
    if (this.state.pending) return this.bareAnswer('984');
    const pending: PendingPurchase = { id: requestId ?? `dialogue-${randomBytes(6).toString('hex')}`, amount, startedAt: now, completesAt };
    this.state.pending = pending;
    this.save();
    return pending;
  }

  /**
   * Applies the pending purchase once its time has come: recorded like any approved purchase, its
   * slip the last slip, its answer kept under its id. Returns that answer when this call applied it.
   */
  settleDue(now = Date.now()): TerminalOutcome | undefined {
    const pending = this.state.pending;
    if (!pending || now < pending.completesAt) return undefined;
    this.state.pending = null;
    const op = this.record('purchase', pending.amount, pending.id, null, pending.completesAt);
    return this.outcome('000', this.slip(op), op, pending.id);
  }

  /**
   * Whether the pinpad is still in a dialogue, or restarting after a give-back whose answer was lost
   * (any request gets 984 meanwhile).
   */
  inDialogue(now = Date.now()): boolean {
    return (!!this.state.pending && now < this.state.pending.completesAt) || now < (this.state.restartUntil ?? 0);
  }

  /** An answer with nothing but a code: 984 while busy, 902 to an operation the terminal does not know, 999 no answer. */
  bareAnswer(code: '984' | '902' | '999'): TerminalOutcome {
    return { code, slip: '', rrn: null, receipt: null, shift: null, authCode: null, terminalId: this.terminalId };
  }

  private rrn(): string {
    for (;;) {
      // UzCard RRNs are 12 digits starting with 0 (0109…); Humo's start with the year's last digit.
      const tail = String(randomInt(0, 100_000_000)).padStart(8, '0');
      const rrn = this.flavour === 'uzcard' ? `0109${tail}` : `${String(new Date().getFullYear()).slice(-1)}${String(randomInt(100, 999))}${tail}`;
      // Refunds and cancels find their purchase by RRN, in this run's memory and every earlier one's kept on disk.
      if (!this.state.operations.some((o) => o.rrn === rrn)) return rrn;
    }
  }

  private outcome(code: string, slip: string, op: Operation | null, requestId: string | null): TerminalOutcome {
    const result: TerminalOutcome = {
      code,
      slip,
      rrn: op?.rrn ?? null,
      receipt: op?.receipt ?? null,
      shift: this.state.shift,
      authCode: op ? String(randomInt(100_000, 999_999)) : null,
      terminalId: this.terminalId,
      ...(op ? { op: op.kind, amount: op.amount } : {}),
    };
    if (slip) this.state.lastSlip = slip;
    if (requestId) this.state.answers[requestId] = result;
    this.save();
    return result;
  }

  private refusal(code: string, text: string, requestId: string | null): TerminalOutcome {
    const slip = this.flavour === 'humo' ? `${center('ОПЕРАЦИЯ ОТКЛОНЕНА')}\n${pad('Код ответа:', code)}\n${center(text)}\n` : '';
    return this.outcome(code, slip, null, requestId);
  }

  purchase(amount: number, requestId: string | null): TerminalOutcome {
    if (amount === TERMINAL_MAGIC.insufficientFunds) return this.refusal('116', 'Недостаточно средств', requestId);
    if (amount === TERMINAL_MAGIC.aborted) return this.refusal('992', 'Операция прервана', requestId);
    // No answer at all: the terminal keeps no record of the request either.
    if (amount === TERMINAL_MAGIC.noAnswer) return this.outcome('999', '', null, null);
    const op = this.record('purchase', amount, requestId, null);
    return this.outcome('000', this.slip(op), op, requestId);
  }

  private record(kind: Operation['kind'], amount: number, requestId: string | null, originalRrn: string | null, at = Date.now()): Operation {
    const op: Operation = { requestId, kind, amount, rrn: this.rrn(), receipt: ++this.state.receipt, shift: this.state.shift, at, originalRrn, returned: 0 };
    this.state.operations.push(op);
    return op;
  }

  private findPurchase(by: { rrn?: string | undefined; receipt?: number | undefined }, currentShiftOnly: boolean): Operation | undefined {
    return [...this.state.operations]
      .reverse()
      .find((o) => o.kind === 'purchase' && (!currentShiftOnly || o.shift === this.state.shift) && (by.rrn ? o.rrn === by.rrn : o.receipt === by.receipt));
  }

  /** Humo universal cancel: a purchase of the current shift, by RRN or receipt number. */
  cancel(amount: number, by: { rrn?: string | undefined; receipt?: number | undefined }, requestId: string | null): TerminalOutcome {
    return this.giveBack('cancel', amount, by, true, requestId);
  }

  /** UzCard refund by RRN, in any shift, whole or in part — each at most the purchase's amount, however much was refunded before. */
  refund(amount: number, rrn: string, requestId: string | null): TerminalOutcome {
    return this.giveBack('refund', amount, { rrn }, false, requestId);
  }

  private giveBack(
    kind: 'cancel' | 'refund',
    amount: number,
    by: { rrn?: string | undefined; receipt?: number | undefined },
    currentShiftOnly: boolean,
    requestId: string | null,
  ): TerminalOutcome {
    const original = this.findPurchase(by, currentShiftOnly);
    if (!original) return this.refusal('914', 'Оригинальная транзакция не найдена', requestId);
    if (kind === 'cancel' && original.returned > 0) return this.refusal('218', 'Операция уже отменена', requestId);
    // A refund is checked against the purchase's amount alone, not against what was refunded before:
    // the real world's UzCard terminal refunded 100000 twice of a 100000 payment (issue #13), so only
    // the caller's own ledger stops a second one. A cancel is checked against what remains.
    const limit = kind === 'refund' ? original.amount : original.amount - original.returned;
    if (amount > limit) return this.refusal('915', 'Сумма отмены больше оригинала', requestId);
    original.returned += amount;
    const op = this.record(kind, amount, requestId, original.rrn);
    const approved = this.outcome(kind === 'cancel' ? '400' : '000', this.slip(op), op, requestId);
    if (amount !== TERMINAL_GIVE_BACK_MAGIC.answerLost) return approved;
    // Done, and kept for `status`; but the answer is lost and the pinpad restarts.
    this.state.restartUntil = Date.now() + RESTART_MS;
    this.save();
    return this.bareAnswer('999');
  }

  closeShift(requestId: string | null): TerminalOutcome {
    const ops = this.state.operations.filter((o) => o.shift === this.state.shift);
    const purchases = ops.filter((o) => o.kind === 'purchase');
    const returns = ops.filter((o) => o.kind !== 'purchase');
    const sum = (list: Operation[]) => list.reduce((s, o) => s + o.amount, 0);
    const totals = {
      purchase_count: purchases.length,
      purchase_amount: sum(purchases),
      return_count: returns.length,
      return_amount: sum(returns),
    };
    const now = new Date();
    if (purchases.some((o) => o.amount === TERMINAL_REPORT_MAGIC.publishedLayout)) return this.closeWith(this.publishedReport(now), null, null, requestId);
    const report = [
      center(this.flavour === 'humo' ? 'ОБЫЧНЫЙ ТОВАР' : 'OOO TEST TIME'),
      center('Сверка итогов'),
      center('Отчет закрытия смены'),
      ...this.shiftTotalsLines(totals, now),
      center('Итоги совпали'),
      '='.repeat(36),
      '',
    ].join('\n');
    return this.closeWith(report, this.state.shift, totals, requestId);
  }

  /**
   * The X-report: the current shift's totals so far, printed without closing it. Laid out like this
   * emulator's close report (count lines and the shift number PayBridge compares), or, in a shift
   * holding the 70100 purchase, like the short report FiscalBox publishes for `xumo_shortreport` /
   * `uzcard_shortreport` («Краткий отчет», «Оплата (5) 540.00 UZS»: no shift, no count lines PayBridge
   * reads), which a real terminal gives.
   */
  xReport(): TerminalOutcome {
    const ops = this.state.operations.filter((o) => o.shift === this.state.shift);
    const purchases = ops.filter((o) => o.kind === 'purchase');
    const returns = ops.filter((o) => o.kind !== 'purchase');
    const sum = (list: Operation[]) => list.reduce((s, o) => s + o.amount, 0);
    const totals = { purchase_count: purchases.length, purchase_amount: sum(purchases), return_count: returns.length, return_amount: sum(returns) };
    const now = new Date();
    const rule = '='.repeat(36);
    let report: string;
    let published = false;
    if (purchases.some((o) => o.amount === TERMINAL_REPORT_MAGIC.publishedLayout)) {
      published = true;
      const [date, time] = humoDate(now).split(' ') as [string, string];
      report = [
        center(this.flavour === 'humo' ? 'Тест HUMO' : 'OOO TEST TIME'),
        rule,
        center('Краткий отчет'),
        pad('Терминал:', this.terminalId),
        pad(`Дата:${date}`, `Время:${time}`),
        rule,
        center(`Тип карты: ${this.flavour === 'humo' ? 'HUMO' : 'UZCARD-MASTERCARD'}`),
        rule,
        pad('Оплата', `(${totals.purchase_count}) ${money(totals.purchase_amount)}`),
        rule,
        center('Общий итог:'),
        rule,
        'Итого:',
        pad('Дебет:', money(totals.purchase_amount)),
        pad('Отмены дебет:', `-${money(totals.return_amount)}`),
        pad('', money(totals.purchase_amount - totals.return_amount)),
        rule,
        center('Отчет окончен'),
        rule,
        '',
      ].join('\n');
    } else {
      report = [
        center(this.flavour === 'humo' ? 'ОБЫЧНЫЙ ТОВАР' : 'OOO TEST TIME'),
        center('Промежуточный отчет'),
        ...this.shiftTotalsLines(totals, now),
        center('Смена не закрыта'),
        rule,
        '',
      ].join('\n');
    }
    // Printed like any report: print-last shows it until the next slip.
    this.state.lastSlip = report;
    this.save();
    return { code: '000', slip: report, rrn: null, receipt: null, shift: published ? null : this.state.shift, authCode: null, terminalId: this.terminalId, ...(published ? {} : { totals }) };
  }

  private closeWith(report: string, shift: number | null, totals: TerminalOutcome['totals'], requestId: string | null): TerminalOutcome {
    this.state.shift += 1;
    this.state.receipt = 0;
    this.state.lastReport = report;
    const result: TerminalOutcome = { code: '000', slip: report, rrn: null, receipt: null, shift, authCode: null, terminalId: this.terminalId, ...(totals ? { totals } : {}) };
    this.state.lastSlip = report;
    if (requestId) this.state.answers[requestId] = result;
    this.save();
    return result;
  }

  /** The published close report's layout (see TERMINAL_REPORT_MAGIC), for this terminal and time. */
  /** The terminal, shift and date lines and the counted totals a close and an X-report both print. */
  private shiftTotalsLines(totals: NonNullable<TerminalOutcome['totals']>, now: Date): string[] {
    return [
      pad('ID Терминала:', this.terminalId),
      pad('Номер смены', String(this.state.shift)),
      pad('Дата:', this.flavour === 'humo' ? humoDate(now) : isoDate(now)),
      pad(`Оплата: ${totals.purchase_count} шт.`, money(totals.purchase_amount)),
      pad(`Отмена/Возврат: ${totals.return_count} шт.`, money(totals.return_amount)),
      pad('Итого:', money(totals.purchase_amount - totals.return_amount)),
    ];
  }

  private publishedReport(now: Date): string {
    const rule = '='.repeat(36);
    const [date, time] = humoDate(now).split(' ') as [string, string];
    const stamp = pad(`Дата:${date}`, `Время:${time}`);
    return [
      rule,
      center('Отчет закрытия смены'),
      rule,
      center('Сверка итогов'),
      stamp,
      rule,
      `Терминал ID: ${this.terminalId}`,
      'ID магазина:  000000009002143',
      '           -0000000000.00',
      center('Итоги совпали'),
      stamp,
      center(this.flavour === 'humo' ? 'Тест humo' : 'Тест UZCARD'),
      center('Краткий отчет'),
      pad('Терминал:', this.terminalId),
      stamp,
      '-'.repeat(36),
      '                 -',
      center('Отчет окончен'),
      rule,
      '',
    ].join('\n');
  }

  lastSlip(): TerminalOutcome {
    const last = [...this.state.operations].reverse()[0];
    return { code: '000', slip: this.state.lastSlip, rrn: null, receipt: null, shift: this.state.shift, authCode: null, terminalId: this.terminalId, ...(last ? { op: last.kind, amount: last.amount } : {}) };
  }

  lastReport(): TerminalOutcome {
    return { code: '000', slip: this.state.lastReport, rrn: null, receipt: null, shift: this.state.shift - 1, authCode: null, terminalId: this.terminalId };
  }

  private slip(op: Operation): string {
    const now = new Date(op.at);
    if (this.flavour === 'humo') {
      const lines = [
        center('ОБЫЧНЫЙ ТОВАР'),
        pad(`ID Терминала:${this.terminalId}`, `Номер смены ${op.shift}`),
        'ID Организации:190339999999902',
        pad('', `Чек ${op.receipt}`),
        ...(op.kind === 'purchase'
          ? [center('Оплата'), center('ОДОБРЕНО')]
          : op.kind === 'refund'
            ? [center('Возврат (REFUND)'), center('ОДОБРЕНО'), center('ВОЗВРАТ ВЫПОЛНЕН')]
            : [center('Отмена (CANCEL)'), center('ОДОБРЕНО'), center('ОПЕРАЦИЯ ОТМЕНЕНА')]),
        pad('СУММА:', money(op.amount)),
        'AID: A0860001000001    HUMO- EMV ICC',
        pad('Карта: HUMO', 'Срок: 01/29'),
        `        ${op.amount === TERMINAL_MAGIC.fullPan ? FULL_PANS.humo : '986009******7856'}:01`,
        `Код авторизации: ${String(randomInt(100_000, 999_999))}`,
        pad('', 'Код ответа:'),
        op.kind === 'purchase' ? '000' : '400',
        `RRN:${op.rrn}`,
        // A give-back's slip names the payment it gives back, after its own RRN (which is read first).
        ...(op.originalRrn ? [`Исх. RRN:${op.originalRrn}`] : []),
        pad('', `Дата:${humoDate(now).slice(0, 8)}`),
        humoDate(now).slice(9),
        'Univ. EMV POS 1.0.0/(MP) /687',
        ' ',
        '='.repeat(36),
        '',
      ];
      return lines.join('\n');
    }
    return [
      center('OOO TEST TIME'),
      center('Tashkent, Main str'),
      center('БЕСКОНТАКТНАЯ ОПЕРАЦИЯ'),
      pad('Номер операции:', String(op.receipt)),
      pad('Терминал:', this.terminalId),
      pad('Торговец:', '000000900227899'),
      pad('Версия ПО:', 'SKappay v1.7.0_rc2'),
      pad('SN:', '2290268839'),
      pad('RRN', op.rrn),
      pad('Дата', isoDate(now)),
      pad('Карта', op.amount === TERMINAL_MAGIC.fullPan ? FULL_PANS.uzcard : '544081******5040'),
      pad('Тип:', 'UZCARD-MASTERCARD'),
      ' ',
      ' ',
      center(op.kind === 'purchase' ? 'Оплата' : 'Возврат'),
      center(money(op.amount)),
      center('Одобрено'),
      center('Код ответа:000'),
      '',
    ].join('\n');
  }
}
