import { formatShopDateTime } from '../lib/shop-time.js';
import { tiyinToSoumLiteral } from '../payments/money.js';
import type { Envelope } from './client.js';

/** 1234567 tiyin → "12 345.67 soum": integer arithmetic only. */
export function soum(tiyin: number): string {
  const literal = tiyinToSoumLiteral(Math.abs(tiyin));
  const [whole = '0', cents = '00'] = literal.split('.');
  return `${tiyin < 0 ? '-' : ''}${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ' ')}.${cents} soum`;
}

/** The time the shop's clock shows in `timeZone`, for people (scripts get ISO from --json). */
export function shopTime(iso: string, timeZone: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  return formatShopDateTime(timeZone, ms);
}

export function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
}

export function printError(envelope: Envelope<unknown>): void {
  const e = envelope.error!;
  const lines = [`error ${e.code}: ${e.message}`];
  if (e.data && e.data !== e.message) lines.push(`  detail: ${e.data}`);
  if (typeof e.reason === 'string' && e.reason !== e.message) lines.push(`  ${e.reason}`);
  // What the provider or terminal said, apart from the sentence (issue #25): the operator's detail.
  if (typeof e.provider_said === 'string') lines.push(`  provider said: ${e.provider_said}`);
  if (e.transaction_id) lines.push(`  transaction ${String(e.transaction_id)}${e.transaction_status ? ` is ${e.transaction_status}` : ''}`);
  if (e.transaction_status === 'unknown' || e.transaction_status === 'pending') {
    lines.push('  The outcome is not known yet: do not take the payment again; check it with `paybridge status`.');
  }
  process.stderr.write(`${lines.join('\n')}\n`);
}

/**
 * "waiting for the customer at the pinpad… 12 s" on stderr while `work` runs, when stderr is a
 * terminal; nothing otherwise, so scripts' output stays clean.
 */
export async function withProgress<T>(label: string, work: Promise<T>): Promise<T> {
  if (!process.stderr.isTTY) return work;
  const started = Date.now();
  const frames = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
  let i = 0;
  const timer = setInterval(() => {
    process.stderr.write(`\r${frames[i++ % frames.length]} ${label}… ${Math.floor((Date.now() - started) / 1000)} s `);
  }, 100);
  try {
    return await work;
  } finally {
    clearInterval(timer);
    process.stderr.write('\r\x1b[K');
  }
}
