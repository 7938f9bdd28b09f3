/**
 * Magic QR codes of the sandbox emulators, chosen by the code's last three digits, like card
 * networks' test card numbers. Documented in the README; any other code is approved at once.
 *
 * MAGIC holds the codes both emulators share. CLICK_MAGIC and PAYME_MAGIC hold the real world's
 * ambiguity of one provider each: the money moved, but the answer says otherwise or says nothing.
 * CLICK_GIVE_BACK_MAGIC and PAYME_GIVE_BACK_MAGIC do the same to the give-backs (cancels, refunds)
 * of a payment charged with such a code. The other emulator approves those codes like any other.
 */
export const MAGIC = {
  /** …116: declined, not enough money on the card. */
  insufficientFunds: '116',
  /** …408: charged, but the answer arrives too late; PayBridge must find the payment by status. */
  lostAnswer: '408',
  /** …102: accepted as processing, paid a moment later. */
  processing: '102',
  /** …502: the provider is down (HTTP 502); nothing is charged. */
  serviceDown: '502',
  /** …520: an unreadable answer; nothing is charged. */
  garbage: '520',
} as const;

/** CLICK only: `click_pass/payment` charges, then its answer does not say so. */
export const CLICK_MAGIC = {
  /**
   * …504: charged (paid in the ledger), then HTTP 504 Gateway Timeout with an HTML body, as a proxy
   * in front of CLICK answers when CLICK itself was slow. status_by_mti and payment/status see the
   * payment at once.
   */
  gatewayTimeoutAfterCharge: '504',
  /** …522: charged, then HTTP 200 with an unreadable body (like …520, but after the charge). */
  garbageAfterCharge: '522',
  /**
   * …534: charged, then HTTP 504; for `sandbox.click.status_lag_ms` after the charge
   * status_by_mti and payment/status answer `error_code` −6 "Платеж не найден", as for a payment
   * that does not exist (CLICK's status API lagging behind its charge), then find it.
   */
  laggingStatus: '534',
  /**
   * …535: charged, then HTTP 504; for `sandbox.click.status_lag_ms` after the charge
   * status_by_mti and payment/status answer HTTP 200 `error_code` −500 "Системная ошибка", then find it.
   */
  lookupError: '535',
  /**
   * …536: charged, then HTTP 504; `status_by_mti` answers −6 "Платеж не найден" for it for good (the
   * SHOP API's code, which CLICK does not document for this lookup), `payment/status` by its id finds it.
   */
  lookupNeverFinds: '536',
  /** …541: charged, then HTTP 200 `error_code` −500 "Системная ошибка" without a payment_id (the reply's documented fields, an undocumented code). */
  systemErrorAfterCharge: '541',
  /** …542: charged, then HTTP 200 −500 "Системная ошибка" naming its payment_id and payment_status. */
  systemErrorNamingPayment: '542',
  /** …543: nothing charged, HTTP 200 −500 "Системная ошибка". */
  systemErrorNothingCharged: '543',
  /** …544: charged, then HTTP 200 −4 "Already paid" (the SHOP API's −4) without a payment_id. */
  alreadyPaidAfterCharge: '544',
  /** …549: nothing charged, HTTP 200 −9999 (a code no page names). */
  unknownCode: '549',
} as const;

/** Payme only: `receipts.pay` debits the card, then its answer does not say so. */
export const PAYME_MAGIC = {
  /** …324: receipts.pay debits the card (state 4), then answers JSON-RPC error −32400 (system error). */
  errorAfterDebit: '324',
  /** …325: the same, and every receipts.cancel of that receipt is refused with −32400 (it stays paid). */
  errorAfterDebitCancelRefused: '325',
} as const;

/**
 * Give-backs in trouble. The QR code a payment was charged with marks how every give-back of it goes
 * (CLICK `payment/reversal` and `payment/partial_reversal`, Payme `receipts.cancel` of the paid
 * receipt): the charge itself is approved at once, like any other code. Each emulator reacts to its
 * own codes only; the other charges and gives back such a code normally.
 */
export const CLICK_GIVE_BACK_MAGIC = {
  /** …604: every reversal of the payment is applied (the money goes back), then answered HTTP 504 with nginx's HTML page. */
  reversalAppliedThen504: '604',
  /** …605: every reversal of the payment is applied, then the connection is dropped without an answer. */
  reversalAppliedThenDropped: '605',
  /**
   * …603: the first reversal of the payment is answered HTTP 502 (HTML) WITHOUT being applied: the
   * payment stays paid (`payment/status` 2); later reversals are applied normally.
   */
  reversalNotAppliedOnce: '603',
} as const;

export const PAYME_GIVE_BACK_MAGIC = {
  /** …624: every receipts.cancel of the paid receipt is applied (21, then 50), then answered JSON-RPC −32400 (system error). */
  cancelAppliedThenSystemError: '624',
  /** …625: every receipts.cancel of the paid receipt is applied, then the connection is dropped without an answer. */
  cancelAppliedThenDropped: '625',
  /**
   * …623: the first receipts.cancel of the paid receipt is answered −32400 WITHOUT being applied: the
   * receipt stays paid (state 4); later cancels are applied normally (unlike …325, which refuses every one).
   */
  cancelNotAppliedOnce: '623',
} as const;

/**
 * Fiscal hand-offs in trouble, in all three emulators (CLICK `payment/ofd_data/submit_qrcode`, Payme
 * `receipts.set_fiscal_data`, Uzum `payment/fiscal`). The QR code a payment was charged with marks how
 * the fiscal receipts handed over for it go; the charge itself is approved at once, like any other code.
 */
export const FISCAL_MAGIC = {
  /**
   * …714: the first submission of a receipt is recorded, then its answer is lost (CLICK and Uzum: HTTP
   * 504 with nginx's page; Payme: JSON-RPC −32400, the system error that says nothing of whether the
   * method ran); every later one is answered as the provider answers any (success, the receipt kept).
   */
  answerLostOnce: '714',
  /**
   * …715: the same first submission, and every later one of the same payment is refused — CLICK
   * `error_code` −4, Payme −31099, Uzum 400 `operation.forbidden` — answers none of them documents
   * for a repeat, standing for what a provider may say to a receipt it already holds. CLICK's
   * `GET payment/ofd_data/…` shows the receipt all the same.
   */
  answerLostThenRefused: '715',
} as const;

export type FiscalTrouble = 'answer_lost_once' | 'answer_lost_then_refused';

/** The fiscal trouble a payment's QR code asks of every emulator, if any. */
export function fiscalTroubleOf(qrCode: string | null | undefined): FiscalTrouble | null {
  const tail = qrCode?.slice(-3);
  if (tail === FISCAL_MAGIC.answerLostOnce) return 'answer_lost_once';
  if (tail === FISCAL_MAGIC.answerLostThenRefused) return 'answer_lost_then_refused';
  return null;
}

/** What goes wrong with a give-back of a payment charged with a give-back magic code (both emulators). */
export type GiveBackTrouble = 'applied_then_error' | 'applied_then_dropped' | 'not_applied_once';

const GIVE_BACK_TROUBLE: Readonly<Record<'click' | 'payme', Readonly<Record<string, GiveBackTrouble>>>> = {
  click: {
    [CLICK_GIVE_BACK_MAGIC.reversalAppliedThen504]: 'applied_then_error',
    [CLICK_GIVE_BACK_MAGIC.reversalAppliedThenDropped]: 'applied_then_dropped',
    [CLICK_GIVE_BACK_MAGIC.reversalNotAppliedOnce]: 'not_applied_once',
  },
  payme: {
    [PAYME_GIVE_BACK_MAGIC.cancelAppliedThenSystemError]: 'applied_then_error',
    [PAYME_GIVE_BACK_MAGIC.cancelAppliedThenDropped]: 'applied_then_dropped',
    [PAYME_GIVE_BACK_MAGIC.cancelNotAppliedOnce]: 'not_applied_once',
  },
};

/** The give-back trouble a magic code asks of this provider's emulator, if any (the other's codes are ordinary). */
export function giveBackTroubleOf(provider: 'click' | 'payme', magic: string | undefined): GiveBackTrouble | null {
  return (magic !== undefined && GIVE_BACK_TROUBLE[provider][magic]) || null;
}

/**
 * Payme's receipts.create carries no QR code (the token comes only with receipts.pay), so its magic
 * is in the amount: a receipt whose amount in tiyin ends in …60100 (amount % 100000 === 60100) is
 * created, but the answer is held back `sandbox.payme.lost_answer_delay_ms` (the connection is
 * dropped if the emulator stops meanwhile): a receipt whose id the client may never learn.
 */
export const PAYME_CREATE_LOST_ANSWER = { modulus: 100_000, remainder: 60_100 } as const;

/**
 * The other receipts.create magic amounts (last five digits in tiyin). Each is created and its answer
 * held back like …60100, plus:
 * - …60200: receipts.get_all answers JSON-RPC −32400 (system error) while its window holds such a
 *   receipt younger than `sandbox.payme.lost_answer_delay_ms`: the orphan cannot be looked up meanwhile;
 * - …60300: the orphan's receipts.cancel answers state 21 ("queued for cancellation") although it was
 *   never paid, and it becomes 50 only `sandbox.payme.cancel_queue_ms` later;
 * - …60500: the receipt's `account` is answered as an object ({order_id: …}), as some cashboxes answer,
 *   instead of the documented array of {name, title, value}.
 */
export const PAYME_CREATE_MAGIC = {
  listDown: 60_200,
  cancelQueued: 60_300,
  accountObject: 60_500,
} as const;

export type PaymeCreateMagic = 'lost_answer' | 'list_down' | 'cancel_queued' | 'account_object';

/** The receipts.create magic of an amount, if any (every one of them also loses the create's answer). */
export function paymeCreateMagicOf(amountTiyin: number): PaymeCreateMagic | undefined {
  const tail = amountTiyin % PAYME_CREATE_LOST_ANSWER.modulus;
  if (tail === PAYME_CREATE_LOST_ANSWER.remainder) return 'lost_answer';
  if (tail === PAYME_CREATE_MAGIC.listDown) return 'list_down';
  if (tail === PAYME_CREATE_MAGIC.cancelQueued) return 'cancel_queued';
  if (tail === PAYME_CREATE_MAGIC.accountObject) return 'account_object';
  return undefined;
}

export function isPaymeCreateLostAnswer(amountTiyin: number): boolean {
  return paymeCreateMagicOf(amountTiyin) !== undefined;
}

export type Magic =
  | (typeof MAGIC)[keyof typeof MAGIC]
  | (typeof CLICK_MAGIC)[keyof typeof CLICK_MAGIC]
  | (typeof PAYME_MAGIC)[keyof typeof PAYME_MAGIC]
  | (typeof CLICK_GIVE_BACK_MAGIC)[keyof typeof CLICK_GIVE_BACK_MAGIC]
  | (typeof PAYME_GIVE_BACK_MAGIC)[keyof typeof PAYME_GIVE_BACK_MAGIC]
  | (typeof FISCAL_MAGIC)[keyof typeof FISCAL_MAGIC];

const ALL: readonly string[] = [
  ...Object.values(MAGIC),
  ...Object.values(CLICK_MAGIC),
  ...Object.values(PAYME_MAGIC),
  ...Object.values(CLICK_GIVE_BACK_MAGIC),
  ...Object.values(PAYME_GIVE_BACK_MAGIC),
  ...Object.values(FISCAL_MAGIC),
];
if (new Set(ALL).size !== ALL.length) throw new Error('two sandbox magic QR codes share their last three digits');

/** The magic of a QR code (its last three digits), if it has one for either emulator. */
export function magicOf(qrCode: string): Magic | undefined {
  const tail = qrCode.slice(-3);
  return ALL.includes(tail) ? (tail as Magic) : undefined;
}
