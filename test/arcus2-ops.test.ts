import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Value } from '@sinclair/typebox/value';
import iconv from 'iconv-lite';
import { TerminalConfigSchema, type Config, type TerminalConfig } from '../src/config/schema.js';
import { classify } from '../src/payments/outcome-table.js';
import { TerminalLinkError } from '../src/payments/ports/terminal.js';
import { OTHER_PAYMENT_KEY } from '../src/payments/terminal-evidence.js';
import { setUpSandboxArcus2 } from '../src/sandbox/arcus2/setup.js';
import { TERMINAL_GIVE_BACK_MAGIC } from '../src/sandbox/card-terminal/emulated-terminal.js';
import { buildTerminalDriver } from '../src/terminals/build.js';
import { arcus2Files, parseRcRemap, readResultCode } from '../src/terminals/humo/cashreg.js';
import { originalReference, type Arcus2Driver } from '../src/terminals/humo/arcus2-driver.js';
import { carriesMoneyWord, parseOpsIni, resolveOps, type OpsOverrides } from '../src/terminals/humo/ops-ini.js';
import { ARCUS2_OUTCOMES, operationKeys } from '../src/terminals/outcomes.js';
import { get, post, startTestBridge, tempDir, type TestBridge } from './helpers.js';

const SETTING = 'terminals.devices.0.arcus2';
const resolve = (text: string, overrides: OpsOverrides = {}) => resolveOps(parseOpsIni(text), overrides, 'C:\\Arcus2\\INI\\ops.ini', SETTING).codes;
const refused = (text: string, overrides: OpsOverrides, pattern: RegExp) => assert.throws(() => resolve(text, overrides), pattern);

describe('ops.ini resolved by whole names', () => {
  test('cancel-last above print-last: print-last is the print line, never the cancel (the fragment «последн» is in both)', () => {
    const ini = '1 = 1, 1, Оплата\n2 = 2, 1, Отмена последней\n4 = 4, 12, Универсальная отмена\n7 = 7, 1, Сверка итогов\n103 = 9, 3, Последний чек\n';
    assert.deepEqual(resolve(ini), { purchase: 1, cancel: 4, close_shift: 7, print_last: 103 });
  });

  test('English names, codes in another order, refund and reports where present', () => {
    const ini = '11 = 7, 1, CLOSE BATCH\n2 = 9, 3, PRINT LAST\n5 = 1, 1, PAYMENT\n3 = 2, 3, REFUND\n9 = 4, 12, UNIVERSAL CANCEL\n12 = 9, 4, Print last report\n14 = 7, 2, X-Report\n';
    assert.deepEqual(resolve(ini), { purchase: 5, cancel: 9, refund: 3, close_shift: 11, print_last: 2, print_last_report: 12, x_report: 14 });
  });

  test('Uzbek names, Latin with each apostrophe and Cyrillic', () => {
    const latin = '1 = 1, 1, Toʻlov\n4 = 4, 12, Universal bekor qilish\n3 = 2, 3, Qaytarish\n10 = 7, 1, Smenani yopish\n103 = 9, 3, Oxirgi chek\n';
    assert.deepEqual(resolve(latin), { purchase: 1, cancel: 4, refund: 3, close_shift: 10, print_last: 103 });
    assert.equal(resolve(latin.replace('Toʻlov', "To'lov")).purchase, 1);
    const cyrillic = '1 = 1, 1, Тўлов\n4 = 4, 12, Универсал бекор қилиш\n3 = 2, 3, Қайтариш\n10 = 7, 1, Сменани ёпиш\n103 = 9, 3, Охирги чек\n';
    assert.deepEqual(resolve(cyrillic), { purchase: 1, cancel: 4, refund: 3, close_shift: 10, print_last: 103 });
  });

  test('a name that does not match whole is not taken, and a missing operation names the setting', () => {
    // «Последний чек отмены» contains the words of print-last but is not its name.
    const ini = '1 = 1, 1, Оплата\n4 = 4, 12, Универсальная отмена\n7 = 7, 1, Сверка итогов\n2 = 2, 1, Последний чек отмены\n';
    refused(ini, {}, new RegExp(`names no print_last operation.*${SETTING.replace(/\./g, '\\.')}\\.ops\\.print_last`));
  });

  test('an operation named on two lines is ambiguous: the message names both lines and the overrides', () => {
    const ini = '1 = 1, 1, Оплата\n5 = 1, 2, Покупка\n4 = 4, 12, Универсальная отмена\n7 = 7, 1, Сверка итогов\n103 = 9, 3, Печать последнего чека\n';
    refused(ini, {}, /purchase is named on 2 lines .*line 1 \("1 = 1, 1, Оплата"\).*line 2 \("5 = 1, 2, Покупка"\).*ops\.purchase.*ops_by_class\.purchase/s);
    assert.equal(resolve(ini, { byCode: { purchase: 5 } }).purchase, 5);
    assert.equal(resolve(ini, { byClass: { purchase: { class: 1, id: 1 } } }).purchase, 1);
  });

  test('one code on two lines is ambiguous', () => {
    const ini = '1 = 1, 1, Оплата\n1 = 9, 3, Печать последнего чека\n4 = 4, 12, Универсальная отмена\n7 = 7, 1, Сверка итогов\n';
    refused(ini, {}, /code 1 is on 2 lines/);
  });

  test('a bare «Отмена» could be universal cancel or cancel-last: refused until the site pins it', () => {
    const ini = '1 = 1, 1, Оплата\n2 = 2, 1, Отмена\n7 = 7, 1, Сверка итогов\n103 = 9, 3, Копия чека\n';
    refused(ini, {}, /line 2 \("2 = 2, 1, Отмена"\): the name could be cancel or cancel_last/);
    assert.equal(resolve(ini, { byClass: { cancel: { class: 2, id: 1 } } }).cancel, 2);
  });

  test('print-last is never a line that moves money, whatever the configuration says', () => {
    const ini = '1 = 1, 1, Оплата\n2 = 2, 1, Отмена последней\n4 = 4, 12, Универсальная отмена\n7 = 7, 1, Сверка итогов\n103 = 9, 3, Печать последнего чека\n50 = 9, 9, Копия сторно\n';
    refused(ini, { byCode: { print_last: 2 } }, /print_last would run .*line 2 \("2 = 2, 1, Отмена последней"\), an operation that moves money/);
    refused(ini, { byClass: { print_last: { class: 2, id: 1 } } }, /an operation that moves money/);
    refused(ini, { byCode: { print_last: 50 } }, /line 6 .*moves money/);
    refused(ini, { byCode: { x_report: 4 } }, /x_report would run/);
    // A code ops.ini does not list cannot be checked by name, but it still cannot be a money operation's code.
    refused(ini, { byCode: { print_last: 1 } }, /moves money/);
  });

  test('the money words, in every language, and the print names without them', () => {
    for (const name of ['Отмена последней', 'Возврат', 'Сторно', 'Bekor qilish', 'Qaytarish', 'Cancel last', 'VOID', 'Reversal', 'Storno', 'Refund', 'Бекор қилиш', 'Қайтариш']) {
      assert.equal(carriesMoneyWord(name), true, name);
    }
    for (const name of ['Печать последнего чека', 'Oxirgi chek', 'PRINT LAST', 'Охирги чек', 'Сверка итогов']) assert.equal(carriesMoneyWord(name), false, name);
  });

  test('refund and the reports are optional', () => {
    const codes = resolve('1 = 1, 1, Оплата\n4 = 4, 12, Универсальная отмена\n7 = 7, 1, Сверка итогов\n103 = 9, 3, Печать последнего чека\n');
    assert.equal(codes.refund, undefined);
    assert.equal(codes.print_last_report, undefined);
  });
});

describe('cashreg.ini is the source of truth', () => {
  test('file names, charset, ops.ini location and the code remap come from it; settings override', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'INI'));
    writeFileSync(
      join(dir, 'INI', 'cashreg.ini'),
      'PORT=COM3\r\nOPCHARSET=CP866\r\nPPCHARSET=CP1251\r\nCHEQ_FILE=slip.txt\r\nRESULT_FILE=result.txt\r\nOPERATION_INI_FILE=site-ops.ini\r\nRC_CONVERT_FILE=rc_conv.ini\r\n',
    );
    writeFileSync(join(dir, 'INI', 'site-ops.ini'), '');
    writeFileSync(join(dir, 'INI', 'rc_conv.ini'), '000=0\r\n116=51\r\n');
    const files = arcus2Files({ work_dir: dir, cashreg_ini: 'INI/cashreg.ini', ops_ini: 'INI/ops.ini' }, SETTING);
    assert.equal(files.cheqFile, join(dir, 'slip.txt'));
    assert.equal(files.rcFile, join(dir, 'result.txt'));
    assert.equal(files.opsIni, join(dir, 'INI', 'site-ops.ini'));
    assert.equal(files.charset, 'cp866');
    assert.match(files.sources.charset, /cashreg\.ini line 2 \(OPCHARSET\)/);
    assert.deepEqual([...files.rcRemap!.entries()], [['000', '0'], ['116', '51']]);

    const own = arcus2Files({ work_dir: dir, cashreg_ini: 'INI/cashreg.ini', cheq_file: 'mine.out', charset: 'utf-8', ops_ini: 'other/ops.ini' }, SETTING);
    assert.equal(own.cheqFile, join(dir, 'mine.out'));
    assert.equal(own.charset, 'utf8');
    assert.equal(own.opsIni, join(dir, 'other', 'ops.ini'));
    assert.equal(own.rcFile, join(dir, 'result.txt'), 'what the settings leave is still cashreg.ini’s');

    writeFileSync(join(dir, 'INI', 'cashreg.ini'), 'OPCHARSET=KOI8\r\n');
    assert.throws(() => arcus2Files({ work_dir: dir, cashreg_ini: 'INI/cashreg.ini' }, SETTING), /cashreg\.ini line 1 \(OPCHARSET\): charset "KOI8".*terminals\.devices\.0\.arcus2\.charset/);
    writeFileSync(join(dir, 'INI', 'cashreg.ini'), 'RC_CONVERT_FILE=missing.ini\r\n');
    assert.throws(() => arcus2Files({ work_dir: dir, cashreg_ini: 'INI/cashreg.ini' }, SETTING), /line 1 \(RC_CONVERT_FILE\).*cannot be found/);
    writeFileSync(join(dir, 'INI', 'cashreg.ini'), 'RC_CONVERT_FILE=missing.ini\r\nUSEORIGINALRC=1\r\n');
    assert.equal(arcus2Files({ work_dir: dir, cashreg_ini: 'INI/cashreg.ini' }, SETTING).rcRemap, null, 'USEORIGINALRC keeps the pinpad’s codes');
    const none = arcus2Files({ work_dir: tempDir(), cashreg_ini: 'INI/cashreg.ini' }, SETTING);
    assert.deepEqual([none.cheqFile.endsWith('cheq.out'), none.rcFile.endsWith('rc.out'), none.charset], [true, true, 'cp1251']);
  });

  test('rc.out: the whole file is the code; remapped codes are read back; anything else is no code (unknown, never a refusal)', () => {
    assert.equal(readResultCode('000\r\n', null), '000');
    assert.equal(readResultCode('116', null), '116');
    for (const unreadable of ['', 'OK', '0', 'Код 116', '116 000', 'ERROR 999\n000', '10 000']) assert.equal(readResultCode(unreadable, null), undefined, unreadable);
    const remap = parseRcRemap('000=0\n116=51\n120=51\n');
    assert.equal(readResultCode('0', remap), '000');
    assert.equal(readResultCode('51', remap), undefined, 'two codes are written as 51');
    assert.equal(readResultCode('000', remap), undefined, 'a code the remap rewrites is never written as itself');
    assert.equal(readResultCode('992', remap), '992', 'a code the remap leaves alone');
  });
});

/** An Arcus2 folder whose tool is a script: it records its arguments and writes the given files. */
function fakeFolder(opsIni: string, cashreg: string, answer: { rc: Buffer; cheq?: Buffer }, extra: Partial<TerminalConfig['arcus2'] & object> = {}, iniFiles: Record<string, string> = {}) {
  const dir = tempDir();
  mkdirSync(join(dir, 'INI'));
  for (const [name, text] of Object.entries(iniFiles)) writeFileSync(join(dir, 'INI', name), text);
  writeFileSync(join(dir, 'INI', 'ops.ini'), iconv.encode(opsIni, 'cp1251'));
  writeFileSync(join(dir, 'INI', 'cashreg.ini'), cashreg);
  writeFileSync(join(dir, 'rc.answer'), answer.rc);
  if (answer.cheq) writeFileSync(join(dir, 'cheq.answer'), answer.cheq);
  const script = `const fs=require('fs');fs.writeFileSync('argv.json',JSON.stringify(process.argv.slice(1)));
const ini=fs.readFileSync('INI/cashreg.ini','latin1');const key=(k,d)=>((new RegExp('^'+k+'=(.*)$','m').exec(ini)||[])[1]||d).trim();
fs.copyFileSync('rc.answer',key('RESULT_FILE','rc.out'));if(fs.existsSync('cheq.answer'))fs.copyFileSync('cheq.answer',key('CHEQ_FILE','cheq.out'));`;
  const config = Value.Default(TerminalConfigSchema, {
    id: 'humo-1',
    method: 'humo',
    driver: 'arcus2',
    arcus2: { command: process.execPath, args: ['-e', script], work_dir: dir, timeout_ms: 60_000, ...extra },
  }) as TerminalConfig;
  const driver = buildTerminalDriver(config, 'terminals.devices.0') as Arcus2Driver;
  return { dir, driver, argv: () => JSON.parse(readFileSync(join(dir, 'argv.json'), 'utf8')) as string[] };
}

const SITE_OPS = '1 = 1, 1, Оплата\r\n2 = 2, 1, Отмена последней\r\n4 = 4, 12, Универсальная отмена\r\n7 = 7, 1, Сверка итогов\r\n103 = 9, 3, Печать последнего чека\r\n';

describe('the driver as cashreg.ini and ops.ini make it', () => {
  test('cp866 files under cashreg.ini’s names, a remapped code read back, print-last runs the print line', async () => {
    const slip = 'ОБЫЧНЫЙ ТОВАР\n Чек 7\n Отмена (CANCEL)\nСУММА: 500.00 UZS\nКод ответа: 400\nRRN:611111111111\nИсх. RRN:600000000001\n';
    const { driver, argv } = fakeFolder(
      SITE_OPS,
      'OPCHARSET=CP866\r\nCHEQ_FILE=slip.txt\r\nRESULT_FILE=result.txt\r\nRC_CONVERT_FILE=rc_conv.ini\r\n',
      { rc: Buffer.from('OK\r\n'), cheq: iconv.encode(slip, 'cp866') },
      {},
      { 'rc_conv.ini': '400=OK\r\n' },
    );
    const answer = await driver.cancel({ requestId: 'x', amount: 50_000, rrn: '600000000001', receiptNumber: 3 });
    assert.equal(answer.code, '400');
    assert.equal(answer.slip, slip, 'decoded from cp866');
    assert.deepEqual(answer.original, { rrn: '600000000001', receiptNumber: null });
    assert.deepEqual(argv(), ['/o4', '/a50000', '/c860'], 'a universal cancel passes no reference');
    assert.equal(driver.refunds, false);
    assert.equal(driver.reprintsReports, false);
    await driver.lastSlip('operation');
    assert.deepEqual(argv(), ['/o103'], 'print-last is 103, not the cancel-last line above it');
  });

  test('a reference on the command line only where the site configures its tool’s arguments', async () => {
    const { driver, argv } = fakeFolder(SITE_OPS, '', { rc: Buffer.from('400') }, { cancel_args: ['/r{rrn}', '/n{receipt}'] });
    await driver.cancel({ requestId: 'x', amount: 500, rrn: '600000000001', receiptNumber: 3 });
    assert.deepEqual(argv(), ['/o4', '/a500', '/c860', '/r600000000001', '/n3']);
  });

  test('an rc.out that names no code is an unknown outcome (maybe sent), not a refusal', async () => {
    const { driver } = fakeFolder(SITE_OPS, '', { rc: Buffer.from('ERROR\n116') });
    await assert.rejects(driver.purchase({ requestId: 'x', amount: 500 }), (err) => err instanceof TerminalLinkError && err.maybeSent && /names no result code/.test(err.message));
  });

  test('start-up refuses an ops.ini whose print-last would be a cancel, naming the setting and the line', () => {
    assert.throws(() => fakeFolder(SITE_OPS, '', { rc: Buffer.from('000') }, { ops: { print_last: 2 } }), /terminals\.devices\.0\.arcus2: print_last would run .*ops\.ini line 2/);
  });
});

describe('the arccom driver’s hand-copied codes against the site’s ops.ini', () => {
  const arccom = (dir: string, ops: Record<string, number>): TerminalConfig =>
    Value.Default(TerminalConfigSchema, { id: 'humo-dll', method: 'humo', driver: 'arccom', arccom: { library: join(dir, 'DLL', 'arccom.dll'), ops } }) as TerminalConfig;

  test('a print-last code that ops.ini shows is cancel-last refuses the start, naming the setting and the line', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'INI'), { recursive: true });
    writeFileSync(join(dir, 'INI', 'ops.ini'), iconv.encode(SITE_OPS, 'cp1251'));
    assert.throws(
      () => buildTerminalDriver(arccom(dir, { purchase: 1, close_shift: 7, print_last: 2 }), 'terminals.devices.0'),
      /terminals\.devices\.0\.arccom\.ops\.print_last = 2 is line 2 of .*Отмена последней.*moves money/,
    );
    // The site's real print line is accepted (the library itself is only loaded when first used).
    const driver = buildTerminalDriver(arccom(dir, { purchase: 1, close_shift: 7, print_last: 103 }), 'terminals.devices.0');
    assert.equal(driver.kind, 'arccom');
    return driver.close();
  });
});

describe('a give-back slip naming another payment', () => {
  test('the slip’s reference is read; an approval naming another RRN or receipt is uncertain, the same one is not', () => {
    assert.deepEqual(originalReference('RRN:611111111111\nИсх. RRN:600000000001\nИсх. чек: 12\n'), { rrn: '600000000001', receiptNumber: 12 });
    assert.equal(originalReference('RRN(ссылка) :416311639412\n'), undefined);
    const keys = (original: { rrn: string | null; receiptNumber: number | null } | null) =>
      classify(ARCUS2_OUTCOMES, operationKeys('400', 'cancel', { operation: 'cancel', amount: 500, expectedAmount: 500, original, intended: { rrn: '600000000001', receiptNumber: 3 } }));
    assert.equal(keys({ rrn: '600000000002', receiptNumber: null }).answer, OTHER_PAYMENT_KEY);
    assert.equal(keys({ rrn: '600000000002', receiptNumber: null }).outcome, 'uncertain');
    assert.equal(keys({ rrn: null, receiptNumber: 4 }).outcome, 'uncertain');
    assert.equal(keys({ rrn: '600000000001', receiptNumber: 3 }).outcome, 'paid');
    assert.equal(keys(null).outcome, 'paid', 'a slip that names no payment is judged by its amount alone');
  });
});

/** A sandbox-mode PayBridge whose Humo terminal is an emulated Arcus2 folder with this ops.ini and these tool arguments. */
async function humoBridge(opsIni: string | undefined, arcus2: Record<string, unknown>): Promise<TestBridge> {
  const folder = setUpSandboxArcus2(tempDir());
  if (opsIni !== undefined) writeFileSync(join(folder.workDir, 'INI', 'ops.ini'), iconv.encode(opsIni, 'cp1251'));
  return startTestBridge((c: Config) => {
    c.terminals.queue_wait_ms = 30_000;
    c.terminals.devices = [
      Value.Default(TerminalConfigSchema, {
        id: 'humo-1',
        method: 'humo',
        default: true,
        driver: 'arcus2',
        arcus2: { command: folder.command, args: folder.args, work_dir: folder.workDir, timeout_ms: 60_000, ...arcus2 },
      }) as TerminalConfig,
    ];
  });
}

const operations = (bridge: TestBridge) => {
  const arcus2 = bridge.config.terminals.devices[0]!.arcus2!;
  return (JSON.parse(readFileSync(join(arcus2.work_dir, 'arcus2-emulator.json'), 'utf8')) as { operations: { kind: string; amount: number }[] }).operations;
};

describe('Humo through the emulated tool, as a real install is laid out', () => {
  describe('universal cancel, no reference: the cashier keys in the wrong receipt', () => {
    let bridge: TestBridge;
    before(async () => {
      bridge = await humoBridge(undefined, {});
    });
    after(() => bridge.close());

    test('the slip names another payment: not recorded as this one cancelled, unknown and flagged for an operator', async () => {
      const meant = await post(bridge, '/payment/xumo', { amount: 10_000 });
      const other = await post(bridge, '/payment/xumo', { amount: 20_000 });
      assert.equal(other.body.is_success, true, JSON.stringify(other.body));
      // The emulated cashier keys in the shift's last purchase: the other one.
      const cancel = await post(bridge, '/payment/xumo', { request_id: String(meant.body.data.receipt_number), amount: 10_000, is_return: true });
      assert.equal(cancel.body.is_success, false);
      assert.equal(cancel.body.error?.transaction_status, 'unknown');
      assert.match(String(cancel.body.error?.reason), /^Не повторяйте возврат/);
      assert.match(String(cancel.body.error?.provider_said), new RegExp(`names another payment \\(RRN ${other.body.data.ppt_id}, not ${meant.body.data.ppt_id}\\)`));
      assert.equal((await bridge.journal.get(meant.body.data.transaction_id))?.status, 'succeeded', 'the payment meant is not recorded as cancelled');
      const giveBack = await bridge.journal.get(cancel.body.error?.transaction_id as string);
      const flag = giveBack?.events.find((e) => e.step === 'gave_back_another_payment');
      assert.ok(flag, 'the journal flags it');
      assert.deepEqual((flag.detail as { intended: unknown }).intended, { rrn: meant.body.data.ppt_id, receipt: meant.body.data.receipt_number, amount: 10_000 });
      // Recovery does not settle it from the last slip (which is this very cancel's).
      await bridge.cards.settleOnce(giveBack!.id);
      assert.equal((await bridge.journal.get(giveBack!.id))?.status, 'unknown');
    });

    test('an answer lost after the wrong payment was cancelled: recovery does not take that cancel’s slip for this one', async () => {
      const amount = TERMINAL_GIVE_BACK_MAGIC.answerLost;
      const meant = await post(bridge, '/payment/xumo', { amount });
      const other = await post(bridge, '/payment/xumo', { amount });
      assert.equal(other.body.is_success, true, JSON.stringify(other.body));
      // The cancel is applied to the other payment, then its answer is lost and the pinpad restarts.
      const cancel = await post(bridge, '/payment/xumo', { request_id: String(meant.body.data.receipt_number), amount, is_return: true });
      assert.equal(cancel.body.error?.transaction_status, 'unknown', JSON.stringify(cancel.body));
      const arcus2 = bridge.config.terminals.devices[0]!.arcus2!;
      const restartUntil = (JSON.parse(readFileSync(join(arcus2.work_dir, 'arcus2-emulator.json'), 'utf8')) as { restartUntil?: number }).restartUntil ?? 0;
      await new Promise((r) => setTimeout(r, Math.max(0, restartUntil - Date.now()) + 100));
      const giveBack = (await bridge.journal.get(cancel.body.error?.transaction_id as string))!;
      const last = await get(bridge, '/payment/xumo/print_last');
      assert.match(last.body.data.message, new RegExp(`Исх\\. RRN:${other.body.data.ppt_id}`), 'the last slip is the other payment’s cancel');
      await bridge.cards.settleOnce(giveBack.id);
      assert.equal((await bridge.journal.get(giveBack.id))?.status, 'unknown');
      assert.equal((await bridge.journal.get(meant.body.data.transaction_id))?.status, 'succeeded');
    });

    test('print-last with cancel-last above it in ops.ini cancels nothing', async () => {
      const before = operations(bridge).length;
      const last = await get(bridge, '/payment/xumo/print_last');
      assert.equal(last.body.is_success, true, JSON.stringify(last.body));
      assert.equal(operations(bridge).length, before);
    });
  });

  describe('a site without refund and without print-last-report', () => {
    let bridge: TestBridge;
    before(async () => {
      bridge = await humoBridge('1 = 1, 1, Оплата\r\n2 = 2, 1, Отмена последней\r\n4 = 4, 12, Универсальная отмена\r\n7 = 7, 1, Сверка итогов\r\n103 = 9, 3, Печать последнего чека\r\n', {
        cancel_args: ['/n{receipt}'],
      });
    });
    after(() => bridge.close());

    test('every ops.ini line’s code, class and id, and what it was taken for, are logged at start', () => {
      const entry = bridge.logs.lines.map((l) => JSON.parse(l) as { msg: string; lines?: { line: number; code: number; class: number; id: number; recognised_as: string[] }[]; ops?: Record<string, string> }).find((l) => l.msg === 'Arcus2 operations and files');
      assert.ok(entry?.lines, 'logged');
      assert.deepEqual(entry.lines[1], { line: 2, code: 2, class: 2, id: 1, name: 'Отмена последней', recognised_as: ['cancel_last'] });
      assert.match(entry.ops!.print_last!, /line 5 \("103 = 9, 3, Печать последнего чека"\)/);
    });

    test('starts; a closed shift’s payment is refused with how to give the money back; the last report comes from the journal', async () => {
      const paid = await post(bridge, '/payment/xumo', { amount: 15_000 });
      assert.equal(paid.body.is_success, true, JSON.stringify(paid.body));
      const close = await get(bridge, '/payment/xumo_close');
      assert.equal(close.body.is_success, true, JSON.stringify(close.body));
      const later = await post(bridge, '/payment/xumo', { amount: 5_000 });
      assert.equal(later.body.is_success, true);

      const refund = await post(bridge, '/payment/xumo', { request_id: paid.body.data.ppt_id, amount: 15_000, is_return: true });
      assert.equal(refund.body.error?.code, 106);
      assert.match(String(refund.body.error?.data), new RegExp(`no refund operation.*merchant portal \\(refund by RRN ${paid.body.data.ppt_id}\\)`));
      assert.equal(operations(bridge).filter((o) => o.kind !== 'purchase').length, 0, 'nothing was sent to the terminal');

      const report = await get(bridge, '/payment/xumo_close/print_last');
      assert.equal(report.body.data.source, 'journal');
      assert.equal(report.body.data.message, close.body.data.message, 'the last close’s report, not the purchase slip printed since');
      assert.notEqual(report.body.data.message, later.body.data.message);
    });
  });
});
