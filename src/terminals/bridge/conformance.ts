import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import type { Duplex } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { classify, type OutcomeClass } from '../../payments/outcome-table.js';
import { PINPAD_CODES } from '../../payments/pinpad-codes.js';
import { BRIDGE_OUTCOMES, isApproval, operationKeys, statusKeys } from '../outcomes.js';
import { BRIDGE_VERSION, decodeBridgeLine, encodeBridgeMessage, type BridgeOp, type BridgeRequest, type BridgeResponse } from './protocol.js';
import { openBridgeLink, type BridgeEndpoint } from './transport.js';

/**
 * The conformance kit of the terminal bridge protocol (docs/bridge-protocol.md): it drives an adapter
 * through the contract's scenarios and judges every answer with PayBridge's own outcome table, so a
 * failure here is a failure PayBridge would meet at the till.
 */

/**
 * Amounts (tiyin) an adapter in test mode must honour (docs/bridge-protocol.md, "Test mode"). The
 * sandbox terminal uses the same ones, so the kit runs against it unchanged.
 */
export const TEST_AMOUNTS = {
  /** Declined with 116 (insufficient funds). */
  decline: 11_600,
  /** Approved at the end of a pinpad dialogue that lasts a few seconds and answers 984 to everything meanwhile. */
  longDialogue: 98_400,
} as const;

/** Ordinary amounts the kit pays with; any other amount than the test ones is approved in test mode. */
const PAY_AMOUNT = 100_000;
const PARTIAL_PURCHASE = 70_000;
const PARTIAL_REFUND = 25_000;
const BUSY_PROBE_AMOUNT = 50_000;

export interface ConformanceOptions {
  endpoint: BridgeEndpoint;
  connectTimeoutMs: number;
  /** As PayBridge's `answer_timeout_ms`: the wait for a final answer, restarted by each progress message. */
  answerTimeoutMs: number;
  /** Pause between repeated `status` questions while the adapter answers busy. */
  pollMs: number;
  /** Told each scenario as it starts, for a person watching. */
  onScenario?: (name: string) => void;
}

export interface ScenarioResult {
  name: string;
  ok: boolean;
  /** What the adapter did (or, on a pass, what was checked). */
  detail: string;
  /** On a failure: what it means for a shop, in plain words. */
  meaning: string;
}

type Reply = { kind: 'answer'; message: BridgeResponse } | { kind: 'timeout'; ms: number } | { kind: 'dropped' } | { kind: 'unsent'; error: string };

class ScenarioFailure extends Error {}

/**
 * One link to the adapter that can have several requests outstanding, so that a request can be sent
 * while another runs (the busy scenario over a serial port, where no second link exists).
 */
class Session {
  private readonly waiters = new Map<string, { onMessage: (m: Record<string, unknown>) => void; onDrop: () => void }>();
  private dropped = false;

  get closed(): boolean {
    return this.dropped || this.link.destroyed;
  }

  private constructor(private readonly link: Duplex) {
    const lines = createInterface({ input: link, crlfDelay: Infinity });
    // readline re-emits the link's errors; without a listener a reset connection would end the process.
    lines.on('error', () => undefined);
    lines.on('line', (line) => {
      const message = decodeBridgeLine(line);
      if (message) this.waiters.get(message.id)?.onMessage(message);
    });
    const drop = () => {
      this.dropped = true;
      for (const w of [...this.waiters.values()]) w.onDrop();
    };
    link.on('close', drop);
    link.on('error', drop);
  }

  static async open(endpoint: BridgeEndpoint, connectTimeoutMs: number): Promise<Session> {
    return new Session(await openBridgeLink(endpoint, connectTimeoutMs));
  }

  /** Sends one request and waits for its final answer; progress messages restart the wait, as PayBridge's driver does. */
  send(request: BridgeRequest, answerTimeoutMs: number, onProgress?: (text: string) => void): Promise<Reply> {
    if (this.dropped) return Promise.resolve({ kind: 'unsent', error: 'the link is closed' });
    return new Promise<Reply>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const finish = (reply: Reply) => {
        clearTimeout(timer);
        this.waiters.delete(request.id);
        resolve(reply);
      };
      const arm = () => {
        clearTimeout(timer);
        timer = setTimeout(() => finish({ kind: 'timeout', ms: answerTimeoutMs }), answerTimeoutMs);
      };
      this.waiters.set(request.id, {
        onMessage: (m) => {
          if (m.event === 'progress') {
            onProgress?.(String(m.text ?? ''));
            arm();
          } else finish({ kind: 'answer', message: m as unknown as BridgeResponse });
        },
        onDrop: () => finish({ kind: 'dropped' }),
      });
      arm();
      this.link.write(encodeBridgeMessage(request), (err) => {
        if (err) finish({ kind: 'unsent', error: err.message });
      });
    });
  }

  /** Resolves once the link is closed: a serial port stays locked until then and cannot be opened again. */
  close(): Promise<void> {
    // A SerialPort's destroy() leaves the device open and locked; only its own close() releases it.
    const port = this.link as Duplex & { isOpen?: boolean; close?: (callback: () => void) => void };
    if (typeof port.close === 'function' && port.isOpen) {
      return new Promise<void>((resolve) => port.close!(() => resolve()));
    }
    if (this.link.closed) return Promise.resolve();
    return new Promise<void>((resolve) => {
      this.link.once('close', () => resolve());
      this.link.destroy();
    });
  }
}

function describeCode(code: string): string {
  const meaning = PINPAD_CODES[code];
  return meaning ? `${code} (${meaning.en})` : `${code} (not a documented pinpad code)`;
}

function describe(reply: Reply): string {
  switch (reply.kind) {
    case 'answer': {
      const m = reply.message;
      const about = m.op ? `, about ${m.op}${m.amount !== undefined ? ` of ${m.amount}` : ''}` : '';
      return `code ${describeCode(String(m.code))}${m.rrn ? `, RRN ${m.rrn}` : ''}${about}`;
    }
    case 'timeout':
      return `no answer within ${reply.ms} ms`;
    case 'dropped':
      return 'the link dropped before an answer';
    case 'unsent':
      return `could not send: ${reply.error}`;
  }
}

/** How PayBridge's table classifies an operation's own answer. */
function operationClass(m: BridgeResponse, op: 'purchase' | 'cancel' | 'refund', amount: number): OutcomeClass {
  return classify(BRIDGE_OUTCOMES, operationKeys(String(m.code), op, { operation: m.op ?? null, amount: m.amount ?? null, expectedAmount: amount })).outcome;
}

/** How PayBridge's table classifies a `status` answer about an operation of this kind and amount. */
function statusClass(reply: Reply, op: 'purchase' | 'refund', amount: number, rrn?: string): OutcomeClass {
  if (reply.kind !== 'answer') return classify(BRIDGE_OUTCOMES, statusKeys({ kind: 'no_answer' })).outcome;
  const m = reply.message;
  if (m.code === '202') return classify(BRIDGE_OUTCOMES, statusKeys({ kind: 'not_found' })).outcome;
  const matches = m.op === op && m.amount === amount && (rrn === undefined || m.rrn === rrn);
  return classify(BRIDGE_OUTCOMES, statusKeys({ kind: 'answer', code: String(m.code), matches })).outcome;
}

const RRN = /^\d{12}$/;

interface Approved {
  id: string;
  amount: number;
  rrn: string;
  receipt: number | null;
}

/** What the kit itself had approved since it closed the shift, to check the adapter's totals against. */
interface Ledger {
  shiftClosed: boolean;
  purchases: number[];
  returns: number[];
  /** Operations whose outcome the kit could not learn (a failure already reported): the totals may or may not hold them. */
  unknownPurchases: number[];
  unknownReturns: number[];
}

/** The sums some of `amounts` can make, with how many were taken: each an operation that may or may not have happened. */
function subsetTotals(amounts: readonly number[]): { count: number; amount: number }[] {
  let sums = [{ count: 0, amount: 0 }];
  for (const a of amounts) sums = [...sums, ...sums.map((s) => ({ count: s.count + 1, amount: s.amount + a }))];
  return sums;
}

/** Runs every scenario in order; a scenario that needs an earlier one's result fails when that one did. */
export async function runConformance(options: ConformanceOptions): Promise<ScenarioResult[]> {
  const run = randomUUID().slice(0, 8);
  let n = 0;
  const newId = (what: string) => `conformance-${run}-${++n}-${what}`;
  const results: ScenarioResult[] = [];
  const ledger: Ledger = { shiftClosed: false, purchases: [], returns: [], unknownPurchases: [], unknownReturns: [] };
  const unknown = (op: 'purchase' | 'refund', amount: number) => (op === 'purchase' ? ledger.unknownPurchases : ledger.unknownReturns).push(amount);
  const sessions: Session[] = [];
  const open = async () => {
    const s = await Session.open(options.endpoint, options.connectTimeoutMs);
    sessions.push(s);
    return s;
  };
  const tcp = options.endpoint.transport === 'tcp';
  const request = (op: BridgeOp, fields: Partial<BridgeRequest> = {}, id = newId(op)): BridgeRequest => {
    const r: BridgeRequest = { v: BRIDGE_VERSION, id, op, ...fields };
    if (fields.amount !== undefined) r.currency = 860;
    return r;
  };

  let main: Session | undefined;
  // PayBridge's driver reopens a link the adapter closed between requests; so does the kit.
  const session = async () => (main && !main.closed ? main : (main = await open()));
  /** A new link: over TCP beside the others; a serial port opens once, so there the old link is closed first. */
  const fresh = async () => {
    if (tcp) return open();
    await main?.close();
    main = undefined;
    return session();
  };

  const scenario = async (name: string, meaning: string, work: () => Promise<string>) => {
    options.onScenario?.(name);
    try {
      results.push({ name, ok: true, detail: await work(), meaning: '' });
    } catch (err) {
      const detail = err instanceof ScenarioFailure ? err.message : `error: ${(err as Error).message}`;
      results.push({ name, ok: false, detail, meaning });
    }
  };
  const fail = (detail: string): never => {
    throw new ScenarioFailure(detail);
  };

  /** A money operation that must be approved, judged as PayBridge judges it. */
  const approve = async (s: Session, op: 'purchase' | 'refund', amount: number, rrn?: string, id?: string): Promise<Approved> => {
    const sent = request(op, { amount, ...(rrn !== undefined ? { rrn } : {}) }, id);
    const reply = await s.send(sent, options.answerTimeoutMs);
    if (reply.kind !== 'answer') {
      unknown(op, amount);
      return fail(`${op} of ${amount}: ${describe(reply)}`);
    }
    const verdict = operationClass(reply.message, op, amount);
    if (verdict === 'uncertain') unknown(op, amount);
    if (verdict !== 'paid') return fail(`${op} of ${amount}: ${describe(reply)} — PayBridge reads it as ${verdict}`);
    (op === 'purchase' ? ledger.purchases : ledger.returns).push(amount);
    const got = reply.message.rrn;
    if (typeof got !== 'string' || !RRN.test(got)) return fail(`${op} of ${amount} approved, but its RRN is ${JSON.stringify(got)}, not a string of 12 digits`);
    return { id: sent.id, amount, rrn: got, receipt: reply.message.receipt ?? null };
  };

  const closeShift = async (): Promise<BridgeResponse> => {
    const reply = await (await session()).send(request('close_shift'), options.answerTimeoutMs);
    if (reply.kind !== 'answer') return fail(`close_shift: ${describe(reply)}`);
    if (!isApproval(String(reply.message.code))) return fail(`close_shift: ${describe(reply)}`);
    return reply.message;
  };

  const needs = <T>(value: T | undefined, what: string): T => value ?? fail(`not run: needs ${what}, which failed`);

  /** Asks `status` until the adapter stops answering busy; bounded by the answer timeout, as the dialogue itself is. */
  const settle = async (s: Session, ref: string): Promise<{ reply: Reply; busyAnswers: number }> => {
    const deadline = Date.now() + options.answerTimeoutMs;
    let busyAnswers = 0;
    for (;;) {
      const reply = await s.send(request('status', { ref }), options.answerTimeoutMs);
      if (reply.kind !== 'answer' || reply.message.code !== '984' || Date.now() > deadline) return { reply, busyAnswers };
      busyAnswers += 1;
      await sleep(options.pollMs);
    }
  };

  /** Starts a long test dialogue and resolves once its first progress message arrived (the pinpad is busy from then on). */
  const startDialogue = async (s: Session, id: string): Promise<{ answer: Promise<Reply> }> => {
    let started!: () => void;
    const progressed = new Promise<void>((resolve) => (started = resolve));
    const answer = s.send(request('purchase', { amount: TEST_AMOUNTS.longDialogue }, id), options.answerTimeoutMs, () => started());
    const first = await Promise.race([progressed.then(() => 'progress' as const), answer]);
    if (first !== 'progress') {
      const verdict = first.kind === 'answer' ? operationClass(first.message, 'purchase', TEST_AMOUNTS.longDialogue) : 'uncertain';
      if (verdict === 'paid') ledger.purchases.push(TEST_AMOUNTS.longDialogue);
      if (verdict === 'uncertain') unknown('purchase', TEST_AMOUNTS.longDialogue);
      return fail(`purchase of ${TEST_AMOUNTS.longDialogue} (the long test dialogue) sent no progress message before its answer: ${describe(first)}`);
    }
    return { answer };
  };

  // Without a link every scenario would fail the same way and their meanings would mislead.
  try {
    await session();
  } catch (err) {
    return [{ name: 'reach the adapter', ok: false, detail: `cannot open the link: ${(err as Error).message}; nothing was run`, meaning: 'PayBridge cannot reach the adapter at all: no card payment is possible on this terminal.' }];
  }

  let pay: Approved | undefined;
  let declinedId: string | undefined;
  let partial: { purchase: Approved; refund: Approved } | undefined;

  await scenario(
    'close shift before the run',
    'PayBridge cannot close this terminal’s shift: the end-of-day reconciliation fails and the kit cannot check the totals at the end.',
    async () => {
      const m = await closeShift();
      ledger.shiftClosed = true;
      return `closed shift ${String(m.shift ?? '?')}; the kit’s operations start a new one`;
    },
  );

  await scenario('pay', 'PayBridge cannot take a card payment through this adapter.', async () => {
    pay = await approve(await session(), 'purchase', PAY_AMOUNT);
    return `purchase of ${PAY_AMOUNT} approved, RRN ${pay.rrn}`;
  });

  await scenario(
    'decline',
    'A declined card is not reported as a refusal: the cashier is told the payment is unknown (or, if the adapter approves it, the test amounts are ignored and the adapter is not in test mode).',
    async () => {
      const sent = request('purchase', { amount: TEST_AMOUNTS.decline });
      const reply = await (await session()).send(sent, options.answerTimeoutMs);
      if (reply.kind !== 'answer') {
        unknown('purchase', TEST_AMOUNTS.decline);
        return fail(`purchase of ${TEST_AMOUNTS.decline}: ${describe(reply)}`);
      }
      const verdict = operationClass(reply.message, 'purchase', TEST_AMOUNTS.decline);
      if (verdict === 'paid') ledger.purchases.push(TEST_AMOUNTS.decline);
      if (verdict === 'uncertain') unknown('purchase', TEST_AMOUNTS.decline);
      if (verdict !== 'declined' || reply.message.code === '984') {
        return fail(`purchase of ${TEST_AMOUNTS.decline}: ${describe(reply)} — PayBridge reads it as ${verdict}; expected a refusal such as 116`);
      }
      declinedId = sent.id;
      return `refused with ${describeCode(String(reply.message.code))}`;
    },
  );

  await scenario('refund by RRN', 'Money cannot be given back to a customer’s card through PayBridge.', async () => {
    const paid = needs(pay, 'pay');
    const refund = await approve(await session(), 'refund', paid.amount, paid.rrn);
    return `refund of ${paid.amount} by RRN ${paid.rrn} approved, RRN ${refund.rrn}`;
  });

  await scenario(
    'partial refund',
    'Part of a payment (one returned item) cannot be given back to the card: the shop must refund everything or pay cash.',
    async () => {
      const s = await session();
      const purchase = await approve(s, 'purchase', PARTIAL_PURCHASE);
      const first = await approve(s, 'refund', PARTIAL_REFUND, purchase.rrn);
      const second = await approve(s, 'refund', PARTIAL_REFUND, purchase.rrn);
      partial = { purchase, refund: first };
      return `two refunds of ${PARTIAL_REFUND} of a ${PARTIAL_PURCHASE} purchase approved (RRNs ${first.rrn}, ${second.rrn})`;
    },
  );

  await scenario(
    'status of a known id',
    'After a lost answer (a cable pulled, a restart) PayBridge cannot learn what the terminal did: the payment stays unknown until someone settles it by hand — or, if the adapter claims it never happened, a charged customer is told nothing was charged.',
    async () => {
      const paid = needs(pay, 'pay');
      // A new link, as PayBridge has after a reconnect: answers must outlive the connection that asked.
      const s = await fresh();
      const purchase = await s.send(request('status', { ref: paid.id }), options.answerTimeoutMs);
      if (statusClass(purchase, 'purchase', paid.amount, paid.rrn) !== 'paid') return fail(`status of the paid purchase (new connection): ${describe(purchase)}`);
      const checked = [`purchase ${paid.rrn} approved`];
      if (declinedId) {
        const declined = await s.send(request('status', { ref: declinedId }), options.answerTimeoutMs);
        if (statusClass(declined, 'purchase', TEST_AMOUNTS.decline) !== 'declined') return fail(`status of the declined purchase: ${describe(declined)}; expected its refusal again`);
        checked.push(`declined purchase ${describeCode(String((declined as { message: BridgeResponse }).message.code))}`);
      }
      if (partial) {
        const refund = await s.send(request('status', { ref: partial.refund.id }), options.answerTimeoutMs);
        if (statusClass(refund, 'refund', PARTIAL_REFUND, partial.refund.rrn) !== 'paid') return fail(`status of the partial refund: ${describe(refund)}`);
        checked.push(`refund ${partial.refund.rrn} approved`);
      }
      return `on a new connection: ${checked.join('; ')}`;
    },
  );

  await scenario(
    'status of an unknown id',
    'When a request never reached the terminal, PayBridge cannot prove that nothing was charged: the payment stays unknown and the cashier may not simply take it again.',
    async () => {
      const s = await session();
      const ref = newId('never-sent');
      for (const attempt of ['first', 'second']) {
        const reply = await s.send(request('status', { ref }), options.answerTimeoutMs);
        if (reply.kind !== 'answer' || reply.message.code !== '202') {
          const approved = reply.kind === 'answer' && isApproval(String(reply.message.code), 'cancel');
          return fail(`${attempt} status of an id never sent: ${describe(reply)}; expected 202${approved ? ' — it claims an operation that never happened' : ''}`);
        }
      }
      return 'answered 202, twice';
    },
  );

  await scenario('duplicate request id', 'A request repeated after a lost answer can charge the customer twice.', async () => {
    const paid = needs(pay, 'pay');
    const reply = await (await session()).send(request('purchase', { amount: paid.amount }, paid.id), options.answerTimeoutMs);
    if (reply.kind !== 'answer') return fail(`the purchase sent again with its id: ${describe(reply)}`);
    const m = reply.message;
    if (m.rrn !== paid.rrn || (m.receipt ?? null) !== paid.receipt) {
      const chargedAgain = !!m.rrn && m.rrn !== paid.rrn && operationClass(m, 'purchase', paid.amount) === 'paid';
      if (chargedAgain) ledger.purchases.push(paid.amount);
      return fail(`the purchase sent again with its id answered ${describe(reply)}${m.receipt != null ? `, receipt ${m.receipt}` : ''}; the first answer was RRN ${paid.rrn}, receipt ${String(paid.receipt)}${chargedAgain ? ' — it charged again' : ''}`);
    }
    return `the first answer again (RRN ${paid.rrn}), nothing charged`;
  });

  await scenario(
    'busy during an operation',
    'While a customer is at the pinpad the adapter lets another request through or answers it with something other than busy (984): a second payment could start, or PayBridge could misread a payment in progress as one that never happened.',
    async () => {
      const s = await session();
      const dialogueId = newId('dialogue');
      let finished = false;
      const answer = (await startDialogue(s, dialogueId)).answer.then((r) => {
        finished = true;
        return r;
      });
      // TCP: a second connection, as another PayBridge or a console would open; serial has only the one link.
      const probe = tcp ? await open() : s;
      const problems: string[] = [];
      const other = request('purchase', { amount: BUSY_PROBE_AMOUNT });
      const otherReply = await probe.send(other, options.answerTimeoutMs);
      if (otherReply.kind !== 'answer' || otherReply.message.code !== '984') {
        const verdict = otherReply.kind === 'answer' ? operationClass(otherReply.message, 'purchase', BUSY_PROBE_AMOUNT) : 'uncertain';
        if (verdict === 'paid') ledger.purchases.push(BUSY_PROBE_AMOUNT);
        if (verdict === 'uncertain') unknown('purchase', BUSY_PROBE_AMOUNT);
        problems.push(`another purchase meanwhile: ${describe(otherReply)}, expected 984`);
      }
      const statusReply = await probe.send(request('status', { ref: dialogueId }), options.answerTimeoutMs);
      const settledBefore = finished;
      if (statusReply.kind !== 'answer' || statusReply.message.code !== '984') {
        // Once the dialogue has ended the adapter may answer with its result; before, only busy is right.
        const lateButTrue = settledBefore && statusClass(statusReply, 'purchase', TEST_AMOUNTS.longDialogue) === 'paid';
        if (!lateButTrue) problems.push(`status of the running purchase: ${describe(statusReply)}, expected 984`);
      }
      const final = await answer;
      if (final.kind !== 'answer' || operationClass(final.message, 'purchase', TEST_AMOUNTS.longDialogue) !== 'paid') {
        if (final.kind !== 'answer' || operationClass(final.message, 'purchase', TEST_AMOUNTS.longDialogue) === 'uncertain') unknown('purchase', TEST_AMOUNTS.longDialogue);
        problems.push(`the long test dialogue itself: ${describe(final)}, expected an approval`);
      } else ledger.purchases.push(TEST_AMOUNTS.longDialogue);
      const after = await settle(probe, other.id);
      if (otherReply.kind === 'answer' && otherReply.message.code === '984' && (after.reply.kind !== 'answer' || after.reply.message.code !== '202')) {
        problems.push(`status of the purchase refused as busy, afterwards: ${describe(after.reply)}, expected 202 (never performed)`);
      }
      if (problems.length > 0) return fail(problems.join('; '));
      return 'another purchase and the running purchase’s status answered 984; the refused purchase was never performed';
    },
  );

  await scenario(
    'dropped connection mid-operation',
    'When the link drops while a customer pays, PayBridge cannot settle the payment by asking: it stays unknown — or, if the adapter says it never happened, a charged customer is told nothing was charged.',
    async () => {
      const s = await fresh();
      const id = newId('dropped');
      const { answer } = await startDialogue(s, id);
      await s.close();
      await answer;
      const asker = await fresh();
      const { reply, busyAnswers } = await settle(asker, id);
      if (statusClass(reply, 'purchase', TEST_AMOUNTS.longDialogue) !== 'paid') {
        unknown('purchase', TEST_AMOUNTS.longDialogue);
        return fail(`after the drop, status of the purchase: ${describe(reply)} (after ${busyAnswers} busy answers); expected its approval`);
      }
      ledger.purchases.push(TEST_AMOUNTS.longDialogue);
      return `status answered busy ${busyAnswers} time(s), then the approval (RRN ${String((reply as { message: BridgeResponse }).message.rrn)})`;
    },
  );

  /** Totals an adapter reports (close_shift, x_report) against what the kit did since it closed the shift. */
  const againstLedger = (t: NonNullable<BridgeResponse['totals']>): string => {
    const sum = (list: number[]) => list.reduce((a, b) => a + b, 0);
    const expected = { purchase_count: ledger.purchases.length, purchase_amount: sum(ledger.purchases), return_count: ledger.returns.length, return_amount: sum(ledger.returns) };
    // An operation whose outcome the kit never learnt was reported where it happened; here it may count or not.
    const fits = (count: number, amount: number, known: number, knownAmount: number, unknowns: number[]) =>
      subsetTotals(unknowns).some((u) => count === known + u.count && amount === knownAmount + u.amount);
    const purchasesFit = fits(t.purchase_count, t.purchase_amount, expected.purchase_count, expected.purchase_amount, ledger.unknownPurchases);
    const returnsFit = fits(t.return_count, t.return_amount, expected.return_count, expected.return_amount, ledger.unknownReturns);
    const unsure = ledger.unknownPurchases.length + ledger.unknownReturns.length;
    const also = unsure > 0 ? ` (and ${unsure} operation(s) whose outcome the kit could not learn, which may count or not)` : '';
    if (!purchasesFit || !returnsFit) {
      const differing = (Object.keys(expected) as (keyof typeof expected)[]).filter((k) => t[k] !== expected[k]);
      return fail(`totals ${differing.map((k) => `${k} ${String(t[k])}, the kit made ${expected[k]}`).join('; ')}${also}`);
    }
    return `totals match the kit’s operations: ${t.purchase_count} purchases (${t.purchase_amount}), ${t.return_count} returns (${t.return_amount})${also}`;
  };

  // Optional in version 1: an adapter without it must say so (902) rather than stay silent, since
  // PayBridge would wait the whole answer timeout with the terminal's queue held.
  await scenario(
    'X-report (optional)',
    'The cashier’s X-report (xumo_shortreport / uzcard_shortreport) hangs until the answer timeout instead of being refused at once, or its totals do not match PayBridge’s journal.',
    async () => {
      const reply = await (await session()).send(request('x_report'), options.answerTimeoutMs);
      if (reply.kind !== 'answer') return fail(`x_report: ${describe(reply)}; an adapter without an X-report must answer 902`);
      const m = reply.message;
      if (m.code === '902') return 'not implemented (902): PayBridge tells the cashier this terminal has no X-report';
      if (!isApproval(String(m.code))) return fail(`x_report: ${describe(reply)}; expected an approval with the report, or 902`);
      if (!m.totals) return `approved without totals: the report is shown, nothing is compared${typeof m.slip === 'string' && m.slip ? '' : ' (and it has no slip)'}`;
      if (!ledger.shiftClosed) return fail('approved with totals, but the shift was not closed before the run, so they cannot be checked');
      return `the shift left open; ${againstLedger(m.totals)}`;
    },
  );

  await scenario(
    'close shift',
    'The end-of-day reconciliation will not match PayBridge’s journal (or cannot be checked): every shift close needs a manual check.',
    async () => {
      const m = await closeShift();
      if (!ledger.shiftClosed) return fail('closed, but the shift was not closed before the run, so its totals cannot be checked');
      const t = m.totals;
      if (!t) return fail('closed, but the answer has no totals');
      return againstLedger(t);
    },
  );

  await Promise.all(sessions.map((s) => s.close()));
  return results;
}
