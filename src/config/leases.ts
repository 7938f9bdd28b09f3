import { Value } from '../lib/typebox.js';
import { BridgeConfigSchema, ClickConfigSchema, PaymeConfigSchema, UzumConfigSchema, type Config } from './schema.js';

/**
 * Leases against the work they must outlive. An operation is claimed by the PayBridge executing it, and
 * the claim must last longer than the operation can: a claim that lapses mid-work lets another
 * PayBridge on the same journal take the same transaction up at the same time. This module computes,
 * from a configuration alone, how long each kind of work can take at most, and lists every lease that
 * is too short (checked by loadConfig, which refuses such a configuration).
 *
 * The bounds are conservative: each is the sum of the timeouts and deadlines of every step the code
 * may take on its longest path (the flows named in each formula), never an estimate of the usual
 * case. Not counted: the journal's own writes between the steps (local SQLite commits, or PostgreSQL
 * statements, which no setting bounds): a lease just over its bound has no room for them, which is why
 * the defaults keep a wide margin.
 *
 * A QR give-back (one cancel call, C below; Payme's answered "queued for cancellation" (21) and then
 * followed with receipts.check until 50 or D: C + D + P + C) and its settling by recovery (two status
 * questions a poll interval apart, 2C + P) are shorter than a charge and a charge's recovery of the same
 * provider, so the bounds of the charges cover them.
 */

/** One setting's share of a bound: `times` × the setting's `value`. */
export interface Term {
  /** The setting's dotted key, or what a fixed value stands for. */
  setting: string;
  value: number;
  times: number;
}

/** The longest some work can take, and the settings it follows from. */
export interface Bound {
  /** What the work is, for the messages ("a CLICK charge", "a card operation on uzcard-1"). */
  what: string;
  ms: number;
  terms: Term[];
}

/** The bounds the leases are checked against, each the longest over the configured providers and terminals. */
export interface OperationBounds {
  /** One QR charge, from the first call to the provider to the outcome. */
  qrCharge: Bound | undefined;
  /** One QR payment settled by recovery (never charged again: status questions only). */
  qrSettle: Bound | undefined;
  /** One card operation (purchase, cancel, refund), its wait for the terminal included. */
  cardOperation: Bound | undefined;
  /** One card operation settled by recovery. */
  cardSettle: Bound | undefined;
  /** The longest of qrCharge and cardOperation: what a request does under an idempotency key. */
  operation: Bound | undefined;
  /** The longest of qrSettle and cardSettle: what a recovery claim must outlive. */
  settle: Bound | undefined;
}

/** A setting that is not a number (the schema has already said so) leaves the bound it enters unknown. */
class NotANumber extends Error {}

function term(times: number, setting: string, value: unknown): Term {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new NotANumber(setting);
  return { setting, value, times };
}

/** Adds terms up, those of one setting into one. */
function bound(what: string, ...parts: (Term | Term[])[]): Bound {
  const terms: Term[] = [];
  for (const t of parts.flat()) {
    const same = terms.find((o) => o.setting === t.setting && o.value === t.value);
    if (same) same.times += t.times;
    else terms.push({ ...t });
  }
  return { what, ms: terms.reduce((sum, t) => sum + t.times * t.value, 0), terms };
}

const times = (k: number, terms: Term[]): Term[] => terms.map((t) => ({ ...t, times: t.times * k }));

/** The longest of several bounds (the first of equals). */
function longest(...bounds: (Bound | undefined)[]): Bound | undefined {
  return bounds.reduce<Bound | undefined>((a, b) => (b && (!a || b.ms > a.ms) ? b : a), undefined);
}

/** A bound whose settings are not all numbers is unknown rather than wrong. */
function known(make: () => Bound): Bound | undefined {
  try {
    return make();
  } catch (err) {
    if (err instanceof NotANumber) return undefined;
    throw err;
  }
}

/** "275000 ms, a Payme recovery without a receipt id: 11 × payme.timeouts.connect_ms (5000) + 22 × payme.timeouts.response_ms (10000)" */
export function describeBound(b: Bound): string {
  const terms = b.terms.map((t) => `${t.times === 1 ? '' : `${t.times} × `}${t.setting} (${t.value})`);
  return `${b.ms} ms, ${b.what}: ${terms.join(' + ')}`;
}

// ---- QR providers -------------------------------------------------------------------------------

type QrName = 'click' | 'payme' | 'uzum';

/** The QR providers PayBridge runs with this configuration: in sandbox mode both (src/app.ts sandboxProviders), with the file's timings over the defaults. */
function qrProviders(config: Config): { name: QrName; section: Record<string, unknown> }[] {
  const out: { name: QrName; section: Record<string, unknown> }[] = [];
  for (const [name, schema] of [
    ['click', ClickConfigSchema],
    ['payme', PaymeConfigSchema],
    ['uzum', UzumConfigSchema],
  ] as const) {
    const given = (config as Record<string, unknown>)[name];
    if (config.mode !== 'sandbox' && (given === undefined || given === null)) continue;
    if (given !== undefined && (typeof given !== 'object' || given === null)) continue;
    out.push({ name, section: Value.Default(schema, structuredClone(given ?? {})) as Record<string, unknown> });
  }
  return out;
}

/**
 * One HTTP call to a provider (src/providers/http-transport.ts): the whole exchange is aborted after
 * connect_ms + 2 × response_ms (the agent's own connect, header and body timeouts can only end it
 * sooner), and a call is never retried.
 */
function call(p: QrName, section: Record<string, unknown>): Term[] {
  const timeouts = (section.timeouts ?? {}) as Record<string, unknown>;
  return [term(1, `${p}.timeouts.connect_ms`, timeouts.connect_ms), term(2, `${p}.timeouts.response_ms`, timeouts.response_ms)];
}

/** A status loop asks until status_deadline_ms has passed: its last round starts up to a poll interval after the deadline. */
function deadlineAndPoll(p: QrName, section: Record<string, unknown>, k = 1): Term[] {
  return [term(k, `${p}.status_deadline_ms`, section.status_deadline_ms), term(k, `${p}.poll_interval_ms`, section.poll_interval_ms)];
}

/**
 * Click Pass (src/providers/click/click-pass.ts), with D = status_deadline_ms, P = poll_interval_ms
 * and C = one call:
 *  - pollUntilFinal (payment/status until final): ≤ D + P + C — it checks the deadline, pauses P and
 *    asks once more, so its last question starts before D + P;
 *  - findByOurId (a lost answer: status_by_mti for our transaction id): rounds of up to three calls
 *    (one per candidate day: the Tashkent and the UTC date, and near midnight the day on the other
 *    side of it) and a pause, the last round starting before D + P, and a payment found there is then
 *    followed by pollUntilFinal with a deadline of its own: ≤ (D + P + 3C) + (D + P + C) = 2D + 2P + 4C;
 *    not_found_after_ms only decides what a "not found" proves, never how long the asking lasts;
 *  - charge: click_pass/payment (C), then either payment/confirm (C) and pollUntilFinal — 3C + D + P —
 *    or, the answer lost, findByOurId: C + 2D + 2P + 4C = 2D + 2P + 5C, the longer;
 *  - recovery: pollUntilFinal with a journaled payment id, else findByOurId: 2D + 2P + 4C.
 */
function clickBounds(section: Record<string, unknown>): { charge: Bound | undefined; settle: Bound | undefined } {
  return {
    charge: known(() => bound('a CLICK charge', deadlineAndPoll('click', section, 2), times(5, call('click', section)))),
    settle: known(() => bound('a CLICK recovery', deadlineAndPoll('click', section, 2), times(4, call('click', section)))),
  };
}

/**
 * Payme Go (src/providers/payme/payme-go.ts), with D, P and C as for CLICK:
 *  - settle (receipts.check until paid or provably unpaid): each round is at most two calls (the check,
 *    then receipts.get of a paid receipt or receipts.cancel of a provably unpaid one), the last round
 *    starting before D + P: ≤ D + P + 2C;
 *  - settleOrphans (a receipt whose id was never learnt): up to 10 pages of receipts.get_all (offset
 *    < 500, 50 a page), one receipts.cancel (only receipts.create, sent once, can have made a receipt
 *    with this transaction id), and a receipt queued for cancellation (21) followed with receipts.check
 *    until 50, each round a pause and a check until D: ≤ 11C + D + P + C = D + P + 12C;
 *  - charge: receipts.create (C), then either settleOrphans (no receipt id: D + P + 13C in all) or
 *    receipts.pay (C) and settle: 2C + D + P + 2C = D + P + 4C; the longer of the two;
 *  - recovery: settleOrphans without a journaled receipt id, else settle: the longer of D + P + 12C and D + P + 2C.
 */
function paymeBounds(section: Record<string, unknown>): { charge: Bound | undefined; settle: Bound | undefined } {
  return {
    charge: longest(
      known(() => bound('a Payme charge whose receipt id was lost', deadlineAndPoll('payme', section), times(13, call('payme', section)))),
      known(() => bound('a Payme charge', deadlineAndPoll('payme', section), times(4, call('payme', section)))),
    ),
    settle: longest(
      known(() => bound('a Payme recovery without a receipt id', deadlineAndPoll('payme', section), times(12, call('payme', section)))),
      known(() => bound('a Payme recovery', deadlineAndPoll('payme', section), times(2, call('payme', section)))),
    ),
  };
}

// ---- card terminals -----------------------------------------------------------------------------

/** The connect timeout the sandbox's emulated UzCard terminal gets (BridgeConfigSchema's default, see src/sandbox/start.ts). */
const SANDBOX_BRIDGE_CONNECT_MS = (BridgeConfigSchema.properties.connect_timeout_ms as { default: number }).default;

/**
 * One exchange with a terminal, the longest it may take:
 *  - Arcus2 (src/terminals/humo/arcus2-driver.ts): the command-line tool is killed after timeout_ms;
 *  - arccom (src/terminals/arccom/arccom-driver.ts): starting the helper when it is not running
 *    (start_timeout_ms), then operation_timeout_ms for the answer; a call refused because an abandoned
 *    one still runs takes no time;
 *  - the bridge protocol (src/terminals/bridge/bridge-driver.ts): opening the link when it is down
 *    (connect_timeout_ms), then answer_timeout_ms for the final answer. A progress message restarts
 *    the answer timer (the customer is at the pinpad), so a terminal that keeps sending them can take
 *    longer than any setting says; a status question, all recovery sends, is answered without them.
 * In sandbox mode without configured terminals the emulated pair of src/sandbox/start.ts
 * (sandboxTerminals) is used: Arcus2 with timeout_ms = sandbox.terminal_timeout_ms, and a bridge
 * terminal with that answer timeout and the default connect timeout.
 */
function terminalExchanges(config: Config): { id: string; exchange: () => Term[] }[] {
  const devices = Array.isArray(config.terminals?.devices) ? config.terminals.devices : [];
  if (config.mode === 'sandbox' && devices.length === 0) {
    const timeout = config.sandbox?.terminal_timeout_ms;
    return [
      { id: 'humo-sandbox', exchange: () => [term(1, 'sandbox.terminal_timeout_ms', timeout)] },
      { id: 'uzcard-sandbox', exchange: () => [term(1, 'the sandbox bridge terminal’s connect timeout', SANDBOX_BRIDGE_CONNECT_MS), term(1, 'sandbox.terminal_timeout_ms', timeout)] },
    ];
  }
  return devices.flatMap((t, i) => {
    const key = `terminals.devices.${i}`;
    if (t?.driver === 'arcus2' && t.arcus2) return [{ id: String(t.id), exchange: () => [term(1, `${key}.arcus2.timeout_ms`, t.arcus2!.timeout_ms)] }];
    if (t?.driver === 'arccom' && t.arccom) {
      const c = t.arccom;
      return [{ id: String(t.id), exchange: () => [term(1, `${key}.arccom.start_timeout_ms`, c.start_timeout_ms), term(1, `${key}.arccom.operation_timeout_ms`, c.operation_timeout_ms)] }];
    }
    if (t?.driver === 'bridge' && t.bridge) {
      const b = t.bridge;
      return [{ id: String(t.id), exchange: () => [term(1, `${key}.bridge.connect_timeout_ms`, b.connect_timeout_ms), term(1, `${key}.bridge.answer_timeout_ms`, b.answer_timeout_ms)] }];
    }
    return []; // a terminal without its driver's section: loadConfig reports it
  });
}

/**
 * Card operations (src/payments/card-payment-service.ts, src/terminals/terminal-queue.ts), with
 * Q = terminals.queue_wait_ms and E = one exchange with the terminal:
 *  - an operation waits its turn at the terminal (at most Q, then 984 without touching the terminal),
 *    runs (E), and when its answer is lost asks the terminal in the same turn up to twice (a bridge
 *    terminal's "not found" is asked again; Arcus2's print-last once): ≤ Q + 3E;
 *  - recovery waits its turn too and asks up to twice: ≤ Q + 2E.
 */
function cardBounds(config: Config, id: string, exchange: () => Term[]): { operation: Bound | undefined; settle: Bound | undefined } {
  const queue = () => term(1, 'terminals.queue_wait_ms', config.terminals?.queue_wait_ms);
  return {
    operation: known(() => bound(`a card operation on ${id}`, queue(), times(3, exchange()))),
    settle: known(() => bound(`a card recovery on ${id}`, queue(), times(2, exchange()))),
  };
}

/**
 * Uzum Fast Pay (src/providers/uzum/fast-pay.ts), with D, P and C as for CLICK:
 *  - charge: v2/payment (C); without a payment_id the same request again, each round a pause P and a
 *    call C, the last round starting before D; then payment/status until D has passed (one more call
 *    at least): ≤ C + D + P + C + C = D + P + 3C;
 *  - recovery: payment/status until D has passed, the last round starting before D + P: ≤ D + P + 2C
 *    (nothing is asked without a journaled payment_id).
 */
function uzumBounds(section: Record<string, unknown>): { charge: Bound | undefined; settle: Bound | undefined } {
  return {
    charge: known(() => bound('an Uzum charge', deadlineAndPoll('uzum', section), times(3, call('uzum', section)))),
    settle: known(() => bound('an Uzum recovery', deadlineAndPoll('uzum', section), times(2, call('uzum', section)))),
  };
}

/** The longest each kind of work can take with this configuration (see the formulas above). */
export function operationBounds(config: Config): OperationBounds {
  const qr = qrProviders(config).map(({ name, section }) => (name === 'click' ? clickBounds(section) : name === 'payme' ? paymeBounds(section) : uzumBounds(section)));
  const cards = terminalExchanges(config).map(({ id, exchange }) => cardBounds(config, id, exchange));
  const qrCharge = longest(...qr.map((b) => b.charge));
  const qrSettle = longest(...qr.map((b) => b.settle));
  const cardOperation = longest(...cards.map((b) => b.operation));
  const cardSettle = longest(...cards.map((b) => b.settle));
  return { qrCharge, qrSettle, cardOperation, cardSettle, operation: longest(qrCharge, cardOperation), settle: longest(qrSettle, cardSettle) };
}

/** The longest settle of one transaction by recovery (0 with neither a provider nor a terminal): what RecoveryOptions.settleMs is. */
export function longestSettleMs(config: Config): number {
  return operationBounds(config).settle?.ms ?? 0;
}

/**
 * How often a request renews its live claim (src/payments/live-claim.ts, LiveClaims.hold): a third of
 * the lease, and never more often than every 20 ms.
 */
export function liveClaimRenewalMs(leaseMs: number): number {
  return Math.max(20, Math.floor(leaseMs / 3));
}

/** The shortest recovery.grace_ms whose live claim lasts three renewal periods (see leaseProblems). */
export const MIN_LIVE_LEASE_MS = 3 * liveClaimRenewalMs(0);

const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/**
 * Every lease of this configuration that is shorter than the work it must outlive, each naming the
 * settings involved. The rules:
 *
 * 1. recovery.claim_ms > the longest settle of one transaction. A recovery pass claims its transactions
 *    for claim_ms and settles them one after another; it renews the claim before each settle that
 *    would not fit in what is left of it (src/payments/recovery.ts), so one settle, never the whole
 *    pass, has to fit in a claim.
 *
 * 2. recovery.grace_ms ≥ 60. It is also the lease of the claim a request holds on the transaction it
 *    is making, renewed every max(20 ms, grace_ms / 3): a lease of at least three renewal periods
 *    survives two renewals that are late or fail. The renewal keeps the claim however long the
 *    request takes, so grace_ms need not outlast the operation itself; below 60 ms the 20 ms floor
 *    makes the lease shorter than three periods, and at 20 ms or less it lapses before the first
 *    renewal. (The time a renewal's journal write takes is not bounded by any setting — with
 *    PostgreSQL it may wait up to journal.connect_timeout_ms for a connection — so keep grace_ms well
 *    above that in a chain; the default, 120 s, is.)
 *
 * 3. idempotency.key_ttl_ms > 2 × idempotency.wait_ms + 2 × the longest operation. A key is claimed
 *    when its request arrives and purged key_ttl_ms later, whatever its state: it must outlive its
 *    request and every retry waiting on it. The request may first wait for one request ahead of it on
 *    a lock it needs (a QR charge waits for one with the same QR code and amount), then make its
 *    operation, or, a QR retry of a charge another PayBridge is making, wait up to wait_ms for it;
 *    a retry arriving just before the end waits up to wait_ms more. A request queued behind several
 *    others on one lock can take longer still: no setting bounds how many there are.
 *
 * idempotency.wait_ms on its own bounds nothing that must be outlived: it is how long a retry waits
 * before it is answered "in progress" (the till asks again), and it enters rule 3.
 */
export function leaseProblems(config: Config): string[] {
  const problems: string[] = [];
  const bounds = operationBounds(config);
  const recovery = (config.recovery ?? {}) as Partial<Config['recovery']>;
  const idempotency = (config.idempotency ?? {}) as Partial<Config['idempotency']>;

  const claim = recovery.claim_ms;
  if (bounds.settle && isNumber(claim) && !(claim > bounds.settle.ms)) {
    problems.push(
      `recovery.claim_ms (${claim}) must exceed the longest settle of one transaction (${describeBound(bounds.settle)}): a recovery claim that lapses mid-settle lets another PayBridge settle the same transaction at the same time. Raise recovery.claim_ms or lower those settings`,
    );
  }

  const grace = recovery.grace_ms;
  if (isNumber(grace) && !(grace >= 3 * liveClaimRenewalMs(grace))) {
    problems.push(
      `recovery.grace_ms (${grace}) must be at least ${MIN_LIVE_LEASE_MS}: it is also the lease of a request's claim on the transaction it is making, renewed every max(20 ms, recovery.grace_ms / 3) (here every ${liveClaimRenewalMs(grace)} ms), and must last three renewal periods so that a late renewal does not lose it`,
    );
  }

  const ttl = idempotency.key_ttl_ms;
  const wait = idempotency.wait_ms;
  if (bounds.operation && isNumber(ttl) && isNumber(wait)) {
    const needed = 2 * wait + 2 * bounds.operation.ms;
    if (!(ttl > needed)) {
      problems.push(
        `idempotency.key_ttl_ms (${ttl}) must exceed 2 × idempotency.wait_ms (${wait}) + 2 × the longest operation (${describeBound(bounds.operation)}), ${needed} ms in all: a key purged while its request or a retry waiting on it is still running lets the operation be made again`,
      );
    }
  }
  return problems;
}
