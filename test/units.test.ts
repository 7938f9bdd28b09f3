import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { JsonSyntaxError, parseLenientJson } from '../src/lib/lenient-json.js';
import { maskDeep, maskPan, maskQrCode, maskText, maskUrlPassword } from '../src/payments/masking.js';
import { soumLiteralToTiyin, tiyinToSoumLiteral } from '../src/payments/money.js';
import { assertTransition, canTransition, IllegalTransitionError, TRANSACTION_STATUSES, type TransactionStatus } from '../src/payments/state-machine.js';
import { parseOpsIni, resolveOps } from '../src/terminals/humo/ops-ini.js';
import { classify } from '../src/payments/outcome-table.js';
import { ARCUS2_OUTCOMES, BRIDGE_OUTCOMES, operationKeys } from '../src/terminals/outcomes.js';
import { parseReportTotals, parseSlip } from '../src/terminals/slip.js';

describe('lenient JSON', () => {
  test('agrees with JSON.parse on standard documents without unsafe integers', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const text = JSON.stringify(v);
        fc.pre(!/(?<![\d.eE+-])-?\d{16,}(?![\d.eE])/.test(text));
        fc.pre(!/"(__proto__|constructor|prototype)":/.test(text)); // refused on purpose, tested below
        // A whole number JSON.stringify writes with an exponent (1e+21 and up) comes back as that text:
        // only a plain integer literal reads as an integer (test/parser-ambiguity.test.ts).
        const expected = JSON.parse(text, (_k, v: unknown) => (typeof v === 'number' && Number.isInteger(v) && Math.abs(v) >= 1e21 ? String(v) : v));
        assert.deepEqual(parseLenientJson(text), expected);
      }),
      { numRuns: 500 },
    );
  });

  test('keeps identifiers digit for digit and accepts the tills’ quirks', () => {
    assert.deepEqual(parseLenientJson('{"rrn":010965270742,}'), { rrn: '010965270742' });
    assert.deepEqual(parseLenientJson('{"qr":880101698207133392}'), { qr: '880101698207133392' });
    assert.deepEqual(parseLenientJson('[1,2,]'), [1, 2]);
    assert.deepEqual(parseLenientJson('{"amount": 5.00}', { numbers: 'raw' }), { amount: '5.00' });
    assert.deepEqual(parseLenientJson('{\n "a": 1 (note)\n "b": 2\n}'), { a: 1, b: 2 });
  });

  test('refuses what is not JSON, naming line and column', () => {
    for (const bad of ['{"a":1 "b":2}', "{'a':1}", '{a:1}', '{,}', '[,]', '[1,,]', '{"a":1,,}', '// x\n{}', 'NaN', '{} x', '{"__proto__":{}}', '{"constructor":1}']) {
      assert.throws(() => parseLenientJson(bad), JsonSyntaxError, bad);
    }
    assert.throws(() => parseLenientJson('{\n  "a": tru\n}'), /line 2 column 8/);
    assert.throws(() => parseLenientJson('['.repeat(100_000)), /nesting no deeper than 64/);
  });
});

describe('money', () => {
  test('tiyin to soum and back, exactly, for every amount', () => {
    assert.equal(tiyinToSoumLiteral(0), '0.00');
    assert.equal(tiyinToSoumLiteral(5), '0.05');
    assert.equal(tiyinToSoumLiteral(123456), '1234.56');
    assert.throws(() => tiyinToSoumLiteral(1.5));
    assert.throws(() => tiyinToSoumLiteral(-1));
    fc.assert(fc.property(fc.integer({ min: 0, max: 10 ** 15 }), (n) => soumLiteralToTiyin(tiyinToSoumLiteral(n)) === n));
  });

  test('soum literals to tiyin without rounding', () => {
    assert.equal(soumLiteralToTiyin('5'), 500);
    assert.equal(soumLiteralToTiyin('5.5'), 550);
    assert.equal(soumLiteralToTiyin('1.2345e3'), 123450);
    assert.equal(soumLiteralToTiyin('-1.00'), -100);
    assert.throws(() => soumLiteralToTiyin('0.001'), /not a whole number of tiyin/);
    assert.throws(() => soumLiteralToTiyin('abc'));
  });
});

describe('masking', () => {
  test('cards keep 6 and 4 digits, secrets vanish, QR codes keep their tail, ids stay', () => {
    assert.equal(maskPan('8600491234567890'), '860049******7890');
    assert.equal(maskQrCode('880101698207133392'), '************3392');
    const input = { secret_key: 's', auth: 'a', token: 't', qr_code: '880101698207133392', card_number: '8600491234567890', payment_id: '8600491234567890', note: 'card 8600 4912 3456 7890', list: [{ cashbox_key: 'k' }] };
    assert.deepEqual(maskDeep(input), {
      secret_key: '[secret]',
      auth: '[secret]',
      token: '[secret]',
      qr_code: '************3392',
      card_number: '860049******7890',
      payment_id: '8600491234567890',
      note: 'card 860049******7890',
      list: [{ cashbox_key: '[secret]' }],
    });
    assert.equal(input.secret_key, 's', 'the input is not changed');
    assert.equal(input.list[0]!.cashbox_key, 'k', 'nor what it holds');
  });

  test('a database URL’s password is masked where libpq takes one: the user part and the query', () => {
    assert.equal(maskUrlPassword('postgres://pb:s3cret@hq:5432/pb'), 'postgres://pb:***@hq:5432/pb');
    assert.equal(
      maskUrlPassword('postgres://pb@hq/pb?sslmode=require&password=s3cret&application_name=till&sslpassword=k3y'),
      'postgres://pb@hq/pb?sslmode=require&password=***&application_name=till&sslpassword=***',
    );
    // In free text the value runs to the next space: more is masked, never less.
    assert.equal(maskText('at postgres://pb@hq/pb?password=s3cret: ECONNREFUSED'), 'at postgres://pb@hq/pb?password=*** ECONNREFUSED');
  });

  test('what needs no masking is given back as it is, not copied; only the objects on the way to a masked value are', () => {
    const clean = { payment_id: 2170000001, status: { error_code: 0, error_note: 'Успешно' }, list: [1, 'two'] };
    assert.equal(maskDeep(clean), clean);
    const mixed = { ok: { a: 1 }, nested: { card_number: '8600491234567890' } };
    const masked = maskDeep(mixed) as typeof mixed;
    assert.notEqual(masked, mixed);
    assert.equal(masked.ok, mixed.ok, 'the untouched branch is shared');
    assert.equal(masked.nested.card_number, '860049******7890');
    assert.equal(mixed.nested.card_number, '8600491234567890');
  });
});

describe('the transaction state machine', () => {
  const allowed: Record<TransactionStatus, TransactionStatus[]> = {
    pending: ['succeeded', 'failed', 'unknown'],
    unknown: ['succeeded', 'failed'],
    succeeded: ['cancelled', 'refunded'],
    failed: [],
    cancelled: [],
    refunded: [],
  };
  test('allows exactly the documented transitions', () => {
    for (const from of TRANSACTION_STATUSES) {
      for (const to of TRANSACTION_STATUSES) {
        const ok = allowed[from].includes(to);
        assert.equal(canTransition(from, to), ok, `${from} → ${to}`);
        if (ok) assertTransition(from, to);
        else assert.throws(() => assertTransition(from, to), IllegalTransitionError);
      }
    }
  });
});

describe('slips and reports', () => {
  // The seed documents' own slips.
  const humoPurchase = `ОБЫЧНЫЙ ТОВАР\nID Терминала:01000002  Номер смены 1\nID Организации:190339999999902 \n                               Чек 6\n               Оплата\n              ОДОБРЕНО\nСУММА:                    500.00 UZS\nКод авторизации: 728892 \n                     Код ответа:\n000\nRRN:231511584547 \n`;
  const humoCancel = `ID Терм.:34112204      Номер смены 1\nID Орг.:011760574070401       Чек 14\n          Отмена (CANCEL)\nСУММА:                    300.00 UZS\nКод авториз.:731333   Код ответа:400\nRRN(ссылка) :416311639412\n`;
  const uzcardRefund = `Номер операции:                  168\nТерминал:                   00000013\nRRN                     010968002727\n              Возврат\n             500.00 UZS\n              Одобрено\n          Код ответа:000 \n`;

  test('the facts of each format', () => {
    assert.deepEqual(parseSlip(humoPurchase), {
      rrn: '231511584547',
      receiptNumber: 6,
      shiftNumber: 1,
      authCode: '728892',
      terminalId: '01000002',
      code: '000',
      amount: 50000,
    });
    const cancel = parseSlip(humoCancel);
    assert.equal(cancel.rrn, '416311639412');
    assert.equal(cancel.receiptNumber, 14);
    assert.equal(cancel.code, '400');
    assert.equal(cancel.authCode, '731333');
    assert.equal(cancel.terminalId, '34112204');
    const refund = parseSlip(uzcardRefund);
    assert.equal(refund.rrn, '010968002727');
    assert.equal(refund.receiptNumber, 168);
    assert.equal(refund.terminalId, '00000013');
    assert.equal(refund.amount, 50000);
  });

  test('report totals', () => {
    assert.deepEqual(parseReportTotals('Оплата: 3 шт.   1500.00 UZS\nОтмена/Возврат: 1 шт.  200.50 UZS\n'), {
      purchaseCount: 3,
      purchaseAmount: 150000,
      returnCount: 1,
      returnAmount: 20050,
    });
    assert.equal(parseReportTotals('no totals here'), null);
  });

  test('codes: 400 approves only a cancel; 984 to an operation means it never started; 999 and undocumented codes are uncertain', () => {
    for (const table of [BRIDGE_OUTCOMES, ARCUS2_OUTCOMES]) {
      const of = (code: string, op: 'purchase' | 'cancel' | 'refund') => classify(table, operationKeys(code, op)).outcome;
      assert.equal(of('400', 'cancel'), 'paid');
      assert.equal(of('400', 'purchase'), 'uncertain', 'no approval of a purchase, and no documented refusal either');
      assert.equal(of('020', 'purchase'), 'paid');
      assert.equal(of('984', 'purchase'), 'declined');
      assert.equal(of('999', 'purchase'), 'uncertain');
      assert.equal(of('005', 'purchase'), 'uncertain');
      assert.equal(of('777', 'purchase'), 'uncertain');
      assert.equal(of('116', 'purchase'), 'declined');
    }
  });
});

describe('ops.ini', () => {
  test('codes found by operation name, disabled lines skipped, configuration wins', () => {
    const lines = parseOpsIni('# comment\n1 = 1, 1, Оплата\n#2 = 2, 1, Отмена последней\n4 = 4, 12, Универсальная отмена\n3 = 2, 3, Возврат\n10 = 7, 1, Сверка итогов\n');
    assert.throws(() => resolveOps(lines, { byCode: { close_shift: 11 } }, 'ops.ini', 'arcus2'), /names no print_last operation/);
    const { codes } = resolveOps(lines, { byCode: { close_shift: 11, print_last: 103 } }, 'ops.ini', 'arcus2');
    assert.deepEqual(codes, { purchase: 1, cancel: 4, refund: 3, close_shift: 11, print_last: 103 });
  });
});
