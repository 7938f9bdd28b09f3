import { createServer, Socket, type Server } from 'node:net';
import { createInterface } from 'node:readline';
import type { Duplex } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { BRIDGE_VERSION, encodeBridgeMessage, type BridgeOp, type BridgeRequest, type BridgeResponse } from '../../terminals/bridge/protocol.js';
import { EmulatedTerminal, SLOW_ANSWER_MS, TERMINAL_MAGIC, type Flavour, type TerminalOutcome } from '../card-terminal/emulated-terminal.js';

function toResponse(id: string, o: TerminalOutcome): BridgeResponse {
  return {
    v: BRIDGE_VERSION,
    id,
    code: o.code,
    slip: o.slip,
    rrn: o.rrn,
    receipt: o.receipt,
    shift: o.shift,
    auth_code: o.authCode,
    terminal_id: o.terminalId,
    ...(o.op ? { op: o.op, amount: o.amount } : {}),
    ...(o.totals !== undefined ? { totals: o.totals } : {}),
  };
}

const isOperation = (op: BridgeOp | undefined) => op === 'purchase' || op === 'cancel' || op === 'refund' || op === 'close_shift';

/**
 * A card terminal behind the terminal bridge protocol, as a site's adapter would present a PAX A35
 * (or a Humo pinpad): JSON lines over TCP, or over any byte stream such as a serial port. One
 * operation at a time; a request that arrives meanwhile is answered 984 (busy), except `status`,
 * which is answered from the terminal's memory. During the pinpad dialogue of a 98400 purchase
 * even `status`, `last_slip` and `last_report` are answered 984, until it is approved 5 s later.
 */
export class BridgeTerminalEmulator {
  readonly terminal: EmulatedTerminal;
  private server: Server | undefined;
  private readonly links = new Set<Duplex>();
  private busy = false;
  private stopping = new AbortController();

  constructor(stateFile: string, flavour: Flavour = 'uzcard') {
    this.terminal = new EmulatedTerminal(stateFile, flavour);
  }

  /** Serves the protocol on a TCP port of loopback; resolves to the port. */
  async listen(port = 0, host = '127.0.0.1'): Promise<number> {
    this.server = createServer((socket: Socket) => this.attach(socket));
    await new Promise<void>((resolve) => this.server!.listen(port, host, resolve));
    return (this.server.address() as { port: number }).port;
  }

  /** Serves the protocol on an already open stream (a serial port, one end of a pty pair). */
  attach(link: Duplex): void {
    this.links.add(link);
    link.on('close', () => this.links.delete(link));
    link.on('error', () => link.destroy());
    createInterface({ input: link, crlfDelay: Infinity })
      .on('line', (line) => void this.handle(link, line))
      // readline re-emits the link's errors (a reset connection); the link's own handler deals with them.
      .on('error', () => undefined);
  }

  private async handle(link: Duplex, line: string): Promise<void> {
    let request: BridgeRequest;
    try {
      request = JSON.parse(line) as BridgeRequest;
    } catch {
      return;
    }
    if (typeof request?.id !== 'string') return;
    const send = (r: BridgeResponse | { v: 1; id: string; event: 'progress'; text: string }) => {
      if (!link.destroyed) link.write(encodeBridgeMessage(r));
    };
    // A version this terminal does not speak could mean anything: performing nothing is the only safe answer.
    if ((request as { v?: unknown }).v !== BRIDGE_VERSION) {
      send({ v: BRIDGE_VERSION, id: request.id, code: '904' });
      return;
    }
    // The pinpad is in a dialogue with the customer: nothing else gets through, not even `status`.
    if (this.terminal.inDialogue()) {
      send({ v: BRIDGE_VERSION, id: request.id, code: '984' });
      return;
    }
    // A dialogue that ended is recorded before anything is answered (its own handler may not have woken yet).
    this.terminal.settleDue();
    if (request.op === 'status') {
      const known = request.ref ? this.terminal.answerFor(request.ref) : undefined;
      send(known ? toResponse(request.id, known) : { v: BRIDGE_VERSION, id: request.id, code: '202' });
      return;
    }
    if (this.busy) {
      send({ v: BRIDGE_VERSION, id: request.id, code: '984' });
      return;
    }
    // A request id is the adapter's idempotency key: an operation sent again is answered as it was the
    // first time and never performed twice (docs/bridge-protocol.md). Reads are answered afresh.
    const earlier = isOperation(request.op) ? this.terminal.answerFor(request.id) : undefined;
    if (earlier) {
      send(toResponse(request.id, earlier));
      return;
    }
    this.busy = true;
    try {
      const amount = Number(request.amount ?? 0);
      let outcome: TerminalOutcome;
      switch (request.op) {
        case 'purchase':
          send({ v: BRIDGE_VERSION, id: request.id, event: 'progress', text: 'Вставьте или приложите карту' });
          if (amount === TERMINAL_MAGIC.busyDialogue) {
            outcome = await this.dialogue(amount, request.id);
            break;
          }
          outcome = this.terminal.purchase(amount, request.id);
          if (amount === TERMINAL_MAGIC.noAnswer) return; // the pinpad never answers
          if (amount === TERMINAL_MAGIC.slow) await sleep(SLOW_ANSWER_MS, undefined, { signal: this.stopping.signal }).catch(() => undefined);
          break;
        case 'cancel':
          outcome = this.terminal.cancel(amount, { rrn: request.rrn, receipt: request.receipt }, request.id);
          break;
        case 'refund':
          outcome = this.terminal.refund(amount, request.rrn ?? '', request.id);
          break;
        case 'close_shift':
          outcome = this.terminal.closeShift(request.id);
          break;
        case 'x_report':
          outcome = this.terminal.xReport();
          break;
        case 'last_slip':
          outcome = this.terminal.lastSlip();
          break;
        case 'last_report':
          outcome = this.terminal.lastReport();
          break;
        default:
          outcome = this.terminal.bareAnswer('902');
      }
      send(toResponse(request.id, outcome));
    } finally {
      this.busy = false;
    }
  }

  /** A 98400 purchase: approved SLOW_ANSWER_MS later, even if the link or the emulator goes meanwhile. */
  private async dialogue(amount: number, requestId: string): Promise<TerminalOutcome> {
    const begun = this.terminal.beginDialogue(amount, requestId, Date.now() + SLOW_ANSWER_MS);
    if ('code' in begun) return begun;
    while (Date.now() < begun.completesAt && !this.stopping.signal.aborted) {
      await sleep(begun.completesAt - Date.now(), undefined, { signal: this.stopping.signal }).catch(() => undefined);
    }
    // Stopped early: the dialogue stays in the state file and completes when the terminal is next used.
    return this.terminal.settleDue() ?? this.terminal.answerFor(requestId) ?? this.terminal.bareAnswer('984');
  }

  /** Drops every link at once, as a terminal that loses power does (`reset`: with a TCP reset, as a crash does). */
  dropLinks(reset = false): void {
    for (const link of this.links) {
      if (reset && link instanceof Socket) link.resetAndDestroy();
      else link.destroy();
    }
  }

  async close(): Promise<void> {
    this.stopping.abort();
    this.dropLinks();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
