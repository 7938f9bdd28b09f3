import { text } from '../../i18n/text.js';
import type { FastifyInstance } from 'fastify';
import { Type } from '../../lib/typebox.js';
import type { Journal } from '../../payments/ports/journal.js';
import { invalidRequest, paymentError } from '../../payments/errors.js';
import { coerceToSchema } from '../coerce.js';
import { success } from '../envelope.js';
import { presentGiveBack, presentOriginal, presentTransaction, presentTransactionDetail } from '../present.js';
import type { IdempotentServe } from '../idempotent.js';
import {
  IdempotencyHeadersSchema,
  ResolveBodySchema,
  TransactionListQuerySchema,
  TransactionParamsSchema,
  type ResolveBody,
  type TransactionListQuery,
  type TransactionParams,
} from '../schemas.js';
import { AnyObject, envelope, SEED_TRANSACTION, TransactionAnswer, TransactionPageAnswer } from '../responses.js';
import type { RecoveryService } from '../../payments/recovery.js';
import type { OperatorService } from '../../payments/operator-service.js';
import { isCalendarDate, shopDay } from '../../lib/shop-time.js';

/** A date alone is the start of that shop day (not UTC midnight); a date/time or epoch ms is that instant. */
function toEpochMs(field: string, value: string | undefined, timezone: string): number | undefined {
  if (value === undefined) return undefined;
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    if (!isCalendarDate(value)) throw invalidRequest([`${field}: ${value} is not a calendar date`]);
    return shopDay(timezone, value).from;
  }
  // Date.parse reads a date-time without a zone in the server's own zone, which need not be the
  // shop's: such a value names no instant anyone meant, so it is refused rather than guessed.
  if (/^\d{4}-\d{2}-\d{2}T[\d:.]+$/.test(value)) throw invalidRequest([`${field}: ${value} has no time zone; add Z or an offset (e.g. +05:00), or give a date alone for the start of a shop day`]);
  const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isSafeInteger(ms)) throw invalidRequest([`${field}: is not a valid date/time`]);
  return ms;
}

/** A give-back as listed beneath its payment. */
const GiveBackAnswer = Type.Object(
  {
    transaction_id: Type.String({ format: 'uuid' }),
    kind: Type.Union([Type.Literal('cancel'), Type.Literal('refund')]),
    status: Type.String({ description: 'pending, succeeded, failed or unknown: a give-back is an operation with its own outcome.' }),
    amount: Type.Integer({ description: 'Tiyin.' }),
    created_at: Type.String({ format: 'date-time' }),
    updated_at: Type.String({ format: 'date-time' }),
    error: Type.Union([AnyObject, Type.Null()], { description: 'Why it failed: `reason` in words for people (Accept-Language), then code, message and the provider’s or pinpad’s own words (`data`).' }),
  },
  { description: 'One cancel or refund of this payment.' },
);

/** The payment a give-back belongs to, in short. */
const OriginalAnswer = Type.Object(
  {
    transaction_id: Type.String({ format: 'uuid' }),
    method: Type.String(),
    amount: Type.Integer({ description: 'Tiyin paid.' }),
    status: Type.String(),
    refunded_amount: Type.Integer({ description: 'Tiyin given back so far.' }),
    created_at: Type.String({ format: 'date-time' }),
  },
  { description: 'The payment this give-back gives money back from.' },
);

export function registerTransactionRoutes(
  app: FastifyInstance,
  journal: Journal,
  recovery: RecoveryService,
  serve: IdempotentServe,
  timezone: string,
  operator: OperatorService,
): void {
  app.post<{ Params: TransactionParams; Body: ResolveBody }>(
    '/payment/transactions/:transaction_id/resolve',
    {
      schema: {
        summary: 'Decide an unknown payment, or a conflict',
        description:
          'An operator’s decision on a payment or give-back whose outcome nothing could settle (after checking the provider’s cabinet or the pinpad), or on a conflict — a proof that money moved which met a row settled otherwise (`succeeded` accepts the proof: a `failed` row is corrected; `failed` dismisses it and frees a give-back’s reservation). Who and why are kept in the timeline. The decision is written under a claim like every state write: while recovery, a request or another operator holds the transaction it is refused (106) with `held_by` and `held_until`.',
        tags: ['operator'],
        headers: IdempotencyHeadersSchema,
        params: TransactionParamsSchema,
        body: ResolveBodySchema,
        response: { 200: envelope(TransactionAnswer, SEED_TRANSACTION, 'The transaction after the decision.') },
      },
    },
    async (request) => {
      const { status, operator, reason } = request.body;
      return serve(
        request,
        async () => presentTransaction(await recovery.resolveByOperator(request.params.transaction_id.toLowerCase(), status, operator, reason)),
        // A retry whose answer could not be kept: the transaction as the decision left it.
        async (id) => {
          const tx = await journal.get(id);
          return tx && tx.status !== 'unknown' ? presentTransaction(tx) : undefined;
        },
      );
    },
  );

  app.get<{ Querystring: TransactionListQuery }>(
    '/payment/transactions',
    {
      schema: {
        summary: 'List the journal',
        description:
          'Newest first, a page at a time (next_cursor), with the shop’s `timezone`. `date` is a day of the shop (shop.timezone); a date alone in `from`/`to` is the start of that shop day. `kind=give_back` lists cancels and refunds, each with `original_transaction_id` (null: foreign).',
        tags: ['journal'],
        querystring: TransactionListQuerySchema,
        response: { 200: envelope(TransactionPageAnswer, { items: [SEED_TRANSACTION], next_cursor: null, timezone: 'Asia/Tashkent' }, 'One page of transactions.') },
      },
      preValidation: async (request) => {
        request.query = coerceToSchema(TransactionListQuerySchema, request.query) as TransactionListQuery;
      },
    },
    async (request) => {
      const q = request.query;
      if (q.date !== undefined && (q.from !== undefined || q.to !== undefined)) throw invalidRequest(['date: give either date or from/to, not both']);
      const day = q.date === undefined ? undefined : shopDay(timezone, q.date);
      const page = await journal.list({
        method: q.method,
        status: q.status,
        kind: q.kind,
        shop: q.shop,
        till: q.till,
        from: day?.from ?? toEpochMs('from', q.from, timezone),
        to: day?.to ?? toEpochMs('to', q.to, timezone),
        limit: q.limit,
        cursor: q.cursor,
      });
      return success({ items: page.items.map((tx) => presentTransaction(tx, request.language)), next_cursor: page.nextCursor, timezone });
    },
  );

  app.get<{ Params: TransactionParams }>(
    '/payment/transactions/:transaction_id',
    {
      schema: {
        summary: 'One transaction with its timeline',
        description:
          'Amounts, provider ids, the slip, every step with its time, and the fiscal hand-off. A payment lists its `give_backs` (every cancel and refund, oldest first, each with its own status and error) and `remaining_amount` (what can still be given back, tiyin); a give-back names its `original` payment (null: a foreign give-back).',
        tags: ['journal'],
        params: TransactionParamsSchema,
        response: {
          200: envelope(
            Type.Intersect([
              TransactionAnswer,
              Type.Object({
                events: Type.Array(AnyObject),
                fiscal: Type.Union([AnyObject, Type.Null()]),
                give_backs: Type.Optional(Type.Array(GiveBackAnswer)),
                remaining_amount: Type.Optional(Type.Integer({ minimum: 0, description: 'Tiyin that can still be given back (payments only).' })),
                original: Type.Optional(Type.Union([OriginalAnswer, Type.Null()])),
              }),
            ]),
            {
              ...SEED_TRANSACTION,
              fiscal: null,
              events: [{ at: SEED_TRANSACTION.created_at, status: 'pending', step: 'received', detail: { amount: 500 } }],
              give_backs: [
                { transaction_id: '5f0c2a8e-3b1d-4c6e-9a7f-2d8b4e6c1a3f', kind: 'cancel', status: 'succeeded', amount: 500, created_at: SEED_TRANSACTION.created_at, updated_at: SEED_TRANSACTION.created_at, error: null },
              ],
              remaining_amount: 0,
            },
            'The transaction.',
          ),
        },
      },
    },
    async (request) => {
      const found = await operator.transactionDetail(request.params.transaction_id.toLowerCase());
      if (!found) throw paymentError(text('transaction_not_found', { id: request.params.transaction_id }), { transaction_id: request.params.transaction_id });
      const detail = presentTransactionDetail(found.tx, found.conflicts, request.language);
      return success(
        found.giveBacks
          ? { ...detail, give_backs: found.giveBacks.map((g) => presentGiveBack(g, request.language)), remaining_amount: found.remaining }
          : { ...detail, original: found.original ? presentOriginal(found.original) : null },
      );
    },
  );
}
