import { Type, type Static } from '../../lib/typebox.js';
import type { FastifyInstance } from 'fastify';
import type { Discrepancy } from '../../payments/wallet-records.js';
import { presentDiscrepancy } from '../present-reconciliation.js';
import { ATTENTION_DAYS, presentShiftClose, type OperatorService } from '../../payments/operator-service.js';
import { presentConflict, presentTransaction } from '../present.js';
import { coerceToSchema } from '../coerce.js';
import { success } from '../envelope.js';
import type { IdempotentServe } from '../idempotent.js';
import { AnyObject, envelope, SEED_TRANSACTION } from '../responses.js';
import { IdempotencyHeadersSchema, TransactionParamsSchema, type RequestLimits, amountSchema, type TransactionParams } from '../schemas.js';

const SummaryQuerySchema = Type.Object(
  {
    date: Type.Optional(
      Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'A day of the shop (shop.timezone), YYYY-MM-DD; today when absent.', examples: ['2026-11-26'], 'x-error': 'must be a date, YYYY-MM-DD' }),
    ),
    days: Type.Integer({ minimum: 1, maximum: 31, default: 7, description: 'How many shop days `days` lists, ending with `date`.', examples: [7], 'x-error': 'must be an integer from 1 to 31' }),
    shop: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 64,
        pattern: '^[^\\u0000-\\u001f\\u007f]+$',
        description: 'Only what this shop took (instance.shop of the PayBridge that journaled it); the whole journal when absent.',
        examples: ['tashkent-1'],
        'x-error': 'must be a shop name of 1 to 64 characters, as instance.shop names it',
      }),
    ),
    till: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 64,
        pattern: '^[^\\u0000-\\u001f\\u007f]+$',
        description: 'Only what this till took (instance.till); with `shop`, that shop’s till. A till with nothing that day has zeros. `tills` in the answer lists the day’s tills.',
        examples: ['1'],
        'x-error': 'must be a till name of 1 to 64 characters, as instance.till names it',
      }),
    ),
  },
  { additionalProperties: false, 'x-error': 'is not a parameter of the summary' },
);

const ShiftClosesQuerySchema = Type.Object(
  {
    terminal: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_.-]{1,64}$', 'x-error': 'must be a configured terminal id' })),
    limit: Type.Integer({ minimum: 1, maximum: 200, default: 20, 'x-error': 'must be an integer from 1 to 200' }),
  },
  { additionalProperties: false, 'x-error': 'is not a filter of this listing' },
);

function giveBackBodySchema(limits: RequestLimits) {
  return Type.Object(
    {
      amount: Type.Optional(amountSchema(limits)),
      operator: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'Who gives the money back (kept in the log).', 'x-error': 'must be 1 to 100 characters' })),
    },
    { additionalProperties: false, 'x-error': 'must be a JSON object with amount and operator only' },
  );
}

const operator = (summary: string, description: string) => ({ summary, description, tags: ['operator'] });

const nothingToReplay = async () => undefined;

/**
 * Endpoints for the shop's manager (the console) and the CLI. Logic in OperatorService. Their POSTs
 * take an `Idempotency-Key` like the tills' (`serve`): a retried give-back gives nothing back again.
 */
export function registerOperatorRoutes(
  app: FastifyInstance,
  service: OperatorService,
  limits: RequestLimits,
  serve: IdempotentServe,
  recentDiscrepancies: () => Promise<readonly Discrepancy[]> = async () => [],
): void {
  app.get<{ Querystring: Static<typeof SummaryQuerySchema> }>(
    '/payment/summary',
    {
      schema: {
        ...operator(
          'Totals of a day, by hour and over the last days; of the whole journal, a shop or a till',
          'A day of the shop (shop.timezone); with `shop` and/or `till`, only what that shop or till took (`shop`, `till` in the answer say which; `tills` lists the tills with a transaction that day, and this PayBridge’s own, `this_till`); the card terminals are listed only when the summary includes this PayBridge’s till. Per method: payments that took money and their sum, what was given back (`returned_amount`, `returned_count`), the net, failed, pending and unknown counts. `hourly`: each local hour of the day (23 or 25 on a daylight-saving day), every method in each; `days`: the last `days` shop days ending with `date`, oldest first. One rule for all three: a payment counts in the hour and day it was created; a give-back that succeeded counts in the hour and day the give-back was made, foreign ones included (a refund today of yesterday’s sale lowers today’s net), so the hours and the days add up to the day’s totals. Per terminal: the current shift and its totals from the journal. Amounts in tiyin.',
        ),
        querystring: SummaryQuerySchema,
        response: {
          200: envelope(
            AnyObject,
            {
              date: '2026-11-23',
              timezone: 'Asia/Tashkent',
              from: '2026-11-22T19:00:00.000Z',
              to: '2026-11-23T19:00:00.000Z',
              shop: null,
              till: null,
              this_till: { shop: 'tashkent-1', till: '1' },
              tills: [{ shop: 'tashkent-1', till: '1' }, { shop: 'tashkent-1', till: '2' }],
              methods: [{ method: 'click', paid_count: 2, paid_amount: 1000, returned_amount: 500, returned_count: 1, net_amount: 500, failed_count: 1, pending_count: 0, unknown_count: 0 }],
              terminals: [{ terminal: 'humo-1', method: 'humo', shift_number: 1, shift_open: true, totals: { purchase_count: 1, purchase_amount: 50000, return_count: 0, return_amount: 0 } }],
              hourly: [{ hour: 0, from: '2026-11-22T19:00:00.000Z', methods: { click: { paid_count: 0, paid_amount: 0, returned_amount: 0, net_amount: 0 } } }],
              days: [{ date: '2026-11-23', from: '2026-11-22T19:00:00.000Z', to: '2026-11-23T19:00:00.000Z', methods: { click: { paid_count: 2, paid_amount: 1000, returned_amount: 500, net_amount: 500 } } }],
            },
            'The day’s totals.',
          ),
        },
      },
      preValidation: async (request) => {
        request.query = coerceToSchema(SummaryQuerySchema, request.query) as Static<typeof SummaryQuerySchema>;
      },
    },
    async (request) => success(await service.summary(request.query.date, request.query.days, { shop: request.query.shop, till: request.query.till })),
  );

  app.get(
    '/payment/attention',
    {
      schema: {
        ...operator(
          'What waits for an operator',
          `Every transaction (payment or give-back) whose outcome is \`unknown\`, oldest first (at most 100 listed; \`unknown_count\` counts them all); the reconciliations that did not match, closed within the last ${ATTENTION_DAYS} shop days, newest first; the conflicts: proofs that money moved (a charge or a give-back that succeeded at the provider or terminal) which met a row someone else had settled otherwise, or could not be written at all (\`contradicted\` / \`unrecorded\`), oldest first — a give-back's amount stays reserved while its conflict is open; the differences the wallet reconciliations of the last 7 shop days found (\`wallet_discrepancies\`: GET /payment/reconciliation/wallets has each day); and the shift closes whose outcome is \`unknown\` — the shift may or may not be closed, print the last report to see — until a later close of the same terminal closes it, newest first (at most 100 listed; \`unknown_closes_count\` counts them all). \`count\` is the sum. Decide an unknown one or a conflict with POST /payment/transactions/{id}/resolve.`,
        ),
        response: {
          200: envelope(
            AnyObject,
            {
              count: 2,
              unknown: [{ ...SEED_TRANSACTION, status: 'unknown' }],
              unknown_count: 1,
              mismatched: [{ terminal: 'humo-1', shift_number: 1, matched: false, mismatch: true, difference: { purchase_count: 1, purchase_amount: 50000, return_count: 0, return_amount: 0 } }],
              mismatched_count: 1,
              conflicts: [],
              conflicts_count: 0,
              unknown_closes: [],
              unknown_closes_count: 0,
            },
            'What waits, and how much of it.',
          ),
        },
      },
    },
    async (request) => {
      const a = await service.attention();
      // The wallets' differences of the recent days; what a wallet could not confirm is listed, not counted.
      const differences = (await recentDiscrepancies()).filter((d) => d.kind !== 'not_confirmed');
      return success({
        count: a.unknownCount + a.mismatched.length + a.conflictsCount + a.unknownClosesCount + differences.length,
        unknown: a.unknown.map((tx) => presentTransaction(tx, request.language)),
        unknown_count: a.unknownCount,
        mismatched: a.mismatched.map(presentShiftClose),
        mismatched_count: a.mismatched.length,
        conflicts: a.conflicts.map(({ conflict, tx }) => presentConflict(conflict, tx)),
        conflicts_count: a.conflictsCount,
        unknown_closes: a.unknownCloses.map(presentShiftClose),
        unknown_closes_count: a.unknownClosesCount,
        wallet_discrepancies: differences.map((d) => presentDiscrepancy(d, request.language)),
        wallet_discrepancies_count: differences.length,
      });
    },
  );

  app.get(
    '/payment/terminals',
    {
      schema: {
        ...operator('The card terminals and their state', '`idle`, `busy` (an operation at the pinpad) or `offline` (the last exchange failed on the link, until the terminal answers again; nothing is sent to probe it), the current shift and the last close.'),
        response: { 200: envelope(Type.Array(AnyObject), [{ id: 'humo-1', method: 'humo', driver: 'arcus2', default: true, state: 'idle', shift_number: 1, last_close: null }], 'Every configured terminal.') },
      },
    },
    async () => success(await service.terminals()),
  );

  app.get<{ Querystring: Static<typeof ShiftClosesQuerySchema> }>(
    '/payment/shift-closes',
    {
      schema: {
        ...operator('Reconciliations of closed shifts', 'Newest first: the terminal’s totals against the journal’s, `mismatch` true when they differ, and the differences.'),
        querystring: ShiftClosesQuerySchema,
        response: { 200: envelope(Type.Array(AnyObject), [{ terminal: 'humo-1', shift_number: 1, matched: false, mismatch: true, difference: { purchase_count: 1, purchase_amount: 50000, return_count: 0, return_amount: 0 } }], 'Stored reconciliations.') },
      },
      preValidation: async (request) => {
        request.query = coerceToSchema(ShiftClosesQuerySchema, request.query) as Static<typeof ShiftClosesQuerySchema>;
      },
    },
    async (request) => success(await service.shiftCloses({ terminal: request.query.terminal, limit: request.query.limit })),
  );

  const giveBackBody = giveBackBodySchema(limits);
  app.post<{ Params: TransactionParams; Body: Static<typeof giveBackBody> }>(
    '/payment/transactions/:transaction_id/refund',
    {
      schema: {
        ...operator(
          'Give a payment’s money back',
          'Whatever the method: Click/Payme cancellation, Humo cancel (within the shift), UzCard refund by RRN. Without amount, everything that remains. Refused with 106 when it cannot be done.',
        ),
        headers: IdempotencyHeadersSchema,
        params: TransactionParamsSchema,
        body: giveBackBody,
        response: { 200: envelope(AnyObject, { status: 'successfully', transaction_id: SEED_TRANSACTION.transaction_id, amount: 500, refunded_amount: 500, transaction_status: 'cancelled' }, 'What was given back.') },
      },
      preValidation: async (request) => {
        request.body = coerceToSchema(giveBackBody, request.body ?? {}) as Static<typeof giveBackBody>;
      },
    },
    async (request) =>
      serve(
        request,
        () => service.giveBack(request.params.transaction_id.toLowerCase(), request.body?.amount, request.body?.operator),
        // A retry whose first request was cut off: the give-back the key is tied to, once settled.
        (id, orUnsettled) => service.replayGiveBack(id, orUnsettled),
      ),
  );

  app.post(
    '/payment/recovery/run',
    {
      schema: {
        ...operator('Settle open payments now', 'Asks the providers and terminals about every pending or unknown transaction now, instead of at the next recovery pass; answers how many were settled and what is still open.'),
        headers: IdempotencyHeadersSchema,
        response: { 200: envelope(AnyObject, { settled: 1, pending: 0, unknown: 0, unknown_transactions: [], fiscal_handoffs_pending: 0 }, 'What was settled and what is still open.') },
      },
    },
    // About no one transaction, and final as it is: a retry gets the first pass's answer.
    async (request) => serve(request, () => service.settleNow(), nothingToReplay),
  );
}
