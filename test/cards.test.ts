import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import iconv from 'iconv-lite';
import { SerialPort } from 'serialport';
import type { Config } from '../src/config/schema.js';
import { BridgeTerminalEmulator } from '../src/sandbox/uzcard/bridge-emulator.js';
import { Arcus2Driver } from '../src/terminals/humo/arcus2-driver.js';
import { parseSlip } from '../src/terminals/slip.js';
import { TerminalLinkError } from '../src/payments/ports/terminal.js';
import { freePort, get, post, startTestBridge, tempDir, type TestBridge } from './helpers.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
// Under the sandbox's slow answer (40800: 5 s), so that a timeout can be seen, yet long enough for the
// Arcus2 tool's process to start on a loaded machine (a spawn missing the wait reads as 999).
const fast = (c: Config) => {
  c.sandbox.terminal_timeout_ms = 4_000;
  c.terminals.queue_wait_ms = 10_000;
};

describe('the seed documents’ pinpad requests, byte for byte', () => {
  let bridge: TestBridge;
  before(async () => {
    bridge = await startTestBridge(fast);
  });
  after(() => bridge.close());

  test('they are the seed texts themselves, where the seeds are at hand', (t) => {
    const dir = new URL('../../shared/seeds/', import.meta.url);
    if (!existsSync(dir)) return t.skip('../shared/seeds not beside this checkout');
    const seeds = readdirSync(dir).map((f) => readFileSync(new URL(f, dir), 'utf8')).join('\n');
    for (const name of ['seed-humo-pay.txt', 'seed-humo-cancel.txt', 'seed-uzcard-refund.txt']) {
      assert.ok(seeds.includes('```json\n' + fixture(name) + '```'), name);
    }
  });

  test('Humo payment: the note "(цена в сотых 00)" and all, paid; slip and RRN in the answer', async () => {
    const { body } = await post(bridge, '/payment/xumo', fixture('seed-humo-pay.txt'));
    assert.equal(body.is_success, true, JSON.stringify(body));
    assert.match(body.data.message, /Оплата\n\s+ОДОБРЕНО\nСУММА:\s+500\.00 UZS/);
    assert.match(body.data.ppt_id, /^\d{12}$/);
    assert.equal(parseSlip(body.data.message).rrn, body.data.ppt_id);
  });

  test('Humo cancel with request_id 650 (a receipt number) and is_return "true": read as such, refused for want of receipt 650', async () => {
    const { body } = await post(bridge, '/payment/xumo', fixture('seed-humo-cancel.txt'));
    assert.equal(body.error?.code, 106, JSON.stringify(body));
    assert.equal(body.error?.data, 'No payment with receipt number or RRN 650 on terminal humo-sandbox.');
  });

  test('UzCard refund of RRN 010965270742: the leading zero kept, refused as unknown to the journal', async () => {
    const { body } = await post(bridge, '/payment/uzcard', fixture('seed-uzcard-refund.txt'));
    assert.equal(body.error?.code, 106, JSON.stringify(body));
    assert.equal(body.error?.data, 'RRN 010965270742 is not a UzCard payment in this PayBridge’s journal.');
  });
});

describe('Humo through the emulated Arcus2 CommandLineTool (real processes, cp1251 files)', () => {
  let bridge: TestBridge;
  before(async () => {
    bridge = await startTestBridge(fast);
  });
  after(() => bridge.close());

  test('pay, cancel by receipt number, cancel twice refused, pay, cancel by RRN, close shift reconciled, cancel after close refused', async () => {
    const first = await post(bridge, '/payment/xumo', { amount: 50_000 });
    assert.equal(first.body.is_success, true, JSON.stringify(first.body));
    const workDir = bridge.emulators!.arcus2.workDir;
    const state = JSON.parse(readFileSync(join(workDir, 'arcus2-emulator.json'), 'utf8')) as { lastSlip: string };
    assert.equal(first.body.data.message, state.lastSlip, 'the slip decoded from cp1251 is the text the terminal printed');
    const raw = readFileSync(join(workDir, 'cheq.out'));
    assert.ok(raw.includes(iconv.encode('ОДОБРЕНО', 'cp1251')), 'cheq.out is written in cp1251');
    assert.ok(!raw.includes(Buffer.from('ОДОБРЕНО', 'utf8')), 'and not in UTF-8');

    const receipt = first.body.data.receipt_number;
    const cancel = await post(bridge, '/payment/xumo', { request_id: String(receipt), amount: 50_000, is_return: 'true' });
    assert.equal(cancel.body.is_success, true, JSON.stringify(cancel.body));
    assert.match(cancel.body.data.message, /Отмена \(CANCEL\)[\s\S]*ОПЕРАЦИЯ ОТМЕНЕНА[\s\S]*Код ответа:\n400/);
    assert.notEqual(cancel.body.data.ppt_id, first.body.data.ppt_id, 'the cancel has its own RRN');
    assert.equal((await bridge.journal.get(first.body.data.transaction_id))?.status, 'cancelled');

    const twice = await post(bridge, '/payment/xumo', { request_id: receipt, amount: 50_000, is_return: true });
    assert.equal(twice.body.error?.code, 106);
    assert.match(String(twice.body.error?.data), /already cancelled/);

    const second = await post(bridge, '/payment/xumo', { amount: 30_000 });
    const tooMuch = await post(bridge, '/payment/xumo', { request_id: second.body.data.ppt_id, amount: 30_001, is_return: true });
    assert.equal(tooMuch.body.error?.code, 106);
    assert.match(String(tooMuch.body.error?.data), /only 300\.00\ssoum of the 300\.00\ssoum paid remain/);
    const byRrn = await post(bridge, '/payment/xumo', { request_id: second.body.data.ppt_id, amount: 30_000, is_return: true });
    assert.equal(byRrn.body.is_success, true, JSON.stringify(byRrn.body));

    const third = await post(bridge, '/payment/xumo', { amount: 20_000 });
    const close = await get(bridge, '/payment/xumo_close');
    assert.equal(close.body.is_success, true, JSON.stringify(close.body));
    assert.equal(close.body.data.ppt_id, null);
    assert.match(close.body.data.message, /Сверка итогов/);
    assert.deepEqual(close.body.data.reconciliation.journal, { purchase_count: 3, purchase_amount: 100_000, return_count: 2, return_amount: 80_000 });
    assert.equal(close.body.data.reconciliation.matched, true);
    // Journaled `sent` before the terminal heard of it, then completed in place: one record, closed.
    const closes = await get(bridge, '/payment/shift-closes?terminal=humo-sandbox');
    assert.deepEqual(closes.body.data.map((c: { state: string; shift_number: number }) => [c.state, c.shift_number]), [['closed', 1]]);

    // The sandbox's ops.ini has a refund: a closed shift's payment is refunded (test/arcus2-ops.test.ts: a site without one refuses).
    const afterClose = await post(bridge, '/payment/xumo', { request_id: third.body.data.ppt_id, amount: 20_000, is_return: true });
    assert.equal(afterClose.body.is_success, true, JSON.stringify(afterClose.body));
    assert.equal(afterClose.body.data.given_back_as, 'refund');
    assert.match(afterClose.body.data.message, /Возврат \(REFUND\)/);
    assert.equal((await bridge.journal.get(third.body.data.transaction_id))?.status, 'refunded');

    const lastReport = await get(bridge, '/payment/xumo_close/print_last');
    assert.equal(lastReport.body.data.message, close.body.data.message, 'the last report, not the refund slip printed since');
    assert.equal(lastReport.body.data.source, 'terminal');
    const next = await post(bridge, '/payment/xumo', { amount: 10_000 });
    assert.equal(next.body.data.shift_number, 2, 'a new shift after the close');
    const lastSlip = await get(bridge, '/payment/xumo/print_last');
    assert.equal(lastSlip.body.data.message, next.body.data.message);
  });

  test('refusals: 108 with the cashier’s text and the code’s meaning; nothing charged', async () => {
    for (const [amount, code, message, data] of [
      [11_600, '116', 'Недостаточно средств', '116 Insufficient funds'],
      [99_200, '992', 'Операция прервана клиентом/кассиром', '992 Operation aborted'],
    ] as const) {
      const { body } = await post(bridge, '/payment/xumo', { amount });
      assert.equal(body.error?.code, 108);
      assert.equal(body.error?.message, message);
      assert.equal(body.error?.data, data);
      assert.equal(body.error?.response_code, code);
      assert.equal((await bridge.journal.get(body.error!.transaction_id))?.status, 'failed');
    }
  });

  test('999 after a purchase was sent: unknown, settled by the last slip — not ours, so failed; never resent', async () => {
    const before = JSON.parse(readFileSync(join(bridge.emulators!.arcus2.workDir, 'arcus2-emulator.json'), 'utf8')).operations.length;
    const { body } = await post(bridge, '/payment/xumo', { amount: 99_900 });
    assert.equal(body.error?.code, 108);
    assert.equal(body.error?.response_code, '999');
    const tx = await bridge.journal.get(body.error!.transaction_id);
    assert.deepEqual(tx!.events.map((e) => `${e.status}:${e.step}`), ['pending:received', 'pending:sent_to_terminal', 'unknown:answer_lost', 'failed:status_not_performed']);
    const after = JSON.parse(readFileSync(join(bridge.emulators!.arcus2.workDir, 'arcus2-emulator.json'), 'utf8')).operations.length;
    assert.equal(after, before, 'the terminal recorded nothing, and PayBridge did not try again');
  });

  test('the tool killed mid-purchase (40800 takes 5 s, PayBridge waits 4 s): the last slip shows it was paid', async () => {
    const { body } = await post(bridge, '/payment/xumo', { amount: 40_800 });
    assert.equal(body.is_success, true, JSON.stringify(body));
    const tx = await bridge.journal.get(body.data.transaction_id);
    assert.deepEqual(tx!.events.map((e) => `${e.status}:${e.step}`), ['pending:received', 'pending:sent_to_terminal', 'unknown:answer_lost', 'unknown:status', 'succeeded:approved']);
    assert.equal(tx?.amount, 40_800);
  });
});

describe('the Arcus2 driver on its own', () => {
  test('an rc.out left by an earlier call is never read as this call’s answer', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'rc.out'), '000');
    writeFileSync(join(dir, 'cheq.out'), 'old slip');
    const old = new Date(Date.now() - 60_000);
    utimesSync(join(dir, 'rc.out'), old, old);
    // A tool that writes nothing, as when it crashes.
    const driver = new Arcus2Driver({
      command: process.execPath,
      args: ['-e', ''],
      workDir: dir,
      cheqFile: 'cheq.out',
      rcFile: 'rc.out',
      ops: { purchase: 1, cancel: 4, refund: 3, close_shift: 7, print_last: 103 },
      cancelArgs: ['/r{rrn}'],
      refundArgs: ['/r{rrn}'],
      timeoutMs: 5_000,
    });
    await assert.rejects(driver.purchase({ requestId: 'x', amount: 500 }), (err) => err instanceof TerminalLinkError && err.maybeSent);
    assert.ok(!existsSync(join(dir, 'rc.out')), 'the stale answer was removed before the call');

    // A tool that leaves an old file in place (it cannot be deleted, say): its time gives it away.
    const keeper = new Arcus2Driver({
      command: process.execPath,
      args: ['-e', `const fs=require('fs');fs.writeFileSync('rc.out','000');const t=new Date(Date.now()-60000);fs.utimesSync('rc.out',t,t)`],
      workDir: dir,
      cheqFile: 'cheq.out',
      rcFile: 'rc.out',
      ops: { purchase: 1, cancel: 4, refund: 3, close_shift: 7, print_last: 103 },
      cancelArgs: [],
      refundArgs: [],
      timeoutMs: 5_000,
    });
    await assert.rejects(keeper.purchase({ requestId: 'y', amount: 500 }), /without a fresh rc\.out/);
  });
});

describe('UzCard through the terminal bridge protocol over TCP', () => {
  let bridge: TestBridge;
  before(async () => {
    bridge = await startTestBridge(fast);
  });
  after(() => bridge.close());

  test('pay, then partial and repeated refunds never exceeding the payment (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 100, max: 500_000 }), fc.array(fc.integer({ min: 1, max: 600_000 }), { minLength: 1, maxLength: 5 }), async (amount, refunds) => {
        fc.pre(![11_600, 99_200, 99_900, 40_800].includes(amount));
        const paid = await post(bridge, '/payment/uzcard', { amount });
        assert.equal(paid.body.is_success, true, JSON.stringify(paid.body));
        assert.match(paid.body.data.ppt_id, /^0\d{11}$/, 'UzCard RRNs start with 0');
        let given = 0;
        for (const r of refunds) {
          const { body } = await post(bridge, '/payment/uzcard', { request_id: paid.body.data.ppt_id, amount: r, is_return: true });
          if (given + r <= amount) {
            assert.equal(body.is_success, true, JSON.stringify(body));
            assert.match(body.data.message, /Возврат/);
            given += r;
          } else {
            assert.equal(body.error?.code, 106, JSON.stringify(body));
          }
        }
        const tx = (await bridge.journal.get(paid.body.data.transaction_id))!;
        assert.equal(tx.refundedAmount, given);
        const atTerminal = bridge.emulators!.uzcard.terminal.operations().filter((o) => o.originalRrn === paid.body.data.ppt_id);
        assert.equal(atTerminal.reduce((s, o) => s + o.amount, 0), given, 'the terminal gave back exactly what the journal says');
        assert.equal(tx.status, given === amount ? 'refunded' : 'succeeded');
      }),
      { numRuns: 8 },
    );
  });

  test('a refusal is 109 with the code and its meaning', async () => {
    const { body } = await post(bridge, '/payment/uzcard', { amount: 11_600 });
    assert.equal(body.error?.code, 109);
    assert.equal(body.error?.data, '116 Insufficient funds');
  });

  test('two requests at once are served one after the other, never both at the terminal', async () => {
    const [a, b] = await Promise.all([post(bridge, '/payment/uzcard', { amount: 1_000 }), post(bridge, '/payment/uzcard', { amount: 2_000 })]);
    assert.equal(a.body.is_success, true, JSON.stringify(a.body));
    assert.equal(b.body.is_success, true, JSON.stringify(b.body));
  });

  test('no answer at all (99900): the terminal has no record of it, so failed, and nothing charged', async () => {
    const { body } = await post(bridge, '/payment/uzcard', { amount: 99_900 });
    assert.equal(body.error?.code, 109);
    assert.equal(body.error?.transaction_status, 'failed');
    assert.match(String(body.error?.reason), /деньги не списаны/);
    assert.match(String(body.error?.provider_said), /has no record of it/);
  });

  test('close shift: the report, and the terminal’s totals compared with the journal’s', async () => {
    const { body } = await get(bridge, '/payment/uzcard_close');
    assert.equal(body.is_success, true, JSON.stringify(body));
    assert.match(body.data.message, /Отчет закрытия смены/);
    assert.equal(body.data.reconciliation.matched, true, JSON.stringify(body.data.reconciliation));
  });

  test('print_last: the last slip and the last shift report again', async () => {
    const paid = await post(bridge, '/payment/uzcard', { amount: 12_300 });
    const slip = await get(bridge, '/payment/uzcard/print_last');
    assert.equal(slip.body.is_success, true, JSON.stringify(slip.body));
    assert.equal(slip.body.data.message, paid.body.data.message);
    const report = await get(bridge, '/payment/uzcard_close/print_last');
    assert.match(report.body.data.message, /Отчет закрытия смены/);
    assert.equal(report.body.data.ppt_id, null);
  });

  test('the terminal slow to answer (40800): PayBridge stops waiting, asks by request id, and answers the truth', async () => {
    const { body } = await post(bridge, '/payment/uzcard', { amount: 40_800 });
    assert.equal(body.is_success, true, JSON.stringify(body));
    const tx = await bridge.journal.get(body.data.transaction_id);
    assert.deepEqual(tx!.events.map((e) => `${e.status}:${e.step}`), ['pending:received', 'pending:sent_to_terminal', 'unknown:answer_lost', 'unknown:status', 'succeeded:approved']);
    assert.equal(bridge.emulators!.uzcard.terminal.operations().filter((o) => o.requestId === tx!.id).length, 1, 'one purchase at the terminal');
  });
});

describe('UzCard terminal failures', () => {
  test('the terminal dies mid-purchase: the outcome is settled by asking once it is back', async () => {
    const bridge = await startTestBridge(fast);
    try {
      const request = post(bridge, '/payment/uzcard', { amount: 40_800 });
      const emulator = bridge.emulators!.uzcard;
      while (!emulator.terminal.operations().some((o) => o.amount === 40_800)) await new Promise((r) => setTimeout(r, 10));
      emulator.dropLinks();
      const { body } = await request;
      assert.equal(body.is_success, true, JSON.stringify(body));
      const tx = await bridge.journal.get(body.data.transaction_id);
      assert.equal(tx!.events[1]?.step, 'sent_to_terminal');
      assert.equal(tx!.events[2]?.step, 'answer_lost');
      assert.match(JSON.stringify(tx!.events[2]?.detail), /dropped/);
    } finally {
      await bridge.close();
    }
  });

  test('a connection reset by either side crashes neither PayBridge nor the terminal', async () => {
    const bridge = await startTestBridge(fast);
    try {
      const emulator = bridge.emulators!.uzcard;
      const request = post(bridge, '/payment/uzcard', { amount: 40_800 });
      while (!emulator.terminal.operations().some((o) => o.amount === 40_800)) await new Promise((r) => setTimeout(r, 10));
      emulator.dropLinks(true);
      const { body } = await request;
      assert.equal(body.is_success, true, JSON.stringify(body));
      // A till-side reset towards the terminal (a PayBridge killed mid-request does this).
      const raw = connect(bridge.emulators!.uzcardPort, '127.0.0.1');
      await new Promise<void>((resolve) => raw.once('connect', () => resolve()));
      raw.write('{"v":1,"id":"half');
      raw.resetAndDestroy();
      await new Promise((r) => setTimeout(r, 100));
      await new Promise((r) => setTimeout(r, 5_000)); // the terminal finishes the slow purchase
      const after = await post(bridge, '/payment/uzcard', { amount: 1_500 });
      assert.equal(after.body.is_success, true, JSON.stringify(after.body));
    } finally {
      await bridge.close();
    }
  });

  test('a request that cannot wait for a busy terminal gets 984, and is never sent', async () => {
    const bridge = await startTestBridge((c) => {
      fast(c);
      c.sandbox.terminal_timeout_ms = 10_000;
      c.terminals.queue_wait_ms = 300;
    });
    try {
      const slow = post(bridge, '/payment/uzcard', { amount: 40_800 });
      await new Promise((r) => setTimeout(r, 100));
      const { body } = await post(bridge, '/payment/uzcard', { amount: 1_000 });
      assert.equal(body.error?.code, 109);
      assert.equal(body.error?.response_code, '984');
      assert.equal(body.error?.message, 'ПИН-ПАД занят');
      assert.ok(!bridge.emulators!.uzcard.terminal.operations().some((o) => o.amount === 1_000));
      assert.equal((await slow).body.is_success, true);
    } finally {
      await bridge.close();
    }
  });
});

describe('a terminal that cannot be reached', () => {
  test('every endpoint answers 109 with 999, and a payment is failed, not unknown: nothing was sent', async () => {
    const port = await freePort();
    const bridge = await startTestBridge((c) => {
      fast(c);
      c.terminals.devices = [
        { id: 'pax-off', method: 'uzcard', default: true, driver: 'bridge', bridge: { transport: 'tcp', host: '127.0.0.1', port, baud_rate: 115_200, connect_timeout_ms: 500, answer_timeout_ms: 1_000 } },
      ];
    });
    try {
      const paid = await post(bridge, '/payment/uzcard', { amount: 5_000 });
      assert.equal(paid.body.error?.code, 109);
      assert.equal(paid.body.error?.response_code, '999');
      assert.equal(paid.body.error?.transaction_status, 'failed');
      assert.match(String(paid.body.error?.provider_said), /nothing was sent/);
      for (const url of ['/payment/uzcard_close', '/payment/uzcard/print_last', '/payment/uzcard_close/print_last']) {
        const { body } = await get(bridge, url);
        assert.equal(body.error?.code, 109, url);
        assert.equal(body.error?.response_code, '999', url);
      }
      // The close was journaled before the link was tried, and stays on record as never sent.
      const closes = await get(bridge, '/payment/shift-closes');
      assert.deepEqual(closes.body.data.map((c: { state: string }) => c.state), ['not_sent']);
      assert.equal((await get(bridge, '/payment/terminals')).body.data[0].shift_number, null, 'a close never sent closes no shift');
      const unknownTerminal = await post(bridge, '/payment/uzcard', { amount: 5_000, terminal: 'nope' });
      assert.equal(unknownTerminal.body.error?.code, 7);
      assert.match(String(unknownTerminal.body.error!.data), /terminal: no uzcard terminal "nope" \(configured: pax-off\)/);
      const noHumo = await post(bridge, '/payment/xumo', { amount: 5_000 });
      assert.equal(noHumo.body.error?.code, 108);
      assert.equal(noHumo.body.error?.data, 'NOT_CONFIGURED');
    } finally {
      await bridge.close();
    }
  });
});

describe('the bridge protocol over a serial port (a socat pty pair)', () => {
  test('UzCard pay and refund through /dev/pts', async (t) => {
    if (spawnSync('socat', ['-V']).error) {
      if (process.env.CI) assert.fail('socat is required in CI (.ci/run installs it)');
      return t.skip('socat is not installed');
    }
    const dir = tempDir();
    const [a, b] = [join(dir, 'paybridge-side'), join(dir, 'terminal-side')];
    const socat = spawn('socat', [`pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], { stdio: 'ignore' });
    const emulator = new BridgeTerminalEmulator(join(dir, 'terminal.json'));
    let port: SerialPort | undefined;
    try {
      const deadline = Date.now() + 5_000;
      while (!(existsSync(a) && existsSync(b))) {
        if (Date.now() > deadline) throw new Error('socat did not create the pty pair');
        await new Promise((r) => setTimeout(r, 20));
      }
      port = new SerialPort({ path: b, baudRate: 115_200 });
      await new Promise<void>((resolve, reject) => port!.once('open', resolve).once('error', reject));
      emulator.attach(port);
      const bridge = await startTestBridge((c) => {
        fast(c);
        c.terminals.devices = [
          {
            id: 'pax-a35',
            method: 'uzcard',
            default: true,
            driver: 'bridge',
            bridge: { transport: 'serial', path: a, baud_rate: 115_200, connect_timeout_ms: 2_000, answer_timeout_ms: 3_000 },
          },
        ];
      });
      try {
        const paid = await post(bridge, '/payment/uzcard', { amount: 70_000 });
        assert.equal(paid.body.is_success, true, JSON.stringify(paid.body));
        assert.equal(paid.body.data.terminal, 'pax-a35');
        const refund = await post(bridge, '/payment/uzcard', { request_id: paid.body.data.ppt_id, amount: 70_000, is_return: true });
        assert.equal(refund.body.is_success, true, JSON.stringify(refund.body));
        assert.equal(emulator.terminal.operations().length, 2);
      } finally {
        await bridge.close();
      }
    } finally {
      await emulator.close();
      await new Promise<void>((resolve) => (port?.isOpen ? port.close(() => resolve()) : resolve()));
      socat.kill();
    }
  });
});
