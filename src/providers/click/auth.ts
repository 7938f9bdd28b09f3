import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Click's `Auth` header: `merchant_user_id:digest:timestamp`, where digest is the lowercase hex
 * SHA-1 of the Unix-seconds timestamp followed by the secret key. A new one for every request.
 */
export function clickDigest(timestamp: string, secretKey: string): string {
  return createHash('sha1').update(timestamp + secretKey).digest('hex');
}

export function clickAuthHeader(merchantUserId: string, secretKey: string, nowMs = Date.now()): string {
  const timestamp = String(Math.floor(nowMs / 1000));
  return `${merchantUserId}:${clickDigest(timestamp, secretKey)}:${timestamp}`;
}

export interface ClickAuthCheck {
  merchantUserId: string;
  secretKey: string;
  /** Largest accepted difference between the header's timestamp and now. */
  maxSkewSeconds: number;
  nowMs?: number;
}

/** The check Click's side makes; used by the sandbox emulator. */
export function verifyClickAuthHeader(header: string | undefined, check: ClickAuthCheck): boolean {
  const parts = (header ?? '').split(':');
  if (parts.length !== 3) return false;
  const [userId, digest, timestamp] = parts as [string, string, string];
  if (userId !== check.merchantUserId || !/^\d{10}$/.test(timestamp)) return false;
  const now = Math.floor((check.nowMs ?? Date.now()) / 1000);
  if (Math.abs(now - Number(timestamp)) > check.maxSkewSeconds) return false;
  const expected = Buffer.from(clickDigest(timestamp, check.secretKey));
  const given = Buffer.from(digest.toLowerCase());
  return expected.length === given.length && timingSafeEqual(expected, given);
}
