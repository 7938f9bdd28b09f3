import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { clickAuthHeader } from '../src/providers/click/auth.js';
import { ClickClient, ClickHttpError } from '../src/providers/click/client.js';
import { SANDBOX_CLICK, SANDBOX_PAYME, SANDBOX_UZUM } from '../src/sandbox/credentials.js';
import { UzumEmulator } from '../src/sandbox/uzum/emulator.js';
import { post, productionClick, productionPayme, productionUzum, startClickEmulator, startPaymeEmulator, startTestBridge, tempDir, uniqueQr } from './helpers.js';

/** "… is 120 s behind Click’s" → +120; "… 80 s ahead of Uzum’s" → −80 (the provider's clock minus ours). */
function offsetIn(text: string, provider: string): number {
  const m = new RegExp(`is (\\d+) s (behind|ahead of) ${provider}’s`).exec(text);
  assert.ok(m, `no clock offset for ${provider} in: ${text}`);
  return m[2] === 'behind' ? Number(m[1]) : -Number(m[1]);
}

/** Within the Date header's one-second resolution. */
function near(actual: number, expected: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= 1, `${what}: measured ${actual} s, the emulator's clock was shifted by ${expected} s`);
}

describe('CLICK: the headers its docs require, and a 401 explained with the clock (#16)', () => {
  test('the emulator refuses a request without Content-Type with 406, as CLICK documents; PayBridge’s client sends it on GET, DELETE, PUT and POST', async () => {
    const emulator = await startClickEmulator();
    const client = new ClickClient(
      { baseUrl: emulator.baseUrl, serviceId: SANDBOX_CLICK.serviceId, merchantUserId: SANDBOX_CLICK.merchantUserId, secretKey: SANDBOX_CLICK.secretKey },
      { connectMs: 1_000, responseMs: 2_000 },
    );
    try {
      const url = `${emulator.baseUrl}payment/status/${SANDBOX_CLICK.serviceId}/1`;
      const auth = () => clickAuthHeader(SANDBOX_CLICK.merchantUserId, SANDBOX_CLICK.secretKey);
      const bare = await fetch(url, { headers: { auth: auth(), accept: 'application/json' } });
      assert.equal(bare.status, 406, 'a GET without Content-Type');
      const noAccept = await fetch(url, { headers: { auth: auth(), accept: 'text/html', 'content-type': 'application/json' } });
      assert.equal(noAccept.status, 406, 'a GET that does not accept JSON');
      const whole = await fetch(url, { headers: { auth: auth(), accept: 'application/json', 'content-type': 'application/json' } });
      assert.equal(whole.status, 200);

      // Each of these would throw ClickHttpError(406) without the headers.
      await client.status('1');
      await client.statusByMti('no-such-transaction', '2026-11-26');
      await client.reversal('1');
      await client.setConfirmationMode(true);
      await client.setConfirmationMode(false);
      const paid = await client.pay({ otpData: uniqueQr(), amountTiyin: 500, transactionId: 'tx-headers' });
      assert.equal(paid.error_code, 0, JSON.stringify(paid));
    } finally {
      await client.close();
      await emulator.close();
    }
  });

  test('a 401 because the till’s clock is off names the offset measured from CLICK’s own Date; a 401 with the clocks agreeing points at the credentials', async (t) => {
    const emulator = await startClickEmulator();
    // Past the emulator's 300 s window: every Auth header of this till is refused.
    const shift = 400;
    emulator.shiftClock(shift * 1000);
    t.after(() => emulator.close()); // also when an assertion below fails: an open emulator keeps the test process alive
    const skewed = await startTestBridge(productionClick(emulator));
    try {
      const { body } = await post(skewed, '/payment/click', { amount: 500, qr_code: uniqueQr() });
      assert.equal(body.error?.code, 104);
      // The first call of a charge in CLICK's confirmation mode (the default) switches the mode on: refused, nothing more is sent.
      assert.equal(body.error?.data, 'HTTP 401: confirmation mode not switched on');
      const reason = String(body.error?.provider_said);
      assert.match(reason, /or the clock is/);
      assert.match(reason, /set this computer’s clock right \(NTP\)/);
      near(offsetIn(reason, 'Click'), shift, 'the charge’s refusal');
      assert.equal((await skewed.journal.get(body.error!.transaction_id))?.status, 'failed', 'a 401 is a refusal of the request: nothing was charged');
      assert.equal(emulator.ledger().length, 0);
    } finally {
      await skewed.close();
    }
    emulator.shiftClock(0);
    const wrongKey = await startTestBridge(productionClick(emulator, 'not-the-secret'));
    try {
      const { body } = await post(wrongKey, '/payment/click', { amount: 500, qr_code: uniqueQr() });
      assert.match(String(body.error?.provider_said), /agrees with Click’s \(within 1 s\), so the credentials are the likelier cause/);
    } finally {
      await wrongKey.close();
    }
  });

  test('ClickHttpError carries the offset of the answer that refused', async () => {
    const emulator = await startClickEmulator();
    emulator.shiftClock(-350_000);
    const client = new ClickClient(
      { baseUrl: emulator.baseUrl, serviceId: SANDBOX_CLICK.serviceId, merchantUserId: SANDBOX_CLICK.merchantUserId, secretKey: SANDBOX_CLICK.secretKey },
      { connectMs: 1_000, responseMs: 2_000 },
    );
    try {
      const err = await client.status('1').then(
        () => assert.fail('a till 350 s ahead is refused'),
        (e: unknown) => e,
      );
      assert.ok(err instanceof ClickHttpError && err.statusCode === 401);
      near(Math.round(err.clockOffsetMs! / 1000), -350, 'ClickHttpError.clockOffsetMs');
    } finally {
      await client.close();
      await emulator.close();
    }
  });
});

describe('Uzum: a 403 explained with the clock (#16)', () => {
  test('a till 80 s ahead of Uzum is refused 403, and the cashier reads the measured offset; nothing is charged', async () => {
    const emulator = await new UzumEmulator({ ...SANDBOX_UZUM, lostAnswerDelayMs: 5_000, processingMs: 300 }).start();
    emulator.shiftClock(-80_000);
    const bridge = await startTestBridge(productionUzum(emulator.baseUrl, 1_000));
    try {
      const qr = `6385735900000${'1'.repeat(24)}777`;
      const { body } = await post(bridge, '/payment/uzum', { amount: 700, qr_code: qr });
      assert.equal(body.error?.code, 104);
      assert.equal(body.error?.data, '403: declined');
      const reason = String(body.error?.provider_said);
      assert.match(reason, /older than 50 seconds/);
      assert.match(reason, /refuses one more than 50 s off, and .*set this computer’s clock right/);
      near(offsetIn(reason, 'Uzum'), -80, 'the refusal');
      assert.equal(emulator.byOrderId(body.error!.transaction_id), undefined, 'nothing charged');
      assert.equal((await bridge.journal.get(body.error!.transaction_id))?.status, 'failed');
    } finally {
      await bridge.close();
      await emulator.close();
    }
  });
});

describe('Payme: the receipt’s account field is the cashbox’s (payme.account_field) (#16)', () => {
  test('order_id by default; a configured field is sent instead; a field the cashbox does not know is refused and nothing is paid', async () => {
    const byDefault = await startPaymeEmulator({ accountField: 'order_id' });
    const custom = await startPaymeEmulator({ accountField: 'cheque_no' });
    try {
      const plain = await startTestBridge(productionPayme(byDefault.url));
      try {
        const { body } = await post(plain, '/payment/payme', { amount: 500, qr_code: uniqueQr() });
        assert.equal(body.is_success, true, JSON.stringify(body));
        assert.deepEqual(byDefault.charges().find((r) => r._id === body.data.payment_id)?.account, { order_id: body.data.transaction_id });
      } finally {
        await plain.close();
      }

      const configured = await startTestBridge((c) => {
        productionPayme(custom.url)(c);
        c.payme!.account_field = 'cheque_no';
      });
      try {
        const { body } = await post(configured, '/payment/payme', { amount: 500, qr_code: uniqueQr() });
        assert.equal(body.is_success, true, JSON.stringify(body));
        assert.deepEqual(custom.charges().find((r) => r._id === body.data.payment_id)?.account, { cheque_no: body.data.transaction_id });
      } finally {
        await configured.close();
      }

      // The default against a cashbox set up with another field: refused at receipts.create.
      const mismatched = await startTestBridge(productionPayme(custom.url));
      try {
        const before = custom.ledger().length;
        const { body } = await post(mismatched, '/payment/payme', { amount: 500, qr_code: uniqueQr() });
        assert.equal(body.error?.code, 104);
        assert.match(String(body.error?.data), /-32602.*account\.cheque_no/);
        assert.equal((await mismatched.journal.get(body.error!.transaction_id))?.status, 'failed');
        assert.equal(custom.ledger().length, before, 'no receipt was created');
      } finally {
        await mismatched.close();
      }
    } finally {
      await byDefault.close();
      await custom.close();
    }
  });

  test('payme.account_field is validated and defaults to order_id', async () => {
    const { loadConfig, ConfigError } = await import('../src/config/load.js');
    const dir = tempDir();
    const file = join(dir, 'p.json');
    const payme = { url: 'http://127.0.0.1:9/api', cashbox_id: SANDBOX_PAYME.cashboxId, cashbox_key: SANDBOX_PAYME.cashboxKey };
    writeFileSync(file, JSON.stringify({ mode: 'production', payme }));
    assert.equal(loadConfig({ PAYBRIDGE_CONFIG: file, PAYBRIDGE_DATA_DIR: dir }, dir).config.payme?.account_field, 'order_id');
    writeFileSync(file, JSON.stringify({ mode: 'production', payme: { ...payme, account_field: 'bad field' } }));
    assert.throws(() => loadConfig({ PAYBRIDGE_CONFIG: file, PAYBRIDGE_DATA_DIR: dir }, dir), (err: unknown) => err instanceof ConfigError && /payme\.account_field/.test(err.message));
  });
});

const CLI = new URL('../src/cli/main.ts', import.meta.url).pathname;

describe('paybridge config check shows each provider’s clock against the till’s (#16)', () => {
  test('offsets measured from the emulators’ Date headers, a warning past the window, and a 403 explained', async () => {
    const click = await startClickEmulator();
    const payme = await startPaymeEmulator();
    const uzum = await new UzumEmulator({ ...SANDBOX_UZUM, lostAnswerDelayMs: 5_000, processingMs: 300 }).start();
    // Click: inside the emulator's window (accepted) but past the 30 s PayBridge warns at. Uzum: past
    // its 50 s, so refused. Payme: its X-Auth carries no time, shown only.
    click.shiftClock(120_000);
    uzum.shiftClock(-80_000);
    payme.shiftClock(7_000);
    const dir = tempDir();
    const file = join(dir, 'paybridge.json');
    writeFileSync(
      file,
      JSON.stringify({
        mode: 'production',
        click: { base_url: click.baseUrl, service_id: SANDBOX_CLICK.serviceId, merchant_user_id: SANDBOX_CLICK.merchantUserId, secret_key: SANDBOX_CLICK.secretKey },
        payme: { url: payme.url, cashbox_id: SANDBOX_PAYME.cashboxId, cashbox_key: SANDBOX_PAYME.cashboxKey },
        uzum: { base_url: uzum.baseUrl, service_id: SANDBOX_UZUM.serviceId, merchant_service_user_id: SANDBOX_UZUM.merchantServiceUserId, secret_key: SANDBOX_UZUM.secretKey, cashbox_code: 'KKM-7' },
      }),
    );
    try {
      const run = await new Promise<{ code: number; stdout: string }>((resolve) => {
        execFile(process.execPath, ['--import', 'tsx', CLI, 'config', 'check', '--config', file], { env: { ...process.env, PAYBRIDGE_DATA_DIR: dir }, timeout: 60_000 }, (err, stdout) =>
          resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout }),
        );
      });
      const line = (re: RegExp) => run.stdout.split('\n').find((l) => re.test(l)) ?? assert.fail(`no line ${re} in:\n${run.stdout}`);
      assert.equal(run.code, 1, run.stdout);
      assert.match(line(/^OK\s+click http/), /credentials not refused/);
      near(offsetIn(line(/^WARN\s+click clock:/), 'Click'), 120, 'click');
      assert.match(line(/^WARN\s+click clock:/), /does not publish how far off it accepts; warned above 30 s/);
      assert.match(line(/^FAIL\s+uzum http/), /error_code 403.*80 s ahead of Uzum’s: set this computer’s clock right/);
      near(offsetIn(line(/^WARN\s+uzum clock:/), 'Uzum'), -80, 'uzum');
      near(offsetIn(line(/^OK\s+payme clock:/), 'Payme'), 7, 'payme');
      assert.match(line(/^OK\s+payme clock:/), /X-Auth carries no time/);
    } finally {
      await Promise.all([click.close(), payme.close(), uzum.close()]);
    }
  });
});
