import type { FastifyInstance, preValidationHookHandler } from 'fastify';
import type { TSchema } from '@sinclair/typebox';
import { invalidRequest } from '../../payments/errors.js';
import type { FiscalHandoffService } from '../../payments/fiscal-handoff.js';
import type { QrMethod, QrPaymentService } from '../../payments/qr-payment-service.js';
import type { FiscalHandoff } from '../../payments/transaction.js';
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
} from '../schemas.js';

/** Brings quirky till values (numeric strings, "true") to the schema's types before validation. */
function coerceBody(schema: TSchema): preValidationHookHandler {
  return async (request) => {
    request.body = coerceToSchema(schema, request.body);
  };
}

function queued(handoff: FiscalHandoff) {
  return {
    status: 'queued',
    message: `${handoff.method} could not be reached; PayBridge keeps retrying until the receipt is delivered.`,
    payment_id: handoff.paymentId,
    qr_code: handoff.receipt.qrCodeUrl,
    attempts: handoff.attempts,
    next_attempt_at: handoff.nextAttemptAt === null ? null : new Date(handoff.nextAttemptAt).toISOString(),
    last_error: handoff.lastError,
    error: null,
  };
}

const nothingToReplay = async () => undefined;

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

  for (const method of ['click', 'payme'] as const satisfies readonly QrMethod[]) {
    app.post<{ Body: QrPaymentBody }>(
      `/payment/${method}`,
      { schema: { body: payBody }, preValidation: coerceBody(payBody) },
      async (request) =>
        serve(
          request,
          () => payments.pay(method, { amount: request.body.amount, qrCode: request.body.qr_code }),
          (id) => payments.replay(id, request.body.qr_code),
        ),
    );

    app.post<{ Body: CancelBody }>(`/payment/${method}_cancel`, { schema: { body: cancelBody }, preValidation: coerceBody(cancelBody) }, async (request) => {
      const { transaction_id, payment_id, amount } = request.body;
      if ((transaction_id === undefined) === (payment_id === undefined)) {
        throw invalidRequest(['transaction_id, payment_id: exactly one of them is required']);
      }
      return serve(request, () => payments.cancel(method, { transactionId: transaction_id?.toLowerCase(), paymentId: payment_id, amount }), nothingToReplay);
    });
  }

  app.post<{ Body: FiscalConfirmBody }>(
    '/payment/click_confirm',
    { schema: { body: FiscalConfirmBodySchema }, preValidation: coerceBody(FiscalConfirmBodySchema) },
    async (request) => {
      const { payment_id, qr_code } = request.body;
      return serve(
        request,
        async () => {
          const { delivered, handoff } = await fiscal.submit('click', { paymentId: payment_id, qrCodeUrl: qr_code });
          return delivered ? { inn: shopInn ?? null, payment_id, qr_code, status: 'successfully', error: null } : queued(handoff);
        },
        nothingToReplay,
      );
    },
  );

  app.post<{ Body: PaymeFiscalConfirmBody }>(
    '/payment/payme_confirm',
    { schema: { body: PaymeFiscalConfirmBodySchema }, preValidation: coerceBody(PaymeFiscalConfirmBodySchema) },
    async (request) => {
      const b = request.body;
      return serve(
        request,
        async () => {
          const { delivered, handoff } = await fiscal.submit('payme', {
            paymentId: b.payment_id,
            qrCodeUrl: b.qr_code,
            receiptId: b.receipt_id,
            terminalId: b.terminal_id,
            fiscalSign: b.fiscal_sign,
            date: b.date,
            statusCode: b.status_code,
            message: b.message,
          });
          return delivered ? handoff.result : queued(handoff);
        },
        nothingToReplay,
      );
    },
  );
}
