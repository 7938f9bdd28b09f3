/**
 * Where the money really is: every charge the simulated providers and pinpads made, and every
 * give-back they carried out, keyed by what PayBridge journaled them as (the payment's transaction
 * id every provider echoes, and the give-back operation that sent the cancel). The invariants read
 * it as the ground truth; PayBridge never sees it.
 */

export interface Charge {
  txId: string;
  provider: string;
  amount: number;
  /** The customer's one-time code (QR) — one per till request, so that two charges of one request show. */
  code: string | null;
  at: number;
}

export interface GiveBack {
  paymentTxId: string;
  /** The give-back operation whose request did it (undefined: no operation sent it — a bug in itself). */
  opId: string | undefined;
  amount: number;
  at: number;
}

export type MoneyEvent = { kind: 'charge'; charge: Charge } | { kind: 'give_back'; giveBack: GiveBack };

export class Truth {
  /** Charges by the payment's transaction id. A second charge of one id is kept too: it is a violation. */
  readonly charges = new Map<string, Charge[]>();
  readonly giveBacks: GiveBack[] = [];
  /** Tiyin given back per payment. */
  readonly givenBack = new Map<string, number>();
  /** Give-backs per operation id. */
  readonly byOp = new Map<string, GiveBack[]>();
  constructor(private readonly onMoney: (e: MoneyEvent) => void) {}

  charge(c: Charge): void {
    const list = this.charges.get(c.txId) ?? [];
    list.push(c);
    this.charges.set(c.txId, list);
    this.onMoney({ kind: 'charge', charge: c });
  }

  giveBack(g: GiveBack): void {
    this.giveBacks.push(g);
    this.givenBack.set(g.paymentTxId, (this.givenBack.get(g.paymentTxId) ?? 0) + g.amount);
    if (g.opId) this.byOp.set(g.opId, [...(this.byOp.get(g.opId) ?? []), g]);
    this.onMoney({ kind: 'give_back', giveBack: g });
  }

  charged(txId: string): number {
    return (this.charges.get(txId) ?? []).reduce((sum, c) => sum + c.amount, 0);
  }

  /** Whether money moved for this operation: a payment charged, or a give-back carried out. */
  moved(opId: string): boolean {
    return this.charges.has(opId) || this.byOp.has(opId);
  }
}
