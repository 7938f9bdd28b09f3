import type { FastifyInstance } from 'fastify';
import type { QrPaymentRequest, QrPaymentResult } from '../../payments/qr-payment-service.js';
import { coerceToSchema } from '../coerce.js';
import { success } from '../envelope.js';
import { qrPaymentBodySchema, type QrPaymentBody, type RequestLimits } from '../schemas.js';

export interface QrPayments {
  pay(method: 'click' | 'payme', request: QrPaymentRequest): Promise<QrPaymentResult>;
}

export function registerQrPaymentRoutes(app: FastifyInstance, payments: QrPayments, limits: RequestLimits): void {
  const body = qrPaymentBodySchema(limits);
  app.post<{ Body: QrPaymentBody }>(
    '/payment/click',
    {
      schema: { body },
      preValidation: async (request) => {
        request.body = coerceToSchema(body, request.body) as QrPaymentBody;
      },
    },
    async (request) => success(await payments.pay('click', { amount: request.body.amount, qrCode: request.body.qr_code })),
  );
}
