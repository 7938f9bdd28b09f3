import { maskCardNumbers } from '../../payments/masking.js';
import { spawn } from 'node:child_process';
import { readFile, rm, stat } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import iconv from 'iconv-lite';
import { parseReportTotals, parseSlip } from '../slip.js';
import { ARCUS2_OUTCOMES } from '../outcomes.js';
import { TerminalLinkError, type TerminalAnswer, type TerminalDriver, type TerminalRequest } from '../../payments/ports/terminal.js';
import type { Arcus2Op } from './ops-ini.js';
import { readResultCode, type RcRemap } from './cashreg.js';

export interface Arcus2Options {
  /** The CommandLineTool executable (CommandLineTool.exe on a Windows till). */
  command: string;
  /** Arguments put before the operation's own (e.g. a script path when `command` is an interpreter). */
  args: string[];
  /** Arcus2's folder: the tool runs there, and cheq.out / rc.out are written there. */
  workDir: string;
  cheqFile: string;
  rcFile: string;
  /** Charset of cheq.out and rc.out (cashreg.ini's OPCHARSET); cp1251 when not given. */
  charset?: string;
  /** cashreg.ini's RC_CONVERT_FILE, read backwards from rc.out; null or absent: rc.out holds the pinpad's codes. */
  rcRemap?: RcRemap | null;
  /** The site's op codes (from ops.ini, see resolveOps); refund and the reports only where the site has them. */
  ops: Partial<Record<Arcus2Op, number>> & Record<'purchase' | 'cancel' | 'close_shift' | 'print_last', number>;
  /**
   * Arguments a cancel adds, only where the site's tool takes a reference: `{rrn}`, `{receipt}` and
   * `{amount}` are replaced. Empty: universal cancel, the cashier keys the receipt number in.
   */
  cancelArgs: string[];
  refundArgs: string[];
  /** How long one operation may take, the customer at the pinpad included. */
  timeoutMs: number;
}

/**
 * The payment a cancel or refund slip says it gives back, where it prints one (labels seen on
 * Russian-language slips vary: «Исх. RRN», «RRN оригинала», «Original RRN»…). Unconfirmed for every
 * site: a slip that names none is checked by its amount alone.
 */
export function originalReference(slip: string): { rrn: string | null; receiptNumber: number | null } | undefined {
  const rrn =
    /(?:Исх(?:одный|\.)?|Ориг(?:инальный|\.)?|Original|Orig\.?)\s*RRN\s*:?\s*(\d{12})\b/iu.exec(slip)?.[1] ??
    /RRN\s+(?:оригинала|исходной операции|оригинальной операции)\s*:?\s*(\d{12})\b/iu.exec(slip)?.[1] ??
    null;
  const receipt =
    /(?:Исх(?:одный|\.)?|Ориг(?:инальный|\.)?)\s*чек\s*:?\s*(\d{1,9})\b/iu.exec(slip)?.[1] ??
    /Чек\s+(?:оригинала|исходной операции)\s*:?\s*(\d{1,9})\b/iu.exec(slip)?.[1] ??
    /Orig(?:inal)?\.?\s*(?:Invoice|Receipt)\s*:?\s*(\d{1,9})\b/i.exec(slip)?.[1] ??
    null;
  return rrn === null && receipt === null ? undefined : { rrn, receiptNumber: receipt === null ? null : Number(receipt) };
}

const fill = (template: string[], request: TerminalRequest) =>
  template.map((a) => a.replace('{rrn}', request.rrn ?? '').replace('{receipt}', String(request.receiptNumber ?? '')).replace('{amount}', String(request.amount ?? '')));

/**
 * Humo on Ingenico through Arcus2's command-line tool: `/o<op> /a<amount in tiyin> /c860`, then the
 * result code from rc.out and the slip from cheq.out, both cp1251. Both files are deleted before
 * each call and trusted only when written after it started, so an earlier call's answer is never
 * read as this one's.
 */
export class Arcus2Driver implements TerminalDriver {
  readonly outcomes = ARCUS2_OUTCOMES;
  readonly exactStatus = false;
  readonly kind = 'arcus2';
  /** Whether the site's ops.ini (or configuration) has a refund: a closed shift's payment can be given back only then. */
  readonly refunds: boolean;
  /** Whether the site has a print-last-report operation; without one, the last report comes from the journal. */
  readonly reprintsReports: boolean;
  /** Whether the site's ops.ini (or configuration) has an X-report. */
  readonly xReports: boolean;

  constructor(private readonly options: Arcus2Options) {
    this.refunds = options.ops.refund !== undefined;
    this.reprintsReports = options.ops.print_last_report !== undefined;
    this.xReports = options.ops.x_report !== undefined;
  }

  private path(file: string): string {
    return isAbsolute(file) ? file : join(this.options.workDir, file);
  }

  private async readFresh(file: string, startedAt: number): Promise<string | undefined> {
    const path = this.path(file);
    try {
      const info = await stat(path);
      // File times can be coarser than the clock: allow the second the call began in.
      if (info.mtimeMs < Math.floor(startedAt / 1000) * 1000) return undefined;
      return iconv.decode(await readFile(path), this.options.charset ?? 'cp1251');
    } catch {
      return undefined;
    }
  }

  private async run(op: Arcus2Op, request: Partial<TerminalRequest>, extra: string[] = []): Promise<TerminalAnswer> {
    const opCode = this.options.ops[op];
    // Checked before anything is removed or run: nothing reached the pinpad.
    if (opCode === undefined) throw new TerminalLinkError(`this site's ops.ini has no ${op} operation`, false);
    await Promise.all([rm(this.path(this.options.cheqFile), { force: true }), rm(this.path(this.options.rcFile), { force: true })]);
    const args = [...this.options.args, `/o${opCode}`];
    if (request.amount !== undefined) args.push(`/a${request.amount}`, '/c860');
    args.push(...extra);
    const startedAt = Date.now();
    const exit = await new Promise<{ code: number | null; timedOut: boolean; error?: Error }>((resolve) => {
      const child = spawn(this.options.command, args, { cwd: this.options.workDir, stdio: 'ignore', windowsHide: true });
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        resolve({ code: null, timedOut: true });
      }, this.options.timeoutMs);
      child.once('error', (error) => {
        clearTimeout(timer);
        resolve({ code: null, timedOut: false, error });
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        resolve({ code, timedOut: false });
      });
    });
    if (exit.error) throw new TerminalLinkError(`cannot run ${this.options.command}: ${exit.error.message}`, false);
    if (exit.timedOut) throw new TerminalLinkError(`Arcus2 did not finish within ${this.options.timeoutMs} ms`, true);
    const rc = await this.readFresh(this.options.rcFile, startedAt);
    if (rc === undefined) throw new TerminalLinkError(`Arcus2 exited (${String(exit.code)}) without a fresh ${this.options.rcFile}`, true);
    // Only a file that plainly says a code is read; anything else leaves the outcome unknown, never a refusal.
    const code = readResultCode(rc, this.options.rcRemap ?? null);
    if (!code) throw new TerminalLinkError(`Arcus2 wrote ${this.options.rcFile} that names no result code PayBridge can read (${JSON.stringify(rc.slice(0, 80))})`, true);
    const slip = maskCardNumbers((await this.readFresh(this.options.cheqFile, startedAt)) ?? '');
    const facts = parseSlip(slip);
    return {
      code,
      slip,
      rrn: facts.rrn,
      receiptNumber: facts.receiptNumber,
      shiftNumber: facts.shiftNumber,
      authCode: facts.authCode,
      terminalId: facts.terminalId,
      totals: op === 'close_shift' || op === 'x_report' ? parseReportTotals(slip) : null,
      operation: /Отмена|CANCEL/.test(slip) ? 'cancel' : /Возврат|REFUND/i.test(slip) ? 'refund' : /Оплата|Покупка|PURCHASE/i.test(slip) ? 'purchase' : null,
      amount: facts.amount,
      // print_last too: a status question about a give-back compares the payment its slip names.
      ...(op === 'cancel' || op === 'refund' || op === 'print_last' ? { original: originalReference(slip) ?? null } : {}),
    };
  }

  purchase(request: TerminalRequest) {
    return this.run('purchase', request);
  }

  /**
   * Universal cancel: no public integration passes a reference to CommandLineTool, so none is passed
   * unless the site configured `cancel_args`; the pinpad asks the cashier for the receipt number, and
   * the caller checks the slip's amount and reference against the payment meant.
   */
  cancel(request: TerminalRequest) {
    return this.run('cancel', request, fill(this.options.cancelArgs, request));
  }

  refund(request: TerminalRequest) {
    return this.run('refund', request, fill(this.options.refundArgs, request));
  }

  closeShift() {
    return this.run('close_shift', {});
  }

  /** The site's X-report operation: the shift's totals so far, the shift left open. */
  xReport() {
    return this.run('x_report', {});
  }

  /**
   * The last slip; `report`: the site's print-last-report operation. Print-last alone shows whatever
   * was printed last, which need not be the last report, so it is never used for one.
   */
  lastSlip(kind: 'operation' | 'report' = 'operation') {
    return this.run(kind === 'report' ? 'print_last_report' : 'print_last', {});
  }

  /** Arcus2 cannot be asked about one request: the last slip is returned for the caller to compare. */
  async status(): Promise<TerminalAnswer | 'not_found'> {
    return this.run('print_last', {});
  }

  async close(): Promise<void> {}
}
