import type { Logger } from 'pino';
import { Periodic } from '../lib/periodic.js';
import { SYSTEM_CLOCK, type Clock } from '../lib/clock.js';
import { HeldClaim } from './live-claim.js';
import type { ClaimHeld, Fence, Journal } from './ports/journal.js';
import type { TerminalAnswer, TerminalDriver } from './ports/terminal.js';
import { isApproval } from './terminal-evidence.js';
import type { ShiftClose } from './transaction.js';

/** What is known of a shift close that was handed to the terminal. */
export type CloseFinding =
  /** The terminal's answer to the close: given to it, or repeated by its `status` of the close's request id. */
  | { kind: 'answered'; answer: TerminalAnswer }
  /** Provably never reached the terminal: no shift was closed. */
  | { kind: 'not_sent'; why: string }
  /** It may or may not have closed the shift. */
  | { kind: 'unknown'; why: string };

/** What the journal keeps, and the till and operator read, of a close nobody can tell about. */
export const CLOSE_UNKNOWN_HINT = 'the shift may or may not be closed; print the last report to see';

/**
 * Asks the terminal what became of close `id`, in the caller's turn at it. Only a terminal that
 * answers about one request by its id (the bridge protocol's `status`) can tell; one that can only
 * show its last slip (Arcus2) cannot tie a report to this close. An approval is the close's own
 * answer repeated; "never started" (202) is believed when said twice; anything else tells nothing.
 */
export async function askAboutClose(driver: TerminalDriver, id: string): Promise<CloseFinding> {
  if (!driver.exactStatus) return { kind: 'unknown', why: `this terminal cannot be asked about one request (it shows only its last slip), so ${CLOSE_UNKNOWN_HINT}` };
  const once = () => driver.status({ requestId: id }).catch((err: unknown) => (err instanceof Error ? err : new Error(String(err))));
  let status = await once();
  if (status === 'not_found') status = await once();
  if (status === 'not_found') return { kind: 'not_sent', why: 'the terminal has no record of this close (asked twice): it never started it, and no shift was closed' };
  if (status instanceof Error) return { kind: 'unknown', why: `the terminal could not be asked about it (${status.message}), so ${CLOSE_UNKNOWN_HINT}` };
  // An answer about a payment, a cancel or a refund is not this close's, whatever its code.
  if (isApproval(status.code) && !status.operation) return { kind: 'answered', answer: status };
  return { kind: 'unknown', why: `asked about it, the terminal answered ${status.code}, which does not say, so ${CLOSE_UNKNOWN_HINT}` };
}

/** The claims of shift closes in the shape HeldClaim renews and lets go of. */
export function closeClaims(journal: Journal) {
  return {
    renewClaim: (id: string, fence: Fence, leaseMs: number) => journal.renewShiftCloseClaim(id, fence, leaseMs),
    releaseClaim: (id: string, fence: Fence) => journal.releaseShiftCloseClaim(id, fence),
  };
}

/** Settles one close its caller holds: asks the terminal where it can, and writes what it learnt under the claim. */
export interface CloseSettler {
  settleLeftClose(close: ShiftClose, claim: HeldClaim): Promise<ShiftClose>;
}

export interface ShiftCloseRecoveryOptions {
  intervalMs: number;
  /** This PayBridge, as the holder of the closes it claims for settling. */
  owner: string;
  /** How long such a claim lasts (journal's clock), renewed while the terminal is asked. */
  claimMs: number;
  clock?: Clock;
}

/**
 * No shift close stays `sent`: one whose PayBridge died before the terminal's answer was written
 * (its claim lapsed on the journal's clock, or a restart let it go), or whose writer gave up on it,
 * is claimed with a new epoch, read again under that claim, and settled — by the terminal's own
 * answer where it can be asked about the close's request id, otherwise as `unknown` ("the shift may
 * or may not be closed; print the last report to see"), which GET /payment/attention lists.
 */
export class ShiftCloseRecovery {
  private readonly periodic: Periodic<number>;
  private readonly clock: Clock;

  constructor(
    private readonly journal: Journal,
    private readonly settler: CloseSettler,
    private readonly log: Logger,
    private readonly options: ShiftCloseRecoveryOptions,
  ) {
    this.clock = options.clock ?? SYSTEM_CLOCK;
    this.periodic = new Periodic(options.intervalMs, () => this.settleAll(), (err) => this.log.error({ err }, 'shift close recovery pass failed'), this.clock);
  }

  /** One pass (or the one under way); resolves to how many closes it settled. */
  recoverOnce(): Promise<number> {
    return this.periodic.runOnce();
  }

  private async settleAll(): Promise<number> {
    let settled = 0;
    for (const listed of await this.journal.listUnsettledShiftCloses(50, this.options.owner)) {
      const attempt = await this.journal.claimShiftClose(listed.id, this.options.owner, this.options.claimMs, { retakeOwn: true });
      if (!attempt.taken) continue;
      const claim = this.hold(listed.id, attempt.claim);
      try {
        // Read again under the claim (the list may be stale): only a close still `sent` is settled here.
        if (attempt.close.state !== 'sent') continue;
        const after = await this.settler.settleLeftClose(attempt.close, claim);
        settled++;
        this.log.warn({ close_id: after.id, terminal: after.terminal, state: after.state, reason: after.reason }, 'settled a shift close its PayBridge left unanswered');
      } catch (err) {
        this.log.warn({ err, close_id: listed.id }, 'could not settle a shift close left unanswered yet');
      } finally {
        await claim.release();
      }
    }
    return settled;
  }

  private hold(id: string, claim: ClaimHeld): HeldClaim {
    const fence = { owner: claim.owner, epoch: claim.epoch };
    return new HeldClaim(closeClaims(this.journal), id, fence, this.options.claimMs, this.clock, (err) => this.log.warn({ err, close_id: id }, 'could not renew or release a shift close’s claim')).start();
  }

  start(): void {
    this.periodic.start({ now: true });
  }

  stop(): Promise<void> {
    return this.periodic.stop();
  }
}
