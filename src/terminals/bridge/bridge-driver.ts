import { maskCardNumbers } from '../../payments/masking.js';
import { createInterface } from 'node:readline';
import type { Duplex } from 'node:stream';
import type { ShiftTotals, TerminalAnswer, TerminalDriver, TerminalRequest } from '../../payments/ports/terminal.js';
import { BRIDGE_OUTCOMES } from '../outcomes.js';
import { TerminalLinkError } from '../../payments/ports/terminal.js';
import { BRIDGE_VERSION, decodeBridgeLine, encodeBridgeMessage, type BridgeOp, type BridgeRequest, type BridgeResponse } from './protocol.js';
import { describeEndpoint, openBridgeLink, type BridgeEndpoint } from './transport.js';

export interface BridgeDriverOptions {
  endpoint: BridgeEndpoint;
  connectTimeoutMs: number;
  /** How long to wait for the final answer, counted from the request or from the last progress message. */
  answerTimeoutMs: number;
  onProgress?: (text: string) => void;
}

function toAnswer(r: BridgeResponse): TerminalAnswer {
  const t = r.totals;
  const totals: ShiftTotals | null = t
    ? { purchaseCount: t.purchase_count, purchaseAmount: t.purchase_amount, returnCount: t.return_count, returnAmount: t.return_amount }
    : null;
  return {
    code: r.code,
    slip: maskCardNumbers(r.slip ?? ''),
    rrn: r.rrn ?? null,
    receiptNumber: r.receipt ?? null,
    shiftNumber: r.shift ?? null,
    authCode: r.auth_code ?? null,
    terminalId: r.terminal_id ?? null,
    totals,
    operation: r.op === 'purchase' || r.op === 'cancel' || r.op === 'refund' ? r.op : null,
    amount: r.amount ?? null,
  };
}

/**
 * Speaks the terminal bridge protocol over one long-lived link, reopened when it drops. Answers
 * whose id is not the current request's (a late answer to an earlier, timed-out one) are ignored.
 */
export class BridgeDriver implements TerminalDriver {
  readonly outcomes = BRIDGE_OUTCOMES;
  readonly exactStatus = true;
  readonly kind = 'bridge';
  private link: Duplex | undefined;
  private waiting: { id: string; onMessage: (m: Record<string, unknown>) => void; onClose: () => void } | undefined;

  constructor(private readonly options: BridgeDriverOptions) {}

  private async ensureLink(): Promise<Duplex> {
    if (this.link && !this.link.destroyed) return this.link;
    let link: Duplex;
    try {
      link = await openBridgeLink(this.options.endpoint, this.options.connectTimeoutMs);
    } catch (err) {
      throw new TerminalLinkError(`cannot open ${describeEndpoint(this.options.endpoint)}: ${(err as Error).message}`, false);
    }
    const lines = createInterface({ input: link, crlfDelay: Infinity });
    // readline re-emits the link's errors; without a listener a reset connection would end the process.
    lines.on('error', () => undefined);
    lines.on('line', (line) => {
      const message = decodeBridgeLine(line);
      if (message && this.waiting && message.id === this.waiting.id) this.waiting.onMessage(message);
    });
    const dropped = () => {
      if (this.link === link) this.link = undefined;
      this.waiting?.onClose();
    };
    link.on('close', dropped);
    link.on('error', dropped);
    this.link = link;
    return link;
  }

  private async exchange(request: BridgeRequest): Promise<BridgeResponse> {
    const link = await this.ensureLink();
    return new Promise<BridgeResponse>((resolve, reject) => {
      let timer: NodeJS.Timeout;
      const arm = () => {
        clearTimeout(timer);
        timer = setTimeout(() => finish(new TerminalLinkError(`no answer from the terminal within ${this.options.answerTimeoutMs} ms`, true)), this.options.answerTimeoutMs);
      };
      const finish = (outcome: BridgeResponse | Error) => {
        clearTimeout(timer);
        this.waiting = undefined;
        if (outcome instanceof Error) reject(outcome);
        else resolve(outcome);
      };
      this.waiting = {
        id: request.id,
        onMessage: (m) => {
          if (m.event === 'progress') {
            this.options.onProgress?.(String(m.text ?? ''));
            arm();
          } else finish(m as unknown as BridgeResponse);
        },
        onClose: () => finish(new TerminalLinkError('the link to the terminal dropped before it answered', true)),
      };
      arm();
      link.write(encodeBridgeMessage(request), (err) => {
        if (err) finish(new TerminalLinkError(`could not send to the terminal: ${err.message}`, false));
      });
    });
  }

  private async run(op: BridgeOp, request: Partial<TerminalRequest> & { requestId: string }, extra: Partial<BridgeRequest> = {}): Promise<TerminalAnswer> {
    const message: BridgeRequest = { v: BRIDGE_VERSION, id: request.requestId, op, ...extra };
    if (request.amount !== undefined) Object.assign(message, { amount: request.amount, currency: 860 });
    if (request.rrn !== undefined) message.rrn = request.rrn;
    if (request.receiptNumber !== undefined) message.receipt = request.receiptNumber;
    return toAnswer(await this.exchange(message));
  }

  purchase(request: TerminalRequest) {
    return this.run('purchase', request);
  }

  cancel(request: TerminalRequest) {
    return this.run('cancel', request);
  }

  refund(request: TerminalRequest) {
    return this.run('refund', request);
  }

  closeShift(request: TerminalRequest) {
    return this.run('close_shift', request);
  }

  /** Read-only, like `last_slip`: its id is not an operation's, and nothing is asked about it later. */
  xReport() {
    return this.run('x_report', { requestId: `xreport-${Date.now()}-${Math.random().toString(16).slice(2)}` });
  }

  lastSlip(kind: 'operation' | 'report') {
    return this.run(kind === 'report' ? 'last_report' : 'last_slip', { requestId: `last-${Date.now()}-${Math.random().toString(16).slice(2)}` });
  }

  /** Asks the terminal about an earlier request by its id: the bridge protocol's way to settle a lost answer. */
  async status(request: TerminalRequest): Promise<TerminalAnswer | 'not_found'> {
    const answer = await this.run('status', { requestId: `status-${request.requestId}` }, { ref: request.requestId });
    return answer.code === '202' ? 'not_found' : answer;
  }

  async close(): Promise<void> {
    this.link?.destroy();
    this.link = undefined;
  }
}
