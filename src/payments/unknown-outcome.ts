import { text, type Text } from '../i18n/text.js';
import type { ErrorExtras } from './errors.js';
import type { QrPaymentMethod as QrMethod } from './transaction.js';

/**
 * What the people at the till are told when an operation's outcome is not known (issue #25): the
 * operation's state `unknown`, a reason in the shop's language that says what to do — do not repeat
 * it, look where the money shows (the pinpad's screen or slip, the customer's wallet app), call the
 * manager — and, apart from that sentence, what the provider or terminal said (`provider_said`),
 * in its words or in PayBridge's English account of the exchange, for the manager and the integrator.
 */

export type TillOperation = 'payment' | 'cancel' | 'refund' | 'close';

/** Where the cashier can see whether money moved: a pinpad, or the customer's QR wallet. */
export type Channel = { kind: 'card' } | { kind: 'qr'; method: QrMethod };

/** The app the customer pays from, by the name its users know. */
const WALLET_APPS: Readonly<Record<QrMethod, string>> = { click: 'Click', payme: 'Payme', uzum: 'Uzum Bank' };

function whatToDo(operation: TillOperation, channel: Channel): Text {
  if (operation === 'close') return text('unknown_do_close');
  const giveBack = operation !== 'payment';
  if (channel.kind === 'card') return text(giveBack ? 'unknown_do_card_give_back' : 'unknown_do_card_payment');
  return text(giveBack ? 'unknown_do_qr_give_back' : 'unknown_do_qr_payment', { method: WALLET_APPS[channel.method] });
}

/** The pinpad's headline (`error.message`) for an unknown outcome: its own words, and that money may have moved. */
export function unknownHeadline(operation: TillOperation, pinpadCode: string): Text {
  return text(`unknown_title_${operation}`, { pinpad: { pinpadCode } });
}

/** The fields every unknown outcome's answer carries. */
export function unknownOutcome(operation: TillOperation, channel: Channel, providerSaid?: string | null): ErrorExtras {
  return {
    transaction_status: 'unknown',
    reason: whatToDo(operation, channel),
    ...(providerSaid ? { provider_said: providerSaid } : {}),
  };
}

