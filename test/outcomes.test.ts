/**
 * The outcome tables and the rule behind them: no sequence of answers makes a payment `failed`
 * without a `declined` answer, a confirmed late "not found", or the journal's proof that the request
 * never left PayBridge. fast-check plays arbitrary answers (documented, undocumented, lost) to the
 * real CLICK, Payme and card-payment code through scripted clients and a scripted terminal driver.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import pino from 'pino';
import { SqliteJournal } from '../src/journal/sqlite/sqlite-journal.js';
import { outcomesMarkdown, OUTCOME_TABLES, OUTCOMES_DOC_PATH } from '../src/outcomes-doc.js';
import { CardPaymentService, type CardTerminal } from '../src/payments/card-payment-service.js';
import { classify, NOT_DOCUMENTED } from '../src/payments/outcome-table.js';
import { PayBridgeError } from '../src/payments/errors.js';
import { ClickHttpError, type ClickClient, type ClickReply } from '../src/providers/click/client.js';
import { ClickPass } from '../src/providers/click/click-pass.js';
import { CLICK_LOOKUP, CLICK_PAYMENT, CLICK_STATUS, integer, lookupKeys, paymentKeys, statusQueryKeys, type ClickExchange } from '../src/providers/click/outcomes.js';
import { TransportError } from '../src/providers/http-transport.js';
import { PaymeHttpError, PaymeRpcError, type PaymeClient, type PaymeObject } from '../src/providers/payme/client.js';
import { PaymeGo } from '../src/providers/payme/payme-go.js';
import { checkKeys, PAYME_CANCEL, PAYME_CHECK, PAYME_GIVE_BACK_CHECK, PAYME_PAY, cancelKeys, payKeys, type PaymeExchange } from '../src/providers/payme/outcomes.js';
import type { UzumClient, UzumExchange } from '../src/providers/uzum/client.js';
import { isDuplicateAnswer, UzumFastPay } from '../src/providers/uzum/fast-pay.js';
import { keys as uzumKeys, UZUM_PAYMENT, UZUM_PAYMENT_AGAIN, UZUM_STATUS } from '../src/providers/uzum/outcomes.js';
import { BRIDGE_OUTCOMES, ARCUS2_OUTCOMES, operationKeys, statusKeys } from '../src/terminals/outcomes.js';
import { TerminalLinkError, type TerminalAnswer, type TerminalDriver } from '../src/payments/ports/terminal.js';
import { TerminalQueue } from '../src/payments/terminal-queue.js';
import { tempDir } from './helpers.js';

const silent = pino({ level: 'silent' });

describe('outcome tables', () => {
  test('docs/outcomes.md is generated from the tables in the code (npm run docs:outcomes)', () => {
    assert.equal(readFileSync(OUTCOMES_DOC_PATH, 'utf8'), outcomesMarkdown());
  });

  test('every row names its source; what no document says is uncertain', () => {
    for (const { tables } of OUTCOME_TABLES) {
      for (const t of tables) {
        for (const r of t.rules) {
          assert.ok(r.source.length > 10, `${t.title}: ${r.answer} has no source`);
          if (r.source.startsWith(NOT_DOCUMENTED)) assert.equal(r.outcome, 'uncertain', `${t.title}: ${r.answer}`);
        }
        assert.equal(classify(t, ['an answer nobody wrote down']).outcome, 'uncertain');
      }
    }
  });

  test('a system error, a 5xx, a timeout or busy is never proof', () => {
    const lost: ClickExchange[] = [
      { kind: 'no_answer', error: 'timeout' },
      { kind: 'http', statusCode: 504, garbage: false, body: '' },
      { kind: 'http', statusCode: 200, garbage: true, body: '<html>' },
    ];
    for (const x of lost) assert.equal(classify(CLICK_PAYMENT, paymentKeys(x)).outcome, 'uncertain');
    assert.equal(classify(CLICK_LOOKUP, lookupKeys({ kind: 'reply', reply: { error_code: -500 } }, 't')).outcome, 'uncertain');
    assert.equal(classify(CLICK_LOOKUP, lookupKeys({ kind: 'not_sent', code: 'ECONNREFUSED', error: '' }, 't')).outcome, 'uncertain');
    assert.equal(classify(PAYME_PAY, payKeys({ kind: 'error', code: -32400, text: 'system', data: undefined })).outcome, 'uncertain');
    assert.equal(classify(PAYME_CHECK, checkKeys({ kind: 'not_sent', code: 'ECONNREFUSED', error: '' })).outcome, 'uncertain');
    for (const t of [BRIDGE_OUTCOMES, ARCUS2_OUTCOMES]) {
      for (const code of ['984', '923', '912', '999']) assert.equal(classify(t, statusKeys({ kind: 'answer', code, matches: false })).outcome, 'uncertain', `${t.title} ${code}`);
      assert.equal(classify(t, operationKeys('999', 'purchase')).outcome, 'uncertain');
      assert.equal(classify(t, statusKeys({ kind: 'answer', code: '777', matches: false })).outcome, 'uncertain', 'an undocumented code to the status question');
    }
    // An approval whose slip names another amount (an earlier call's tool, left running, wrote it) is not ours.
    for (const t of [BRIDGE_OUTCOMES, ARCUS2_OUTCOMES]) {
      assert.equal(classify(t, operationKeys('000', 'purchase', { operation: 'purchase', amount: 40_800, expectedAmount: 99_200 })).outcome, 'uncertain');
      assert.equal(classify(t, operationKeys('400', 'cancel', { operation: 'purchase', amount: 500, expectedAmount: 500 })).outcome, 'uncertain');
      assert.equal(classify(t, operationKeys('000', 'purchase', { operation: 'purchase', amount: 99_200, expectedAmount: 99_200 })).outcome, 'paid');
      assert.equal(classify(t, operationKeys('000', 'purchase', { operation: null, amount: null, expectedAmount: 99_200 })).outcome, 'paid', 'a slip that does not say is not contradicted');
    }
    // The bridge's status by request id: a refusal the terminal recorded for this very request is proof.
    assert.equal(classify(BRIDGE_OUTCOMES, statusKeys({ kind: 'answer', code: '116', matches: false })).outcome, 'declined');
  });
});

// ---------------------------------------------------------------- CLICK

const clickAnswer: fc.Arbitrary<ClickExchange> = fc.oneof(
  fc.constant<ClickExchange>({ kind: 'not_sent', code: 'ECONNREFUSED', error: 'refused' }),
  fc.constant<ClickExchange>({ kind: 'no_answer', error: 'timeout' }),
  fc.record({ kind: fc.constant('http' as const), statusCode: fc.constantFrom(200, 400, 401, 403, 404, 500, 502, 503, 504), garbage: fc.boolean(), body: fc.constant('x') }),
  fc
    .record(
      {
        error_code: fc.constantFrom<ClickReply[string]>(0, '0', -5017, -6, -500, -9, 'x'),
        payment_id: fc.constantFrom<ClickReply[string]>(2_170_000_001, '2170000002', 0, 'abc'),
        payment_status: fc.constantFrom<ClickReply[string]>(-2, -1, 0, 1, 2, 3, '2'),
        confirm_mode: fc.constantFrom<ClickReply[string]>(0, 1),
        merchant_trans_id: fc.constantFrom<ClickReply[string]>('ours', 'someone-else'),
      },
      { requiredKeys: [] },
    )
    .map((reply): ClickExchange => ({ kind: 'reply', reply: reply as ClickReply })),
);

function play(x: ClickExchange, transactionId: string): ClickReply {
  if (x.kind === 'not_sent') throw new TransportError(x.error, false, x.code);
  if (x.kind === 'no_answer') throw new TransportError(x.error, true, 'UND_ERR_HEADERS_TIMEOUT');
  if (x.kind === 'http') throw new ClickHttpError(x.statusCode, x.body, x.garbage);
  const reply = { ...x.reply };
  if (reply.merchant_trans_id === 'ours') reply.merchant_trans_id = transactionId;
  return reply;
}

const withOurs = (x: ClickExchange, transactionId: string): ClickExchange =>
  x.kind === 'reply' && x.reply.merchant_trans_id === 'ours' ? { kind: 'reply', reply: { ...x.reply, merchant_trans_id: transactionId } } : x;

describe('CLICK: no sequence of answers says "failed" without proof', () => {
  test('failed only on a declined answer or two late "not found" rounds; succeeded only on a paid answer', async () => {
    await fc.assert(
      fc.asyncProperty(clickAnswer, fc.array(clickAnswer, { minLength: 1, maxLength: 6 }), fc.array(clickAnswer, { minLength: 1, maxLength: 6 }), fc.boolean(), async (pay, lookups, statuses, confirmModeOn) => {
        const transactionId = 'tx-1';
        const served = { lookups: [] as ClickExchange[], statuses: [] as ClickExchange[], confirms: 0 };
        let l = 0;
        let s = 0;
        const client = {
          pay: async () => play(pay, transactionId),
          statusByMti: async () => {
            const x = lookups[l++ % lookups.length]!;
            served.lookups.push(withOurs(x, transactionId));
            return play(x, transactionId);
          },
          status: async () => {
            const x = statuses[s++ % statuses.length]!;
            served.statuses.push(x);
            return play(x, transactionId);
          },
          confirm: async () => {
            served.confirms++;
            return { error_code: 0 };
          },
          setConfirmationMode: async () => ({ error_code: 0 }),
          close: async () => {},
        } as unknown as ClickClient;
        // In the confirmation mode a lapse of a few ms stands for CLICK's 30 s (+ margins).
        const click = new ClickPass(client, { pollIntervalMs: 1, statusDeadlineMs: 15, notFoundAfterMs: 0, partialReversal: false, confirmMode: confirmModeOn, confirmLapseAfterMs: 8 });
        const outcome = await click.charge({ transactionId, amount: 500, qrCode: '880101698207133392', createdAt: Date.now() }, async () => {});
        // In confirmation mode a "paid" charge answer is not final: the payment is paid only once
        // confirmed, and payment/status afterwards is the proof either way (a payment CLICK cancelled reads < 0).
        const confirmMode = pay.kind === 'reply' && integer(pay.reply.confirm_mode) === 1;
        const answered = classify(CLICK_PAYMENT, paymentKeys(pay)).outcome;
        const payClass = confirmMode && answered === 'paid' ? 'uncertain' : answered;
        const lookupClasses = served.lookups.map((x) => classify(CLICK_LOOKUP, lookupKeys(x, transactionId)).outcome);
        const statusClasses = served.statuses.map((x) => classify(CLICK_STATUS, statusQueryKeys(x)).outcome);
        // Issue #25: no lookup answer proves absence any more; only a cited decline (a status < 0 or
        // never sent) or, in the confirmation mode, CLICK's lapse of a payment never confirmed.
        assert.ok(![...lookupClasses, ...statusClasses].includes('not_found'), 'no CLICK answer is a "not found"');
        if (outcome.status === 'failed') {
          const detail = outcome.detail as { rule?: string } | undefined;
          const lapsed = confirmModeOn && (detail?.rule === 'confirmation mode: never confirmed, lapse passed' || detail?.rule === 'confirmation mode: never confirmed') && served.confirms === 0 && served.statuses.length === 0;
          const proof = payClass === 'declined' || lapsed || (payClass !== 'paid' && (statusClasses.includes('declined') || lookupClasses.includes('declined')));
          assert.ok(proof, `failed without proof: pay ${JSON.stringify(pay)} lookups ${JSON.stringify(served.lookups)} statuses ${JSON.stringify(served.statuses)}`);
        }
        if (outcome.status === 'succeeded') {
          assert.ok([answered, ...lookupClasses, ...statusClasses].includes('paid'), `succeeded without a paid answer: ${JSON.stringify({ pay, served })}`);
        }
      }),
      { numRuns: 400 },
    );
  });
});

// ---------------------------------------------------------------- Payme

type PaymeScriptAnswer = PaymeExchange;

const paymeReceipt = (state: number | undefined): PaymeScriptAnswer => ({ kind: 'result', result: { receipt: { _id: 'r1', amount: 500, state: state ?? null } } });
const paymeAnswer = (states: number[]): fc.Arbitrary<PaymeScriptAnswer> =>
  fc.oneof(
    fc.constant<PaymeScriptAnswer>({ kind: 'not_sent', code: 'ECONNREFUSED', error: 'refused' }),
    fc.constant<PaymeScriptAnswer>({ kind: 'no_answer', error: 'timeout' }),
    fc.constant<PaymeScriptAnswer>({ kind: 'http', statusCode: 502, body: '<html>' }),
    fc.constantFrom(-32400, -31001, -31002, -31303, -31630, -31403, -31402, -32504, -31602, -1).map((code): PaymeScriptAnswer => ({ kind: 'error', code, text: 'e', data: undefined })),
    fc.constantFrom(...states).map((state) => paymeReceipt(state)),
  );
const STATES = [0, 1, 2, 4, 5, 20, 21, 30, 50];

function playPayme(x: PaymeScriptAnswer): unknown {
  if (x.kind === 'not_sent') throw new TransportError(x.error, false, x.code);
  if (x.kind === 'no_answer') throw new TransportError(x.error, true, 'UND_ERR_HEADERS_TIMEOUT');
  if (x.kind === 'http') throw new PaymeHttpError(x.statusCode, x.body);
  if (x.kind === 'error') throw new PaymeRpcError(x.code, x.text, undefined);
  return x.result;
}

describe('Payme: no sequence of answers says "failed" without proof, and only a receipt seen unpaid is cancelled', () => {
  test('failed only on a declined pay or a receipt shown cancelled; succeeded only on a receipt shown paid', async () => {
    await fc.assert(
      fc.asyncProperty(
        paymeAnswer(STATES),
        fc.array(paymeAnswer(STATES), { minLength: 1, maxLength: 6 }),
        fc.array(paymeAnswer(STATES), { minLength: 1, maxLength: 4 }),
        async (pay, checks, cancels) => {
          const log: { call: string; answer: PaymeScriptAnswer }[] = [];
          let c = 0;
          let k = 0;
          const client = {
            create: async () => ({ _id: 'r1', amount: 500, state: 0 }),
            pay: async () => {
              log.push({ call: 'pay', answer: pay });
              return (playPayme(pay) as { receipt: PaymeObject }).receipt;
            },
            check: async () => {
              const x = checks[c++ % checks.length]!;
              // receipts.check answers {state}: the same state, in its own shape.
              const answer: PaymeScriptAnswer = x.kind === 'result' ? { kind: 'result', result: { state: ((x.result as PaymeObject).receipt as PaymeObject).state ?? null } } : x;
              log.push({ call: 'check', answer });
              return (playPayme(answer) as { state: number | undefined }).state ?? undefined;
            },
            get: async () => ({ _id: 'r1', amount: 500, state: 4 }),
            cancel: async () => {
              const x = cancels[k++ % cancels.length]!;
              log.push({ call: 'cancel', answer: x });
              return (playPayme(x) as { receipt: PaymeObject }).receipt;
            },
            getAll: async () => [],
            close: async () => {},
          } as unknown as PaymeClient;
          const payme = new PaymeGo(client, { pollIntervalMs: 1, statusDeadlineMs: 15, notFoundAfterMs: 0 });
          const outcome = await payme.charge({ transactionId: 'tx-1', amount: 500, qrCode: 'token', createdAt: Date.now() }, async () => {});
          const classes = log.map((e) =>
            e.call === 'pay' ? classify(PAYME_PAY, payKeys(e.answer)).outcome : e.call === 'check' ? classify(PAYME_CHECK, checkKeys(e.answer)).outcome : classify(PAYME_CANCEL, cancelKeys(e.answer)).outcome,
          );
          // A cancel is sent only right after a check showed the receipt unpaid (state 0).
          log.forEach((e, i) => {
            if (e.call === 'cancel') assert.equal(classes[i - 1], 'not_found', `cancel after ${JSON.stringify(log.slice(0, i))}`);
          });
          if (outcome.status === 'failed') {
            const proof = log.some((e, i) => classes[i] === 'declined' && (e.call === 'pay' || e.call === 'check' || e.call === 'cancel'));
            assert.ok(proof, `failed without proof: ${JSON.stringify(log)}`);
            // …and the proof is a row that names it (issue #25): Payme's page and words, or PayBridge's own evidence.
            const cited = log.some((e) => {
              const rule = e.call === 'pay' ? classify(PAYME_PAY, payKeys(e.answer)) : e.call === 'check' ? classify(PAYME_CHECK, checkKeys(e.answer)) : classify(PAYME_CANCEL, cancelKeys(e.answer));
              return rule.outcome === 'declined' && rule.cite !== undefined;
            });
            assert.ok(cited, `failed on an uncited decline: ${JSON.stringify(log)}`);
            // …and never while a check showed it paid.
            assert.ok(!classes.includes('paid'), `failed although Payme showed it paid: ${JSON.stringify(log)}`);
          }
          if (outcome.status === 'succeeded') assert.ok(classes.includes('paid'), `succeeded without a paid answer: ${JSON.stringify(log)}`);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('Payme: a lost receipts.create is failed only once its orphan is settled', () => {
  test('any list (array or object account, any state), any cancel and check answers: failed only with the list read and every orphan cancelled (50); success only on an orphan paid', async () => {
    const orphanState = fc.constantFrom(0, 1, 2, 4, 20, 21, 30, 50);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<PaymeScriptAnswer>({ kind: 'no_answer', error: 'timeout' }, { kind: 'http', statusCode: 502, body: '<html>' }, { kind: 'error', code: -32400, text: 'e', data: undefined }),
        fc.oneof(fc.constant<'down'>('down'), fc.array(fc.record({ state: orphanState, shape: fc.constantFrom<'array' | 'object'>('array', 'object'), ours: fc.boolean() }), { maxLength: 3 })),
        fc.array(paymeAnswer(STATES), { minLength: 1, maxLength: 3 }),
        fc.array(paymeAnswer(STATES), { minLength: 1, maxLength: 4 }),
        async (create, list, cancels, checks) => {
          const listed = list === 'down' ? [] : list.map((o, i) => ({ ...o, id: `r${i}` }));
          const seen: { call: string; id?: string; answer: PaymeScriptAnswer }[] = [];
          let k = 0;
          let c = 0;
          const account = (o: { shape: 'array' | 'object'; ours: boolean }) => {
            const value = o.ours ? 'tx-1' : 'tx-other';
            return o.shape === 'array' ? [{ name: 'order_id', title: { ru: 'Номер' }, value }] : { order_id: value };
          };
          const client = {
            create: async () => playPayme(create),
            getAll: async () => {
              if (list === 'down') throw new PaymeRpcError(-32400, 'system error', undefined);
              return listed.map((o) => ({ _id: o.id, amount: 500, state: o.state, account: account(o) }));
            },
            cancel: async (id: string) => {
              const x = cancels[k++ % cancels.length]!;
              seen.push({ call: 'cancel', id, answer: x });
              return (playPayme(x) as { receipt: PaymeObject }).receipt;
            },
            check: async (id: string) => {
              const x = checks[c++ % checks.length]!;
              const answer: PaymeScriptAnswer = x.kind === 'result' ? { kind: 'result', result: { state: ((x.result as PaymeObject).receipt as PaymeObject).state ?? null } } : x;
              seen.push({ call: 'check', id, answer });
              return (playPayme(answer) as { state: number | undefined }).state ?? undefined;
            },
            pay: async () => assert.fail('receipts.pay is never sent without a receipt id'),
            get: async () => assert.fail('no receipt id to get'),
            close: async () => {},
          } as unknown as PaymeClient;
          const payme = new PaymeGo(client, { pollIntervalMs: 1, statusDeadlineMs: 10, notFoundAfterMs: 0 });
          const outcome = await payme.charge({ transactionId: 'tx-1', amount: 500, qrCode: 'token', createdAt: Date.now() }, async () => {});
          const ours = listed.filter((o) => o.ours);
          // A cancel is sent only to a receipt of ours listed new (0).
          for (const e of seen.filter((x) => x.call === 'cancel')) assert.equal(ours.find((o) => o.id === e.id)?.state, 0, JSON.stringify({ list, seen }));
          if (outcome.status === 'succeeded') assert.ok(ours.some((o) => o.state === 4), `success without a paid orphan: ${JSON.stringify({ list, seen })}`);
          if (outcome.status === 'failed') {
            assert.notEqual(list, 'down', 'failed while the receipt list could not be read');
            for (const o of ours) {
              const cancelled50 = seen.some((e) => e.id === o.id && e.call === 'cancel' && classify(PAYME_CANCEL, cancelKeys(e.answer)).outcome === 'declined');
              const checked50 = seen.some((e) => e.id === o.id && e.call === 'check' && classify(PAYME_GIVE_BACK_CHECK, checkKeys(e.answer)).answer === 'state 50');
              assert.ok(o.state === 50 || cancelled50 || checked50, `failed with orphan ${o.id} (state ${o.state}) not shown cancelled: ${JSON.stringify({ list, seen })}`);
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

// ---------------------------------------------------------------- Uzum

const uzumReply = (r: Record<string, unknown>): UzumExchange => ({ kind: 'reply', reply: r as never });
const uzumAnswer: fc.Arbitrary<UzumExchange> = fc.oneof(
  fc.constant<UzumExchange>({ kind: 'not_sent', code: 'ECONNREFUSED', error: 'refused' }),
  fc.constant<UzumExchange>({ kind: 'no_answer', error: 'timeout' }),
  fc.constant<UzumExchange>({ kind: 'http', statusCode: 504, garbage: false, body: '<html>' }),
  fc.constant<UzumExchange>({ kind: 'http', statusCode: 403, garbage: false, body: '' }),
  fc.constant<UzumExchange>({ kind: 'http', statusCode: 200, garbage: true, body: '{' }),
  fc
    .record({
      error_code: fc.constantFrom(0, 400, 401, 403, 404, 416, 499, 503),
      error_message: fc.constantFrom(null, 'operation.failed', 'operation.is.inProcess', 'order.id.duplicated', 'operation.not.found', 'apelsin.pay.service.not.working', 'something.new'),
      payment_id: fc.constantFrom(undefined, 'p-first', 'p-repeat'),
      payment_status: fc.constantFrom(undefined, 'SUCCESS', 'FAILED', 'DUPLICATED', 'HOLD', 'REVERSED'),
    })
    .map((r) => uzumReply(Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)))),
);

describe('Uzum: no sequence of answers says "failed" without proof; a borrowed payment_id\'s FAILED proves nothing', () => {
  test('failed only on a cited decline of the charge itself, or a status of the charge\'s own payment_id', async () => {
    await fc.assert(
      fc.asyncProperty(uzumAnswer, fc.array(uzumAnswer, { minLength: 1, maxLength: 3 }), fc.array(uzumAnswer, { minLength: 1, maxLength: 4 }), async (first, agains, statuses) => {
        let p = 0;
        let q = 0;
        const log: { call: 'payment' | 'again' | 'status'; answer: UzumExchange; id?: string }[] = [];
        const client = {
          payment: async () => {
            const answer = p === 0 ? first : agains[(p - 1) % agains.length]!;
            log.push({ call: p === 0 ? 'payment' : 'again', answer });
            p++;
            return answer;
          },
          status: async (id: string) => {
            const answer = statuses[q++ % statuses.length]!;
            log.push({ call: 'status', answer, id });
            return answer;
          },
          close: async () => {},
        } as unknown as UzumClient;
        const uzum = new UzumFastPay(client, { pollIntervalMs: 1, statusDeadlineMs: 10, notFoundAfterMs: 0 });
        const outcome = await uzum.charge({ transactionId: 'tx-1', amount: 500, qrCode: 'q'.repeat(40), createdAt: Date.now() }, async () => {});
        const firstRule = classify(UZUM_PAYMENT, uzumKeys(first));
        // The charge's own payment_id: from its first answer, unless that answer was a duplicate's (whose id may be anyone's).
        const ownId = first.kind === 'reply' && typeof first.reply.payment_id === 'string' && !uzumKeys(first).some((k) => k === 'payment_status DUPLICATED' || k.endsWith('duplicated')) ? first.reply.payment_id : undefined;
        assert.equal(isDuplicateAnswer(first), uzumKeys(first).some((k) => k === 'payment_status DUPLICATED' || k.endsWith('duplicated')));
        if (outcome.status === 'failed') {
          const declinedFirst = firstRule.outcome === 'declined' && firstRule.cite !== undefined;
          const statusProof = log.some((e) => {
            if (e.call !== 'status' || e.id !== ownId) return false;
            const rule = classify(UZUM_STATUS, uzumKeys(e.answer));
            return (rule.outcome === 'declined' || rule.outcome === 'not_found') && rule.cite !== undefined;
          });
          assert.ok(declinedFirst || statusProof, `failed without proof: ${JSON.stringify(log)}`);
          assert.ok(!log.some((e) => e.call === 'again' && classify(UZUM_PAYMENT_AGAIN, uzumKeys(e.answer)).outcome === 'paid'), 'failed although a repeat was paid');
        }
        if (outcome.status === 'succeeded') {
          const paid = log.some((e) => {
            const table = e.call === 'payment' ? UZUM_PAYMENT : e.call === 'again' ? UZUM_PAYMENT_AGAIN : UZUM_STATUS;
            return classify(table, uzumKeys(e.answer)).outcome === 'paid';
          });
          assert.ok(paid, `succeeded without a SUCCESS: ${JSON.stringify(log)}`);
        }
      }),
      { numRuns: 400 },
    );
  });
});

// ---------------------------------------------------------------- card terminals

const terminalAnswer = (code: string, over: Partial<TerminalAnswer> = {}): TerminalAnswer => ({
  code,
  slip: '',
  rrn: null,
  receiptNumber: null,
  shiftNumber: 1,
  authCode: null,
  terminalId: 't',
  operation: null,
  amount: null,
  ...over,
});

type Step = { kind: 'answer'; code: string; ours: boolean } | { kind: 'lost' } | { kind: 'not_sent' } | { kind: 'not_found' };
const CODES = ['000', '116', '992', '984', '923', '912', '999', '005', '777', '202'];
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('answer' as const), code: fc.constantFrom(...CODES), ours: fc.boolean() }),
  fc.constant<Step>({ kind: 'lost' }),
  fc.constant<Step>({ kind: 'not_sent' }),
  fc.constant<Step>({ kind: 'not_found' }),
);

describe('card terminals: no sequence of answers says "failed" without proof', () => {
  test('failed only on a refusal, a twice-confirmed "never performed", or an operation never sent', async () => {
    const journal = new SqliteJournal({ path: join(tempDir(), 'journal.sqlite'), driver: 'auto', origin: { instance: 'prop', inFlightLeaseMs: 60_000 } });
    let n = 0;
    try {
      await fc.assert(
        fc.asyncProperty(stepArb, fc.array(stepArb, { minLength: 1, maxLength: 3 }), async (first, statuses) => {
          const amount = 10_000 + n++;
          let s = 0;
          const rrn = String(100_000_000_000 + n);
          const toAnswer = (step: Step): TerminalAnswer | 'not_found' => {
            if (step.kind === 'not_found') return 'not_found';
            if (step.kind === 'lost') throw new TerminalLinkError('no answer', true);
            if (step.kind === 'not_sent') throw new TerminalLinkError('link down', false);
            return terminalAnswer(step.code, step.ours ? { operation: 'purchase', amount, rrn } : { operation: 'purchase', amount: amount + 1, rrn: null });
          };
          const served: Step[] = [];
          const driver: TerminalDriver = {
            kind: 'scripted',
            outcomes: BRIDGE_OUTCOMES,
            exactStatus: true,
            purchase: async () => toAnswer(first) as TerminalAnswer,
            cancel: async () => terminalAnswer('902'),
            refund: async () => terminalAnswer('902'),
            closeShift: async () => terminalAnswer('000'),
            lastSlip: async () => terminalAnswer('000'),
            status: async () => {
              const step = statuses[s++ % statuses.length]!;
              served.push(step);
              return toAnswer(step);
            },
            close: async () => {},
          };
          const terminal: CardTerminal = { id: 'uz-1', method: 'uzcard', isDefault: true, driver, queue: new TerminalQueue(1_000) };
          const cards = new CardPaymentService(journal, [terminal], silent, { allowForeignRrns: false }, { leaseMs: 60_000 });
          let id: string;
          try {
            id = (await cards.pay('uzcard', amount)).transaction_id as string;
          } catch (err) {
            assert.ok(err instanceof PayBridgeError, String(err));
            id = String(err.extras.transaction_id);
          }
          const tx = (await journal.get(id))!;
          const firstClass = first.kind === 'answer' ? classify(BRIDGE_OUTCOMES, operationKeys(first.code, 'purchase')).outcome : first.kind === 'not_sent' ? 'declined' : 'uncertain';
          if (tx.status === 'failed') {
            const refusedOnStatus = served.some((st) => st.kind === 'answer' && classify(BRIDGE_OUTCOMES, statusKeys({ kind: 'answer', code: st.code, matches: false })).outcome === 'declined');
            const notFoundTwice = served.filter((st) => st.kind === 'not_found').length >= 2;
            assert.ok(firstClass === 'declined' || refusedOnStatus || notFoundTwice, `failed without proof: ${JSON.stringify({ first, served })}`);
          }
          if (tx.status === 'succeeded') {
            assert.ok(firstClass === 'paid' || served.some((st) => st.kind === 'answer' && st.code === '000' && st.ours), `succeeded without proof: ${JSON.stringify({ first, served })}`);
          }
        }),
        { numRuns: 200 },
      );
    } finally {
      await journal.close();
    }
  });
});
