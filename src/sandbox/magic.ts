/**
 * Magic QR codes of the sandbox emulators (Click and Payme alike), chosen by the code's last three
 * digits, like card networks' test card numbers. Documented in the README; any other code is
 * approved at once.
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

export type Magic = (typeof MAGIC)[keyof typeof MAGIC];

export function magicOf(qrCode: string): Magic | undefined {
  const tail = qrCode.slice(-3);
  return (Object.values(MAGIC) as string[]).includes(tail) ? (tail as Magic) : undefined;
}
