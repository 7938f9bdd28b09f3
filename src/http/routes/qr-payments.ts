import type { FastifyInstance, preValidationHookHandler } from 'fastify';
import { Type, type TSchema } from '../../lib/typebox.js';
import { invalidRequest } from '../../payments/errors.js';
import type { FiscalHandoffService } from '../../payments/fiscal-handoff.js';
import type { QrMethod, QrPaymentService } from '../../payments/qr-payment-service.js';
import type { FiscalHandoff } from '../../payments/transaction.js';
import type { ClaimHeld } from '../../payments/ports/journal.js';
import { coerceToSchema } from '../coerce.js';
import type { IdempotentServe } from '../idempotent.js';
import {
  cancelBodySchema,
  FiscalConfirmBodySchema,
  PaymeFiscalConfirmBodySchema,
  qrPaymentBodySchema,
  type CancelBody,
  type FiscalConfirmBody,
  type PaymeFiscalConfirmBody,
  type QrPaymentBody,
  type RequestLimits,
  IdempotencyHeadersSchema,
} from '../schemas.js';
import { CancelAnswer, envelope, FiscalAnswer, QrPaymentAnswer, SEED_QR_SUCCESS } from '../responses.js';
import { METHOD_NAMES } from '../../payments/transaction.js';

/** Brings quirky till values (numeric strings, "true") to the schema's types before validation. */
function coerceBody(schema: TSchema): preValidationHookHandler {
  return async (request) => {
    request.body = coerceToSchema(schema, request.body);
  };
}

/**
 * A receipt the provider has not confirmed yet, in words the till can act on: PayBridge keeps at it
 * either way, and nothing more is to be sent from the till.
 */
function queued({ handoff, heldBy }: { handoff: FiscalHandoff; heldBy?: ClaimHeld }) {
  const provider = METHOD_NAMES[handoff.method];
  const message = heldBy
    ? `This receipt is being submitted to ${provider} right now (by ${heldBy.owner}); it is not confirmed yet, and PayBridge keeps trying until it is. Nothing was sent again for this request.`
    : handoff.state === 'unknown'
      ? `${provider}'s answer was lost, so whether it has the receipt is not confirmed yet; PayBridge keeps trying (submitting the same receipt again) until ${provider} confirms it.`
      : `${provider} could not be reached; PayBridge keeps retrying until the receipt is delivered.`;
  return {
    status: 'queued',
    handoff_state: handoff.state,
    in_progress: heldBy !== undefined,
    message,
    payment_id: handoff.paymentId,
    qr_code: handoff.receipt.qrCodeUrl,
    attempts: handoff.attempts,
    next_attempt_at: handoff.nextAttemptAt === null ? null : new Date(handoff.nextAttemptAt).toISOString(),
    last_error: handoff.lastError,
    error: null,
  };
}

function fiscalSchema(provider: string, body: TSchema) {
  return {
    summary: `Hand the fiscal receipt to ${provider}`,
    description:
      'The receipt printed by the shop’s own fiscal module, for a paid payment. Delivery is journaled: when the provider cannot be reached, or its answer is lost (`handoff_state` `pending` or `unknown`), or another request is submitting the same receipt right now (`in_progress`), the answer is `queued` and PayBridge keeps trying until the provider confirms it; a refusal is error 104 with the provider’s words.',
    tags: ['qr'],
    headers: IdempotencyHeadersSchema,
    body,
    response: {
      200: envelope(FiscalAnswer, { payment_id: '2170000001', qr_code: 'https://ofd.soliq.uz/check?t=EP000000000123&r=1542&c=20261123150102&s=512345678901', status: 'successfully', error: null }, 'Delivered or queued.'),
    },
  };
}

const nothingToReplay = async () => undefined;

/** FiscalBox's uzum_confirm answer: Uzum's own fields (payment/fiscal), error_code as a string. */
const UzumFiscalAnswer = Type.Object(
  {
    payment_id: Type.String({ description: 'Uzum’s payment id.' }),
    payment_status: Type.Optional(Type.Union([Type.String(), Type.Null()], { description: 'Uzum’s status of the payment (SUCCESS, HOLD, REVERSED, …); `queued` answers carry `status` instead.' })),
    error_code: Type.Optional(Type.String({ description: '`0`: Uzum took the receipt.' })),
    error_message: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    client_phone_number: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  },
  { additionalProperties: true, description: 'Uzum’s acknowledgement of the fiscal receipt, or `status: queued` when Uzum could not be reached and PayBridge keeps retrying.' },
);

/** FiscalBox's Uzum Fast Pay success example, with the fields PayBridge adds to every QR payment. */
const UZUM_SUCCESS = {
  payment_id: 'bb75f609-6d97-4b45-9ed3-80e5fcd19ef1',
  payment_status: 'SUCCESS',
  error_code: '0',
  error_message: null,
  client_phone_number: '998946532140',
  status_code: 0,
  status: 'successfully',
  message: 'Успешно подтвержден',
  transaction_id: 'ee000d20-b260-4b17-995a-a7bd113bdb22',
  amount: 500,
  qr_code: '880101698207133392',
};

export function registerQrPaymentRoutes(
  app: FastifyInstance,
  payments: QrPaymentService,
  fiscal: FiscalHandoffService,
  limits: RequestLimits,
  shopInn: string | undefined,
  serve: IdempotentServe,
): void {
  const payBody = qrPaymentBodySchema(limits);
  const cancelBody = cancelBodySchema(limits);

  for (const method of ['click', 'payme', 'uzum'] as const satisfies readonly QrMethod[]) {
    app.post<{ Body: QrPaymentBody }>(
      `/payment/${method}`,
      {
        schema: {
          summary: `Take a ${METHOD_NAMES[method]} payment`,
          description: `Charges the QR code scanned from the customer's ${METHOD_NAMES[method]} app. The same code and amount again within idempotency.qr_retry_window_ms is answered as the first payment, never charged twice.`,
          tags: ['qr'],
          headers: IdempotencyHeadersSchema,
          body: payBody,
          response: { 200: envelope(QrPaymentAnswer, method === 'uzum' ? UZUM_SUCCESS : SEED_QR_SUCCESS, 'The payment, or why it was not taken.') },
        },
        preValidation: coerceBody(payBody),
      },
      async (request) =>
        serve(
          request,
          () => payments.pay(method, { amount: request.body.amount, qrCode: request.body.qr_code }),
          (id, orUnsettled) => payments.replay(id, request.body.qr_code, orUnsettled),
        ),
    );

    const cancelSchema = {
      summary: `Cancel or refund a ${METHOD_NAMES[method]} payment`,
      description: 'Names the payment by transaction_id or payment_id; without amount, everything that remains is given back.',
      tags: ['qr'],
      headers: IdempotencyHeadersSchema,
      body: cancelBody,
      response: {
        200: envelope(
          CancelAnswer,
          { status: 'successfully', message: 'Платеж отменен', transaction_id: SEED_QR_SUCCESS.transaction_id, payment_id: '2170000001', amount: 500, refunded_amount: 500, remaining_amount: 0, transaction_status: 'cancelled' },
          'What was given back.',
        ),
      },
    };
    app.post<{ Body: CancelBody }>(`/payment/${method}_cancel`, { schema: cancelSchema, preValidation: coerceBody(cancelBody) }, async (request) => {
      const { transaction_id, payment_id, amount } = request.body;
      if ((transaction_id === undefined) === (payment_id === undefined)) {
        throw invalidRequest(['transaction_id, payment_id: exactly one of them is required']);
      }
      // A retry finds the give-back its key was tied to when it was journaled, whenever it comes.
      return serve(request, () => payments.cancel(method, { transactionId: transaction_id?.toLowerCase(), paymentId: payment_id, amount }), (id, orUnsettled) => payments.giveBackAnswer(id, orUnsettled));
    });
  }

  app.post<{ Body: FiscalConfirmBody }>(
    '/payment/click_confirm',
    { schema: fiscalSchema('Click', FiscalConfirmBodySchema), preValidation: coerceBody(FiscalConfirmBodySchema) },
    async (request) => {
      const { payment_id, qr_code } = request.body;
      return serve(
        request,
        async () => {
          const result = await fiscal.submit('click', { paymentId: payment_id, qrCodeUrl: qr_code });
          return result.delivered ? { inn: shopInn ?? null, payment_id, qr_code, status: 'successfully', error: null } : queued(result);
        },
        nothingToReplay,
      );
    },
  );

  // FiscalBox's uzum_confirm sends the fiscal receipt to Uzum (payment/fiscal) and answers in Uzum's fields.
  app.post<{ Body: FiscalConfirmBody }>(
    '/payment/uzum_confirm',
    {
      schema: {
        ...fiscalSchema('Uzum', FiscalConfirmBodySchema),
        response: {
          200: envelope(
            UzumFiscalAnswer,
            { payment_id: '7e577908-6851-4a8d-ac1d-bdd17002f96b', payment_status: 'SUCCESS', error_code: '0', error_message: null, client_phone_number: null },
            'Delivered (Uzum’s own answer, in FiscalBox’s fields) or queued.',
          ),
        },
      },
      preValidation: coerceBody(FiscalConfirmBodySchema),
    },
    async (request) => {
      const { payment_id, qr_code } = request.body;
      return serve(
        request,
        async () => {
          const result = await fiscal.submit('uzum', { paymentId: payment_id, qrCodeUrl: qr_code });
          return result.delivered ? { ...(result.handoff.result as object), qr_code } : queued(result);
        },
        nothingToReplay,
      );
    },
  );

  app.post<{ Body: PaymeFiscalConfirmBody }>(
    '/payment/payme_confirm',
    { schema: fiscalSchema('Payme', PaymeFiscalConfirmBodySchema), preValidation: coerceBody(PaymeFiscalConfirmBodySchema) },
    async (request) => {
      const b = request.body;
      return serve(
        request,
        async () => {
          const result = await fiscal.submit('payme', {
            paymentId: b.payment_id,
            qrCodeUrl: b.qr_code,
            receiptId: b.receipt_id,
            terminalId: b.terminal_id,
            fiscalSign: b.fiscal_sign,
            date: b.date,
            statusCode: b.status_code,
            message: b.message,
          });
          return result.delivered ? result.handoff.result : queued(result);
        },
        nothingToReplay,
      );
    },
  );
}
