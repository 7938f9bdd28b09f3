import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ArccomDriver, DEFAULT_ARCCOM_KEYS, type ArccomOptions } from '../src/terminals/arccom/arccom-driver.js';
import { ARCCOM_OUTCOMES, operationKeys } from '../src/terminals/outcomes.js';
import { classify } from '../src/payments/outcome-table.js';
import { TerminalLinkError } from '../src/payments/ports/terminal.js';
import { get, post, startTestBridge, tempDir, testConfig } from './helpers.js';
import { describeBound, operationBounds } from '../src/config/leases.js';

/**
 * The arccom driver against a fake libarccom.so built from C here (test/fixtures/arccom/fake-arccom.c):
 * the real FFI path through koffi, the real helper process, the real key handling. The fake's
 * behaviours are chosen by amount (see the C file).
 */

const FAKE_SOURCE = join(import.meta.dirname, 'fixtures/arccom/fake-arccom.c');
// Deliberately not the codes public installs use: the driver must take them from configuration.
const OPS = { purchase: 21, refund: 22, cancel_by_link: 23, universal_cancel: 24, close_shift: 31, x_report: 32, print_last: 41, print_last_report: 42 };
const SLOW_MS = 1_500;
const CARD = '9860123456781236';

let library: string | undefined;
let buildProblem: string | undefined;

/** Compiles the fake into a folder of its own; returns the library's path. */
function buildFake(): string {
  const dir = tempDir('arccom-fake-');
  const out = join(dir, 'libarccom.so');
  const gcc = spawnSync('gcc', ['-shared', '-fPIC', '-O1', '-o', out, FAKE_SOURCE], { encoding: 'utf8' });
  if (gcc.error) throw new Error(`gcc is needed to build the fake arccom library (Debian: apt-get install gcc; .ci/run installs it): ${gcc.error.message}`);
  if (gcc.status !== 0) throw new Error(`gcc could not build ${FAKE_SOURCE}: ${gcc.stderr}`);
  return out;
}

/** A working directory for the library: its op codes (as a site's ops.ini would give them) and its state. */
function workDir(): string {
  const dir = tempDir('arccom-work-');
  writeFileSync(join(dir, 'fake-arccom.ini'), `${Object.entries(OPS).map(([k, v]) => `${k}=${v}`).join('\n')}\nslow_ms=${SLOW_MS}\n`);
  return dir;
}

function options(overrides: Partial<ArccomOptions> = {}): ArccomOptions {
  return {
    library: library!,
    node: process.execPath,
    workDir: workDir(),
    convention: 'cdecl',
    ops: OPS,
    keys: DEFAULT_ARCCOM_KEYS,
    // The C fake's literals are UTF-8; a real till's library is configured cp1251.
    charset: 'utf-8',
    currency: '860',
    operationMs: 120_000,
    startMs: 120_000,
    abandonMs: 120_000,
    ...overrides,
  };
}

const drivers: ArccomDriver[] = [];
function driver(overrides: Partial<ArccomOptions> = {}): ArccomDriver {
  const d = new ArccomDriver(options(overrides));
  drivers.push(d);
  return d;
}

const outcomeOf = (code: string, op: 'purchase' | 'cancel' | 'refund') => classify(ARCCOM_OUTCOMES, operationKeys(code, op)).outcome;

async function rejectsLink(promise: Promise<unknown>, maybeSent: boolean, message: RegExp): Promise<TerminalLinkError> {
  const err = await promise.then(
    () => assert.fail('expected a TerminalLinkError'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof TerminalLinkError, String(err));
  assert.equal(err.maybeSent, maybeSent, err.message);
  assert.match(err.message, message);
  return err;
}

/**
 * Waits for a process to be gone: `abandonMs` for the driver to kill it, plus a minute for a SIGKILL
 * to land on a loaded machine.
 */
async function gone(pid: number, abandonMs: number): Promise<void> {
  const deadline = Date.now() + abandonMs + 60_000;
  for (;;) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    if (Date.now() > deadline) assert.fail(`the helper ${pid} still runs ${abandonMs} ms after its call was abandoned`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

before(() => {
  try {
    library = buildFake();
  } catch (err) {
    buildProblem = (err as Error).message;
  }
});
after(async () => {
  await Promise.all(drivers.map((d) => d.close()));
});

function needsFake(t: { skip: (m: string) => void }): boolean {
  if (library) return true;
  // Without gcc the FFI path cannot be exercised; in CI that is a failure, never a silent pass.
  if (process.env.CI || !/gcc is needed/.test(buildProblem ?? '')) assert.fail(buildProblem);
  t.skip(buildProblem!);
  return false;
}

describe('arccom driver: the fake library through koffi in a helper process', () => {
  test('purchase approved: code, RRN, receipt number and slip read from the library’s keys; the card number masked', async (t) => {
    if (!needsFake(t)) return;
    const d = driver();
    const answer = await d.purchase({ requestId: 'p1', amount: 125_000 });
    assert.equal(answer.code, '000');
    assert.match(answer.rrn ?? '', /^5321\d{8}$/);
    assert.equal(answer.receiptNumber, 1);
    assert.equal(answer.amount, 125_000);
    assert.equal(answer.operation, 'purchase');
    assert.equal(answer.terminalId, 'FAKE0001');
    assert.match(answer.slip, /ОДОБРЕНО/);
    assert.ok(!answer.slip.includes(CARD), 'the card number never leaves the driver unmasked');
    assert.match(answer.slip, /1236/);
    assert.equal(outcomeOf(answer.code, 'purchase'), 'paid');
    assert.ok(d.helperPid && d.helperPid !== process.pid, 'the library runs in a helper process');
  });

  test('the op codes are the configured ones: a wrong purchase code runs another operation (902 from the fake)', async (t) => {
    if (!needsFake(t)) return;
    const answer = await driver({ ops: { ...OPS, purchase: 1 } }).purchase({ requestId: 'p', amount: 10_000 });
    assert.equal(answer.code, '902');
    assert.equal(answer.rrn, null);
  });

  test('declined 116 and busy 984 are refusals with their codes', async (t) => {
    if (!needsFake(t)) return;
    const d = driver();
    const declined = await d.purchase({ requestId: 'd', amount: 11_600 });
    assert.equal(declined.code, '116');
    assert.equal(declined.rrn, null);
    assert.equal(outcomeOf(declined.code, 'purchase'), 'declined');
    const busy = await d.purchase({ requestId: 'b', amount: 98_400 });
    assert.equal(busy.code, '984');
    assert.equal(outcomeOf(busy.code, 'purchase'), 'declined');
  });

  test('cancel by link: a known RRN is cancelled (400), twice refused (218), an unknown RRN declined (914), a wrong amount declined (915)', async (t) => {
    if (!needsFake(t)) return;
    const d = driver();
    const paid = await d.purchase({ requestId: 'p', amount: 50_000 });
    const other = await d.purchase({ requestId: 'q', amount: 30_000 });
    const cancel = await d.cancel({ requestId: 'c', rrn: paid.rrn!, amount: 50_000 });
    assert.equal(cancel.code, '400');
    assert.equal(outcomeOf(cancel.code, 'cancel'), 'paid');
    assert.equal(cancel.operation, 'cancel');
    assert.deepEqual(cancel.original, { rrn: paid.rrn, receiptNumber: null }, 'the library cancelled the payment named, not the last one');
    assert.notEqual(cancel.rrn, paid.rrn, 'the cancel has its own RRN');
    assert.equal((await d.cancel({ requestId: 'c2', rrn: paid.rrn!, amount: 50_000 })).code, '218');
    const unknown = await d.cancel({ requestId: 'c3', rrn: '999999999999', amount: 50_000 });
    assert.equal(unknown.code, '914');
    assert.equal(outcomeOf(unknown.code, 'cancel'), 'declined');
    assert.equal((await d.cancel({ requestId: 'c4', rrn: other.rrn!, amount: 30_001 })).code, '915');
  });

  test('universal cancel (no reference: the cashier picks the receipt) and refund by RRN', async (t) => {
    if (!needsFake(t)) return;
    const d = driver();
    const first = await d.purchase({ requestId: 'p', amount: 20_000 });
    const second = await d.purchase({ requestId: 'q', amount: 40_000 });
    const universal = await d.universalCancel({ requestId: 'u', amount: 40_000 });
    assert.equal(universal.code, '400');
    assert.equal(universal.original?.rrn, second.rrn);
    // No cancel by link configured: a cancel with an RRN still runs, as a universal cancel.
    const withoutLink = driver({ ops: { ...OPS, cancel_by_link: undefined }, workDir: workDir() });
    const p = await withoutLink.purchase({ requestId: 'w', amount: 10_000 });
    const c = await withoutLink.cancel({ requestId: 'wc', rrn: p.rrn!, amount: 10_000 });
    assert.equal(c.code, '400');
    const refund = await d.refund({ requestId: 'r', rrn: first.rrn!, amount: 20_000 });
    assert.equal(refund.code, '000');
    assert.equal(refund.operation, 'refund');
    assert.equal(refund.original?.rrn, first.rrn);
    assert.equal(d.refunds, true);
    const noRefund = driver({ ops: { ...OPS, refund: undefined } });
    assert.equal(noRefund.refunds, false);
    await rejectsLink(noRefund.refund({ requestId: 'n', rrn: first.rrn!, amount: 1 }), false, /no refund operation/);
  });

  test('slow: an answer after the library’s delay is still this operation’s approval', async (t) => {
    if (!needsFake(t)) return;
    const answer = await driver().purchase({ requestId: 's', amount: 55_500 });
    assert.equal(answer.code, '000');
    assert.equal(answer.amount, 55_500);
  });

  test('a call that returns without a response code is a lost answer (maybeSent), never a refusal', async (t) => {
    if (!needsFake(t)) return;
    await rejectsLink(driver().purchase({ requestId: 'n', amount: 77_701 }), true, /without a response code/);
  });

  test('silent library: the timeout is a lost answer; the pinpad stays busy until the call returns or the helper is killed', async (t) => {
    if (!needsFake(t)) return;
    const d = driver({ operationMs: 1_000, abandonMs: 600_000 });
    // Started first, so the short operation timeout measures only the library call that never returns.
    await d.start();
    await rejectsLink(d.purchase({ requestId: 'silent', amount: 77_700 }), true, /did not answer within 1000 ms/);
    await rejectsLink(d.status(), false, /still running/);
    await d.close();

    const recovering = driver({ operationMs: 1_000, abandonMs: 100 });
    await recovering.start();
    const pid = recovering.helperPid!;
    await rejectsLink(recovering.purchase({ requestId: 'silent2', amount: 77_700 }), true, /did not answer/);
    await gone(pid, 100);
    // The next call is not refused as "still running": a new helper starts. (Started on its own, not
    // by an operation, whose one-second limit a loaded machine could miss on a helper's start.)
    await recovering.start();
    assert.ok(recovering.helperPid && recovering.helperPid !== pid, 'a new helper was started');
    // Sent to it (a lost answer), not refused as never sent.
    await rejectsLink(recovering.purchase({ requestId: 'silent3', amount: 77_700 }), true, /did not answer/);
  });

  test('the helper dying mid-operation is a lost answer; the next call starts a new helper that shows the last slip', async (t) => {
    if (!needsFake(t)) return;
    const d = driver();
    const paid = await d.purchase({ requestId: 'p', amount: 12_300 });
    const pid = d.helperPid!;
    await rejectsLink(d.purchase({ requestId: 'dies', amount: 66_600 }), true, /exited .*during an operation/);
    const last = await d.status();
    assert.notEqual(d.helperPid, pid);
    assert.ok(last !== 'not_found');
    assert.equal(last.code, '000');
    assert.equal(last.rrn, paid.rrn, 'the last slip is the purchase before: the killed one left none');
    assert.equal(last.operation, 'purchase');
    assert.equal(last.amount, 12_300);
  });

  test('last slip, X-report, close shift and last report; a cancel by link after the close finds nothing', async (t) => {
    if (!needsFake(t)) return;
    const d = driver();
    const paid = await d.purchase({ requestId: 'p', amount: 70_000 });
    const last = await d.lastSlip('operation');
    assert.equal(last.rrn, paid.rrn);
    assert.equal(last.slip, paid.slip);
    assert.ok(!last.slip.includes(CARD));
    const x = await d.xReport();
    assert.equal(x.code, '000');
    assert.match(x.slip, /X-отчет/);
    const close = await d.closeShift({ requestId: 'z' });
    assert.equal(close.code, '000');
    assert.match(close.slip, /Сверка итогов/);
    assert.equal(d.reprintsReports, true);
    assert.match((await d.lastSlip('report')).slip, /Сверка итогов/);
    assert.equal((await d.cancel({ requestId: 'c', rrn: paid.rrn!, amount: 70_000 })).code, '914');
  });

  test('codes typed in by hand: reading or printing never runs an operation that moves money; no amount, nothing sent', async (t) => {
    if (!needsFake(t)) return;
    assert.throws(() => driver({ ops: { ...OPS, print_last: OPS.cancel_by_link } }), /arccom\.ops\.print_last \(23\) is the code of arccom\.ops\.cancel_by_link/);
    assert.throws(() => driver({ ops: { ...OPS, x_report: OPS.refund } }), /arccom\.ops\.x_report \(22\) is the code of arccom\.ops\.refund/);
    const d = driver();
    await rejectsLink(d.purchase({ requestId: 'p' }), false, /whole positive amount/);
    await rejectsLink(d.purchase({ requestId: 'p', amount: 12.5 }), false, /whole positive amount/);
    assert.equal(d.helperPid, undefined, 'the library was never even loaded');
  });

  test('a library that cannot be loaded: nothing was sent', async (t) => {
    if (!needsFake(t)) return;
    await rejectsLink(driver({ library: join(tempDir(), 'missing.so') }).purchase({ requestId: 'p', amount: 1_000 }), false, /did not start.*cannot load/s);
  });
});

describe('arccom end to end: the HTTP API, the journal and the fake library', () => {
  test('pay, cancel by the RRN, a silent pinpad left unknown (never failed), X-report, close shift; no card number in the log', async (t) => {
    if (!needsFake(t)) return;
    const arccom = (operationMs: number) => ({
      library: library!,
      work_dir: workDir(),
      calling_convention: 'cdecl' as const,
      ops: OPS,
      keys: DEFAULT_ARCCOM_KEYS,
      charset: 'utf-8',
      operation_timeout_ms: operationMs,
      start_timeout_ms: 120_000,
      abandon_ms: 600_000,
    });
    const bridge = await startTestBridge((c) => {
      c.terminals.devices = [
        { id: 'humo-arccom', method: 'humo', default: true, driver: 'arccom', arccom: arccom(120_000) },
        // A pinpad of its own for the silent case: only its timeout is short, and it never answers at all.
        { id: 'humo-silent', method: 'humo', default: false, driver: 'arccom', arccom: arccom(1_000) },
      ];
    });
    try {
      const paid = await post(bridge, '/payment/xumo', { amount: 50_000 });
      assert.equal(paid.body.is_success, true, JSON.stringify(paid.body));
      assert.match(paid.body.data.ppt_id, /^5321\d{8}$/);
      const cancel = await post(bridge, '/payment/xumo', { request_id: paid.body.data.ppt_id, amount: 50_000, is_return: true });
      assert.equal(cancel.body.is_success, true, JSON.stringify(cancel.body));
      assert.equal((await bridge.journal.get(paid.body.data.transaction_id))?.status, 'cancelled');

      // By receipt number, of a payment that is not the last: cancelled by link with the RRN the journal
      // holds (a universal cancel would have met the last payment instead).
      const a = await post(bridge, '/payment/xumo', { amount: 21_000 });
      const b = await post(bridge, '/payment/xumo', { amount: 22_000 });
      const byReceipt = await post(bridge, '/payment/xumo', { request_id: String(a.body.data.receipt_number), amount: 21_000, is_return: true });
      assert.equal(byReceipt.body.is_success, true, JSON.stringify(byReceipt.body));
      assert.match(byReceipt.body.data.message, new RegExp(`Исх\\. RRN: ${a.body.data.ppt_id}`));
      assert.equal((await bridge.journal.get(a.body.data.transaction_id))?.status, 'cancelled');
      assert.equal((await bridge.journal.get(b.body.data.transaction_id))?.status, 'succeeded');

      const declined = await post(bridge, '/payment/xumo', { amount: 11_600 });
      assert.equal(declined.body.is_success, false);
      assert.equal(declined.body.error?.transaction_status, 'failed');

      const silent = await post(bridge, '/payment/xumo', { amount: 77_700, terminal: 'humo-silent' });
      assert.equal(silent.body.is_success, false);
      assert.equal(silent.body.error?.transaction_status, 'unknown', JSON.stringify(silent.body));
      assert.equal((await bridge.journal.get(silent.body.error!.transaction_id))?.status, 'unknown');

      // The X-report through the library: the fake's report names no shift and no totals, so nothing is compared.
      const before = (await bridge.journal.list({ limit: 500 })).items.length;
      const x = await get(bridge, '/payment/xumo_shortreport/');
      assert.equal(x.body.is_success, true, JSON.stringify(x.body));
      assert.match(x.body.data.message, /X-отчет/);
      assert.equal(x.body.data.ppt_id, null);
      assert.equal(x.body.data.reconciliation.matched, null);
      assert.equal((await bridge.journal.list({ limit: 500 })).items.length, before, 'an X-report is not journaled');

      const close = await get(bridge, '/payment/xumo_close');
      assert.equal(close.body.is_success, true, JSON.stringify(close.body));
      assert.match(close.body.data.message, /Сверка итогов/);

      assert.ok(!bridge.logs.text.includes(CARD), 'no unmasked card number in the log');
    } finally {
      await bridge.close();
    }
  });
});

describe('paybridge config check with an arccom terminal', () => {
  /** Runs the check on a configuration file and returns its exit code and what it printed. */
  async function check(lib: string): Promise<{ code: number; out: string }> {
    const dir = tempDir();
    const file = join(dir, 'paybridge.yaml');
    const work = workDir();
    writeFileSync(
      file,
      `mode: production\nterminals:\n  devices:\n    - {id: humo-1, method: humo, driver: arccom, arccom: {library: '${lib}', work_dir: '${work}', calling_convention: cdecl, ops: {purchase: 21, close_shift: 31, print_last: 41}}}\n`,
    );
    // The real CLI in a process of its own, as an operator runs it.
    return new Promise((resolve) => {
      execFile(
        process.execPath,
        ['--import', 'tsx', join(import.meta.dirname, '../src/cli/main.ts'), 'config', 'check', '--config', file],
        { env: { ...process.env, PAYBRIDGE_DATA_DIR: dir } },
        (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: `${stdout}${stderr}` }),
      );
    });
  }

  test('the helper is started and the library loaded, no operation run; a library that cannot be loaded fails the check', async (t) => {
    if (!needsFake(t)) return;
    const ok = await check(library!);
    assert.equal(ok.code, 0, ok.out);
    assert.match(ok.out, /OK {4}terminal humo-1 \(humo, arccom\): .*libarccom\.so loaded by .* in the helper process; no operation run/);
    const missing = await check(join(tempDir(), 'no-such-arccom.so'));
    assert.notEqual(missing.code, 0);
    assert.match(missing.out, /FAIL {2}terminal humo-1 \(humo, arccom\): the arccom helper did not start .*cannot load/);
  });
});

test('the leases count an arccom exchange as the helper’s start plus the operation’s timeout', () => {
  const config = testConfig(tempDir(), (c) => {
    c.mode = 'production';
    c.click = undefined;
    c.payme = undefined;
    c.terminals.queue_wait_ms = 1_000;
    c.terminals.devices = [
      {
        id: 'humo-arccom',
        method: 'humo',
        default: true,
        driver: 'arccom',
        arccom: { library: '/nowhere/libarccom.so', calling_convention: 'cdecl', ops: OPS, keys: DEFAULT_ARCCOM_KEYS, charset: 'cp1251', operation_timeout_ms: 90_000, start_timeout_ms: 7_000, abandon_ms: 1 },
      },
    ];
  });
  const bound = operationBounds(config).cardOperation!;
  const text = describeBound(bound);
  assert.ok(text.includes('terminals.devices.0.arccom.start_timeout_ms (7000)'), text);
  assert.ok(text.includes('terminals.devices.0.arccom.operation_timeout_ms (90000)'), text);
  assert.ok(bound.ms >= 1_000 + 7_000 + 90_000, text);
});
