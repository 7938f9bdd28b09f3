import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { formatShopDate } from '../src/i18n/dates.js';
import { shopDay } from '../src/lib/shop-time.js';
import { post, startTestBridge, tempDir, transitionAsHolder, uniqueQr, type TestBridge } from './helpers.js';

const CLI = new URL('../src/cli/main.ts', import.meta.url).pathname;
const TZ = 'Asia/Tashkent';

/** The real CLI in a process of its own, with the terminal's locale neutral (C): the shop's language must come from PayBridge. */
function paybridge(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', CLI, ...args], { env: { ...process.env, LANG: 'C', LC_ALL: '', ...env }, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

/**
 * `paybridge xreport` (issue #28: the X-report was only in the API): the day's takings of the shop or
 * one till, in the shop's language (shop language uz here, with no --lang and a C locale), and the
 * pinpad's own X-report against the journal.
 */
describe('paybridge xreport', () => {
  const dir = tempDir();
  const today = shopDay(TZ);
  let bridge: TestBridge;
  let env: Record<string, string>;

  before(async () => {
    const till = (name: string, shop = 'chilonzor') => (c: import('../src/config/schema.js').Config) => {
      Object.assign(c.instance, { shop, till: name });
      c.language = 'uz';
    };
    // Till 1 of this shop, and a till 1 of another shop of the chain on the same journal.
    for (const [where, amount] of [[till('1'), 1_000_00], [till('1', 'sergeli'), 300_00]] as const) {
      const other = await startTestBridge(where, dir);
      try {
        const r = await post(other, '/payment/click', { amount, qr_code: uniqueQr() });
        assert.equal(r.body.is_success, true, JSON.stringify(r.body));
      } finally {
        await other.close();
      }
    }
    bridge = await startTestBridge(till('2'), dir);
    for (const [path, body] of [
      ['/payment/payme', { amount: 2_500_00, qr_code: uniqueQr() }],
      ['/payment/uzcard', { amount: 4_567_891_700 }],
    ] as const) {
      const r = await post(bridge, path, body);
      assert.equal(r.body.is_success, true, JSON.stringify(r.body));
    }
    // A sale of till 2 yesterday: in --date yesterday's report, not today's.
    const id = randomUUID();
    await bridge.journal.insert({ id, method: 'click', amount: 700_00, qrCodeMasked: '****1', qrCodeHash: null, createdAt: today.from - 3_600_000, kind: 'payment' }, { step: 'received' });
    await transitionAsHolder(bridge.journal, id, 'pending', 'succeeded', {}, { step: 'paid' });
    env = { PAYBRIDGE_URL: await bridge.server.listen({ host: '127.0.0.1', port: 0 }) };
  });
  after(() => bridge?.close());

  it('prints the shop’s day in the shop’s language: every till, per method, with the total', async () => {
    const r = await paybridge(['xreport'], env);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.split('\n');
    assert.equal(lines[0], 'X-hisobot — doʻkon chilonzor, barcha kassalar');
    assert.ok(lines[1]!.startsWith(`${formatShopDate(today.date, 'uz')} (holatiga `), lines[1]);
    assert.match(lines[1]!, /^\d{1,2}-[a-z]+, \d{4} /);
    assert.match(r.stdout, /^Click\s+1 · 1 000,00 soʻm\s+0 · 0,00 soʻm\s+1 000,00 soʻm$/m);
    assert.match(r.stdout, /^Payme\s+1 · 2 500,00 soʻm/m);
    assert.match(r.stdout, /^UzCard\s+1 · 45 678 917,00 soʻm/m);
    assert.match(r.stdout, /^Jami\s+3 · 45 682 417,00 soʻm\s+0 · 0,00 soʻm\s+45 682 417,00 soʻm$/m);
    assert.match(r.stdout, /^Oʻtmagan: 0$/m);
  });

  it('--till narrows it to one till of this shop; --lang and --date as asked; a bad till is refused', async () => {
    const one = await paybridge(['xreport', '--till', '1', '--lang', 'ru'], env);
    assert.equal(one.code, 0, one.stderr);
    assert.match(one.stdout, /^X-отчёт — магазин chilonzor, касса 1$/m);
    assert.match(one.stdout, /^Всего\s+1 · 1 000,00 сум\s+0 · 0,00 сум\s+1 000,00 сум$/m);
    assert.doesNotMatch(one.stdout, /Смены терминалов/, 'till 1’s terminals are not this PayBridge’s');
    const two = await paybridge(['xreport', '--till', '2', '--lang', 'en'], env);
    assert.match(two.stdout, /^Total\s+2 · 45,681,417\.00 soum/m);
    assert.match(two.stdout, /^This till’s terminal shifts \(from the journal\):$/m);
    const yesterday = new Date(Date.parse(`${today.date}T12:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
    const before = await paybridge(['xreport', '--till', '2', '--date', yesterday, '--lang', 'en'], env);
    assert.match(before.stdout, /^Click\s+1 · 700\.00 soum/m);
    assert.match(before.stdout, /^Total\s+1 · 700\.00 soum/m);
    const other = await paybridge(['--json', 'xreport', '--shop', 'yunusobod'], env);
    const body = JSON.parse(other.stdout);
    assert.equal(body.data.shop, 'yunusobod');
    assert.equal(body.data.methods.reduce((n: number, m: { paid_count: number }) => n + m.paid_count, 0), 0);
    const bad = await paybridge(['xreport', '--till', '', '--lang', 'en'], env);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /error 7: .*till/);
    assert.equal((await paybridge(['xreport', '--date', 'today'], env)).code, 2);
  });

  it('list --till: that till of this shop, named in its own column; --shop another shop; a bad till refused', async () => {
    const one = await paybridge(['--json', 'list', '--till', '1'], env);
    assert.equal(one.code, 0, one.stderr);
    const items = (JSON.parse(one.stdout) as { data: { items: { method: string; shop: string; till: string }[] } }).data.items;
    assert.deepEqual(
      items.map((t) => [t.method, t.shop, t.till]),
      [['click', 'chilonzor', '1']],
    );
    const two = await paybridge(['list', '--till', '2'], env);
    assert.equal(two.code, 0, two.stderr);
    const [head, ...rows] = two.stdout.trimEnd().split('\n');
    assert.match(head!, /\s+given back\s+till$/);
    assert.equal(rows.length, 3, two.stdout);
    for (const row of rows) assert.match(row, /\s2$/, 'till 2 in its column, the shop not repeated');
    assert.ok(!rows.some((r) => r.includes('click') && r.includes('1 000')), 'till 1’s payment is not listed');
    const elsewhere = await paybridge(['--json', 'list', '--till', '1', '--shop', 'sergeli'], env);
    assert.deepEqual(
      JSON.parse(elsewhere.stdout).data.items.map((t: { amount: number; shop: string; till: string }) => [t.amount, t.shop, t.till]),
      [[300_00, 'sergeli', '1']],
    );
    // Unfiltered, the chain's journal: the shop is named beside the till.
    const all = await paybridge(['list'], env);
    assert.match(all.stdout, /\s300\.00 soum\s+sergeli · 1$/m);
    assert.match(all.stdout, /\s1 000\.00 soum\s+chilonzor · 1$/m);
    const bad = await paybridge(['list', '--till', ''], env);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /error 7: .*till/);
  });

  it('xreport uzcard: the terminal’s own X-report of the open shift, against the journal, nothing closed', async () => {
    const r = await paybridge(['xreport', 'uzcard'], env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Terminalning X-hisoboti — uzcard-sandbox, smena \d+$/m);
    assert.match(r.stdout, /Промежуточный отчет/);
    assert.match(r.stdout, /^solishtirildi: terminal va jurnal mos$/m);
    assert.deepEqual((await bridge.server.inject({ method: 'GET', url: '/payment/shift-closes?terminal=uzcard-sandbox' })).json().data, []);
  });
});
