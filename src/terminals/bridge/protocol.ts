/**
 * The terminal bridge protocol, version 1 (written up in docs/terminals.md): JSON objects, one per
 * line (UTF-8, "\n"), over TCP or a serial port. PayBridge sends a request; the terminal side (a
 * site's adapter around the terminal vendor's SDK, or the sandbox emulator) answers with one final
 * message carrying the same `id`, and may send `progress` messages before it.
 */

export const BRIDGE_VERSION = 1;

/** `x_report` is optional in version 1: an adapter without one answers it 902 (invalid operation). */
export type BridgeOp = 'purchase' | 'cancel' | 'refund' | 'close_shift' | 'x_report' | 'last_slip' | 'last_report' | 'status';

export interface BridgeRequest {
  v: typeof BRIDGE_VERSION;
  /** Unique per operation; PayBridge uses its transaction id. */
  id: string;
  op: BridgeOp;
  /** Tiyin (purchase, cancel, refund). */
  amount?: number;
  /** ISO 4217 numeric, always 860. */
  currency?: 860;
  /** The original operation's RRN (cancel, refund). */
  rrn?: string;
  /** The original operation's receipt number (cancel). */
  receipt?: number;
  /** For `status`: the id of the earlier request to report on. */
  ref?: string;
}

export interface BridgeTotals {
  purchase_count: number;
  purchase_amount: number;
  return_count: number;
  return_amount: number;
}

/** The final answer to a request. */
export interface BridgeResponse {
  v: typeof BRIDGE_VERSION;
  id: string;
  /** Three-digit response code; "202" to `status` means the terminal never saw `ref`. */
  code: string;
  slip?: string;
  rrn?: string | null;
  receipt?: number | null;
  shift?: number | null;
  auth_code?: string | null;
  terminal_id?: string | null;
  /** For `status`: the operation and amount the answer is about. */
  op?: BridgeOp;
  amount?: number;
  /** For close_shift: the terminal's totals of the closed shift; for x_report, of the open shift so far. */
  totals?: BridgeTotals | null;
}

/** Sent while the customer is at the pinpad ("Вставьте карту"); restarts the request's timeout. */
export interface BridgeProgress {
  v: typeof BRIDGE_VERSION;
  id: string;
  event: 'progress';
  text: string;
}

export type BridgeMessage = BridgeResponse | BridgeProgress;

export function encodeBridgeMessage(message: BridgeRequest | BridgeMessage): string {
  return `${JSON.stringify(message)}\n`;
}

/** Parses one line; undefined for anything that is not a protocol message (it is then ignored). */
export function decodeBridgeLine(line: string): (BridgeMessage & Record<string, unknown>) | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (!value || typeof value !== 'object' || typeof (value as { id?: unknown }).id !== 'string') return undefined;
  const m = value as Record<string, unknown>;
  if (m.event === 'progress' || typeof m.code === 'string') return m as BridgeMessage & Record<string, unknown>;
  return undefined;
}
