import type { OutcomeTable } from '../outcome-table.js';
/**
 * A card terminal as PayBridge drives it, whatever the wire: Arcus2's command-line tool for Humo
 * on Ingenico, or the terminal bridge protocol (JSON lines over TCP or a serial port).
 */

export type TerminalOperation = 'purchase' | 'cancel' | 'refund' | 'close_shift' | 'last_slip' | 'last_report' | 'status';

/** What the terminal answered. Amounts are tiyin; the slip is the text exactly as printed. */
export interface TerminalAnswer {
  /** Three-digit response code ("000" approved, "116" insufficient funds, …). */
  code: string;
  slip: string;
  rrn: string | null;
  receiptNumber: number | null;
  shiftNumber: number | null;
  authCode: string | null;
  terminalId: string | null;
  /** For a shift close or an X-report: the terminal's own totals of the shift, when it reports them. */
  totals?: ShiftTotals | null;
  /** What the answer is about, where the terminal says (status answers, parsed slips). */
  operation?: 'purchase' | 'cancel' | 'refund' | null;
  /** The amount the slip or answer names, tiyin. */
  amount?: number | null;
  /** For a cancel or refund: the payment its slip says it gives back, where the slip names one. */
  original?: { rrn: string | null; receiptNumber: number | null } | null;
}

export interface ShiftTotals {
  /** Approved purchases in the shift, and their sum in tiyin. */
  purchaseCount: number;
  purchaseAmount: number;
  /** Cancels and refunds in the shift, and their sum in tiyin. */
  returnCount: number;
  returnAmount: number;
}

export interface TerminalRequest {
  /** Our id for this operation (UUID): the bridge protocol echoes it and can be asked about it later. */
  requestId: string;
  amount?: number;
  /** The original payment's RRN, for cancels and refunds. */
  rrn?: string;
  /** The original payment's receipt number, for cancels. */
  receiptNumber?: number;
}

/**
 * The link failed after the request may have reached the terminal (timeout, dead link): the outcome
 * is unknown and must be resolved by asking, never by sending the operation again.
 */
export class TerminalLinkError extends Error {
  constructor(
    message: string,
    /** False when the request provably never reached the terminal. */
    readonly maybeSent: boolean,
  ) {
    super(message);
    this.name = 'TerminalLinkError';
  }
}

export interface TerminalDriver {
  readonly kind: string;
  /** What each answer of this driver proves about the money (src/terminals/outcomes.ts). */
  readonly outcomes: OutcomeTable;
  /** True when `status` reports on the one request asked about; false when it can only show the last slip. */
  readonly exactStatus: boolean;
  /** False when the terminal has no refund operation (an Arcus2 site whose ops.ini names none); absent: it has. */
  readonly refunds?: boolean;
  /** False when `lastSlip('report')` cannot be asked of the terminal; the journal's last close report stands in. */
  readonly reprintsReports?: boolean;
  purchase(request: TerminalRequest): Promise<TerminalAnswer>;
  cancel(request: TerminalRequest): Promise<TerminalAnswer>;
  refund(request: TerminalRequest): Promise<TerminalAnswer>;
  closeShift(request: TerminalRequest): Promise<TerminalAnswer>;
  /** False when the site has no X-report operation (an Arcus2 or arccom site whose ops name none). */
  readonly xReports?: boolean;
  /**
   * The X-report: the shift's intermediate totals as the terminal prints them, without closing it.
   * It only reads: never retried as a money operation and never journaled as one. Absent: the
   * driver cannot ask for one, and the till is told so.
   */
  xReport?(request: TerminalRequest): Promise<TerminalAnswer>;
  /** The last operation's slip again (`report`: the last shift-close report). */
  lastSlip(kind: 'operation' | 'report'): Promise<TerminalAnswer>;
  /**
   * To settle an operation whose answer was lost: the terminal's answer about `request`, or about its
   * last transaction when it cannot be asked about one request (the caller compares operation, amount
   * and RRN), or 'not_found' when the terminal says it never performed `request`.
   */
  status(request: TerminalRequest): Promise<TerminalAnswer | 'not_found'>;
  close(): Promise<void>;
}

/** What the last exchange with a terminal said about its link. */
export interface LinkState {
  /** False after a link failure, until the terminal answers again. */
  online: boolean;
  /** When the terminal last answered (epoch ms), or null. */
  lastAnswerAt: number | null;
  lastError: { at: number; message: string } | null;
}
