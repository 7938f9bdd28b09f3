import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { SYSTEM_CLOCK, type Clock } from '../lib/clock.js';
import { shopDay } from '../lib/shop-time.js';
import type { ClaimHeld, Journal, WalletRun } from './ports/journal.js';
import { QR_METHODS, type QrPaymentMethod, type Transaction } from './transaction.js';
import {
  compareRecord,
  journalCharged,
  journalNet,
  resultOf,
  unknownToJournal,
  walletNet,
  type Discrepancy,
  type MethodTotals,
  type ReconciliationResult,
  type WalletListed,
  type WalletRecord,
  type WalletRecords,
} from './wallet-records.js';

export interface WalletReconciliationOptions {
  /** Whose days: "shop/till" (each till asks the wallets with its own credentials). */
  scope: string;
  shop: string | null;
  till: string | null;
  timezone: string;
  /** This PayBridge, as the holder of the runs it works on. */
  owner: string;
  claimMs: number;
  callsPerSecond: number;
  attempts: number;
  retryPauseMs: number;
  clock?: Clock;
}

/** What one run found: stored in the journal, given as data, printed by the CLI, drawn by the console. */
export interface WalletReport {
  reconciliationId: string;
  date: string;
  methods: QrPaymentMethod[];
  startedAt: number;
  finishedAt: number;
  result: ReconciliationResult;
  totals: Partial<Record<QrPaymentMethod, MethodTotals>>;
  discrepancies: Discrepancy[];
  /** Status questions this run asked the wallets (a resumed run counts only its own). */
  questions: number;
  /** The run was taken over from one that stopped midway: its answers were reused, not asked again. */
  resumed: boolean;
}

export type WalletRunView =
  | { state: 'done'; report: WalletReport }
  /** Still at work (here or in another PayBridge of this till): asked again later, GET returns the report. */
  | { state: 'running'; reconciliationId: string; date: string; startedAt: number; heldBy: string | null };

/** Keys of the answers a run keeps: one per question, so a resumed run asks none again. */
const recordKey = (id: string) => `record:${id}`;
const settleKey = (id: string) => `settle:${id}`;
const listKey = (method: QrPaymentMethod) => `list:${method}`;

/** How many payments of a day are read from the journal at a time. */
const PAGE = 500;

/**
 * The day's wallet reconciliation: every wallet payment the journal holds for a shop day is looked up
 * by the wallet's documented status call and compared with the journal; Payme's list of the day finds
 * the receipts the journal never saw. A payment the journal still calls pending or unknown is first
 * settled through recovery — the reconciliation is also a late recovery. Status questions only: it
 * never charges and never gives back.
 *
 * One run of a day at a time, under a claim on the journal's clock; each answer is kept as it comes,
 * so a run that stops midway is resumed (by this PayBridge or another of the same till) without
 * asking again what it learnt.
 */
export class WalletReconciliation {
  private readonly clock: Clock;
  /** Runs this process is working on, by date: a second request for the same day joins the first. */
  private readonly inFlight = new Map<string, Promise<WalletRunView>>();
  private nextCallAt = 0;

  constructor(
    private readonly journal: Journal,
    private readonly wallets: ReadonlyMap<QrPaymentMethod, WalletRecords>,
    /** Settles one pending or unknown payment as recovery would (asks, never sends again). */
    private readonly settle: (id: string) => Promise<unknown>,
    private readonly log: Logger,
    private readonly options: WalletReconciliationOptions,
    /** Called with every finished report (metrics, the console's banner). */
    private readonly onReport: (report: WalletReport) => void = () => {},
  ) {
    this.clock = options.clock ?? SYSTEM_CLOCK;
  }

  /** The wallets this PayBridge has configured, in the order reports list them. */
  get methods(): QrPaymentMethod[] {
    return QR_METHODS.filter((m) => this.wallets.has(m));
  }

  /** The stored run of a day: the newest, finished or still running. */
  async view(date: string): Promise<WalletRunView | undefined> {
    shopDay(this.options.timezone, date); // a non-date is a bad request
    const run = await this.journal.latestWalletRun(this.options.scope, date);
    return run && viewOf(run);
  }

  /** The newest finished report of each day from `fromDate` on, oldest first. */
  async reportsSince(fromDate: string): Promise<WalletReport[]> {
    return (await this.journal.finishedWalletRuns(this.options.scope, fromDate)).map((r) => r.report as WalletReport).filter(Boolean);
  }

  /**
   * Runs the day's reconciliation — resumes the day's run left midway, or starts a new one — and
   * resolves when it is done; a run another PayBridge is at is given as running.
   */
  run(date: string, methods?: readonly string[]): Promise<WalletRunView> {
    const day = shopDay(this.options.timezone, date);
    const chosen = this.chosen(methods);
    const joined = this.inFlight.get(day.date);
    if (joined) return joined;
    const work = this.runDay(day, chosen).finally(() => this.inFlight.delete(day.date));
    this.inFlight.set(day.date, work);
    return work;
  }

  private chosen(methods: readonly string[] | undefined): QrPaymentMethod[] {
    if (!methods || methods.length === 0) return this.methods;
    const bad = methods.filter((m) => !this.wallets.has(m as QrPaymentMethod));
    if (bad.length) throw new UnconfiguredWalletError(bad);
    return QR_METHODS.filter((m) => methods.includes(m));
  }

  private async runDay(day: { date: string; from: number; to: number }, methods: QrPaymentMethod[]): Promise<WalletRunView> {
    const attempt = await this.journal.startWalletRun({ id: randomUUID(), scope: this.options.scope, date: day.date, methods }, { owner: this.options.owner, leaseMs: this.options.claimMs });
    if (!attempt.taken) return viewOf(attempt.run);
    const run = attempt.run;
    const fence = run.claim;
    let lost = false;
    // Renewed every third of the lease: a run outliving its claim would be taken over and done twice.
    const stopRenewing = this.clock.every(Math.max(1, Math.floor(this.options.claimMs / 3)), () => {
      void this.journal.renewWalletRun(run.id, fence, this.options.claimMs).then(
        (held) => (lost ||= !held),
        (err: unknown) => this.log.warn({ err, reconciliation_id: run.id }, 'could not renew the claim on a wallet reconciliation'),
      );
    });
    try {
      const report = await this.reconcile(run, fence, day, run.methods as QrPaymentMethod[], attempt.resumed, () => lost);
      if (lost || !(await this.journal.finishWalletRun(run.id, fence, report))) {
        this.log.warn({ reconciliation_id: run.id, date: day.date }, 'a wallet reconciliation lost its claim to another PayBridge: its report is that one’s to write');
        const now = await this.journal.latestWalletRun(this.options.scope, day.date);
        return now ? viewOf(now) : { state: 'running', reconciliationId: run.id, date: day.date, startedAt: run.startedAt, heldBy: null };
      }
      this.log.info({ reconciliation_id: run.id, date: day.date, result: report.result, discrepancies: report.discrepancies.length, questions: report.questions }, 'wallet reconciliation done');
      this.onReport(report);
      return { state: 'done', report };
    } finally {
      stopRenewing();
    }
  }

  private async reconcile(
    run: WalletRun,
    fence: ClaimHeld,
    day: { date: string; from: number; to: number },
    methods: QrPaymentMethod[],
    resumed: boolean,
    claimLost: () => boolean,
  ): Promise<WalletReport> {
    const known = await this.journal.walletAnswers(run.id);
    let questions = 0;
    const remember = async (key: string, answer: unknown) => {
      known.set(key, answer);
      await this.journal.saveWalletAnswer(run.id, key, answer);
    };
    const checkClaim = () => {
      if (claimLost()) throw new Error(`the wallet reconciliation ${run.id} of ${day.date} lost its claim (fence epoch ${fence.epoch})`);
    };

    const discrepancies: Discrepancy[] = [];
    const totals: Partial<Record<QrPaymentMethod, MethodTotals>> = {};
    for (const method of methods) {
      const wallet = this.wallets.get(method)!;
      const sums: MethodTotals = { journal: { count: 0, amount: 0 }, provider: { count: 0, amount: 0 }, matched: 0, notConfirmed: 0 };
      totals[method] = sums;
      const listedPayments = await this.paymentsOf(method, day);

      // The late recovery: whatever is still pending or unknown is asked about as recovery would, and
      // read again after it.
      const payments: Transaction[] = [];
      for (const tx of listedPayments) {
        if ((tx.status !== 'pending' && tx.status !== 'unknown') || known.has(settleKey(tx.id))) {
          payments.push(tx);
          continue;
        }
        checkClaim();
        await this.pace();
        questions++;
        await this.settle(tx.id).catch((err: unknown) => this.log.warn({ err, transaction_id: tx.id }, 'the reconciliation could not settle a payment'));
        const after = (await this.journal.get(tx.id)) ?? tx;
        await remember(settleKey(tx.id), { before: tx.status, after: after.status });
        payments.push(after);
      }
      for (const tx of payments) {
        const settled = known.get(settleKey(tx.id)) as { before: string; after: string } | undefined;
        if (settled && settled.after !== settled.before && settled.after !== 'pending' && settled.after !== 'unknown') {
          discrepancies.push({
            kind: 'settled_by_reconciliation',
            method,
            transactionId: tx.id,
            journalStatus: `${settled.before} → ${settled.after}`,
            providerStatus: settled.after === 'failed' ? 'not charged' : 'charged',
            amount: tx.amount,
            detail: null,
            at: tx.createdAt,
          });
        }
      }

      // Payme's list of the day: the receipts the journal never saw, and the ones of payments whose receipt id was lost.
      let listed: WalletListed[] | undefined;
      if (wallet.listRecords) {
        const kept = known.get(listKey(method)) as WalletListed[] | undefined;
        if (kept) listed = kept;
        else {
          checkClaim();
          // Read whole or not at all: a partial list is never taken for the day's.
          listed = await this.askAgainWhile(
            () =>
              wallet.listRecords!(day.from, day.to).catch((err: unknown) => {
                this.log.warn({ err }, 'a wallet’s list of the day could not be read');
                return undefined;
              }),
            (list) => list !== undefined,
            () => questions++,
          );
          if (listed) await remember(listKey(method), listed);
          else discrepancies.push({ kind: 'not_confirmed', method, transactionId: 'receipts.get_all', journalStatus: null, providerStatus: 'list not read', amount: 0, detail: 'the wallet’s list of the day could not be read: receipts the journal never saw cannot be looked for', at: null });
        }
      }
      const byProviderId = new Set(payments.map((t) => t.providerPaymentId).filter((id): id is string => id !== null));
      const claimedListings = new Set<string>();

      for (const tx of payments) {
        // Still being taken (a request holds it): its wallet may be mid-charge, so no comparison means anything yet.
        if (tx.status === 'pending') {
          sums.notConfirmed++;
          discrepancies.push({ kind: 'not_confirmed', method, transactionId: tx.id, journalStatus: tx.status, providerStatus: 'not asked', amount: tx.amount, detail: 'the payment was still being taken: it is compared once it is settled', at: tx.createdAt });
          continue;
        }
        let record = known.get(recordKey(tx.id)) as WalletRecord | undefined;
        if (!record) {
          const fromList = !tx.providerPaymentId ? listed?.filter((l) => l.transactionId === tx.id) : undefined;
          if (fromList && fromList.length === 1) {
            record = fromList[0]!.record;
            claimedListings.add(fromList[0]!.providerId);
          } else {
            checkClaim();
            const steps = ((await this.journal.get(tx.id))?.events ?? []).map((e) => e.step);
            record = await this.ask(wallet, tx, steps, () => questions++);
          }
          // Only a record that says something is kept: a resumed run asks again what no answer told.
          if (record.state !== 'not_confirmed') await remember(recordKey(tx.id), record);
        } else if (!tx.providerPaymentId && record.providerId) claimedListings.add(record.providerId);

        if (journalCharged(tx)) {
          sums.journal.count++;
          sums.journal.amount += journalNet(tx) ?? 0;
        }
        if (record.state === 'charged') {
          sums.provider.count++;
          sums.provider.amount += walletNet(record, tx.amount) ?? 0;
        }
        if (record.state === 'not_confirmed') sums.notConfirmed++;
        const found = compareRecord(tx, record);
        if (found) discrepancies.push(found);
        else sums.matched++;
      }

      for (const l of listed ?? []) {
        if (byProviderId.has(l.providerId) || claimedListings.has(l.providerId)) continue;
        const found = unknownToJournal(method, l);
        if (!found) continue;
        discrepancies.push(found);
        if (l.record.state === 'charged') {
          sums.provider.count++;
          sums.provider.amount += walletNet(l.record, l.amount) ?? 0;
        }
      }
    }
    return {
      reconciliationId: run.id,
      date: day.date,
      methods,
      startedAt: run.startedAt,
      finishedAt: this.clock.now(),
      result: resultOf(discrepancies),
      totals,
      discrepancies,
      questions,
      resumed,
    };
  }

  /** One payment's record, asked again while the question gets no answer at all. */
  private ask(wallet: WalletRecords, tx: Transaction, steps: string[], counted: () => void): Promise<WalletRecord> {
    return this.askAgainWhile(
      () =>
        wallet
          .walletRecord({ transactionId: tx.id, amount: tx.amount, createdAt: tx.createdAt, providerPaymentId: tx.providerPaymentId, givenBack: tx.refundedAmount, steps })
          .catch((err: unknown): WalletRecord => ({ state: 'not_confirmed', providerId: tx.providerPaymentId, providerStatus: 'no answer', reason: (err as Error).message, askAgain: true })),
      (record) => record.state !== 'not_confirmed' || !record.askAgain,
      counted,
    );
  }

  /**
   * One question to a wallet, paced, asked up to `attempts` times — `retry_pause_ms` apart, the pause
   * doubling — until `answered` says it got an answer; the last one otherwise.
   */
  private async askAgainWhile<T>(question: () => Promise<T>, answered: (answer: T) => boolean, counted: () => void): Promise<T> {
    let pause = this.options.retryPauseMs;
    let answer: T | undefined;
    for (let i = 0; i < this.options.attempts; i++) {
      if (i > 0) {
        await this.clock.sleep(pause);
        pause *= 2;
      }
      await this.pace();
      counted();
      answer = await question();
      if (answered(answer)) return answer;
    }
    return answer!;
  }

  /** The pace the wallets are asked at: no faster than calls_per_second, across every run of this process. */
  private async pace(): Promise<void> {
    const gap = 1000 / this.options.callsPerSecond;
    const now = this.clock.now();
    const at = Math.max(now, this.nextCallAt);
    this.nextCallAt = at + gap;
    if (at > now) await this.clock.sleep(at - now);
  }

  private async paymentsOf(method: QrPaymentMethod, day: { from: number; to: number }): Promise<Transaction[]> {
    const all: Transaction[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.journal.list({
        method,
        kind: 'payment',
        from: day.from,
        to: day.to,
        limit: PAGE,
        ...(this.options.shop ? { shop: this.options.shop } : {}),
        ...(this.options.till ? { till: this.options.till } : {}),
        ...(cursor ? { cursor } : {}),
      });
      all.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return all.reverse();
  }
}

export class UnconfiguredWalletError extends Error {
  constructor(readonly methods: string[]) {
    super(`not configured on this PayBridge: ${methods.join(', ')}`);
  }
}

function viewOf(run: WalletRun): WalletRunView {
  if (run.state === 'done' && run.report) return { state: 'done', report: run.report as WalletReport };
  return { state: 'running', reconciliationId: run.id, date: run.date, startedAt: run.startedAt, heldBy: run.claim?.owner ?? null };
}
