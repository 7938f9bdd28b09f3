import { text } from '../../i18n/text.js';
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { Journal } from '../../payments/ports/journal.js';
import { invalidRequest, paymentError } from '../../payments/errors.js';
import { coerceToSchema } from '../coerce.js';
import { success } from '../envelope.js';
import { presentTransaction, presentTransactionDetail } from '../present.js';
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

function toEpochMs(field: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isSafeInteger(ms)) throw invalidRequest([`${field}: is not a valid date/time`]);
  return ms;
}

export function registerTransactionRoutes(app: FastifyInstance, journal: Journal, recovery: RecoveryService, serve: IdempotentServe): void {
  app.post<{ Params: TransactionParams; Body: ResolveBody }>(
    '/payment/transactions/:transaction_id/resolve',
    {
      schema: {
        summary: 'Decide an unknown payment',
        description: 'An operator’s decision on a payment whose outcome nothing could settle (after checking the provider’s cabinet or the pinpad). Who and why are kept in the timeline.',
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
        description: 'Newest first, a page at a time (next_cursor).',
        tags: ['journal'],
        querystring: TransactionListQuerySchema,
        response: { 200: envelope(TransactionPageAnswer, { items: [SEED_TRANSACTION], next_cursor: null }, 'One page of transactions.') },
      },
      preValidation: async (request) => {
        request.query = coerceToSchema(TransactionListQuerySchema, request.query) as TransactionListQuery;
      },
    },
    async (request) => {
      const q = request.query;
      const page = await journal.list({
        method: q.method,
        status: q.status,
        shop: q.shop,
        till: q.till,
        from: toEpochMs('from', q.from),
        to: toEpochMs('to', q.to),
        limit: q.limit,
        cursor: q.cursor,
      });
      return success({ items: page.items.map(presentTransaction), next_cursor: page.nextCursor });
    },
  );

  app.get<{ Params: TransactionParams }>(
    '/payment/transactions/:transaction_id',
    {
      schema: {
        summary: 'One transaction with its timeline',
        description: 'Amounts, provider ids, the slip, every step with its time, and the fiscal hand-off.',
        tags: ['journal'],
        params: TransactionParamsSchema,
        response: { 200: envelope(Type.Intersect([TransactionAnswer, Type.Object({ events: Type.Array(AnyObject), fiscal: Type.Union([AnyObject, Type.Null()]) })]), { ...SEED_TRANSACTION, fiscal: null, events: [{ at: SEED_TRANSACTION.created_at, status: 'pending', step: 'received', detail: { amount: 500 } }] }, 'The transaction.') },
      },
    },
    async (request) => {
      const tx = await journal.get(request.params.transaction_id.toLowerCase());
      if (!tx) throw paymentError(text('transaction_not_found', { id: request.params.transaction_id }), { transaction_id: request.params.transaction_id });
      return success(presentTransactionDetail(tx));
    },
  );
}
