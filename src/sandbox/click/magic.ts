/**
 * Magic QR codes of the Click sandbox, chosen by the code's last three digits (like card networks'
 * test card numbers). Documented in the README; any other code is approved at once.
 */
export const CLICK_MAGIC = {
  /** …116: declined, not enough money on the card. */
  insufficientFunds: '116',
  /** …408: charged, but the answer arrives too late; PayBridge must find the payment by status. */
  lostAnswer: '408',
  /** …102: accepted as processing (payment_status 1), paid a moment later. */
  processing: '102',
  /** …502: CLICK is down (HTTP 502); nothing is charged. */
  serviceDown: '502',
  /** …520: an unreadable answer; nothing is charged. */
  garbage: '520',
} as const;

export type ClickMagic = (typeof CLICK_MAGIC)[keyof typeof CLICK_MAGIC];

export function clickMagicOf(qrCode: string): ClickMagic | undefined {
  const tail = qrCode.slice(-3);
  return (Object.values(CLICK_MAGIC) as string[]).includes(tail) ? (tail as ClickMagic) : undefined;
}
