import { Type, type TObject, type TSchema } from '../lib/typebox.js';

/**
 * What each endpoint answers, for the API reference. Fastify does not serialise with these (see
 * server.ts): the answers are plain JSON of what the services return, and these schemas describe
 * them. The examples shown in /docs are the sandbox's recorded answers (openapi-examples.ts).
 */

const ErrorSchema = Type.Object(
  {
    code: Type.Integer({ description: 'The error code (7, 103, 104, 106, 108, 109, 110; see the README).' }),
    message: Type.String({
      description:
        '`BILLING_ERROR` for code 104 (the contract); otherwise a sentence for the cashier in the request’s language. A pinpad’s unknown outcome (108/109 with `transaction_status` unknown) says so and that money may have moved, e.g. `Результат возврата неизвестен (Нет связи с ПИН-ПАДом): деньги могли уже вернуться на карту.`',
    }),
    data: Type.Union([Type.String(), Type.Null()], { description: 'Detail for the integrator: the provider’s or pinpad’s code and text.' }),
    reason: Type.Optional(Type.String({ description: 'A sentence for the cashier in the request’s language: what happened and what to do. Never carries the provider’s own words (see provider_said).' })),
    transaction_id: Type.Optional(Type.String()),
    transaction_status: Type.Optional(
      Type.String({
        description:
          'failed: nothing was charged, or nothing was given back by this request (said only on proof); unknown: the outcome is not known yet — every operation (QR or card payment, cancel, refund, shift close) says so, and `reason` tells the cashier not to repeat it, where to look (the pinpad’s screen or slip, the customer’s wallet app) and to call the manager; retry with the same Idempotency-Key for the settled answer. For a QR give-back `transaction_id` is the payment’s and `give_back_status` the give-back’s own.',
      }),
    ),
    provider_said: Type.Optional(
      Type.String({ description: 'What the provider or terminal answered, in its own words or PayBridge’s English account of the exchange: for the manager and the integrator, never part of the cashier’s `reason`. Absent on refusals by PayBridge’s own checks (7, 106).' }),
    ),
    problems: Type.Optional(Type.Array(Type.String(), { description: 'Code 7: one line per bad field.' })),
  },
  { additionalProperties: true },
);

/**
 * The envelope of a route's answer. `example` is the hand-written success shown only until the
 * sandbox's own answers are recorded for the route (openapi-examples.ts replaces it, and
 * test/openapi.test.ts fails for a route without them); refusals are never written by hand here,
 * each route shows the codes it really answered.
 */
export function envelope(data: TSchema, example: unknown, description: string) {
  return Type.Object(
    {
      data: Type.Union([data, Type.Null()]),
      error: Type.Union([ErrorSchema, Type.Null()]),
      is_success: Type.Boolean(),
    },
    { description, examples: [{ data: example, error: null, is_success: true }] },
  );
}

const open = (properties: Parameters<typeof Type.Object>[0], description?: string): TObject =>
  Type.Object(properties, { additionalProperties: true, ...(description ? { description } : {}) });

export const QrPaymentAnswer = open({
  status_code: Type.Integer({ description: '0: paid.' }),
  status: Type.String(),
  message: Type.String({ description: 'The provider’s message.' }),
  transaction_id: Type.String({ description: 'PayBridge’s id of the payment (UUID).' }),
  payment_id: Type.String({ description: 'The provider’s payment id: give it to *_confirm and *_cancel.' }),
  amount: Type.Integer({ description: 'Tiyin.' }),
  qr_code: Type.String(),
  client_phone_number: Type.Union([Type.String(), Type.Null()]),
});

/** The seeds' success example for Click Pass and Payme Go. */
export const SEED_QR_SUCCESS = {
  status_code: 0,
  status: 'successfully',
  message: 'Успешно подтвержден',
  transaction_id: 'ee000d20-b260-4b17-995a-a7bd113bdb22',
  qr_code: '880101698207133392',
};

export const CardAnswerSchema = open({
  message: Type.String({ description: 'The bank slip, as the pinpad printed it.' }),
  ppt_id: Type.Union([Type.String(), Type.Null()], { description: 'The RRN: give it as request_id to refund (UzCard) or cancel (Humo).' }),
});

/** The seeds' Humo cancel answer. */
export const SEED_CARD_ANSWER = {
  message: [
    '            ОБЫЧНЫЙ ТОВАР',
    'ID Терм.:34112204      Номер смены 1',
    '          Отмена (CANCEL)',
    '              ОДОБРЕНО',
    'СУММА:                    300.00 UZS',
    '        986018******9831:01',
    'Код авториз.:731333   Код ответа:400',
    'RRN(ссылка) :416311639412',
  ].join('\n'),
  ppt_id: '416311639412',
};

export const CancelAnswer = open({
  status: Type.String(),
  message: Type.String(),
  transaction_id: Type.String(),
  payment_id: Type.String(),
  amount: Type.Integer({ description: 'Tiyin given back now.' }),
  refunded_amount: Type.Integer({ description: 'Tiyin given back in all.' }),
  remaining_amount: Type.Integer(),
  transaction_status: Type.String(),
});

export const FiscalAnswer = open(
  {
    status: Type.String({
      description:
        '`successfully`, or `queued` when the provider has not confirmed the receipt yet and PayBridge keeps trying: `handoff_state` `pending` (it could not be reached) or `unknown` (its answer was lost), `in_progress` true when another request is submitting the same receipt right now.',
    }),
    payment_id: Type.String(),
    qr_code: Type.String(),
  },
  'The provider’s acknowledgement of the fiscal receipt.',
);

export const TransactionAnswer = open({
  transaction_id: Type.String(),
  method: Type.String(),
  status: Type.String(),
  amount: Type.Integer({ description: 'Tiyin.' }),
  qr_code: Type.Union([Type.String(), Type.Null()], { description: 'Masked.' }),
  payment_id: Type.Union([Type.String(), Type.Null()]),
  refunded_amount: Type.Integer(),
  original_transaction_id: Type.Optional(
    Type.Union([Type.String(), Type.Null()], { description: 'For a cancel or refund: the payment it gives back. Null for a foreign one, of a payment PayBridge never took (one FiscalBox took before the switch, say).' }),
  ),
  shop: Type.Optional(Type.Union([Type.String(), Type.Null()], { description: 'The shop of the PayBridge that took it (instance.shop).' })),
  till: Type.Optional(Type.Union([Type.String(), Type.Null()], { description: 'Its till (instance.till).' })),
  instance: Type.Optional(Type.Union([Type.String(), Type.Null()], { description: 'The PayBridge process that journaled it (instance.id).' })),
  created_at: Type.String({ format: 'date-time' }),
  updated_at: Type.String({ format: 'date-time' }),
});

export const TransactionPageAnswer = open({ items: Type.Array(TransactionAnswer), next_cursor: Type.Union([Type.String(), Type.Null()]) });

export const SEED_TRANSACTION = {
  transaction_id: 'ee000d20-b260-4b17-995a-a7bd113bdb22',
  method: 'click',
  status: 'succeeded',
  amount: 500,
  qr_code: '880101******3392',
  payment_id: '2170000001',
  refunded_amount: 0,
  shop: 'chilonzor-1',
  till: '3',
  instance: 'till-3:4211',
  created_at: '2026-11-23T10:15:00.000Z',
  updated_at: '2026-11-23T10:15:01.000Z',
};

export const AnyObject = open({});
