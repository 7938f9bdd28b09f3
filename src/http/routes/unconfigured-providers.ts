import type { FastifyInstance, preValidationHookHandler } from 'fastify';
import { Type, type TSchema } from '../../lib/typebox.js';
import { ErrorCode, PayBridgeError } from '../../payments/errors.js';
import { text } from '../../i18n/text.js';
import { coerceToSchema } from '../coerce.js';
import { FiscalConfirmBodySchema, IdempotencyHeadersSchema, qrPaymentBodySchema, type RequestLimits } from '../schemas.js';

/**
 * FiscalBox's UzQR (`/payment/one_qr/*`) and Anorbank (`/payment/anor*`) endpoints, as FiscalBox
 * documents them, with no provider behind them. Neither UzQR's operator API nor Anorbank's merchant
 * API is published (docs/uzqr-anorbank.md says what was searched), and PayBridge does not guess a
 * wire protocol. So each endpoint checks the request FiscalBox documents — a till that sends a bad
 * one learns so now, not the day the method is connected — and then answers FiscalBox's own refusal
 * for a provider it cannot reach: code 104, "… endpoint not configured". Nothing is journaled (not
 * even an Idempotency-Key) and nothing is sent anywhere.
 */

const printable = (max: number, what: string, example: string) =>
  Type.String({ minLength: 1, maxLength: max, pattern: '^[\\x21-\\x7e]+$', examples: [example], 'x-error': `must be ${what}: 1 to ${max} printable characters without spaces` });

/**
 * UzQR amounts are soum with a dot, as FiscalBox documents them ("100.01"), not tiyin: the format
 * is checked, the value is never used, so no float ever touches money here.
 */
const soumString = Type.String({
  pattern: '^(?!0+(\\.0{1,2})?$)\\d{1,13}(\\.\\d{1,2})?$',
  description: 'Amount in soum with a dot before the tiyin, as FiscalBox documents it ("100.00"). Not tiyin.',
  examples: ['100.00'],
  'x-error': 'must be a positive amount in soum written with a dot, at most two decimals (e.g. "100.00"), as FiscalBox documents it',
});

const object = (properties: Parameters<typeof Type.Object>[0]) => Type.Object(properties, { 'x-error': 'must be a JSON object' });

export const UzqrCreateBodySchema = object({
  external_id: printable(20, 'the till’s unique id of the operation', 'EXT001'),
  amount: soumString,
  print: Type.Optional(Type.Boolean({ description: 'FiscalBox prints the QR on its receipt printer when true.', 'x-error': 'must be true or false' })),
  banners: Type.Optional(Type.Array(Type.Unknown(), { description: 'Banners FiscalBox prints before the QR (print: true).', 'x-error': 'must be an array of banners' })),
});
export const UzqrInvoiceQuerySchema = Type.Object({ invoice_id: printable(64, 'the invoice_id of the create answer', 'INVC134B7FEFED34BC3B470B8') });
export const UzqrReceiptBodySchema = object({
  pay_id: printable(64, 'the pay_id of the status answer', 'PAY12345678901234567'),
  // Not checked as a soliq.uz URL: FiscalBox's own example is not one ("https://example.com/…](https://ofd.soliq.uz/…").
  fiscal_receipt_url: printable(2048, 'the URL of the fiscal receipt', 'https://ofd.soliq.uz/check?t=LG420230601161&r=92927&c=20260617102213&s=117733149112'),
});
export const UzqrCancelBodySchema = object({ invoice_id: printable(64, 'the invoice_id of the create answer', 'INV8D1EBF7CDCBA44E7BF90D3') });
export const UzqrRefundBodySchema = object({ pay_id: printable(64, 'the pay_id of the status answer', 'PAY123456'), amount: soumString });
export const UzqrRefundQuerySchema = Type.Object({ refund_id: printable(64, 'the refund_id of the refund answer', 'REFF5149C4B458F4D7FB') });
export const AnorConfirmBodySchema = object({
  transaction_id: printable(64, 'the transaction_id of the Anorbank payment', '05a447d7-ad64-4b95-931e-951b624b6534'),
  qr_code: FiscalConfirmBodySchema.properties.qr_code,
});

type Provider = 'UzQR' | 'Anorbank';

/** FiscalBox's words for a UzQR it cannot reach ("UzQR endpoint not configured", code 104), and the same for Anorbank. */
export function notConfigured(provider: Provider): PayBridgeError {
  const why = text('provider_unpublished', { method: provider });
  return new PayBridgeError(ErrorCode.BILLING, why, `${provider} endpoint not configured`, { reason: why });
}

/** The refusal as the reference shows it: never a success, so no success shape is promised. */
function refusal(provider: Provider) {
  return Type.Object(
    {
      data: Type.Null(),
      error: Type.Object(
        {
          code: Type.Literal(104),
          message: Type.Literal('BILLING_ERROR'),
          data: Type.Literal(`${provider} endpoint not configured`),
          reason: Type.String({ description: 'A sentence for the cashier in the request’s language.' }),
        },
        { additionalProperties: true },
      ),
      is_success: Type.Literal(false),
    },
    {
      description: `Always refused until a published ${provider} specification exists (a bad request is refused first, with code 7).`,
      examples: [{ data: null, error: { code: 104, message: 'BILLING_ERROR', data: `${provider} endpoint not configured`, reason: `${provider} is not connected to this PayBridge …` }, is_success: false }],
    },
  );
}

function coerceBody(schema: TSchema): preValidationHookHandler {
  return async (request) => {
    request.body = coerceToSchema(schema, request.body);
  };
}

const NOT_YET = 'Not configured until a published specification of the provider’s API exists: checks the request as FiscalBox documents it, then answers code 104. Nothing is journaled or sent.';

export function registerUnconfiguredProviderRoutes(app: FastifyInstance, limits: RequestLimits): void {
  const refuse = (provider: Provider) => async () => {
    throw notConfigured(provider);
  };
  const post = (url: string, provider: Provider, summary: string, body: TSchema) =>
    // The key is accepted like every POST's (a till sends one on every request); the refusal changes
    // nothing and is the same every time, so a retry is answered alike without keeping the key.
    app.post(url, { schema: { summary, description: NOT_YET, tags: ['not configured'], headers: IdempotencyHeadersSchema, body, response: { 200: refusal(provider) } }, preValidation: coerceBody(body) }, refuse(provider));
  const get = (url: string, provider: Provider, summary: string, querystring: TSchema) =>
    app.get(url, { schema: { summary, description: NOT_YET, tags: ['not configured'], querystring, response: { 200: refusal(provider) } } }, refuse(provider));

  post('/payment/one_qr/create', 'UzQR', 'UzQR: create a dynamic QR invoice', UzqrCreateBodySchema);
  get('/payment/one_qr/status', 'UzQR', 'UzQR: the status of an invoice', UzqrInvoiceQuerySchema);
  post('/payment/one_qr/receipt', 'UzQR', 'UzQR: hand over the fiscal receipt', UzqrReceiptBodySchema);
  post('/payment/one_qr/cancel', 'UzQR', 'UzQR: cancel an invoice', UzqrCancelBodySchema);
  post('/payment/one_qr/refund', 'UzQR', 'UzQR: refund a payment', UzqrRefundBodySchema);
  get('/payment/one_qr/refund/status', 'UzQR', 'UzQR: the status of a refund', UzqrRefundQuerySchema);
  post('/payment/anor', 'Anorbank', 'Anorbank: take an AnorCheck payment', qrPaymentBodySchema(limits));
  post('/payment/anor_confirm', 'Anorbank', 'Anorbank: hand over the fiscal receipt', AnorConfirmBodySchema);
}
