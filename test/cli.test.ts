import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import iconv from 'iconv-lite';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { shopDate } from '../src/lib/shop-time.js';
import { freePort, startTestBridge, tempDir, uniqueQr, type TestBridge, transitionAsHolder } from './helpers.js';

const CLI = new URL('../src/cli/main.ts', import.meta.url).pathname;

/** The real CLI in a process of its own; resolves to its exit code and output. */
function paybridge(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', CLI, ...args], { env: { ...process.env, ...env }, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('paybridge CLI against a running sandbox PayBridge', () => {
  let bridge: TestBridge;
  let env: Record<string, string>;
  before(async () => {
    bridge = await startTestBridge();
    const address = await bridge.server.listen({ host: '127.0.0.1', port: 0 });
    env = { PAYBRIDGE_URL: address, PAYBRIDGE_DATA_DIR: bridge.dataDir };
  });
  after(() => bridge.close());

  const json = async (args: string[]) => {
    const r = await paybridge(['--json', ...args], env);
    return { code: r.code, body: JSON.parse(r.stdout) as { data: any; error: any; is_success: boolean } };
  };

  it('takes a Click payment, shows it, lists it, cancels it', async () => {
    const paid = await paybridge(['pay', 'click', '500', '--qr', uniqueQr()], env);
    assert.equal(paid.code, 0, paid.stderr);
    const id = /transaction ([0-9a-f-]{36})/.exec(paid.stdout)?.[1];
    assert.ok(id, paid.stdout);
    assert.match(paid.stdout, /paid: 5\.00 soum by click/);
    assert.match(paid.stderr, /Idempotency-Key: [0-9a-f-]{36}/, 'the key for a safe retry is printed');

    const shown = await paybridge(['status', id], env);
    assert.equal(shown.code, 0);
    assert.match(shown.stdout, new RegExp(`${id}\\s+click\\s+succeeded`));
    assert.match(shown.stdout, /received[\s\S]*succeeded/, 'the timeline');

    const listed = await json(['list', '--method', 'click', '--limit', '5']);
    const item = listed.body.data.items.find((t: { transaction_id: string }) => t.transaction_id === id) as { created_at: string };
    assert.ok(item, 'scripts get the API’s own record');
    // People get the shop's clock: its zone (Asia/Tashkent by default, UTC+5 all year), named in the header.
    const table = await paybridge(['list', '--method', 'click', '--limit', '5'], env);
    const tashkent = new Date(Date.parse(item.created_at) + 5 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ');
    assert.match(table.stdout, new RegExp(`^created \\(Asia/Tashkent\\)`, 'm'));
    assert.match(table.stdout, /\s+given back$/m, 'no till column where no till is named (instance.till)');
    assert.match(table.stdout, new RegExp(`^${tashkent}\\s+${id}\\s+payment\\s+click`, 'm'));

    const cancelled = await paybridge(['cancel', id, '--operator', 'manager'], env);
    assert.equal(cancelled.code, 0, cancelled.stderr);
    assert.match(cancelled.stdout, /given back: 5\.00 soum/);
    assert.equal((await bridge.journal.get(id))!.status, 'cancelled');
    const again = await paybridge(['cancel', id], env);
    assert.equal(again.code, 1, 'a second cancel is refused');
    assert.match(again.stderr, /error 106/);
  });

  it('status of a failed payment says why in words for people (in the language asked, else the shop’s), then the provider’s code', async () => {
    const id = randomUUID();
    await bridge.journal.insert({ id, method: 'uzum', amount: 25_000, qrCodeMasked: '****2', qrCodeHash: null, createdAt: Date.now(), kind: 'payment' }, { step: 'received' });
    await transitionAsHolder(bridge.journal, id, 'pending', 'failed', { error: { code: 104, message: 'BILLING_ERROR', data: '400: apelsin.pay.wrong.prefix.otp.data' } }, { step: 'declined' });
    const shown = await paybridge(['status', id], env);
    assert.equal(shown.code, 0, shown.stderr);
    const lines = shown.stdout.split('\n');
    const why = lines.findIndex((l) => l.startsWith('why: '));
    assert.equal(lines[why], 'why: Платёжная система не приняла платёж; деньги не списаны.', shown.stdout);
    assert.equal(lines[why + 1], 'error 104: BILLING_ERROR (400: apelsin.pay.wrong.prefix.otp.data)');
    const uz = await paybridge(['--lang', 'uz', 'status', id], env);
    assert.match(uz.stdout, /^why: Toʻlov tizimi toʻlovni qabul qilmadi; pul yechilmadi\.$/m);
  });

  it('retries a payment with the same key without charging twice', async () => {
    const qr = uniqueQr();
    const key = randomUUID();
    const first = await json(['pay', 'payme', '700', '--qr', qr, '--idempotency-key', key]);
    const second = await json(['pay', 'payme', '700', '--qr', qr, '--idempotency-key', key]);
    assert.equal(first.code, 0);
    assert.equal(second.body.data.transaction_id, first.body.data.transaction_id);
    assert.equal(bridge.emulators!.payme.charges().filter((r) => r.amount === 700).length, 1);
  });

  it('the README’s curl, then its CLI line with the same code and amount: the earlier payment, said so, never "paid"', async () => {
    // Issue #28: the CLI answered "paid" for a payment it did not take (the QR retry window's answer carried no marker).
    const qr = uniqueQr();
    const curl = await fetch(`${env.PAYBRIDGE_URL}/payment/click`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ amount: 500, qr_code: qr }) });
    const first = (await curl.json()) as { data: { transaction_id: string; replayed?: boolean } };
    assert.equal(first.data.replayed, undefined, 'the first payment is not a replay');
    const cli = await paybridge(['pay', 'click', '500', '--qr', qr], env);
    assert.equal(cli.code, 0, cli.stderr);
    assert.doesNotMatch(cli.stdout, /^paid:/m, cli.stdout);
    assert.match(cli.stdout, /not taken now: this is an earlier payment of 5\.00 soum by click, answered again \(replayed\)/);
    assert.match(cli.stdout, new RegExp(`transaction ${first.data.transaction_id}`));
    assert.match(cli.stdout, /no new payment was made/);
    assert.equal(bridge.emulators!.click.ledger().filter((c) => c.otpData === qr).length, 1, 'charged once');
  });

  it('takes a card payment in soum exactly, refunds part of it, closes the shift reconciled', async () => {
    const paid = await json(['pay', 'uzcard', '--soum', '12.50']);
    assert.equal(paid.code, 0);
    const id = paid.body.data.transaction_id as string;
    assert.equal((await bridge.journal.get(id))!.amount, 1_250);
    const refunded = await paybridge(['refund', id, '--soum', '2.5'], env);
    assert.equal(refunded.code, 0, refunded.stderr);
    assert.equal((await bridge.journal.get(id))!.refundedAmount, 250);

    // Give-backs shown as give-backs: beneath their payment, with a minus, by kind and shop day.
    const giveBackId = (await bridge.journal.giveBacksOf(id))[0]!.id;
    const shown = await paybridge(['status', id], env);
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, /given back \(remaining 10\.00 soum\):/);
    assert.match(shown.stdout, new RegExp(`refund\\s+succeeded\\s+-2\\.50 soum\\s+${giveBackId}`));
    const back = await paybridge(['status', giveBackId], env);
    assert.match(back.stdout, new RegExp(`a refund of payment ${id} \\(uzcard, 12\\.50 soum paid on \\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}, now succeeded, given back 2\\.50 soum\\)`));
    const today = shopDate('Asia/Tashkent', Date.now());
    const backs = await paybridge(['list', '--kind', 'give_back', '--date', today], env);
    assert.equal(backs.code, 0, backs.stderr);
    assert.match(backs.stdout, /^created \(Asia\/Tashkent\)\s+transaction\s+kind\s+method/m);
    assert.match(backs.stdout, new RegExp(`${giveBackId}\\s+give-back ${id.slice(0, 8)}\\s+uzcard\\s+succeeded\\s+-2\\.50 soum`));
    assert.doesNotMatch(backs.stdout, new RegExp(`${id}\\s+payment`), 'payments are not give-backs');
    const payments = await paybridge(['list', '--kind', 'payment', '--date', today, '--limit', '100'], env);
    assert.match(payments.stdout, new RegExp(`${id}\\s+payment\\s+uzcard\\s+succeeded\\s+12\\.50 soum\\s+2\\.50 soum`), 'the payment and what it gave back');
    assert.doesNotMatch(payments.stdout, /give-back/);
    const bad = await paybridge(['list', '--kind', 'refunds'], env);
    assert.equal(bad.code, 2, 'bad arguments, refused before PayBridge is asked');
    assert.match(bad.stderr, /'refunds' is invalid\. Allowed choices are payment, give_back\./);

    const closed = await paybridge(['close', 'uzcard'], env);
    assert.equal(closed.code, 0, closed.stderr);
    assert.match(closed.stdout, /reconciled: the terminal and the journal agree/);

    // A shift closed with the report real terminals print (no totals): the reason, never a match.
    assert.equal((await json(['pay', 'uzcard', '70100'])).code, 0);
    const unread = await paybridge(['close', 'uzcard'], env);
    assert.equal(unread.code, 0, unread.stderr);
    assert.match(unread.stdout, /not compared: \S/);
    assert.doesNotMatch(unread.stdout, /reconciled/);
  });

  it('exit codes: 1 refused, 2 bad arguments, 3 not known yet, 4 unreachable', async () => {
    const declined = await paybridge(['pay', 'click', '500', '--qr', '880101698207133116'], env);
    assert.equal(declined.code, 1);
    assert.match(declined.stderr, /error 104: BILLING_ERROR/);
    const pinpad = await paybridge(['--lang', 'en', 'pay', 'humo', '11600'], env);
    assert.equal(pinpad.code, 1);
    assert.match(pinpad.stderr, /error 108: Insufficient funds/, '--lang asks for English');

    for (const args of [['pay', 'click', '500'], ['pay', 'click', '5.5', '--qr', '1'], ['pay', 'bitcoin', '5'], ['pay', 'humo', '--soum', '0.001'], ['nonsense']]) {
      assert.equal((await paybridge(args, env)).code, 2, args.join(' '));
    }

    const id = randomUUID();
    await bridge.journal.insert({ id, method: 'payme', amount: 900, qrCodeMasked: '****1', qrCodeHash: null, createdAt: Date.now(), kind: 'payment' }, { step: 'received' });
    await transitionAsHolder(bridge.journal, id, 'pending', 'unknown', {}, { step: 'lost' });
    const unknown = await paybridge(['status', id], env);
    assert.equal(unknown.code, 3, 'a transaction whose outcome is unknown');

    const unreachable = await paybridge(['list'], { ...env, PAYBRIDGE_URL: 'http://127.0.0.1:9' });
    assert.equal(unreachable.code, 4);
    assert.match(unreachable.stderr, /cannot reach PayBridge/);
  });

  it('exports the journal as CSV and JSON with the same rows', async () => {
    const dir = tempDir();
    const csvFile = join(dir, 'j.csv');
    const jsonFile = join(dir, 'j.json');
    // Today's shop day (the payments above were taken now); test/journal-export.test.ts has the rest.
    assert.equal((await paybridge(['journal', 'export', '--format', 'csv', '--out', csvFile, '--date', 'today'], env)).code, 0);
    assert.equal((await paybridge(['journal', 'export', '--format', 'json', '--out', jsonFile], env)).code, 0);
    const rows = JSON.parse(readFileSync(jsonFile, 'utf8')) as Record<string, string | number | null>[];
    const lines = readFileSync(csvFile, 'utf8').trimEnd().split('\r\n');
    const page = await bridge.journal.list({ limit: 500 });
    assert.equal(rows.length, page.items.length);
    assert.equal(lines.length, rows.length + 1, 'a header and one line per transaction');
    assert.equal(lines[0]!.split(';')[0], '\uFEFFДата');
    const byId = new Map(page.items.map((t) => [t.id, t]));
    for (const row of rows) {
      const t = byId.get(row.transaction_id as string)!;
      assert.equal(row.amount_tiyin, t.amount);
      assert.equal(row.status, t.status);
      const soum = `${t.kind === 'payment' ? '' : '-'}${Math.floor(t.amount / 100)},${String(t.amount % 100).padStart(2, '0')}`;
      assert.ok(lines.some((l) => l.split(';')[8] === t.id && l.split(';')[5] === soum), `the same row in the CSV: ${t.id} ${soum}`);
    }
    assert.doesNotMatch(readFileSync(csvFile, 'utf8'), /8801\d{14}/, 'QR codes only masked');
    assert.equal((await paybridge(['journal', 'export', '--format', 'xml'], env)).code, 2);
  });
});

describe('paybridge with a token, and config check', () => {
  it('exit 5 when the token is refused, 0 with the right one', async () => {
    const token = 'cli-token-0123456789abcdef';
    const bridge = await startTestBridge((c) => {
      c.server.api_token = token;
    });
    try {
      const url = await bridge.server.listen({ host: '127.0.0.1', port: 0 });
      assert.equal((await paybridge(['list'], { PAYBRIDGE_URL: url })).code, 5);
      assert.equal((await paybridge(['list', '--token', `${token}x`], { PAYBRIDGE_URL: url })).code, 5);
      assert.equal((await paybridge(['list'], { PAYBRIDGE_URL: url, PAYBRIDGE_API_TOKEN: token })).code, 0);
    } finally {
      await bridge.close();
    }
  });

  it('checks a sandbox configuration without starting its emulators, and refuses a bad file or an unreachable provider', async () => {
    const dir = tempDir();
    const ok = await paybridge(['config', 'check'], { PAYBRIDGE_DATA_DIR: dir, PAYBRIDGE_CONFIG: '' });
    assert.equal(ok.code, 0, ok.stdout);
    assert.equal(
      ok.stdout,
      'OK    configuration defaults (no PAYBRIDGE_CONFIG) (sandbox mode)\n' +
        'OK    sandbox: Click, Payme, Uzum and the Humo and UzCard pinpads are PayBridge’s own emulators (click a free port, payme a free port, uzum a free port, uzcard a free port); they start with PayBridge, not here — nothing to reach\n',
    );
    // The emulators keep their ledgers and the Humo tool's folder under data_dir/sandbox: none was made.
    assert.equal(existsSync(join(dir, 'sandbox')), false, 'no emulator was started on the sandbox’s data');

    // An ops.ini PayBridge would refuse to start with is refused here too, naming its lines.
    const arcus = join(dir, 'arcus2');
    mkdirSync(join(arcus, 'INI'), { recursive: true });
    writeFileSync(join(arcus, 'INI', 'ops.ini'), iconv.encode('1 = 1, 1, Оплата\n2 = 1, 1, Оплата\n4 = 4, 1, Универсальная отмена\n7 = 7, 1, Сверка итогов\n103 = 103, 1, Печать последнего чека\n', 'cp1251'));
    const hostile = join(dir, 'hostile.yaml');
    writeFileSync(hostile, `mode: production\nterminals:\n  devices:\n    - {id: humo-1, method: humo, driver: arcus2, arcus2: {command: '${process.execPath}', work_dir: '${arcus}'}}\n`);
    const refusedOps = await paybridge(['config', 'check', '--config', hostile], { PAYBRIDGE_DATA_DIR: dir });
    assert.equal(refusedOps.code, 1, refusedOps.stdout);
    assert.match(refusedOps.stdout, /FAIL\s+terminal humo-1 .*line/);

    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'mode: production\nserver: {prot: 1}\n');
    const invalid = await paybridge(['config', 'check', '--config', bad], { PAYBRIDGE_DATA_DIR: dir });
    assert.equal(invalid.code, 78);
    assert.match(invalid.stdout, /server\.prot: unknown key/);

    const down = join(dir, 'down.yaml');
    writeFileSync(down, `mode: production\npayme: {url: 'http://127.0.0.1:9/api', cashbox_id: a, cashbox_key: b}\n`);
    const unreachable = await paybridge(['config', 'check', '--config', down], { PAYBRIDGE_DATA_DIR: dir });
    assert.equal(unreachable.code, 1);
    assert.match(unreachable.stdout, /FAIL\s+payme/);

    const wrongKey = join(dir, 'wrong.yaml');
    const emulator = await (await import('./helpers.js')).startPaymeEmulator();
    try {
      writeFileSync(wrongKey, `mode: production\npayme: {url: '${emulator.url}', cashbox_id: sandbox-cashbox, cashbox_key: wrong}\n`);
      const refused = await paybridge(['config', 'check', '--config', wrongKey], { PAYBRIDGE_DATA_DIR: dir });
      assert.equal(refused.code, 1);
      assert.match(refused.stdout, /FAIL\s+payme .*cashbox refused \(-32504\)/);
    } finally {
      await emulator.close();
    }
  });
});

describe('paybridge config check beside a running sandbox PayBridge (#28)', () => {
  it('starts nothing, binds no port, prints no stack trace, and leaves the running one’s data alone', async () => {
    const dir = tempDir();
    const ports = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
    const file = join(dir, 'paybridge.yaml');
    writeFileSync(file, `sandbox:\n  click: {port: ${ports[0]}}\n  payme: {port: ${ports[1]}}\n  uzum: {port: ${ports[2]}}\n  uzcard: {port: ${ports[3]}}\n`);
    const bridge = await startTestBridge((c) => {
      c.sandbox.click.port = ports[0]!;
      c.sandbox.payme.port = ports[1]!;
      c.sandbox.uzum.port = ports[2]!;
      c.sandbox.uzcard.port = ports[3]!;
    }, dir);
    try {
      const url = await bridge.server.listen({ host: '127.0.0.1', port: 0 });
      const paid = await paybridge(['pay', 'click', '500', '--qr', uniqueQr()], { PAYBRIDGE_URL: url });
      assert.equal(paid.code, 0, paid.stderr);
      const before = readdirSync(join(dir, 'sandbox'), { recursive: true }).sort();
      const ledger = readFileSync(join(dir, 'sandbox', 'click-ledger.jsonl'), 'utf8');

      // With its configuration (the sandbox's ports in use), and without one (free ports, the same data).
      for (const env of [{ PAYBRIDGE_CONFIG: file, PAYBRIDGE_DATA_DIR: dir }, { PAYBRIDGE_CONFIG: '', PAYBRIDGE_DATA_DIR: dir }]) {
        const check = await paybridge(['config', 'check'], env);
        assert.equal(check.code, 0, check.stdout + check.stderr);
        assert.equal(check.stderr, '');
        assert.doesNotMatch(check.stdout, /EADDRINUSE|^\s+at /m);
        assert.match(check.stdout, /^OK    sandbox: .*PayBridge’s own emulators .*they start with PayBridge, not here/m);
      }
      assert.match((await paybridge(['config', 'check'], { PAYBRIDGE_CONFIG: file, PAYBRIDGE_DATA_DIR: dir })).stdout, /click port \d+, payme port \d+, uzum port \d+, uzcard port \d+/);
      assert.deepEqual(readdirSync(join(dir, 'sandbox'), { recursive: true }).sort(), before, 'no file added to the running sandbox’s data');
      assert.equal(readFileSync(join(dir, 'sandbox', 'click-ledger.jsonl'), 'utf8'), ledger);
      assert.equal((await paybridge(['list', '--limit', '1'], { PAYBRIDGE_URL: url })).code, 0, 'the running PayBridge serves on');
    } finally {
      await bridge.close();
    }
  });
});

describe('paybridge: arguments and help (#28)', () => {
  it('list with a status, method or kind PayBridge has not: exit 2 naming the accepted ones, nothing sent', async () => {
    // Port 9 (discard): nothing listens there; the arguments are refused before anything is sent.
    const env = { PAYBRIDGE_URL: 'http://127.0.0.1:9' };
    const status = await paybridge(['list', '--status', 'bogus'], env);
    assert.equal(status.code, 2, status.stderr);
    assert.match(status.stderr, /'bogus' is invalid\. Allowed choices are pending, succeeded, failed, unknown, cancelled, refunded\./);
    const method = await paybridge(['list', '--method', 'visa'], env);
    assert.equal(method.code, 2);
    assert.match(method.stderr, /Allowed choices are click, payme, uzum, humo, uzcard\./);
    const kind = await paybridge(['list', '--kind', 'refund'], env);
    assert.equal(kind.code, 2);
    assert.match(kind.stderr, /Allowed choices are payment, give_back\./);
  });

  it('names Uzum in the top-level help and in sandbox --help', async () => {
    const top = await paybridge(['--help']);
    assert.equal(top.code, 0);
    // Commander wraps the text to the terminal's width.
    const unwrapped = (text: string) => text.replace(/\s+/g, ' ');
    assert.match(unwrapped(top.stdout), /PayBridge: take and manage payments of a shop’s cash register \(Click, Payme, Uzum, Humo, UzCard\)/);
    const sandbox = await paybridge(['sandbox', '--help']);
    assert.equal(sandbox.code, 0);
    assert.match(unwrapped(sandbox.stdout), /run the Click, Payme, UzCard and Uzum emulators alone \(ports 9101, 9102, 9103, 9104\)/);
  });
});
