import { PINPAD_CODES } from '../../src/payments/pinpad-codes.js';
import { APPROVED_CODES, isApproval, NO_LINK_CODES } from '../../src/payments/terminal-evidence.js';
import { TerminalLinkError, type TerminalAnswer, type TerminalDriver, type TerminalRequest } from '../../src/payments/ports/terminal.js';
import { BRIDGE_OUTCOMES } from '../../src/terminals/outcomes.js';
import type { Rng } from './random.js';
import type { Truth } from './truth.js';
import type { Generation, World } from './world.js';

/**
 * A card pinpad and its bank, as the terminal bridge protocol shows them (src/terminals/outcomes.ts,
 * BRIDGE_OUTCOMES): one dialogue at a time (another request meanwhile is refused 984 and never
 * performed), the customer at the pinpad for seconds, an answer that may be lost on the link (the
 * dialogue goes on at the pinpad all the same), and `status` about a request id answering what the
 * pinpad did with it — approved, its refusal, 202 when it never performed it (and never will), or
 * a busy, link or system code that says nothing. The bank behind it does not cap give-backs at what
 * was paid: a refund by RRN is a credit to the card, so PayBridge's reservation is all that stops
 * money going back twice.
 */

const SYSTEM_ERROR_CODES = ['005', '402', '403', '404', '911'];
const REFUSALS = Object.keys(PINPAD_CODES).filter((c) => !isApproval(c) && c !== '984' && c !== '400' && !(NO_LINK_CODES as readonly string[]).includes(c) && !SYSTEM_ERROR_CODES.includes(c));

interface Performed {
  requestId: string;
  op: 'purchase' | 'cancel' | 'refund';
  amount: number;
  code: string;
  performed: boolean;
  rrn: string | null;
  receiptNumber: number | null;
  original: { rrn: string | null; receiptNumber: number | null } | null;
}

export class SimPinpad {
  private busyUntil = 0;
  private busyWith: string | null = null;
  private readonly records = new Map<string, Performed>();
  /** Purchases by RRN and receipt number: what a cancel or refund names. */
  private readonly purchases = new Map<string, Performed>();
  private nextRrn: number;
  private nextReceipt = 1;

  constructor(
    readonly id: string,
    readonly method: 'humo' | 'uzcard',
    private readonly world: World,
    private readonly rng: Rng,
    private readonly truth: Truth,
    private readonly faults: () => boolean,
    private readonly trace: (line: string) => void,
    rrnBase: number,
  ) {
    this.nextRrn = rrnBase;
  }

  get busy(): boolean {
    return this.world.now < this.busyUntil;
  }

  /**
   * A request reaches the pinpad: refused at once when a dialogue runs, otherwise the dialogue runs
   * for `ms` and then `finish` hears its answer.
   */
  start(op: Performed['op'], request: TerminalRequest, finish: (answer: TerminalAnswer) => void): number {
    const { rng } = this;
    if (this.busy) {
      const refused: TerminalAnswer = { code: '984', slip: '', rrn: null, receiptNumber: null, shiftNumber: null, authCode: null, terminalId: this.id };
      this.records.set(request.requestId, { requestId: request.requestId, op, amount: request.amount ?? 0, code: '984', performed: false, rrn: null, receiptNumber: null, original: null });
      this.trace(`pinpad ${this.id} busy with ${this.busyWith}: ${op} ${request.requestId} refused 984`);
      finish(refused);
      return 0;
    }
    const ms = rng.logUniform(1_000, 12_000);
    this.busyUntil = this.world.now + ms;
    this.busyWith = request.requestId;
    this.world.schedule(ms, null, `pinpad ${this.id} ends ${op} ${request.requestId}`, () => finish(this.decide(op, request)));
    return ms;
  }

  private decide(op: Performed['op'], request: TerminalRequest): TerminalAnswer {
    const { rng } = this;
    const amount = request.amount ?? 0;
    const original = op === 'purchase' ? undefined : this.findPurchase(request);
    const faults = this.faults();
    const choice: 'approve' | 'refuse' | 'uncertain' =
      op !== 'purchase' && !original ? 'refuse' : rng.weighted([['approve', 70], ['refuse', 22], ['uncertain', faults ? 8 : 0]] as const);
    const performed = choice === 'approve' || (choice === 'uncertain' && rng.chance(0.5));
    const code =
      choice === 'approve' ? (op === 'cancel' && this.method === 'humo' && rng.chance(0.3) ? '400' : rng.pick(APPROVED_CODES)) : choice === 'refuse' ? rng.pick(REFUSALS) : rng.pick([...NO_LINK_CODES, ...SYSTEM_ERROR_CODES]);
    const rrn = performed ? String(this.nextRrn++).padStart(12, '0') : null;
    const receiptNumber = performed ? this.nextReceipt++ : null;
    const record: Performed = {
      requestId: request.requestId,
      op,
      amount,
      code: performed && !isApproval(code, op) ? code : code,
      performed,
      rrn,
      receiptNumber,
      original: original ? { rrn: original.rrn, receiptNumber: original.receiptNumber } : null,
    };
    this.records.set(request.requestId, record);
    this.busyWith = null;
    if (performed && op === 'purchase') {
      this.purchases.set(`rrn:${rrn}`, record);
      this.purchases.set(`receipt:${receiptNumber}`, record);
      this.truth.charge({ txId: request.requestId, provider: this.id, amount, code: null, at: this.world.now });
    }
    if (performed && op !== 'purchase' && original) {
      this.truth.giveBack({ paymentTxId: original.requestId, opId: request.requestId, amount, at: this.world.now });
    }
    this.trace(`pinpad ${this.id}: ${op} ${request.requestId} of ${amount} ${performed ? 'performed' : 'not performed'}, code ${code}${rrn ? `, RRN ${rrn}` : ''}`);
    // Now and then the answer read is a late one of an earlier dialogue: an approval of another amount
    // (no table takes it for this operation's; `status` tells).
    if (faults && rng.chance(0.02)) return { ...this.answerOf(record), code: '000', amount: amount + 100, rrn: String(this.nextRrn++).padStart(12, '0') };
    return this.answerOf(record);
  }

  private findPurchase(request: TerminalRequest): Performed | undefined {
    return (request.rrn ? this.purchases.get(`rrn:${request.rrn}`) : undefined) ?? (request.receiptNumber !== undefined ? this.purchases.get(`receipt:${request.receiptNumber}`) : undefined);
  }

  private answerOf(r: Performed): TerminalAnswer {
    return {
      code: r.code,
      slip: r.performed ? `${r.op.toUpperCase()} ${r.amount} RRN ${r.rrn} Чек ${r.receiptNumber}` : `ОТКАЗ ${r.code}`,
      rrn: r.rrn,
      receiptNumber: r.receiptNumber,
      shiftNumber: r.performed ? 1 : null,
      authCode: r.performed ? '123456' : null,
      terminalId: this.id,
      operation: r.op,
      amount: r.amount,
      original: r.original,
    };
  }

  /** What `status` about a request id answers: truthfully, or (with faults) one of the codes that say nothing. */
  status(requestId: string): TerminalAnswer | 'not_found' {
    const { rng } = this;
    const blank = (code: string): TerminalAnswer => ({ code, slip: '', rrn: null, receiptNumber: null, shiftNumber: null, authCode: null, terminalId: this.id });
    if (this.busyWith === requestId && this.busy) return blank('984');
    if (this.faults() && rng.chance(0.08)) return blank(rng.pick(['984', ...NO_LINK_CODES, ...SYSTEM_ERROR_CODES]));
    // An approval about another operation (the terminal's last one, not this request's): proves nothing.
    if (this.faults() && rng.chance(0.02)) return { ...blank('000'), operation: 'purchase', amount: 1, rrn: '999999999999' };
    const r = this.records.get(requestId);
    if (!r) return 'not_found';
    if (r.performed) return this.answerOf({ ...r, code: isApproval(r.code, r.op) ? r.code : '000' });
    return rng.chance(0.5) ? 'not_found' : blank(r.code);
  }
}

/**
 * One PayBridge's driver of a shared pinpad: the link may refuse a request before it leaves (never
 * performed), or lose the answer after it (TerminalLinkError, maybe sent).
 */
export class SimTerminalDriver implements TerminalDriver {
  readonly kind = 'bridge';
  readonly outcomes = BRIDGE_OUTCOMES;
  readonly exactStatus = true;
  readonly refunds: boolean;
  readonly xReports = false;

  constructor(
    private readonly pinpad: SimPinpad,
    private readonly world: World,
    private readonly rng: Rng,
    private readonly gen: Generation,
    private readonly answerTimeoutMs: number,
    private readonly faults: () => boolean,
    /** Told of each request that may move money, before it leaves (invariant 6). */
    private readonly sending: (instance: string, op: string, what: string) => void,
  ) {
    this.refunds = pinpad.method === 'uzcard';
  }

  private exchange(op: 'purchase' | 'cancel' | 'refund', request: TerminalRequest): Promise<TerminalAnswer> {
    const { rng, world, gen } = this;
    const faults = this.faults();
    this.sending(gen.instance, request.requestId, `a ${op} to pinpad ${this.pinpad.id}`);
    return new Promise<TerminalAnswer>((resolve, reject) => {
      if (faults && rng.chance(0.04)) {
        world.schedule(rng.logUniform(5, 200), gen, `${gen} pinpad link refused`, () => reject(new TerminalLinkError('the terminal link could not be opened', false)));
        return;
      }
      const lost = faults && rng.chance(0.06);
      const sentAt = world.now;
      let settled = false;
      const timeout = world.schedule(this.answerTimeoutMs, gen, `${gen} pinpad answer timeout`, () => {
        if (settled) return;
        settled = true;
        reject(new TerminalLinkError(`no answer from the terminal within ${this.answerTimeoutMs} ms`, true));
      });
      this.pinpad.start(op, request, (answer) => {
        if (settled || lost) return;
        world.schedule(rng.logUniform(1, 50), gen, `${gen} ← pinpad ${op} ${answer.code}`, () => {
          if (settled) return;
          settled = true;
          timeout.cancel();
          if (world.now - sentAt > this.answerTimeoutMs) reject(new TerminalLinkError('the answer came after the timeout', true));
          else resolve(answer);
        });
      });
    });
  }

  purchase(request: TerminalRequest): Promise<TerminalAnswer> {
    return this.exchange('purchase', request);
  }

  cancel(request: TerminalRequest): Promise<TerminalAnswer> {
    return this.exchange('cancel', request);
  }

  refund(request: TerminalRequest): Promise<TerminalAnswer> {
    return this.exchange('refund', request);
  }

  status(request: TerminalRequest): Promise<TerminalAnswer | 'not_found'> {
    const { rng, world, gen } = this;
    return new Promise((resolve, reject) => {
      world.schedule(rng.logUniform(5, 300), gen, `${gen} ← pinpad status`, () => {
        if (this.faults() && rng.chance(0.05)) reject(new TerminalLinkError('no answer to status', true));
        else resolve(this.pinpad.status(request.requestId));
      });
    });
  }

  closeShift(): Promise<TerminalAnswer> {
    return Promise.reject(new TerminalLinkError('not simulated', false));
  }

  lastSlip(): Promise<TerminalAnswer> {
    return Promise.reject(new TerminalLinkError('not simulated', false));
  }

  async close(): Promise<void> {}
}
