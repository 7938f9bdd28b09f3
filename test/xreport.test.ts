import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Value } from '@sinclair/typebox/value';
import iconv from 'iconv-lite';
import { createInterface } from 'node:readline';
import { after, before, describe, test } from 'node:test';
import { TerminalConfigSchema, type Config, type TerminalConfig } from '../src/config/schema.js';
import { TERMINAL_REPORT_MAGIC } from '../src/sandbox/card-terminal/emulated-terminal.js';
import { get, post, startTestBridge, tempDir, type TestBridge, transitionAsHolder } from './helpers.js';

const fast = (c: Config) => {
  c.sandbox.terminal_timeout_ms = 5_000;
  c.terminals.queue_wait_ms = 10_000;
};

const count = async (bridge: TestBridge) => (await bridge.journal.list({ limit: 500 })).items.length;

/**
 * The X-report (FiscalBox's `GET /payment/xumo_shortreport/` and `/payment/uzcard_shortreport/`):
 * the open shift's totals as the terminal prints them, compared with the journal, the shift left open
 * and nothing journaled as a payment.
 */
describe('X-reports through the sandbox terminals (Humo: the Arcus2 CommandLineTool; UzCard: the bridge over TCP)', () => {
  let bridge: TestBridge;
  before(async () => {
    bridge = await startTestBridge(fast);
  });
  after(() => bridge.close());

  for (const [method, path] of [
    ['humo', 'xumo'],
    ['uzcard', 'uzcard'],
  ] as const) {
    test(`${method}: the shift's totals so far against the journal's, the shift left open, nothing journaled; the documented path with its trailing slash`, async () => {
      const a = await post(bridge, `/payment/${path}`, { amount: 50_000 });
      const b = await post(bridge, `/payment/${path}`, { amount: 30_000 });
      assert.equal(a.body.is_success && b.body.is_success, true, JSON.stringify([a.body, b.body]));
      const shift = a.body.data.shift_number as number;
      const journaled = await count(bridge);

      const x = await get(bridge, `/payment/${path}_shortreport/`);
      assert.equal(x.statusCode, 200);
      assert.equal(x.body.is_success, true, JSON.stringify(x.body));
      assert.equal(x.body.data.ppt_id, null);
      assert.match(x.body.data.message, /Промежуточный отчет/);
      assert.equal(x.body.data.shift_number, shift);
      const r = x.body.data.reconciliation;
      assert.equal(r.matched, true, JSON.stringify(r));
      assert.deepEqual(r.terminal, r.journal);
      assert.equal(r.journal.purchase_count >= 2, true);
      assert.match(r.compared, new RegExp(`for shift ${shift} so far`));
      assert.equal(await count(bridge), journaled, 'an X-report is not a journaled operation');
      assert.deepEqual((await get(bridge, `/payment/shift-closes?terminal=${method}-sandbox`)).body.data, [], 'nor a close');

      // The shift stays open: the next payment is in it, and the path without the slash answers the same way.
      const c = await post(bridge, `/payment/${path}`, { amount: 20_000 });
      assert.equal(c.body.data.shift_number, shift);
      const again = await get(bridge, `/payment/${path}_shortreport`);
      assert.equal(again.body.data.reconciliation.journal.purchase_count, r.journal.purchase_count + 1);
      assert.equal(again.body.data.reconciliation.matched, true);
    });
  }

  test('uzcard: an operation the terminal holds and the journal does not is shown as a difference', async () => {
    // Performed at the pinpad behind PayBridge's back (as a cashier using the terminal on its own would).
    bridge.emulators!.uzcard.terminal.purchase(7_700, null);
    const x = await get(bridge, '/payment/uzcard_shortreport/');
    assert.equal(x.body.is_success, true, JSON.stringify(x.body));
    const r = x.body.data.reconciliation;
    assert.equal(r.matched, false, JSON.stringify(r));
    assert.deepEqual(r.difference, { purchase_count: 1, purchase_amount: 7_700, return_count: 0, return_amount: 0 });
  });
});

describe('an X-report while an operation on the terminal is unsettled', () => {
  test('Humo (Arcus2 settles by the last slip): the X-report and the shift close refused before the terminal is touched; UzCard (status by request id): printed', async () => {
    const bridge = await startTestBridge(fast);
    try {
      const paid = await post(bridge, '/payment/xumo', { amount: 12_000 });
      assert.equal(paid.body.is_success, true, JSON.stringify(paid.body));
      const workDir = bridge.emulators!.arcus2.workDir;
      const lastSlip = () => (JSON.parse(readFileSync(join(workDir, 'arcus2-emulator.json'), 'utf8')) as { lastSlip: string }).lastSlip;
      const before = lastSlip();
      // A purchase journaled whose answer PayBridge has not learnt (as after a crash mid-operation).
      for (const [method, terminal] of [
        ['humo', 'humo-sandbox'],
        ['uzcard', 'uzcard-sandbox'],
      ] as const) {
        await bridge.journal.insert(
          { id: `unsettled-${method}`, method, amount: 9_900, qrCodeMasked: null, qrCodeHash: null, createdAt: Date.now(), kind: 'payment', terminal },
          { step: 'received', detail: { test: true } },
        );
      }
      const humo = await get(bridge, '/payment/xumo_shortreport/');
      assert.equal(humo.body.error?.code, 108, JSON.stringify(humo.body));
      assert.equal(humo.body.error?.data, 'UNSETTLED_OPERATION');
      assert.equal(humo.body.error?.transaction_id, 'unsettled-humo');
      assert.equal(lastSlip(), before, 'the pinpad printed nothing: its last slip is still the payment’s');
      const uzcard = await get(bridge, '/payment/uzcard_shortreport/');
      assert.equal(uzcard.body.is_success, true, JSON.stringify(uzcard.body));

      // A shift close would replace the last slip the same way: refused too, and nothing journaled as sent.
      const close = await get(bridge, '/payment/xumo_close');
      assert.equal(close.body.error?.code, 108, JSON.stringify(close.body));
      assert.equal(close.body.error?.data, 'UNSETTLED_OPERATION');
      assert.match(close.body.error?.reason ?? close.body.error?.message, /resolve/);
      assert.equal(lastSlip(), before, 'no close report printed over the payment’s slip');
      assert.equal((await bridge.journal.listShiftCloses({ terminal: 'humo-sandbox', limit: 10 })).length, 0);
      // Once the operation is settled (here by an operator), the shift closes.
      await transitionAsHolder(bridge.journal, 'unsettled-humo', 'pending', 'unknown', {}, { step: 'answer_lost' });
      await transitionAsHolder(bridge.journal, 'unsettled-humo', 'unknown', 'failed', {}, { step: 'operator_decision', detail: { operator: 'test', reason: 'pinpad screen showed no payment' } });
      const closed = await get(bridge, '/payment/xumo_close');
      assert.equal(closed.body.is_success, true, JSON.stringify(closed.body));
    } finally {
      await bridge.close();
    }
  });
});

describe('the published short-report layout (sandbox magic 70100)', () => {
  let bridge: TestBridge;
  before(async () => {
    bridge = await startTestBridge(fast);
  });
  after(() => bridge.close());

  for (const path of ['xumo', 'uzcard']) {
    test(`${path}: «Краткий отчет» with no shift and no count lines → matched null, said why; the journal is not compared against zeros`, async () => {
      const paid = await post(bridge, `/payment/${path}`, { amount: TERMINAL_REPORT_MAGIC.publishedLayout });
      assert.equal(paid.body.is_success, true, JSON.stringify(paid.body));
      const x = await get(bridge, `/payment/${path}_shortreport/`);
      assert.equal(x.body.is_success, true, JSON.stringify(x.body));
      assert.match(x.body.data.message, /Краткий отчет[\s\S]*Оплата +\(1\) 701\.00 UZS[\s\S]*Отчет окончен/);
      assert.equal(x.body.data.shift_number, null);
      const r = x.body.data.reconciliation;
      assert.equal(r.matched, null);
      assert.equal(r.journal, null);
      assert.equal(r.compared, null);
      assert.match(r.reason, /no totals PayBridge can read and no shift number/);
    });
  }
});

describe('a terminal without an X-report', () => {
  test('a bridge adapter that answers x_report 902 (written before the operation existed): 109 with the reason; nothing journaled', async () => {
    // An adapter that knows only the operations of the protocol's first page: 902 to anything else.
    const seen: string[] = [];
    const server = createServer((socket) => {
      createInterface({ input: socket }).on('line', (line) => {
        const request = JSON.parse(line) as { id: string; op: string };
        seen.push(request.op);
        socket.write(`${JSON.stringify({ v: 1, id: request.id, code: '902' })}\n`);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    const bridge = await startTestBridge((c) => {
      fast(c);
      c.terminals.devices = [
        { id: 'pax-old', method: 'uzcard', default: true, driver: 'bridge', bridge: { transport: 'tcp', host: '127.0.0.1', port, baud_rate: 115_200, connect_timeout_ms: 2_000, answer_timeout_ms: 10_000 } },
      ];
    });
    try {
      const { statusCode, body } = await get(bridge, '/payment/uzcard_shortreport/');
      assert.equal(statusCode, 200);
      assert.equal(body.is_success, false);
      assert.equal(body.error?.code, 109);
      assert.equal(body.error?.response_code, '902');
      assert.match(String(body.error?.reason), /не поддерживает X-отчёт \(ответил кодом 902\)/);
      assert.deepEqual(seen, ['x_report'], 'asked once, never retried');
      assert.equal(await count(bridge), 0);
      // A site with no Humo terminal configured at all: refused as for any other Humo request.
      const noHumo = await get(bridge, '/payment/xumo_shortreport/');
      assert.equal(noHumo.body.error?.code, 108);
      assert.equal(noHumo.body.error?.data, 'NOT_CONFIGURED');
    } finally {
      await bridge.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

/**
 * An Arcus2 folder whose tool is a script: it records its arguments and writes the given rc.out and
 * cheq.out (cp1251), so the site's ops.ini decides what an X-report request runs.
 */
function arcus2Site(opsIni: string, cheq: string): { config: TerminalConfig; argv: () => string[] | null } {
  const dir = tempDir();
  mkdirSync(join(dir, 'INI'));
  writeFileSync(join(dir, 'INI', 'ops.ini'), iconv.encode(opsIni, 'cp1251'));
  writeFileSync(join(dir, 'INI', 'cashreg.ini'), 'OPCHARSET=CP1251\r\n');
  writeFileSync(join(dir, 'cheq.answer'), iconv.encode(cheq, 'cp1251'));
  const script = "const fs=require('fs');fs.writeFileSync('argv.json',JSON.stringify(process.argv.slice(1)));fs.writeFileSync('rc.out','000');fs.copyFileSync('cheq.answer','cheq.out');";
  const config = Value.Default(TerminalConfigSchema, {
    id: 'humo-site',
    method: 'humo',
    default: true,
    driver: 'arcus2',
    arcus2: { command: process.execPath, args: ['-e', script], work_dir: dir, timeout_ms: 60_000 },
  }) as TerminalConfig;
  const file = join(dir, 'argv.json');
  return { config, argv: () => (existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as string[]) : null) };
}

const SITE_OPS = '1 = 1, 1, Оплата\r\n2 = 2, 1, Отмена последней\r\n4 = 4, 12, Универсальная отмена\r\n7 = 7, 1, Сверка итогов\r\n103 = 9, 3, Печать последнего чека\r\n';

describe('Humo through Arcus2 at a site as its ops.ini makes it', () => {
  test('an ops.ini without an X-report line: 108 X_REPORT_NOT_SUPPORTED with the reason; the tool never runs', async () => {
    const site = arcus2Site(SITE_OPS, '');
    const bridge = await startTestBridge((c) => {
      c.terminals.devices = [site.config];
    });
    try {
      const { statusCode, body } = await get(bridge, '/payment/xumo_shortreport/');
      assert.equal(statusCode, 200);
      assert.equal(body.error?.code, 108);
      assert.equal(body.error?.data, 'X_REPORT_NOT_SUPPORTED');
      assert.match(String(body.error?.reason), /нет X-отчёта/);
      assert.equal(site.argv(), null, 'nothing was run');
    } finally {
      await bridge.close();
    }
  });

  test('«Промежуточный отчет» in ops.ini runs it; the published Humo short report comes back as printed, nothing compared, said why', async () => {
    const published = readFileSync(new URL('./fixtures/xreport-humo-published.txt', import.meta.url), 'utf8');
    const site = arcus2Site(`${SITE_OPS}14 = 8, 2, Промежуточный отчет\r\n`, published);
    const bridge = await startTestBridge((c) => {
      c.terminals.devices = [site.config];
    });
    try {
      const { body } = await get(bridge, '/payment/xumo_shortreport/');
      assert.equal(body.is_success, true, JSON.stringify(body));
      assert.deepEqual(site.argv()?.slice(-1), ['/o14']);
      assert.equal(body.data.message, published);
      assert.equal(body.data.ppt_id, null);
      assert.equal(body.data.shift_number, null);
      assert.equal(body.data.reconciliation.matched, null);
      assert.equal(body.data.reconciliation.terminal_host_reconciliation, null);
      assert.match(body.data.reconciliation.reason, /no totals PayBridge can read and no shift number/);
      assert.equal((await bridge.journal.list({ limit: 10 })).items.length, 0);
    } finally {
      await bridge.close();
    }
  });
});
