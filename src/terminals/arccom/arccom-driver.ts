import { dirname } from 'node:path';
import iconv from 'iconv-lite';
import { maskCardNumbers } from '../../payments/masking.js';
import { TerminalLinkError, type TerminalAnswer, type TerminalDriver, type TerminalRequest } from '../../payments/ports/terminal.js';
import { originalReference } from '../humo/arcus2-driver.js';
import { ARCCOM_OUTCOMES } from '../outcomes.js';
import { parseReportTotals, parseSlip } from '../slip.js';
import { HELPER_SCRIPT, HelperProcess } from './helper-process.js';

/** The operations PayBridge runs through arccom, each by the code the site's ops.ini gives it. */
export type ArccomOp = 'purchase' | 'cancel_by_link' | 'universal_cancel' | 'refund' | 'close_shift' | 'x_report' | 'print_last' | 'print_last_report';

/**
 * The library's key names. `amount`, `currency`, `transaction_id` (the RRN) and `response_code` are
 * the ones public integrations use; the keys of the receipt number and the slip are not published
 * (unconfirmed), so every name can be set per site.
 */
export interface ArccomKeys {
  amount: string;
  currency: string;
  rrn: string;
  response_code: string;
  text_message: string;
  receipt_number: string;
  slip: string;
}

export const DEFAULT_ARCCOM_KEYS: ArccomKeys = {
  amount: 'amount',
  currency: 'currency',
  rrn: 'transaction_id',
  response_code: 'response_code',
  text_message: 'text_message',
  receipt_number: 'receipt_number',
  slip: 'slip',
};

export interface ArccomOptions {
  /** arccom.dll (or, in the tests, a libarccom.so that exports the same functions). */
  library: string;
  /** The Node that runs the helper; on Windows a 32-bit one. */
  node: string;
  /** The helper script; the one in this package unless a deployment moved it. */
  helper?: string;
  /** Where the library runs (it reads cashreg.ini there); the library's folder when not given. */
  workDir?: string;
  convention: 'cdecl' | 'stdcall';
  /** The site's op codes: purchase, close_shift and print_last are required, the others where the site has them. */
  ops: Partial<Record<ArccomOp, number>> & Record<'purchase' | 'close_shift' | 'print_last', number>;
  keys: ArccomKeys;
  /** Charset of the library's text values (the slip); cp1251 as Arcus2 writes its files, unconfirmed for the keys. */
  charset: string;
  /** ISO 4217 numeric code sent with every amount. */
  currency: string;
  /** One operation, the customer at the pinpad included. */
  operationMs: number;
  startMs: number;
  abandonMs: number;
}

const TITLES: Record<'purchase' | 'cancel' | 'refund', RegExp> = {
  cancel: /Отмена|CANCEL|VOID|Bekor/iu,
  refund: /Возврат|REFUND|Qaytarish/iu,
  purchase: /Оплата|Покупка|PURCHASE|SALE|Xarid|To['ʻ]?lov/iu,
};

function operationOfSlip(slip: string): 'purchase' | 'cancel' | 'refund' | null {
  for (const op of ['cancel', 'refund', 'purchase'] as const) if (TITLES[op].test(slip)) return op;
  return null;
}

/**
 * Humo through Arcus2's own library, arccom.dll, in a helper process (the DLL is 32-bit and
 * PayBridge's Node need not be). Unlike the command-line tool, the library takes a reference: a
 * cancel of a known payment is a cancel by link with its RRN and amount, the pinpad asks the
 * cashier nothing. Answers come from the library's keys, not from files another call could have
 * left behind.
 */
export class ArccomDriver implements TerminalDriver {
  readonly kind = 'arccom';
  readonly outcomes = ARCCOM_OUTCOMES;
  /** Like the command-line tool, the library can only show its last slip, not answer about one request. */
  readonly exactStatus = false;
  readonly refunds: boolean;
  readonly reprintsReports: boolean;
  readonly xReports: boolean;
  private readonly helper: HelperProcess;

  constructor(private readonly options: ArccomOptions) {
    // The structural rule of the arcus2 driver, for codes typed in by hand: reading or printing must
    // never run an operation that moves money (a print-last given cancel-last's code would give a
    // customer's money back on every status question).
    const ops = options.ops as Partial<Record<ArccomOp, number>>;
    for (const reader of ['print_last', 'print_last_report', 'x_report', 'close_shift'] as const) {
      for (const mover of ['purchase', 'cancel_by_link', 'universal_cancel', 'refund'] as const) {
        if (ops[reader] !== undefined && ops[reader] === ops[mover]) {
          throw new Error(`arccom.ops.${reader} (${ops[reader]}) is the code of arccom.ops.${mover}: an operation that moves money is never run to read, print or close`);
        }
      }
    }
    this.refunds = options.ops.refund !== undefined;
    this.reprintsReports = options.ops.print_last_report !== undefined;
    this.xReports = options.ops.x_report !== undefined;
    this.helper = new HelperProcess({
      node: options.node,
      script: options.helper ?? HELPER_SCRIPT,
      library: options.library,
      convention: options.convention,
      workDir: options.workDir ?? dirname(options.library),
      startMs: options.startMs,
      abandonMs: options.abandonMs,
    });
  }

  /** The helper's process id while it runs. */
  get helperPid(): number | undefined {
    return this.helper.pid;
  }

  /** Starts the helper process now rather than on the first operation. */
  start(): Promise<void> {
    return this.helper.ready();
  }

  private text(value: Buffer | null | undefined): string | null {
    return value ? iconv.decode(value, this.options.charset) : null;
  }

  private async run(op: ArccomOp, as: 'purchase' | 'cancel' | 'refund' | null, set: Record<string, string>): Promise<TerminalAnswer> {
    const code = this.options.ops[op];
    if (code === undefined) throw new TerminalLinkError(`this site has no ${op} operation configured for arccom`, false);
    const k = this.options.keys;
    const reply = await this.helper.run({ op: code, set, get: [k.response_code, k.rrn, k.receipt_number, k.slip, k.text_message] }, this.options.operationMs);
    const responseCode = this.text(reply.got[k.response_code])?.trim() ?? '';
    // Only a plain three-digit code is read as the pinpad's answer; a call that set none (or
    // something else) says nothing of what the pinpad did.
    if (!/^\d{3}$/.test(responseCode)) {
      throw new TerminalLinkError(`arccom returned ${reply.ret} from ${op} (${code}) without a response code PayBridge can read (${JSON.stringify(responseCode.slice(0, 40))})`, true);
    }
    const slip = maskCardNumbers(this.text(reply.got[k.slip]) ?? '');
    const facts = parseSlip(slip);
    const rrn = this.text(reply.got[k.rrn])?.trim();
    const receipt = this.text(reply.got[k.receipt_number])?.trim();
    const giveBack = op !== 'purchase' && op !== 'close_shift' && op !== 'x_report' && op !== 'print_last_report';
    return {
      code: responseCode,
      slip,
      rrn: rrn && /^\d{12}$/.test(rrn) ? rrn : facts.rrn,
      receiptNumber: receipt && /^\d{1,9}$/.test(receipt) ? Number(receipt) : facts.receiptNumber,
      shiftNumber: facts.shiftNumber,
      authCode: facts.authCode,
      terminalId: facts.terminalId,
      totals: op === 'close_shift' || op === 'x_report' ? parseReportTotals(slip) : null,
      operation: as ?? (op === 'print_last' ? operationOfSlip(slip) : null),
      amount: facts.amount,
      ...(giveBack ? { original: originalReference(slip) ?? null } : {}),
    };
  }

  private money(amount: number | undefined): Record<string, string> {
    // Checked before anything is sent: a pinpad given no amount would ask the cashier for one.
    if (amount === undefined || !Number.isSafeInteger(amount) || amount <= 0) throw new TerminalLinkError(`arccom needs a whole positive amount in tiyin, not ${String(amount)}`, false);
    return { [this.options.keys.amount]: String(amount), [this.options.keys.currency]: this.options.currency };
  }

  async purchase(request: TerminalRequest): Promise<TerminalAnswer> {
    return this.run('purchase', 'purchase', this.money(request.amount));
  }

  /**
   * A payment with an RRN is cancelled by link (RRN and amount), the only public cancel by
   * reference; without one, or where the site has no cancel by link, the universal cancel runs and
   * the pinpad asks the cashier which receipt (the caller checks the slip against the payment).
   */
  async cancel(request: TerminalRequest): Promise<TerminalAnswer> {
    if (request.rrn && request.amount !== undefined && this.options.ops.cancel_by_link !== undefined) {
      return this.run('cancel_by_link', 'cancel', { ...this.money(request.amount), [this.options.keys.rrn]: request.rrn });
    }
    return this.universalCancel(request);
  }

  /** The amount is sent where the request has one; the pinpad asks the cashier which receipt either way. */
  async universalCancel(request: TerminalRequest): Promise<TerminalAnswer> {
    return this.run('universal_cancel', 'cancel', request.amount === undefined ? {} : this.money(request.amount));
  }

  /** Refund of a closed shift's payment; that the library takes the RRN for it under the same key is unconfirmed. */
  async refund(request: TerminalRequest): Promise<TerminalAnswer> {
    return this.run('refund', 'refund', { ...this.money(request.amount), ...(request.rrn ? { [this.options.keys.rrn]: request.rrn } : {}) });
  }

  closeShift(_request?: TerminalRequest): Promise<TerminalAnswer> {
    return this.run('close_shift', null, {});
  }

  xReport(): Promise<TerminalAnswer> {
    return this.run('x_report', null, {});
  }

  lastSlip(kind: 'operation' | 'report' = 'operation'): Promise<TerminalAnswer> {
    return this.run(kind === 'report' ? 'print_last_report' : 'print_last', null, {});
  }

  /** The library cannot be asked about one request: the last slip, for the caller to compare. */
  status(): Promise<TerminalAnswer | 'not_found'> {
    return this.run('print_last', null, {});
  }

  close(): Promise<void> {
    return this.helper.close();
  }
}
