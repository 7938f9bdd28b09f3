import type { FastifyInstance } from 'fastify';
import type { Journal } from '../../journal/journal.js';
import { invalidRequest, paymentError } from '../../payments/errors.js';
import { coerceToSchema } from '../coerce.js';
import { success } from '../envelope.js';
import { presentTransaction, presentTransactionDetail } from '../present.js';
import {
  ResolveBodySchema,
  TransactionListQuerySchema,
  TransactionParamsSchema,
  type ResolveBody,
  type TransactionListQuery,
  type TransactionParams,
} from '../schemas.js';
import type { RecoveryService } from '../../payments/recovery.js';

function toEpochMs(field: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isSafeInteger(ms)) throw invalidRequest([`${field}: is not a valid date/time`]);
  return ms;
}

export function registerTransactionRoutes(app: FastifyInstance, journal: Journal, recovery: RecoveryService): void {
  app.post<{ Params: TransactionParams; Body: ResolveBody }>(
    '/payment/transactions/:transaction_id/resolve',
    { schema: { params: TransactionParamsSchema, body: ResolveBodySchema } },
    async (request) => {
      const { status, operator, reason } = request.body;
      const tx = await recovery.resolveByOperator(request.params.transaction_id.toLowerCase(), status, operator, reason);
      return success(presentTransaction(tx));
    },
  );

  app.get<{ Querystring: TransactionListQuery }>(
    '/payment/transactions',
    {
      schema: { querystring: TransactionListQuerySchema },
      preValidation: async (request) => {
        request.query = coerceToSchema(TransactionListQuerySchema, request.query) as TransactionListQuery;
      },
    },
    async (request) => {
      const q = request.query;
      const page = await journal.list({
        method: q.method,
        status: q.status,
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
    { schema: { params: TransactionParamsSchema } },
    async (request) => {
      const tx = await journal.get(request.params.transaction_id.toLowerCase());
      if (!tx) throw paymentError(`no transaction ${request.params.transaction_id} in the journal`, { transaction_id: request.params.transaction_id });
      return success(presentTransactionDetail(tx));
    },
  );
}
