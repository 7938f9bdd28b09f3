import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, test } from 'node:test';
import { execFile } from 'node:child_process';
import { shopDate } from '../src/lib/shop-time.js';
import { SANDBOX_UZUM } from '../src/sandbox/credentials.js';
import { get, post, startTestBridge, tempDir, type TestBridge } from './helpers.js';

// The day's wallet reconciliation (#26) against the sandbox's emulators over real sockets: what the
// wallets' own records say, compared with the journal, in every way they can differ.

const QR = '880101698207133392';
/** A 40-character Uzum code with no trouble, and one whose payment stays in process (…102). */
const UZUM_QR = `8801${'0'.repeat(33)}392`;
const UZUM_PROCESSING_QR = `8801${'0'.repeat(33)}102`;

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const today = (bridge: TestBridge) => shopDate(bridge.config.shop.timezone, Date.now());

async function pay(bridge: TestBridge, method: 'click' | 'payme' | 'uzum', amount: number, qr = method === 'uzum' ? UZUM_QR : QR): Promise<string> {
  const { body } = await post(bridge, `/payment/${method}`, { amount, qr_code: qr });
  assert.equal(body.is_success, true, JSON.stringify(body));
  return body.data.transaction_id as string;
}

async function emulator(origin: string, path: string, body?: unknown): Promise<{ status: number; body: Json }> {
  const res = await fetch(`${origin}${path}`, body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Json };
}

const origins = (bridge: TestBridge) => ({
  click: new URL(bridge.emulators!.click.baseUrl).origin,
  payme: new URL(bridge.emulators!.payme.url).origin,
  uzum: new URL(bridge.emulators!.uzum.baseUrl).origin,
});

async function reconcile(bridge: TestBridge, body: object): Promise<Json> {
  const res = await post(bridge, '/payment/reconciliation/wallets', body);
  assert.equal(res.body.is_success, true, JSON.stringify(res.body));
  assert.equal(res.statusCode, 200, JSON.stringify(res.body));
  assert.equal(res.body.data.state, 'done');
  return res.body.data;
}


describe('wallet reconciliation against the emulators', () => {
  test('a clean day matches: every payment of each wallet confirmed, totals equal on both sides', async () => {
    const bridge = await startTestBridge();
    try {
      await pay(bridge, 'click', 150_000);
      await pay(bridge, 'payme', 250_000);
      await pay(bridge, 'payme', 300);
      await pay(bridge, 'uzum', 90_000);
      const report = await reconcile(bridge, { date: today(bridge) });
      assert.deepEqual(report.discrepancies, []);
      assert.equal(report.result, 'match');
      assert.deepEqual(report.methods.payme.journal, { count: 2, amount: 250_300 });
      assert.deepEqual(report.methods.payme.provider, { count: 2, amount: 250_300 });
      assert.deepEqual(report.methods.click.provider, { count: 1, amount: 150_000 });
      assert.deepEqual(report.methods.uzum.journal, report.methods.uzum.provider);
      // Stored: GET gives the same report; another day has none.
      const again = await get(bridge, `/payment/reconciliation/wallets?date=${today(bridge)}`);
      assert.equal(again.body.data.reconciliation_id, report.reconciliation_id);
      const none = await get(bridge, '/payment/reconciliation/wallets?date=2001-01-01');
      assert.equal(none.body.is_success, false);
      assert.equal(none.body.error!.code, 106);
      // With an Idempotency-Key a retry is answered the first report, nothing asked again.
      const keyed = { 'content-type': 'application/json', 'idempotency-key': 'recon-1' };
      const first = await post(bridge, '/payment/reconciliation/wallets', { date: today(bridge), methods: ['payme'] }, keyed);
      const retry = await post(bridge, '/payment/reconciliation/wallets', { date: today(bridge), methods: ['payme'] }, keyed);
      assert.equal(retry.body.data.reconciliation_id, first.body.data.reconciliation_id);
      assert.equal(retry.body.data.replayed, true);
      const bad = await post(bridge, '/payment/reconciliation/wallets', { date: '2026-02-30' });
      assert.equal(bad.body.error!.code, 7);
    } finally {
      await bridge.close();
    }
  });

  test('refunds made in the wallets’ cabinets and a Payme receipt made outside PayBridge are each found, counted in /metrics and the attention list, and exported as CSV', async () => {
    const bridge = await startTestBridge();
    try {
      const o = origins(bridge);
      const paymeId = await pay(bridge, 'payme', 500_000);
      const uzumWhole = await pay(bridge, 'uzum', 70_000);
      const uzumPart = await pay(bridge, 'uzum', 80_000);
      const clickId = await pay(bridge, 'click', 60_000);
      const untouched = await pay(bridge, 'payme', 1_000);
      assert.equal((await emulator(o.payme, '/_sandbox/payme/cabinet-refund', { transaction_id: paymeId })).status, 200);
      assert.equal((await emulator(o.uzum, '/_sandbox/uzum/cabinet-refund', { transaction_id: uzumWhole })).status, 200);
      assert.equal((await emulator(o.uzum, '/_sandbox/uzum/cabinet-refund', { transaction_id: uzumPart, amount: 30_000 })).status, 200);
      assert.equal((await emulator(o.click, '/_sandbox/click/cabinet-refund', { transaction_id: clickId })).status, 200);
      const outside = await emulator(o.payme, '/_sandbox/payme/outside-receipt', { amount: 42_000 });
      assert.equal(outside.status, 200, JSON.stringify(outside.body));
      // Payme queues a cancel of a paid receipt (21) before it is cancelled (50): the cabinet's too.
      await sleep(bridge.config.sandbox.payme.cancel_queue_ms * 2);

      const report = await reconcile(bridge, { date: today(bridge) });
      const by = (id: string) => (report.discrepancies as Json[]).find((d) => d.transaction_id === id);
      assert.equal(by(paymeId)?.kind, 'given_back_outside');
      assert.equal(by(paymeId)?.amount, 500_000);
      assert.equal(by(uzumWhole)?.kind, 'given_back_outside');
      assert.equal(by(uzumWhole)?.provider_status, 'REVERSED');
      assert.equal(by(uzumPart)?.kind, 'given_back_outside');
      assert.equal(by(uzumPart)?.provider_status, 'PARTIAL_CANCELLED');
      // CLICK documents no status of a reversed payment: its −2 reads "error", so the journal's charge is not confirmed there.
      assert.equal(by(clickId)?.kind, 'paid_in_journal_only');
      const foreign = by(outside.body._id as string);
      assert.equal(foreign?.kind, 'unknown_to_journal');
      assert.equal(foreign?.amount, 42_000);
      assert.equal(by(untouched), undefined);
      assert.equal(report.result, 'discrepancies');
      assert.match(by(paymeId)!.action, /Payme/);
      // Payme: the journal has both receipts paid; the wallet the untouched one and the outside one.
      assert.deepEqual(report.methods.payme.journal, { count: 2, amount: 501_000 });
      assert.deepEqual(report.methods.payme.provider, { count: 3, amount: 43_000 });

      const metrics = await bridge.server.inject({ method: 'GET', url: '/metrics' });
      assert.match(metrics.body, /paybridge_wallet_discrepancies\{kind="given_back_outside",method="uzum"\} 2/);
      assert.match(metrics.body, /paybridge_wallet_discrepancies\{kind="unknown_to_journal",method="payme"\} 1/);
      assert.match(metrics.body, /paybridge_wallet_reconciliations_total\{result="discrepancies"\} 1/);
      const attention = await get(bridge, '/payment/attention');
      assert.equal(attention.body.data.wallet_discrepancies_count, 5);
      assert.ok(attention.body.data.count >= 5);

      const csv = await bridge.server.inject({ method: 'GET', url: `/payment/reconciliation/wallets.csv?date=${today(bridge)}`, headers: { 'accept-language': 'ru' } });
      assert.match(String(csv.headers['content-type']), /^text\/csv/);
      const lines = csv.body.replace(/^\uFEFF/, '').trim().split('\r\n');
      assert.match(lines[0]!, /^Дата сверки,Время платежа,Способ,Расхождение/);
      assert.equal(lines.length, 1 + report.discrepancies.length);
      assert.ok(lines.some((l) => l.includes(paymeId) && l.includes('5000.00')), lines.join('\n'));
      assert.ok(lines.some((l) => l.includes(paymeId) && l.includes(',успешен,')), 'the journal status in the shop’s language');
    } finally {
      await bridge.close();
    }
  });

  test('a payment the journal holds as unknown is settled through recovery by the reconciliation, and reported so', async () => {
    const bridge = await startTestBridge((c) => {
      c.sandbox.uzum.processing_ms = 3_000;
      // In sandbox mode the emulator's address replaces base_url (sandboxProviders); the rest is PayBridge's own.
      c.uzum = {
        base_url: 'http://replaced-in-sandbox.invalid/',
        service_id: SANDBOX_UZUM.serviceId,
        merchant_service_user_id: SANDBOX_UZUM.merchantServiceUserId,
        secret_key: SANDBOX_UZUM.secretKey,
        cashbox_code: 'KKM-7',
        timestamp: 'utc',
        timeouts: { connect_ms: 1_000, response_ms: 3_000 },
        poll_interval_ms: 50,
        status_deadline_ms: 300,
        not_found_after_ms: 600,
      };
    });
    try {
      const { body } = await post(bridge, '/payment/uzum', { amount: 55_000, qr_code: UZUM_PROCESSING_QR });
      assert.equal(body.is_success, false, JSON.stringify(body));
      assert.equal(body.error!.transaction_status, 'unknown');
      const id = body.error!.transaction_id as string;
      const o = origins(bridge);
      // Until Uzum has completed it (its "in process" lasts sandbox.uzum.processing_ms).
      for (;;) {
        const rows = (await emulator(o.uzum, '/_sandbox/payments')).body as unknown as Json[];
        if (rows.find((r) => r.order_id === id)?.payment_status === 'SUCCESS') break;
        await sleep(100);
      }
      const report = await reconcile(bridge, { date: today(bridge), methods: ['uzum'] });
      const settled = (report.discrepancies as Json[]).find((d) => d.transaction_id === id);
      assert.equal(settled?.kind, 'settled_by_reconciliation', JSON.stringify(report));
      assert.equal(settled?.journal_status, 'unknown → succeeded');
      assert.equal((await bridge.journal.get(id))?.status, 'succeeded');
    } finally {
      await bridge.close();
    }
  });

  test('a wallet that cannot be reached is not confirmed, never a match', async () => {
    const bridge = await startTestBridge();
    try {
      const id = await pay(bridge, 'uzum', 12_000);
      await bridge.emulators!.uzum.close();
      const report = await reconcile(bridge, { date: today(bridge), methods: ['uzum'] });
      assert.equal(report.result, 'not_confirmed');
      assert.equal(report.discrepancies[0].transaction_id, id);
      assert.equal(report.discrepancies[0].kind, 'not_confirmed');
      assert.equal(report.methods.uzum.matched, 0);
      assert.deepEqual(report.methods.uzum.provider, { count: 0, amount: 0 });
      // Asked `reconciliation.attempts` times, not once.
      assert.equal(report.questions, bridge.config.reconciliation.attempts);
    } finally {
      await bridge.close();
    }
  });

  test('a run stopped midway is resumed after a restart without asking any wallet again what it learnt', async () => {
    const dataDir = tempDir();
    const slow = (c: Parameters<NonNullable<Parameters<typeof startTestBridge>[0]>>[0]) => {
      c.reconciliation.calls_per_second = 4;
      c.sandbox.payme.port = 0;
    };
    let bridge = await startTestBridge(slow, dataDir);
    const ids: string[] = [];
    const before = new Map<string, number>();
    let paymeOrigin = '';
    try {
      for (let i = 0; i < 6; i++) ids.push(await pay(bridge, 'payme', 10_000 + i));
      paymeOrigin = origins(bridge).payme;
      for (const r of (await emulator(paymeOrigin, '/_sandbox/receipts')).body as unknown as Json[]) before.set(r._id as string, r.status_requests as number);
      const started = bridge.walletReconciliation.run(today(bridge), ['payme']);
      started.catch(() => undefined);
      // Stop once some of the receipts have been asked about, and not all.
      for (;;) {
        const rows = (await emulator(paymeOrigin, '/_sandbox/receipts')).body as unknown as Json[];
        const asked = rows.filter((r) => r.status_requests > before.get(r._id as string)!).length;
        if (asked >= 2) break;
        await sleep(20);
      }
    } finally {
      await bridge.close();
    }
    bridge = await startTestBridge(slow, dataDir);
    try {
      const report = await reconcile(bridge, { date: today(bridge), methods: ['payme'] });
      assert.equal(report.resumed, true);
      assert.equal(report.result, 'match', JSON.stringify(report.discrepancies));
      const rows = (await emulator(origins(bridge).payme, '/_sandbox/receipts')).body as unknown as Json[];
      const ours = rows.filter((r) => r.status_requests !== undefined && ids.some((id) => JSON.stringify(r.account).includes(id)));
      assert.equal(ours.length, 6);
      // Each receipt was asked about by its status once (receipts.get) in the whole day's run — before the stop or after, never both.
      // An answer that was on its way when the process stopped was never kept, so at most that one is asked again.
      const counts = ours.map((r) => (r.status_requests as number) - before.get(r._id as string)!).sort();
      assert.ok(counts.every((n) => n >= 1) && counts.filter((n) => n > 1).length <= 1 && counts.every((n) => n <= 2), JSON.stringify(counts));
      assert.ok(report.questions < 6, `the resumed run asked ${report.questions} questions`);
    } finally {
      await bridge.close();
    }
  });

  test('paybridge reconcile wallets prints the day in the cashier’s language and exits 0 on a match, 1 on differences, 3 when a wallet could not confirm', async () => {
    const bridge = await startTestBridge();
    const cli = new URL('../src/cli/main.ts', import.meta.url).pathname;
    const address = await bridge.server.listen({ host: '127.0.0.1', port: 0 });
    const run = (args: string[]) =>
      new Promise<{ code: number; stdout: string }>((resolve) =>
        execFile(process.execPath, ['--import', 'tsx', cli, ...args], { env: { ...process.env, PAYBRIDGE_URL: address }, timeout: 120_000 }, (err, stdout) =>
          resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout }),
        ),
      );
    try {
      const id = await pay(bridge, 'uzum', 33_000);
      const clean = await run(['--lang', 'ru', 'reconcile', 'wallets', '--date', 'today']);
      assert.equal(clean.code, 0, clean.stdout);
      assert.match(clean.stdout, /всё совпало/);
      // Planted as a newcomer does: through PayBridge's own port (sandbox mode forwards it to the emulator).
      const planted = await fetch(`${address}/_sandbox/uzum/cabinet-refund`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ transaction_id: id }) });
      assert.equal(planted.status, 200);
      assert.equal(((await planted.json()) as Json).payment_status, 'REVERSED');
      const refused = await fetch(`${address}/_sandbox/uzum/cabinet-refund`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ transaction_id: id }) });
      assert.equal(refused.status, 409, 'the emulator’s refusal comes back as it is');
      const differs = await run(['--lang', 'en', 'reconcile', 'wallets', '--date', today(bridge), '--methods', 'uzum']);
      assert.equal(differs.code, 1, differs.stdout);
      assert.match(differs.stdout, /given back outside PayBridge/);
      assert.match(differs.stdout, new RegExp(`${id}: Uzum gave back 330\\.00\\ssoum`));
      assert.match(differs.stdout, /succeeded\s+REVERSED\s+330\.00\ssoum/);
      await bridge.emulators!.uzum.close();
      const down = await run(['--lang', 'uz', 'reconcile', 'wallets', '--date', 'today', '--methods', 'uzum']);
      assert.equal(down.code, 3, down.stdout);
      assert.match(down.stdout, /tasdiqlanmadi/);
    } finally {
      await bridge.close();
    }
  });
});
