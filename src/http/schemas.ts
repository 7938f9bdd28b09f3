import { Type, type Static } from '../lib/typebox.js';
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
    date: Type.Optional(
      Type.String({
        pattern: '^\\d{4}-\\d{2}-\\d{2}$',
        description: 'Created on this day of the shop (shop.timezone), YYYY-MM-DD; not together with from/to.',
        examples: ['2026-11-26'],
        'x-error': 'must be a date, YYYY-MM-DD',
      }),
    ),
    kind: Type.Optional(
      Type.Union([Type.Literal('payment'), Type.Literal('give_back')], {
        description: '`payment`: payments only; `give_back`: cancels and refunds only.',
        examples: ['give_back'],
        'x-error': 'must be payment or give_back',
      }),
    ),
    shop: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'Taken in this shop (instance.shop of the PayBridge that took it).', 'x-error': 'must be a shop name of 1 to 64 characters' })),
    till: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'Taken at this till (instance.till).', 'x-error': 'must be a till name of 1 to 64 characters' })),
    limit: Type.Integer({ minimum: 1, maximum: 500, default: 50, 'x-error': 'must be an integer from 1 to 500' }),
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 200, 'x-error': 'must be the next_cursor of a previous page' })),
  },
  { additionalProperties: false, 'x-error': 'is not a filter of this listing' },
);
export type TransactionListQuery = Static<typeof TransactionListQuerySchema>;

/** Documents the header that makes a POST safe to retry; checked in idempotent.ts. */
export const IdempotencyHeadersSchema = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({
      description:
        'Any 1–255 printable characters, new for each request: a retry with the same key, path and body gets the first answer and sends nothing again. A key is the till’s for one request: with another path (another transaction, another route) or another body it is refused (106), naming what differs. A retry of an operation whose outcome is still unknown (its answer was lost, or its PayBridge stopped) is answered at once: the operation is asked about once, under a claim of its own — never sent again — and the retry gets the settled answer, or the unknown-outcome one that says not to repeat it; only while a request is still working on it is its outcome waited for (`idempotency.wait_ms`).',
    }),
  ),
});

export const TransactionParamsSchema = Type.Object({
  transaction_id: Type.String({
    pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$',
    'x-error': 'must be a transaction id (UUID)',
  }),
});
export type TransactionParams = Static<typeof TransactionParamsSchema>;

const printable = (max: number, what: string) =>
  Type.String({ minLength: 1, maxLength: max, pattern: '^[\\x21-\\x7e]+$', 'x-error': `must be ${what}: 1 to ${max} printable characters without spaces` });

const CHECK_URL = '^https://([a-z0-9-]+\\.)*soliq\\.uz/[\\x21-\\x7e]*$';

export const FiscalConfirmBodySchema = Type.Object(
  {
    payment_id: printable(64, 'the payment_id PayBridge answered with'),
    qr_code: Type.String({
      maxLength: 1024,
      pattern: CHECK_URL,
      description: 'The fiscal receipt check URL (https://ofd.soliq.uz/check?t=…&r=…&c=…&s=…).',
      examples: ['https://ofd.soliq.uz/check?t=EP000000000123&r=1542&c=20261123150102&s=512345678901'],
      'x-error': 'must be the https check URL of the fiscal receipt on soliq.uz (e.g. https://ofd.soliq.uz/check?t=…&r=…)',
    }),
  },
  { 'x-error': 'must be a JSON object' },
);
export type FiscalConfirmBody = Static<typeof FiscalConfirmBodySchema>;

export const PaymeFiscalConfirmBodySchema = Type.Object(
  {
    ...FiscalConfirmBodySchema.properties,
    receipt_id: Type.Optional(Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, 'x-error': 'must be the fiscal receipt number (an integer)' })),
    terminal_id: Type.Optional(printable(64, 'the fiscal module id')),
    fiscal_sign: Type.Optional(printable(64, 'the fiscal sign')),
    date: Type.Optional(Type.String({ minLength: 1, maxLength: 32, 'x-error': 'must be the fiscal receipt date, at most 32 characters' })),
    status_code: Type.Optional(Type.Integer({ 'x-error': 'must be an integer' })),
    message: Type.Optional(Type.String({ maxLength: 500, 'x-error': 'must be a text of at most 500 characters' })),
  },
  { 'x-error': 'must be a JSON object' },
);
export type PaymeFiscalConfirmBody = Static<typeof PaymeFiscalConfirmBodySchema>;

export function cancelBodySchema(limits: RequestLimits) {
  return Type.Object(
    {
      transaction_id: Type.Optional(TransactionParamsSchema.properties.transaction_id),
      payment_id: Type.Optional(printable(64, 'the payment_id PayBridge answered with')),
      amount: Type.Optional(amountSchema(limits)),
    },
    { 'x-error': 'must be a JSON object' },
  );
}
export type CancelBody = Static<ReturnType<typeof cancelBodySchema>>;

export function cardBodySchema(limits: RequestLimits) {
  return Type.Object(
    {
      amount: amountSchema(limits),
      request_id: Type.Optional(
        Type.String({
          pattern: '^\\d{1,12}$',
          description: 'For returns: the RRN (12 digits, leading zeros kept) or, for Humo, the receipt number printed on the slip ("Чек 14").',
          'x-error': 'must be the RRN (12 digits) or the receipt number of the original payment',
        }),
      ),
      is_return: Type.Optional(Type.Boolean({ description: 'true: cancel (Humo) or refund (UzCard) the payment named by request_id.', 'x-error': 'must be true or false' })),
      terminal: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_.-]{1,64}$', description: 'A configured terminal id; the default one when absent.', 'x-error': 'must be a configured terminal id' })),
    },
    { 'x-error': 'must be a JSON object' },
  );
}
export type CardBody = Static<ReturnType<typeof cardBodySchema>>;

export const TerminalQuerySchema = Type.Object(
  { terminal: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_.-]{1,64}$', 'x-error': 'must be a configured terminal id' })) },
  { additionalProperties: false },
);
export type TerminalQuery = Static<typeof TerminalQuerySchema>;

export const ResolveBodySchema = Type.Object(
  {
    status: Type.Union([Type.Literal('succeeded'), Type.Literal('failed')], { 'x-error': 'must be succeeded or failed' }),
    operator: Type.String({ minLength: 1, maxLength: 100, 'x-error': 'must name who decides (1 to 100 characters)' }),
    reason: Type.String({ minLength: 3, maxLength: 1000, 'x-error': 'must say why (3 to 1000 characters), e.g. what the provider’s cabinet or the pinpad showed' }),
  },
  { 'x-error': 'must be a JSON object' },
);
export type ResolveBody = Static<typeof ResolveBodySchema>;

const SHOP_DAY = Type.String({
  pattern: '^(\\d{4}-\\d{2}-\\d{2}|today|yesterday)$',
  description: 'A day of the shop (shop.timezone), YYYY-MM-DD, or `today` / `yesterday`.',
  // `today`, not a date: "Try it out" of the reference pre-fills it, and a fixed date is today only once.
  examples: ['today'],
  'x-error': 'must be a date, YYYY-MM-DD (or today, yesterday)',
});

export const WalletReconciliationBodySchema = Type.Object(
  {
    date: SHOP_DAY,
    methods: Type.Optional(
      Type.Array(Type.Union([Type.Literal('click'), Type.Literal('payme'), Type.Literal('uzum')]), {
        minItems: 1,
        uniqueItems: true,
        description: 'The wallets to reconcile; every configured one when absent.',
        'x-error': 'must be a list of click, payme, uzum',
      }),
    ),
  },
  { additionalProperties: false, 'x-error': 'must be a JSON object with date (and methods)' },
);
export type WalletReconciliationBody = Static<typeof WalletReconciliationBodySchema>;

export const WalletReconciliationQuerySchema = Type.Object({ date: SHOP_DAY }, { additionalProperties: false, 'x-error': 'takes date only' });
export type WalletReconciliationQuery = Static<typeof WalletReconciliationQuerySchema>;
