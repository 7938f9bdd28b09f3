import { createHash, randomUUID } from 'node:crypto';
import { text } from '../i18n/text.js';
import { AsyncLocalStorage } from 'node:async_hooks';
import { SYSTEM_CLOCK, type Clock } from '../lib/clock.js';
import type { Logger } from 'pino';
import { firstWrite, type IdempotencyRecord, type Journal, type KeyLink } from './ports/journal.js';
import { paymentError, type PayBridgeError } from './errors.js';
import { maskDeep } from './masking.js';

export interface IdempotencyOptions {
  /** How long a key and its answer are kept. */
  ttlMs: number;
  /** How long a retry waits for the first request with its key to finish. */
  waitMs: number;
  /** This process, so that a claim left by a process that died is recognised as such. */
  owner: string;
  /** Whose keys these are: the till this PayBridge serves (see `tillScope`); a key's whole scope. */
  till: string;
  /**
   * Asks about one unsettled operation once, now, under a claim of its own — never sending it again —
   * and says whether a request (this PayBridge's or another's) is still working on it instead.
   */
  settleOnce?: (transactionId: string) => Promise<{ heldByRequest: boolean }>;
  clock?: Clock;
}

/**
 * The namespace of a till's keys: its shop and till (`instance.shop`, `instance.till`), so that two
 * tills on one journal (a chain) that happen to send the same key never meet — till B must never be
 * given till A's answer, with `is_success` true, for a customer it never charged.
 *
 * Neither `instance.id` nor `<hostname>:<pid>` has any part in it. A key belongs to a till, not to a
 * process: the pid changes at every restart, and a till's retry after a restart must still find its
 * key; and a pool of PayBridge instances serving the same tills (each with its own `instance.id`,
 * docs/deployment.md) must share keys, since a retry may reach any of them. So a PayBridge that
 * names no till — one till on its own SQLite file — keeps one fixed namespace, stable across
 * restarts, as before. On a PostgreSQL journal (a chain's) shop and till are required (config/load.ts):
 * each till's PayBridge names its own, and a pool serving several tills names one for all of them.
 * JSON, so that no shop or till name can be mistaken for another.
 */
export function tillScope(instance: { shop?: string | undefined; till?: string | undefined }): string {
  return JSON.stringify({ shop: instance.shop ?? null, till: instance.till ?? null });
}

export interface IdempotentAnswer {
  /** The answer to give: the first request's, when `replayed`. */
  response: unknown;
  replayed: boolean;
}

/**
 * What a key is stored with: the request's method and path, readable, then a digest of its body —
 * `POST /payment/transactions/<id>/refund sha256:<hex>` — so that a refusal can say what differs.
 */
export function fingerprintOf(target: string, body: string): string {
  return `${target} sha256:${createHash('sha256').update(body).digest('hex')}`;
}

const FINGERPRINT = /^(\S+ \S+) sha256:[0-9a-f]{64}$/;

/**
 * Idempotency keys: the first request with a key does the work; a retry with the same key and the
 * same request gets the stored answer and nothing is sent anywhere again. Keys live in the journal,
 * so they survive restarts and are shared by every PayBridge on one database.
 *
 * A key is the till's, for one request: its scope is the till alone, and the request — method, path
 * and body — is its fingerprint. The same key with another path (another transaction's refund,
 * another route) or another body is refused (106), never answered with the first request's answer
 * and never started as a new operation.
 */
export interface IdempotentRequest {
  key: string;
  /**
   * The method and the path as requested, without spaces, ids as the routes read them
   * (`POST /payment/transactions/<id>/refund`).
   */
  target: string;
  /** The body in a canonical form: the same request always reads the same. */
  body: string;
  /**
   * Where a PayBridge before this one kept the key: the scope was the till, the method and the route
   * pattern, and the fingerprint a bare digest of those and the body (null where it cannot tell this
   * request from another: a pattern with an id in it names no one transaction).
   */
  legacy?: { scope: string; fingerprint: string | null };
  /**
   * Does the work; returns the answer (an envelope), the transaction it is about, and whether it is
   * final. An answer that is not (the outcome is still unknown) is given but not kept: retries are
   * answered from the transaction once recovery has settled it.
   */
  work: () => Promise<{ response: unknown; transactionId: string | null; final: boolean }>;
  /**
   * The answer a settled transaction stands for, to answer a retry whose first request was cut off
   * (its PayBridge died) or whose outcome was lost; undefined while it is unsettled — unless
   * `orUnsettled`: then the answer that says its outcome is not known yet and not to repeat it
   * (undefined only where the route has no such answer).
   */
  fromTransaction: (transactionId: string, orUnsettled?: boolean) => Promise<unknown>;
}

export class IdempotencyService {
  private readonly running = new Map<string, Promise<unknown>>();
  private readonly context = new AsyncLocalStorage<{ scope: string; key: string; owner: string }>();
  private readonly clock: Clock;

  constructor(
    private readonly journal: Journal,
    private readonly log: Logger,
    private readonly options: IdempotencyOptions,
  ) {
    this.clock = options.clock ?? SYSTEM_CLOCK;
  }

  async run(request: IdempotentRequest): Promise<IdempotentAnswer> {
    const { key } = request;
    // Keys stored before they were a till's (scope without the till) are not found: a retry that
    // spans that upgrade is served as a new request.
    const scope = this.options.till;
    const fingerprint = fingerprintOf(request.target, request.body);
    if (request.legacy) {
      // A key claimed under its route by an older PayBridge (until such keys expire, or an older
      // instance of a pool still claims so) is followed there: where its old fingerprint can tell,
      // the same request is waited for or replayed as before; otherwise it never matches (106).
      const legacyScope = `${scope} ${request.legacy.scope}`;
      const old = await firstWrite(this.journal.getIdempotencyKey(legacyScope, key));
      if (old) return this.follow(legacyScope, request.legacy.fingerprint, old, request);
    }
    const now = this.clock.now();
    // Each request holds its claim under a name of its own: a retry that takes over a claim left
    // unlinked too long makes the first request's link fail, so the first sends nothing.
    const owner = `${this.options.owner}:${randomUUID()}`;
    const existing = await firstWrite(this.journal.claimIdempotencyKey({ scope, key, fingerprint, owner, createdAt: now, expiresAt: now + this.options.ttlMs }));
    if (!existing) return { response: await this.own(scope, owner, request), replayed: false };
    return this.follow(scope, fingerprint, existing, request);
  }

  /** A key someone already holds: refused if it was for another request, else its answer, once there is one. */
  private async follow(scope: string, fingerprint: string | null, existing: IdempotencyRecord, request: IdempotentRequest): Promise<IdempotentAnswer> {
    const { key } = request;
    if (existing.fingerprint !== fingerprint) throw reused(key, existing.fingerprint, request.target);
    if (existing.state === 'done') return { response: existing.response, replayed: true };

    // The first request may still be running (here, or in a PayBridge that died or runs beside this
    // one): while a request works on the operation, its outcome is waited for, at most wait_ms.
    const deadline = this.clock.now() + this.options.waitMs;
    const local = this.running.get(`${scope}\n${key}`);
    if (local) {
      let stop: () => void = () => {};
      await Promise.race([local.catch(() => undefined), new Promise<void>((resolve) => (stop = this.clock.after(this.options.waitMs, resolve)))]);
      stop();
    }
    let asked: string | undefined;
    for (;;) {
      const current = await this.journal.getIdempotencyKey(scope, key);
      if (!current) return this.run(request); // released without an answer: this retry may do the work
      if (current.state === 'done') return { response: current.response, replayed: true };
      if (!current.transactionId && this.clock.now() - current.createdAt > this.options.waitMs) {
        // Claimed long ago and never tied to a transaction: its request died before journaling anything
        // (or is stuck before its first write: its link will fail once this retry holds the key).
        await this.journal.releaseIdempotencyKey(scope, key, current.owner);
        return this.run(request);
      }
      const settled = current.transactionId ? await request.fromTransaction(current.transactionId) : undefined;
      // Kept for the owner read just now: if the key changed hands meanwhile, what its holder stores
      // is the key's answer, read on the next turn.
      if (settled !== undefined && (await this.complete(scope, key, current.owner, settled, current.transactionId))) {
        return { response: settled, replayed: true };
      }
      if (settled === undefined && current.transactionId && this.options.settleOnce) {
        // Unsettled and no request working on it (its answer was lost, or its PayBridge died): asked
        // about once, at once, under a claim — then the till hears the truth now, settled or not,
        // instead of waiting wait_ms for "in progress". While a request holds it, it is waited for.
        if (asked !== current.transactionId) {
          if (!(await this.options.settleOnce(current.transactionId)).heldByRequest) {
            asked = current.transactionId;
            continue; // what that question settled, if it settled it, is read on the next turn
          }
        } else {
          const open = await request.fromTransaction(current.transactionId, true);
          // Not kept: the key stays tied to the operation, whose settled answer a later retry gets.
          if (open !== undefined) return { response: open, replayed: true };
        }
      }
      if (this.clock.now() >= deadline) {
        throw paymentError(
          text('key_in_progress', { key }),
          { idempotency_key: key, ...(current.transactionId ? { transaction_id: current.transactionId } : {}) },
        );
      }
      if (settled === undefined) await this.clock.sleep(100);
    }
  }

  /** The key being served in this async context (a request's work), to tie to the operation it journals. */
  currentLink(): KeyLink | undefined {
    return this.context.getStore();
  }

  /** Called by the payment services when they journal a transaction: ties it to the key being served. */
  async linkTransaction(transactionId: string): Promise<void> {
    const served = this.context.getStore();
    if (served && !(await this.journal.linkIdempotencyKey(served.scope, served.key, transactionId, served.owner))) {
      throw paymentError(text('key_taken_over', { key: served.key }), { idempotency_key: served.key, transaction_id: transactionId, transaction_status: 'pending' });
    }
  }

  private async own(scope: string, owner: string, { key, work }: IdempotentRequest): Promise<unknown> {
    const id = `${scope}\n${key}`;
    const task = this.context.run({ scope, key, owner }, work);
    this.running.set(id, task);
    let done: Awaited<ReturnType<IdempotentRequest['work']>>;
    try {
      done = await task;
    } catch (err) {
      // A key tied to a transaction stays claimed: a retry must learn that payment's outcome, not start another.
      const claim = await this.journal.getIdempotencyKey(scope, key).catch(() => undefined);
      if (claim && !claim.transactionId) {
        await this.journal.releaseIdempotencyKey(scope, key, owner).catch((e: unknown) => this.log.error({ err: e }, 'could not release an idempotency key'));
      }
      throw err;
    } finally {
      this.running.delete(id);
    }
    if (done.final) await this.complete(scope, key, owner, done.response, done.transactionId);
    return done.response;
  }

  /**
   * Keeps a final answer for the key's retries, if `owner` still holds the key; false when it does
   * not (a retry took it over, or another request answered it): that one's answer stays the key's.
   * The work is done by now (money may have moved), so a journal that cannot record the answer does
   * not change it: that is logged, and the key stays `in_progress`, tied to its transaction, whose
   * settled state answers the retries (see `follow`).
   */
  private async complete(scope: string, key: string, owner: string, response: unknown, transactionId: string | null): Promise<boolean> {
    try {
      // Stored with one-time codes and secrets masked; slips are kept word for word (the terminal masked their card numbers).
      if (await this.journal.completeIdempotencyKey(scope, key, owner, maskDeep(response, '', { freeText: false }), transactionId)) return true;
      this.log.warn(
        { idempotency_key: key, owner, transaction_id: transactionId },
        'an answer was not stored with its idempotency key: the request it was for no longer holds the key in progress (a retry took it over, or answered it already), and the answer stored stays',
      );
      return false;
    } catch (err) {
      this.log.error({ err, idempotency_key: key, transaction_id: transactionId }, 'could not record the answer to an idempotency key; it is given all the same, and retries are answered from its transaction');
      // The services tie a key to its payment as they journal it; a key whose answer is about a
      // transaction nothing tied it to (an operator's decision) is tied here, if the journal allows.
      if (transactionId) {
        const claim = await this.journal.getIdempotencyKey(scope, key).catch(() => undefined);
        if (claim && !claim.transactionId) {
          await this.journal.linkIdempotencyKey(scope, key, transactionId, owner).catch((e: unknown) => this.log.warn({ err: e, idempotency_key: key }, 'could not tie an idempotency key to its transaction'));
        }
      }
      return true;
    }
  }

  async purge(): Promise<number> {
    return this.journal.purgeIdempotencyKeys(this.clock.now());
  }
}

/**
 * The refusal of a key stored for another request, saying what differs: the request it was used for
 * (another path: another transaction, another route), or the body. A key an older PayBridge stored
 * has a bare digest, which names no request: the refusal can only say it is from before the update.
 */
function reused(key: string, stored: string, target: string): PayBridgeError {
  const usedFor = FINGERPRINT.exec(stored)?.[1];
  if (usedFor === undefined) return paymentError(text('key_reused_before_update', { key }), { idempotency_key: key });
  if (usedFor !== target) return paymentError(text('key_reused', { key, request: usedFor }), { idempotency_key: key, key_used_for: usedFor });
  return paymentError(text('key_reused_body', { key, request: usedFor }), { idempotency_key: key, key_used_for: usedFor });
}
