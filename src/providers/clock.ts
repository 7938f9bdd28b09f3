/**
 * The till's clock against a provider's, from the `Date` header of an answer. CLICK's `Auth` and
 * Uzum's `Authorization` carry the time they were made, and both refuse one too far from their own
 * clock (Uzum: 50 s, documented; CLICK: a window it does not publish), so a till whose clock drifted
 * sees every request refused as if its credentials were wrong.
 */

/**
 * The provider's clock minus this computer's, in ms, or undefined without a readable `Date`. The
 * header has whole seconds (the provider's time rounded down), so its middle is compared with the
 * middle of the exchange; the result is good to about a second plus half the round trip.
 */
export function clockOffset(dateHeader: string | string[] | undefined, sentAt: number, answeredAt: number): number | undefined {
  const header = Array.isArray(dateHeader) ? dateHeader[0] : dateHeader;
  if (!header) return undefined;
  const providerMs = Date.parse(header);
  if (Number.isNaN(providerMs)) return undefined;
  return Math.round(providerMs + 500 - (sentAt + answeredAt) / 2);
}

/** Beyond this, the offset is worth a warning for a provider that publishes no window (CLICK). */
export const UNPUBLISHED_WINDOW_WARN_S = 30;

/** "this computer's clock is 75 s behind Uzum's" / "… agrees with Click's (within 1 s)". */
export function describeClockOffset(provider: string, offsetMs: number): string {
  const seconds = Math.round(Math.abs(offsetMs) / 1000);
  if (seconds <= 1) return `this computer’s clock agrees with ${provider}’s (within 1 s)`;
  return `this computer’s clock is ${seconds} s ${offsetMs > 0 ? 'behind' : 'ahead of'} ${provider}’s`;
}

/**
 * Why an authentication refusal may be the clock, for the cashier and the log, with the offset
 * measured from the refusal itself when the provider sent a `Date`. `otherwise` names the other
 * cause the refusal may have ("the credentials").
 */
export function clockExplanation(provider: string, offsetMs: number | undefined, windowS: number | undefined, otherwise: string): string {
  const window = windowS === undefined ? `${provider} does not publish how far off it accepts` : `${provider} refuses one more than ${windowS} s off`;
  const base = `${provider}’s signature carries the time it was made and ${window}`;
  if (offsetMs === undefined) return `${base}: check this computer’s clock (NTP), then ${otherwise}`;
  const measured = describeClockOffset(provider, offsetMs);
  return Math.abs(offsetMs) / 1000 > (windowS ?? UNPUBLISHED_WINDOW_WARN_S)
    ? `${base}, and ${measured}: set this computer’s clock right (NTP)`
    : `${base}; ${measured}, so ${otherwise} the likelier cause`;
}
