import type { FastifyInstance } from 'fastify';
import type { CardMethod, CardPaymentService } from '../../payments/card-payment-service.js';
import { invalidRequest } from '../../payments/errors.js';
import { coerceToSchema } from '../coerce.js';
import { success } from '../envelope.js';
import type { IdempotentServe } from '../idempotent.js';
import { cardBodySchema, TerminalQuerySchema, type CardBody, type RequestLimits, type TerminalQuery } from '../schemas.js';

// The POS contract spells Humo "xumo" in its paths.
const PATHS: Record<CardMethod, string> = { humo: 'xumo', uzcard: 'uzcard' };

export function registerCardRoutes(app: FastifyInstance, cards: CardPaymentService, limits: RequestLimits, serve: IdempotentServe): void {
  const body = cardBodySchema(limits);
  for (const method of ['humo', 'uzcard'] as const) {
    const path = PATHS[method];
    app.post<{ Body: CardBody }>(
      `/payment/${path}`,
      {
        schema: { body },
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
        return serve(request, work, (id) => cards.replay(id));
      },
    );
    const query = { schema: { querystring: TerminalQuerySchema } };
    app.get<{ Querystring: TerminalQuery }>(`/payment/${path}_close`, query, async (request) => success(await cards.closeShift(method, request.query.terminal)));
    app.get<{ Querystring: TerminalQuery }>(`/payment/${path}/print_last`, query, async (request) =>
      success(await cards.printLast(method, 'operation', request.query.terminal)),
    );
    app.get<{ Querystring: TerminalQuery }>(`/payment/${path}_close/print_last`, query, async (request) =>
      success(await cards.printLast(method, 'report', request.query.terminal)),
    );
  }
}
