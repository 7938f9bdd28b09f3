import { randomUUID } from 'node:crypto';
import { soumLiteralToTiyin } from '../../payments/money.js';
import { exitCodeOf, type Envelope, type PayBridgeClient } from '../client.js';
import { CliExit, EXIT } from '../exit-codes.js';
import { DEFAULT_SHOP_TIMEZONE } from '../../lib/shop-time.js';
import { printError, shopTime, soum, table, withProgress } from '../output.js';
import { shopSettings } from './xreport.js';

export interface Output {
  json: boolean;
}

/** Prints the envelope (raw with --json) and returns the exit code it means. */
function finish(envelope: Envelope<unknown>, out: Output, print: (data: Record<string, unknown>) => void): number {
  if (out.json) process.stdout.write(`${JSON.stringify(envelope)}\n`);
  else if (envelope.is_success) print(envelope.data as Record<string, unknown>);
  else printError(envelope);
  return exitCodeOf(envelope);
}

/** "500" tiyin, or with --soum "5.00": converted on the decimal text, never through a float. */
export function parseAmount(tiyin: string | undefined, soumText: string | undefined): number {
  if ((tiyin === undefined) === (soumText === undefined)) throw new CliExit(EXIT.USAGE, 'give the amount in tiyin, or --soum with the amount in soum (e.g. --soum 12.50)');
  if (tiyin !== undefined) {
    if (!/^\d{1,16}$/.test(tiyin) || !Number.isSafeInteger(Number(tiyin)) || Number(tiyin) <= 0) throw new CliExit(EXIT.USAGE, `amount: "${tiyin}" is not a positive whole number of tiyin`);
    return Number(tiyin);
  }
  let value: number;
  try {
    value = soumLiteralToTiyin(soumText!);
  } catch (err) {
    throw new CliExit(EXIT.USAGE, `--soum: ${(err as Error).message}`);
  }
  if (value <= 0) throw new CliExit(EXIT.USAGE, '--soum: must be more than zero');
  return value;
}

const PATHS = { click: 'payment/click', payme: 'payment/payme', uzum: 'payment/uzum', humo: 'payment/xumo', uzcard: 'payment/uzcard' } as const;
const QR_NAMES: Partial<Record<Method, string>> = { click: 'Click', payme: 'Payme', uzum: 'Uzum' };
export type Method = keyof typeof PATHS;

export async function pay(
  client: PayBridgeClient,
  method: Method,
  amount: number,
  options: { qr?: string; terminal?: string; idempotencyKey?: string },
  out: Output,
): Promise<number> {
  const qr = QR_NAMES[method] !== undefined;
  if (qr && !options.qr) throw new CliExit(EXIT.USAGE, `${method} needs --qr <code scanned from the customer's app>`);
  if (!qr && options.qr) throw new CliExit(EXIT.USAGE, `${method} is a card payment: there is no QR code`);
  // A key of our own even when none is given: a retry of this command with the same key cannot charge twice.
  const key = options.idempotencyKey ?? randomUUID();
  if (!out.json) process.stderr.write(`Idempotency-Key: ${key} (repeat with --idempotency-key ${key} to retry safely)\n`);
  const body = qr ? { amount, qr_code: options.qr } : { amount, ...(options.terminal ? { terminal: options.terminal } : {}) };
  const label = qr ? `waiting for ${QR_NAMES[method]}` : 'waiting for the customer at the pinpad';
  const envelope = await withProgress(label, client.request('POST', PATHS[method], body, { 'idempotency-key': key }));
  return finish(envelope, out, (d) => {
    // A replay is the earlier payment answered again (the same key, or the same QR code and amount
    // within the retry window): nothing was taken now, and the cashier must not read it as a new sale.
    const lines = d.replayed
      ? [`not taken now: this is an earlier payment of ${soum(Number(d.amount ?? amount))} by ${method}, answered again (replayed)`, `transaction ${String(d.transaction_id)}`]
      : [`paid: ${soum(Number(d.amount ?? amount))} by ${method}`, `transaction ${String(d.transaction_id)}`];
    if (d.payment_id) lines.push(`payment_id ${String(d.payment_id)}`);
    if (d.ppt_id) lines.push(`RRN ${String(d.ppt_id)}`);
    if (d.replayed) {
      lines.push(
        qr
          ? 'The same QR code and amount (or the same idempotency key) was already paid: no new payment was made. For another payment, scan a new code from the customer’s app.'
          : 'The same idempotency key was already paid: no new payment was made.',
      );
    }
    if (!qr && typeof d.message === 'string') lines.push('', d.message);
    process.stdout.write(`${lines.join('\n')}\n`);
  });
}

export async function giveBack(client: PayBridgeClient, id: string, amount: number | undefined, operator: string | undefined, out: Output): Promise<number> {
  const envelope = await withProgress('giving the money back', client.request('POST', `payment/transactions/${encodeURIComponent(id)}/refund`, { ...(amount ? { amount } : {}), ...(operator ? { operator } : {}) }));
  return finish(envelope, out, (d) => {
    const given = Number(d.amount ?? d.refunded_amount ?? 0);
    const lines = [`given back: ${soum(given)}`, `transaction ${id}${d.transaction_status ? ` is now ${String(d.transaction_status)}` : ''}`];
    if (typeof d.message === 'string' && d.message.includes('\n')) lines.push('', d.message);
    process.stdout.write(`${lines.join('\n')}\n`);
  });
}

interface Tx {
  transaction_id: string;
  method: string;
  status: string;
  amount: number;
  refunded_amount: number;
  payment_id: string | null;
  created_at: string;
  shop?: string | null;
  till?: string | null;
  kind?: 'payment' | 'cancel' | 'refund';
  original_transaction_id?: string | null;
  give_backs?: { transaction_id: string; kind: string; status: string; amount: number; created_at: string; error: { message: string; data: string | null } | null }[];
  remaining_amount?: number;
  original?: { transaction_id: string; method: string; amount: number; status: string; refunded_amount: number; created_at: string } | null;
  events?: { at: string; status: string; step: string; detail: unknown }[];
  fiscal?: { state: string; attempts: number } | null;
  /** With `reason` when it failed: why, in the language asked (else the shop's). */
  error?: { reason?: string; code: number; message: string; data: string | null } | null;
}

/**
 * The shop's time zone, as the PayBridge asked says (`/health`): the CLI loads no configuration. An
 * older PayBridge that does not say is taken to be in Tashkent, with a note.
 */
async function shopZoneOf(client: PayBridgeClient): Promise<string> {
  const health = await client.request<{ timezone?: unknown }>('GET', 'health');
  if (typeof health.data?.timezone === 'string') return health.data.timezone;
  process.stderr.write(`note: this PayBridge does not say its time zone; times are shown in ${FALLBACK_ZONE}\n`);
  return FALLBACK_ZONE;
}

/** PayBridge's own default for shop.timezone: what an older PayBridge that does not say was in. */
const FALLBACK_ZONE = DEFAULT_SHOP_TIMEZONE;

export async function status(client: PayBridgeClient, id: string, out: Output): Promise<number> {
  const envelope = await client.request<Tx>('GET', `payment/transactions/${encodeURIComponent(id)}`);
  const zone = out.json || !envelope.is_success ? FALLBACK_ZONE : await shopZoneOf(client);
  const code = finish(envelope, out, (raw) => {
    const d = raw as unknown as Tx;
    const lines = [
      `${d.transaction_id}  ${d.method}  ${d.status}`,
      `amount ${soum(d.amount)}${d.refunded_amount ? `, given back ${soum(d.refunded_amount)}` : ''}`,
      `provider id ${d.payment_id ?? '—'}; created ${shopTime(d.created_at, zone)} (${zone})`,
    ];
    // Why it failed in words for people first (the cashier's sentence), then the code and the provider's
    // or pinpad's own words; of a transaction not failed, the last error it met (an unknown outcome's).
    if (d.error?.reason) lines.push(`why: ${d.error.reason}`);
    if (d.error) lines.push(`${d.status === 'failed' ? 'error' : 'last error'} ${d.error.code}: ${d.error.message}${d.error.data ? ` (${d.error.data})` : ''}`);
    if (d.kind && d.kind !== 'payment') {
      const o = d.original;
      lines.push(
        o
          ? `a ${d.kind} of payment ${o.transaction_id} (${o.method}, ${soum(o.amount)} paid on ${shopTime(o.created_at, zone)}, now ${o.status}, given back ${soum(o.refunded_amount)})`
          : `a ${d.kind} of a payment this journal does not hold (foreign)`,
      );
    }
    if (d.give_backs?.length) {
      lines.push('', `given back (remaining ${soum(d.remaining_amount ?? 0)}):`);
      const rows = d.give_backs.map((g) => [shopTime(g.created_at, zone), g.kind, g.status, soum(-g.amount), g.transaction_id, g.error ? [g.error.message, g.error.data].filter(Boolean).join(': ') : '']);
      lines.push(table([[`at (${zone})`, 'kind', 'status', 'amount', 'transaction', 'why'], ...rows]));
    }
    if (d.fiscal) lines.push(`fiscal receipt: ${d.fiscal.state} (${d.fiscal.attempts} attempts)`);
    lines.push('', table([[`at (${zone})`, 'status', 'step'], ...(d.events ?? []).map((e) => [shopTime(e.at, zone), e.status, e.step])]));
    process.stdout.write(`${lines.join('\n')}\n`);
  });
  // The transaction exists; whether it is settled is what a script asks.
  if (code === EXIT.OK && envelope.data && (envelope.data.status === 'pending' || envelope.data.status === 'unknown')) return EXIT.UNKNOWN;
  return code;
}

export async function list(client: PayBridgeClient, filter: Record<string, string | undefined>, out: Output): Promise<number> {
  // A till is named within its shop: --till alone is this PayBridge's shop's till (as in xreport), not
  // every shop's till of that name on a chain's shared journal.
  if (filter.till !== undefined && filter.shop === undefined) filter = { ...filter, shop: (await shopSettings(client, 'en')).shop ?? undefined };
  const query = new URLSearchParams(Object.entries(filter).filter((e): e is [string, string] => e[1] !== undefined));
  const envelope = await client.request<{ items: Tx[]; next_cursor: string | null; timezone?: string }>('GET', `payment/transactions?${query}`);
  const zone = envelope.data?.timezone ?? (out.json || !envelope.is_success ? FALLBACK_ZONE : await shopZoneOf(client));
  return finish(envelope, out, (raw) => {
    const d = raw as unknown as { items: Tx[]; next_cursor: string | null };
    // A till column when some row names its till (instance.till); the shop beside it only when the page
    // holds more than one (a chain's shared journal).
    const tills = d.items.some((t) => t.till != null);
    const shops = new Set(d.items.map((t) => t.shop ?? null));
    const rows = d.items.map((t) => {
      const payment = (t.kind ?? 'payment') === 'payment';
      // A give-back is money out: its amount with a minus, and the payment it belongs to.
      const kind = payment ? 'payment' : `give-back ${t.original_transaction_id ? t.original_transaction_id.slice(0, 8) : '(foreign)'}`;
      const where = t.till == null ? '' : shops.size > 1 ? `${t.shop ?? '—'} · ${t.till}` : t.till;
      const row = [shopTime(t.created_at, zone), t.transaction_id, kind, t.method, t.status, soum(payment ? t.amount : -t.amount), payment && t.refunded_amount ? soum(t.refunded_amount) : ''];
      return tills ? [...row, where] : row;
    });
    const head = [`created (${zone})`, 'transaction', 'kind', 'method', 'status', 'amount', 'given back'];
    process.stdout.write(`${table([tills ? [...head, 'till'] : head, ...rows])}\n`);
    if (d.next_cursor) process.stdout.write(`more: --cursor ${d.next_cursor}\n`);
  });
}

export async function closeShift(client: PayBridgeClient, method: 'humo' | 'uzcard', terminal: string | undefined, out: Output): Promise<number> {
  const path = `payment/${method === 'humo' ? 'xumo' : 'uzcard'}_close${terminal ? `?terminal=${encodeURIComponent(terminal)}` : ''}`;
  const envelope = await withProgress('closing the shift at the terminal', client.request('GET', path));
  const code = finish(envelope, out, (d) => {
    const r = d.reconciliation as { matched: boolean | null; difference: Record<string, number> | null; reason?: string } | undefined;
    const verdict =
      r?.matched === true ? 'reconciled: the terminal and the journal agree' : r?.matched === false ? `MISMATCH: ${JSON.stringify(r.difference)}` : `not compared: ${r?.reason ?? 'the terminal reported no totals'}`;
    process.stdout.write(`${String(d.message ?? '')}\nshift ${String(d.shift_number ?? '?')} closed on ${String(d.terminal)}; ${verdict}\n`);
  });
  const matched = (envelope.data?.reconciliation as { matched?: boolean | null } | undefined)?.matched;
  return code === EXIT.OK && matched === false ? EXIT.REFUSED : code;
}

export async function reconcile(client: PayBridgeClient, out: Output): Promise<number> {
  const envelope = await withProgress('asking the providers and terminals', client.request<{ settled: number; pending: number; unknown: number; unknown_transactions: Tx[] }>('POST', 'payment/recovery/run'));
  const code = finish(envelope, out, (raw) => {
    const d = raw as unknown as { settled: number; pending: number; unknown: number; unknown_transactions: { transaction_id: string; method: string; amount: number }[] };
    const lines = [`settled now: ${d.settled}; still pending: ${d.pending}; unknown: ${d.unknown}`];
    for (const t of d.unknown_transactions) lines.push(`  ${t.transaction_id}  ${t.method}  ${soum(t.amount)}  — decide with POST /payment/transactions/${t.transaction_id}/resolve`);
    process.stdout.write(`${lines.join('\n')}\n`);
  });
  const left = envelope.data ? envelope.data.pending + envelope.data.unknown : 0;
  return code === EXIT.OK && left > 0 ? EXIT.UNKNOWN : code;
}
