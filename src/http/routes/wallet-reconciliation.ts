import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { Language } from '../../i18n/language.js';
import type { IdempotentServe } from '../idempotent.js';
import { Type } from '../../lib/typebox.js';
import { invalidRequest, paymentError } from '../../payments/errors.js';
import { text } from '../../i18n/text.js';
import { previousShopDate, shopDate } from '../../lib/shop-time.js';
import { UnconfiguredWalletError, type WalletReconciliation, type WalletRunView } from '../../payments/wallet-reconciliation.js';
import { success } from '../envelope.js';
import { presentWalletRun, walletReportCsv } from '../present-reconciliation.js';
import { AnyObject, envelope } from '../responses.js';
import {
  IdempotencyHeadersSchema,
  WalletReconciliationBodySchema,
  WalletReconciliationQuerySchema,
  type WalletReconciliationBody,
  type WalletReconciliationQuery,
} from '../schemas.js';

const ReconciliationAnswer = Type.Object(
  {
    reconciliation_id: Type.String(),
    date: Type.String({ description: 'The shop day reconciled.' }),
    state: Type.String({ description: '`done`, or `running` (answered with HTTP 202: ask GET with the date for the report).' }),
    result: Type.Optional(Type.String({ description: '`match`, `discrepancies` or `not_confirmed` (some payments the wallet could not confirm, nothing found wrong).' })),
    methods: Type.Optional(AnyObject),
    discrepancies: Type.Optional(Type.Array(AnyObject)),
  },
  {
    additionalProperties: true,
    description:
      'Per method, `journal` and `provider` `{count, amount}` (payments that moved money; tiyin paid minus given back), `matched` and `not_confirmed`; each difference with `kind` (paid_at_provider_only, paid_in_journal_only, given_back_outside, given_back_in_journal_only, amount_differs, unknown_to_journal, not_confirmed, settled_by_reconciliation), `method`, `transaction_id` (the wallet’s id when the journal has none), `journal_status`, `provider_status`, `amount` (tiyin) and `action`, a sentence for the shop in the request’s language.',
  },
);

const SAMPLE = { reconciliation_id: '6b1f0c9e-2f7a-4f57-9d55-1b1a3b0f4c11', date: '2026-12-06', state: 'done', result: 'match', methods: {}, discrepancies: [] };

/** The wallet reconciliation of a shop day: run it, read it, take it to the accountant as CSV. */
export function registerWalletReconciliationRoutes(app: FastifyInstance, reconciliation: WalletReconciliation, timezone: string, answerWithinMs: number, serve: IdempotentServe): void {
  const day = (date: string) => {
    const today = shopDate(timezone, Date.now());
    if (date === 'today') return today;
    return date === 'yesterday' ? previousShopDate(timezone, today) : date;
  };

  /** Runs (or joins) the day's run; its report when done within answerWithinMs, else that it is running. */
  const runDay = async (body: WalletReconciliationBody, log: FastifyBaseLogger, language: Language) => {
    let work: Promise<WalletRunView>;
    try {
      work = reconciliation.run(day(body.date), body.methods);
    } catch (err) {
      if (err instanceof UnconfiguredWalletError) throw invalidRequest([`methods: ${err.message}`]);
      throw err;
    }
    work.catch((err: unknown) => log.error({ err }, 'wallet reconciliation failed'));
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<undefined>((resolve) => (timer = setTimeout(resolve, answerWithinMs, undefined)));
    const view = (await Promise.race([work, late]).finally(() => clearTimeout(timer))) ?? (await reconciliation.view(day(body.date))) ?? (await work);
    return presentWalletRun(view, language);
  };

  app.post<{ Body: WalletReconciliationBody }>(
    '/payment/reconciliation/wallets',
    {
      schema: {
        summary: 'Reconcile a shop day with the wallets',
        description:
          'Looks every Click, Payme and Uzum payment the journal holds for the day up at its wallet by the documented status calls (Payme’s receipts.get_all also finds receipts the journal never saw), compares, and settles a payment still unknown as recovery would. Status questions only: nothing is charged or given back. Answers the report when done; a run longer than `reconciliation.answer_within_ms` is answered HTTP 202 with its id and goes on (GET with the date returns it). A run that stopped midway is resumed without asking again what it learnt.',
        tags: ['reconciliation'],
        headers: IdempotencyHeadersSchema,
        body: WalletReconciliationBodySchema,
        response: { 200: envelope(ReconciliationAnswer, SAMPLE, 'The day’s reconciliation.'), 202: envelope(ReconciliationAnswer, SAMPLE, 'Still running.') },
      },
    },
    // A keyed retry gets the first answer (the report, or "running" with the run's id: GET has the rest).
    async (request, reply) => {
      const envelope = await serve(request, () => runDay(request.body, request.log, request.language), async () => undefined);
      const data = envelope.data as { state?: string } | null;
      return reply.code(data?.state === 'running' ? 202 : 200).send(envelope);
    },
  );

  app.get<{ Querystring: WalletReconciliationQuery }>(
    '/payment/reconciliation/wallets',
    {
      schema: {
        summary: 'A shop day’s wallet reconciliation',
        description: 'The newest reconciliation of the day: its report when done, or that it is running.',
        tags: ['reconciliation'],
        querystring: WalletReconciliationQuerySchema,
        response: { 200: envelope(ReconciliationAnswer, SAMPLE, 'The day’s reconciliation.') },
      },
    },
    async (request) => {
      const date = day(request.query.date);
      const view = await reconciliation.view(date);
      if (!view) throw paymentError(text('reconcile_not_run', { date }));
      return success(presentWalletRun(view, request.language));
    },
  );

  app.get<{ Querystring: WalletReconciliationQuery }>(
    '/payment/reconciliation/wallets.csv',
    {
      schema: {
        summary: 'A shop day’s differences as CSV',
        description: 'For the accountant: one row per difference of the day’s newest finished reconciliation; headings in the request’s language, times in shop.timezone, amounts in soum.',
        tags: ['reconciliation'],
        querystring: WalletReconciliationQuerySchema,
        // A file for a spreadsheet, not an API answer: described in the README, left out of /docs.
        hide: true,
        response: { 200: Type.String({ description: 'CSV (UTF-8 with a byte-order mark, comma-separated, CRLF): one row per difference; a day not reconciled yet is answered with the envelope (106).' }) },
      },
    },
    async (request, reply) => {
      const date = day(request.query.date);
      const view = await reconciliation.view(date);
      if (!view || view.state !== 'done') throw paymentError(text('reconcile_not_run', { date }));
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="wallet-reconciliation-${date}.csv"`)
        .send(walletReportCsv(view.report, request.language, timezone));
    },
  );
}
