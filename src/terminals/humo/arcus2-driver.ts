import { maskCardNumbers } from '../../payments/masking.js';
import { spawn } from 'node:child_process';
import { readFile, rm, stat } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import iconv from 'iconv-lite';
import { parseReportTotals, parseSlip } from '../slip.js';
import { ARCUS2_OUTCOMES } from '../outcomes.js';
import { TerminalLinkError, type TerminalAnswer, type TerminalDriver, type TerminalRequest } from '../../payments/ports/terminal.js';
import type { Arcus2Op } from './ops-ini.js';

export interface Arcus2Options {
  /** The CommandLineTool executable (CommandLineTool.exe on a Windows till). */
  command: string;
  /** Arguments put before the operation's own (e.g. a script path when `command` is an interpreter). */
  args: string[];
  /** Arcus2's folder: the tool runs there, and cheq.out / rc.out are written there. */
  workDir: string;
  cheqFile: string;
  rcFile: string;
  /** The site's op codes (from ops.ini, see resolveOpCodes). */
  ops: Record<Arcus2Op, number>;
  /** Arguments a cancel adds: `{rrn}`, `{receipt}` and `{amount}` are replaced. */
  cancelArgs: string[];
  refundArgs: string[];
  /** How long one operation may take, the customer at the pinpad included. */
  timeoutMs: number;
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

  constructor(private readonly options: Arcus2Options) {}

  private path(file: string): string {
    return isAbsolute(file) ? file : join(this.options.workDir, file);
  }

  private async readFresh(file: string, startedAt: number): Promise<string | undefined> {
    const path = this.path(file);
    try {
      const info = await stat(path);
      // File times can be coarser than the clock: allow the second the call began in.
      if (info.mtimeMs < Math.floor(startedAt / 1000) * 1000) return undefined;
      return iconv.decode(await readFile(path), 'cp1251');
    } catch {
      return undefined;
    }
  }

  private async run(op: Arcus2Op, request: Partial<TerminalRequest>, extra: string[] = []): Promise<TerminalAnswer> {
    await Promise.all([rm(this.path(this.options.cheqFile), { force: true }), rm(this.path(this.options.rcFile), { force: true })]);
    const args = [...this.options.args, `/o${this.options.ops[op]}`];
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
    const code = rc ? /\b(\d{3})\b/.exec(rc)?.[1] : undefined;
    if (!code) throw new TerminalLinkError(`Arcus2 exited (${String(exit.code)}) without a fresh ${this.options.rcFile}`, true);
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
      totals: op === 'close_shift' ? parseReportTotals(slip) : null,
      operation: /Отмена|CANCEL/.test(slip) ? 'cancel' : /Возврат|REFUND/i.test(slip) ? 'refund' : /Оплата|Покупка|PURCHASE/i.test(slip) ? 'purchase' : null,
      amount: facts.amount,
    };
  }

  purchase(request: TerminalRequest) {
    return this.run('purchase', request);
  }

  cancel(request: TerminalRequest) {
    return this.run('cancel', request, fill(this.options.cancelArgs, request));
  }

  refund(request: TerminalRequest) {
    return this.run('refund', request, fill(this.options.refundArgs, request));
  }

  closeShift() {
    return this.run('close_shift', {});
  }

  /** Arcus2 keeps one "last" document: the last slip, or the last report after a shift close. */
  lastSlip() {
    return this.run('print_last', {});
  }

  /** Arcus2 cannot be asked about one request: the last slip is returned for the caller to compare. */
  async status(): Promise<TerminalAnswer | 'not_found'> {
    return this.run('print_last', {});
  }

  async close(): Promise<void> {}
}
