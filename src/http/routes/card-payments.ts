import type { FastifyInstance } from 'fastify';
import type { CardMethod, CardPaymentService } from '../../payments/card-payment-service.js';
import { invalidRequest } from '../../payments/errors.js';
import { coerceToSchema } from '../coerce.js';
import { success } from '../envelope.js';
import type { IdempotentServe } from '../idempotent.js';
import { CardAnswerSchema, envelope, SEED_CARD_ANSWER } from '../responses.js';
import { METHOD_NAMES } from '../../payments/transaction.js';
import { cardBodySchema, IdempotencyHeadersSchema, TerminalQuerySchema, type CardBody, type RequestLimits, type TerminalQuery } from '../schemas.js';

// The POS contract spells Humo "xumo" in its paths.
const PATHS: Record<CardMethod, string> = { humo: 'xumo', uzcard: 'uzcard' };

export function registerCardRoutes(app: FastifyInstance, cards: CardPaymentService, limits: RequestLimits, serve: IdempotentServe): void {
  const body = cardBodySchema(limits);
  for (const method of ['humo', 'uzcard'] as const) {
    const path = PATHS[method];
    app.post<{ Body: CardBody }>(
      `/payment/${path}`,
      {
        schema: {
          summary: `Pay, ${method === 'humo' ? 'cancel' : 'refund'} on the ${METHOD_NAMES[method]} pinpad`,
          description:
            method === 'humo'
              ? 'Without is_return: a purchase (the customer at the pinpad). With is_return true: the universal cancel within the shift, request_id = the slip’s receipt number (Чек) or RRN.'
              : 'Without is_return: a purchase (the customer at the pinpad). With is_return true: a refund by RRN (request_id, 12 digits), whole or in part, in any shift.',
          tags: ['cards'],
          headers: IdempotencyHeadersSchema,
          body,
          response: { 200: envelope(CardAnswerSchema, SEED_CARD_ANSWER, 'The bank slip and the RRN (ppt_id).') },
        },
        preValidation: async (request) => {
          request.body = coerceToSchema(body, request.body) as CardBody;
        },
      },
      async (request) => {
        const { amount, request_id, is_return, terminal } = request.body;
        if (is_return && request_id === undefined) throw invalidRequest(['request_id: is required when is_return is true']);
        const work = () =>
          !is_return
            ? cards.pay(method, amount, terminal)
            : method === 'humo'
              ? cards.cancel(method, request_id!, amount, terminal)
              : cards.refund(method, request_id!, amount, terminal);
        // A pinpad request without a key is never deduplicated: two equal purchases can be two sales.
        return serve(request, work, (id, orUnsettled) => cards.replay(id, orUnsettled));
      },
    );
    const query = (summary: string, description: string) => ({
      schema: { summary, description, tags: ['cards'], querystring: TerminalQuerySchema, response: { 200: envelope(CardAnswerSchema, SEED_CARD_ANSWER, 'The slip or report text.') } },
    });
    const name = METHOD_NAMES[method];
    app.get<{ Querystring: TerminalQuery }>(
      `/payment/${path}_close`,
      query(`Close the ${name} shift`, 'Settles the shift at the bank and reconciles the terminal’s totals against the journal (data.reconciliation).'), async (request) => success(await cards.closeShift(method, request.query.terminal)));
    // FiscalBox documents it as `/payment/xumo_shortreport/`; the trailing slash is dropped before routing (server.ts).
    app.get<{ Querystring: TerminalQuery }>(
      `/payment/${path}_shortreport`,
      query(
        `X-report of the ${name} shift`,
        'The terminal’s totals of the open shift, printed without closing it (FiscalBox’s short report): data.message the report, data.ppt_id null, data.reconciliation the terminal’s totals against the journal’s where the report names totals and a shift. Read-only: nothing is journaled as a payment.',
      ),
      async (request) => success(await cards.xReport(method, request.query.terminal)),
    );
    app.get<{ Querystring: TerminalQuery }>(`/payment/${path}/print_last`, query(`Print the last ${name} slip again`, 'The last operation’s slip, as the pinpad keeps it.'), async (request) =>
      success(await cards.printLast(method, 'operation', request.query.terminal)),
    );
    app.get<{ Querystring: TerminalQuery }>(`/payment/${path}_close/print_last`, query(`Print the last ${name} shift report again`, 'The last shift-close report.'), async (request) =>
      success(await cards.printLast(method, 'report', request.query.terminal)),
    );
  }
}
