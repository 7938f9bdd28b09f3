import { PINPAD_CODES } from './pinpad-codes.js';

/**
 * How the card operations read a pinpad's answers, whatever the driver: which codes approve, and the
 * keys under which the drivers' outcome tables (src/terminals/outcomes.ts) classify an operation's
 * answer and a status question's. The domain owns this vocabulary; the tables are the drivers'.
 */

export const APPROVED_CODES = ['000', '001', '003', '020'] as const;
/** The request may have reached the pinpad and nothing definite came back. */
export const NO_LINK_CODES = ['912', '923', '998', '999'] as const;
/** Whether a code approves: 000/001/003/020, and 400 as the answer to a cancel. */
export function isApproval(code: string, op?: 'purchase' | 'cancel' | 'refund'): boolean {
  return (APPROVED_CODES as readonly string[]).includes(code) || (code === '400' && op === 'cancel');
}

/** What a cancel or refund is meant to give back: the payment's RRN and receipt number. */
export interface IntendedPayment {
  rrn?: string | undefined;
  receiptNumber?: number | undefined;
}

/**
 * Where a give-back's answer names another payment than the one meant: the fields that differ
 * (empty when it names none, or the same one).
 */
export function otherPayment(named: { rrn: string | null; receiptNumber: number | null } | null | undefined, intended: IntendedPayment | undefined): string[] {
  if (!named || !intended) return [];
  const differ: string[] = [];
  if (named.rrn !== null && intended.rrn !== undefined && named.rrn !== intended.rrn) differ.push(`RRN ${named.rrn}, not ${intended.rrn}`);
  if (named.receiptNumber !== null && intended.receiptNumber !== undefined && named.receiptNumber !== intended.receiptNumber) {
    differ.push(`receipt ${named.receiptNumber}, not ${intended.receiptNumber}`);
  }
  return differ;
}

export const OTHER_PAYMENT_KEY = 'an approval of a give-back that names another payment (RRN or receipt)';

/**
 * Keys of an operation's own answer. `about` is what the answer (Arcus2: its slip) says it is about,
 * where it says: an approval of another operation or amount is no approval of this one, nor is a
 * give-back's approval that names another payment than `intended`.
 */
export function operationKeys(
  code: string,
  op: 'purchase' | 'cancel' | 'refund',
  about?: {
    operation?: string | null | undefined;
    amount?: number | null | undefined;
    expectedAmount?: number | undefined;
    original?: { rrn: string | null; receiptNumber: number | null } | null | undefined;
    intended?: IntendedPayment | undefined;
  },
): string[] {
  const approval = isApproval(code, op);
  const other =
    !!about && ((about.operation != null && about.operation !== op) || (about.amount != null && about.expectedAmount !== undefined && about.amount !== about.expectedAmount));
  if (approval && other) return ['an approval that names another operation or amount'];
  if (approval && op !== 'purchase' && otherPayment(about?.original, about?.intended).length) return [OTHER_PAYMENT_KEY];
  return code === '400' && op === 'cancel' ? ['code 400 to a cancel'] : [`code ${code}`];
}

/** Keys of a status answer (bridge `status`, or Arcus2's last slip) as the card service compares it. */
export type StatusEvidence =
  /** The terminal answered for our request id, with this code. */
  | { kind: 'answer'; code: string; matches: boolean }
  | { kind: 'not_found' }
  | { kind: 'no_answer' }
  /** Arcus2: print_last's own result code was not an approval. */
  | { kind: 'print_last_failed'; code: string }
  | { kind: 'slip_of_this_operation' }
  | { kind: 'slip_of_an_earlier_operation' }
  /** A last document with no approval on it (a refusal slip, or none), and nothing journaled on the terminal since. */
  | { kind: 'no_approval_since' }
  | { kind: 'slip_unrelated' };

export function statusKeys(e: StatusEvidence): string[] {
  switch (e.kind) {
    case 'answer':
      if (isApproval(e.code, 'cancel')) return [e.matches ? 'status: approved, same operation and amount' : 'status: approved, another operation or amount'];
      // Only a code the documentation lists can be a refusal; any other is uncertain by default.
      return PINPAD_CODES[e.code] ? [`status: code ${e.code}`, 'status: a documented refusal code'] : [`status: code ${e.code}`];
    case 'not_found':
      return ['status: 202 (never performed)'];
    case 'no_answer':
      return ['status: no answer (timeout, link down)'];
    case 'print_last_failed':
      return [`print_last: code ${e.code}`, 'print_last: any code but an approval'];
    case 'slip_of_this_operation':
      return ['print_last: the slip of this operation'];
    case 'slip_of_an_earlier_operation':
      return ['print_last: the slip of an operation journaled before this one'];
    case 'no_approval_since':
      return ['print_last: no approval on the last slip, nothing journaled on the terminal since'];
    case 'slip_unrelated':
      return ['print_last: any other slip (a refusal, an unknown operation, none)'];
  }
}

