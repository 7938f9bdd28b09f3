import { Type, type Static } from '@sinclair/typebox';
import { TRANSACTION_STATUSES } from '../payments/state-machine.js';
import { PAYMENT_METHODS } from '../payments/transaction.js';

/**
 * Request schemas: they validate requests and (later) generate the OpenAPI document. Each field
 * carries `x-error`, the rule in words, which becomes the code-7 message when the field is bad.
 */
export interface RequestLimits {
  maxAmountTiyin: number;
  maxQrCodeLength: number;
}

export function amountSchema(limits: RequestLimits) {
  return Type.Integer({
    minimum: 1,
    maximum: limits.maxAmountTiyin,
    description: 'Amount in tiyin (1 soum = 100 tiyin). A numeric string is accepted too.',
    examples: [500],
    'x-error': `must be a positive integer number of tiyin (1 soum = 100 tiyin), at most ${limits.maxAmountTiyin}`,
  });
}

export function qrPaymentBodySchema(limits: RequestLimits) {
  return Type.Object(
    {
      amount: amountSchema(limits),
      qr_code: Type.String({
        minLength: 1,
        maxLength: limits.maxQrCodeLength,
        pattern: '^[\\x21-\\x7e]+$',
        description: 'The code scanned from the customer’s phone.',
        examples: ['880101698207133392'],
        'x-error': `must be the scanned QR code: 1 to ${limits.maxQrCodeLength} printable characters without spaces`,
      }),
    },
    { 'x-error': 'must be a JSON object' },
  );
}
export type QrPaymentBody = Static<ReturnType<typeof qrPaymentBodySchema>>;

const TIME = '^(\\d{1,16}|\\d{4}-\\d{2}-\\d{2}([Tt ]\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,9})?)?([Zz]|[+-]\\d{2}:?\\d{2})?)?)$';

export const TransactionListQuerySchema = Type.Object(
  {
    method: Type.Optional(Type.Union(PAYMENT_METHODS.map((m) => Type.Literal(m)), { 'x-error': `must be one of ${PAYMENT_METHODS.join(', ')}` })),
    status: Type.Optional(Type.Union(TRANSACTION_STATUSES.map((s) => Type.Literal(s)), { 'x-error': `must be one of ${TRANSACTION_STATUSES.join(', ')}` })),
    from: Type.Optional(
      Type.String({ pattern: TIME, description: 'Created at or after: ISO 8601 date/time or epoch milliseconds.', 'x-error': 'must be an ISO 8601 date/time or epoch milliseconds' }),
    ),
    to: Type.Optional(
      Type.String({ pattern: TIME, description: 'Created before: ISO 8601 date/time or epoch milliseconds.', 'x-error': 'must be an ISO 8601 date/time or epoch milliseconds' }),
    ),
    limit: Type.Integer({ minimum: 1, maximum: 500, default: 50, 'x-error': 'must be an integer from 1 to 500' }),
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 200, 'x-error': 'must be the next_cursor of a previous page' })),
  },
  { additionalProperties: false, 'x-error': 'is not a filter of this listing' },
);
export type TransactionListQuery = Static<typeof TransactionListQuerySchema>;

export const TransactionParamsSchema = Type.Object({
  transaction_id: Type.String({
    pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$',
    'x-error': 'must be a transaction id (UUID)',
  }),
});
export type TransactionParams = Static<typeof TransactionParamsSchema>;
