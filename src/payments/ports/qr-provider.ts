import type { FiscalReceipt, QrPaymentMethod } from '../transaction.js';
import type { WalletRecords } from '../wallet-records.js';

export type { FiscalReceipt };

/** Throws when the operation's claim is gone: called before every request that changes something. */
export type SendGuard = () => Promise<void>;
export const NO_GUARD: SendGuard = async () => {};

export interface ChargeRequest {
  /** Our transaction id (UUID v4), already in the journal. */
  transactionId: string;
  /** Integer tiyin. */
  amount: number;
  /** The one-time code scanned from the customer's phone. */
  qrCode: string;
  createdAt: number;
  /** What `prepareCharge` did for this charge, journaled with its first step. */
  prepared?: PreparedCharge | undefined;
}

/**
 * What a provider did before a charge was journaled, moving no money (CLICK's confirmation mode
 * switched on for the service), in words the journal keeps: it goes into the charge's first step
 * (`received`, as `prepared`), so that the charge leaves after that one durable write, and recovery
 * reads it there.
 */
export type PreparedCharge = Record<string, unknown>;

export interface RecoverRequest {
  transactionId: string;
  amount: number;
  createdAt: number;
  /**
   * When the charge was sent, at the latest, as far as the journal knows: its last step (the send
   * follows the journal write it comes after by a moment).
   */
  sentAt: number;
  /** What the journal already knows of the provider's id for it. */
  providerPaymentId: string | null;
  /**
   * The journal's steps of the payment, oldest first: a provider that journals a step just before its
   * request leaves (Uzum's `sending_to_uzum`) proves by its absence that nothing was sent.
   */
  steps?: readonly string[] | undefined;
  /** What `prepareCharge` did before the charge, as journaled with its first step. */
  prepared?: PreparedCharge | undefined;
}

/**
 * A fact learnt midway through a charge. The payment service writes it to the journal before the
 * provider client takes its next step, so a crash at any point leaves enough to recover from.
 */
export interface ChargeProgress {
  step: string;
  providerPaymentId?: string;
  /** Set when the outcome has become uncertain (an answer was lost or unusable). */
  uncertain?: string;
  detail?: unknown;
}

export type ChargeOutcome =
  | {
      status: 'succeeded';
      providerPaymentId: string;
      clientPhoneNumber: string | null;
      /** The provider's own success text. */
      message: string;
      detail?: unknown;
    }
  | {
      status: 'failed';
      /** The provider's code (or an HTTP/network code) and text, for `error.data`. */
      providerCode: string;
      providerText: string;
      /** A sentence for the cashier. */
      reason: string;
      detail?: unknown;
    }
  | {
      status: 'unknown';
      reason: string;
      providerPaymentId?: string;
      detail?: unknown;
    };

/** A QR-code wallet (Click Pass, Payme Go, Uzum Fast Pay) as the payment service sees it. */
export interface QrProvider extends QrProviderAfterCharge, WalletRecords {
  readonly method: QrPaymentMethod;
  /**
   * `guard` is called before every request that changes something at the provider (a charge, a
   * receipt's payment, a cancel of an unpaid receipt): it throws when the operation's claim is gone,
   * and then nothing more is sent.
   */
  charge(request: ChargeRequest, progress: (p: ChargeProgress) => Promise<void>, guard?: SendGuard): Promise<ChargeOutcome>;
  /**
   * Work that must precede a charge but moves no money, done before the charge is journaled so that
   * its evidence rides in the same write (see PreparedCharge). Called at most once per charge; a
   * provider without such work has no prepareCharge.
   */
  prepareCharge?(): Promise<PreparedCharge>;
  /**
   * Finds out how a payment started earlier ended (PayBridge stopped before it learnt it). Never
   * charges: it only asks, and cancels what must not be paid any more — under `guard`.
   */
  recover(request: RecoverRequest, progress: (p: ChargeProgress) => Promise<void>, guard?: SendGuard): Promise<ChargeOutcome>;
  close(): Promise<void>;
}

export interface CancelRequest {
  providerPaymentId: string;
  /** Our id of the payment given back: the order id of providers that cancel by it (Uzum). */
  transactionId: string;
  /** Tiyin to give back now. */
  amount: number;
  /** True when less than what is still paid is given back. */
  partial: boolean;
}

export type CancelOutcome =
  | { status: 'cancelled'; detail?: unknown }
  | { status: 'refused'; providerCode: string; providerText: string; reason: string; detail?: unknown }
  | { status: 'unknown'; reason: string };

export interface FiscalSubmission {
  /**
   * An earlier attempt of this very receipt may have reached the provider (its answer was lost, or
   * the PayBridge sending it stopped): where the provider documents a way to read a receipt back,
   * the adapter asks first, and sends it again only when the provider does not show it.
   */
  resubmission: boolean;
  /** Throws when the hand-off's claim is gone: called right before the receipt is sent. */
  guard?: SendGuard;
}

export type FiscalOutcome =
  /** `result` is the provider's own answer, shown to the till; `evidence` says how it is known (read back, say). */
  | { status: 'submitted'; result: unknown; evidence?: string }
  /** The provider refused this receipt: retrying the same data will not help. */
  | { status: 'refused'; providerCode: string; providerText: string }
  /**
   * Not taken: the request provably never reached the provider, or the provider answered that it could
   * not serve it now. Retry later.
   */
  | { status: 'not_taken'; error: string }
  /** It may have reached the provider and the answer was lost or unreadable: whether it holds the receipt is not known. */
  | { status: 'unknown'; error: string };

export interface GiveBackStatusRequest {
  providerPaymentId: string;
  /** Tiyin the give-back was for. */
  amount: number;
  partial: boolean;
  /** When the cancel was sent, at the latest (the journal's last step before it). */
  sentAt: number;
}

/**
 * What the provider's status says of a give-back whose answer was lost. `not_given_back` only on
 * proof: a status showing the payment still whole, asked late enough and seen twice.
 */
export type GiveBackStatus =
  | { status: 'given_back'; rule: string; detail?: unknown }
  | { status: 'not_given_back'; rule: string; reason: string; detail?: unknown }
  | { status: 'unknown'; rule: string; reason: string; detail?: unknown };

/** What a QR provider does after the charge: give money back, and take the fiscal receipt. */
export interface QrProviderAfterCharge {
  readonly supportsPartialCancel: boolean;
  cancel(request: CancelRequest): Promise<CancelOutcome>;
  /** Asks the provider whether a give-back whose outcome is unknown happened; never sends it again. */
  giveBackStatus(request: GiveBackStatusRequest): Promise<GiveBackStatus>;
  /** Hands the fiscal receipt's URL (and its fields) to the provider, or learns that it holds it already. */
  submitFiscal(receipt: FiscalReceipt, submission?: FiscalSubmission): Promise<FiscalOutcome>;
}
