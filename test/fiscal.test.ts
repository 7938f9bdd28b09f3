import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { get, post, productionClick, productionPayme, startClickEmulator, startPaymeEmulator, startTestBridge, TcpRelay } from './helpers.js';

const CHECK_URL = 'https://ofd.soliq.uz/check?t=EP000000000123&r=1542&c=20261123150102&s=512345678901';
// Only a net for a test that would otherwise hang: what is waited for takes well under a second here
// (retries every 100–400 ms, swept every 50 ms), so the bound is generous for a loaded 2-core machine.
const waitFor = async (what: string, condition: () => Promise<boolean> | boolean, ms = 30_000) => {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('fiscal receipt hand-off in the sandbox', () => {
  test('click_confirm: delivered to submit_qrcode; answered with the seed fields; recorded on the transaction', async () => {
    const bridge = await startTestBridge((c) => (c.shop = { ...c.shop, inn: '302563214' }));
    try {
      const paid = await post(bridge, '/payment/click', { amount: 500, qr_code: '880101698207133392' });
      // Tills send the payment id back as they got it, or as a number.
      const { body } = await post(bridge, '/payment/click_confirm', `{"payment_id": ${paid.body.data.payment_id}, "qr_code": "${CHECK_URL}",}`);
      assert.equal(body.is_success, true, JSON.stringify(body));
      assert.deepEqual(body.data, { inn: '302563214', payment_id: paid.body.data.payment_id, qr_code: CHECK_URL, status: 'successfully', error: null });
      const atClick = bridge.emulators!.click.ledger().find((p) => String(p.paymentId) === paid.body.data.payment_id);
      assert.equal(atClick?.fiscalReceiptUrl, CHECK_URL);
      const tx = await get(bridge, `/payment/transactions/${paid.body.data.transaction_id}`);
      assert.equal(tx.body.data.fiscal.state, 'submitted');
      assert.equal(tx.body.data.fiscal.qr_code, CHECK_URL);

      const again = await post(bridge, '/payment/click_confirm', { payment_id: paid.body.data.payment_id, qr_code: CHECK_URL });
      assert.equal(again.body.is_success, true, 'the same hand-off again is answered, not refused');
      const other = await post(bridge, '/payment/click_confirm', { payment_id: paid.body.data.payment_id, qr_code: 'https://ofd.soliq.uz/check?t=X&r=9' });
      assert.equal(other.body.error?.code, 106, 'a second, different receipt for one payment is a conflict');
    } finally {
      await bridge.close();
    }
  });

  test('payme_confirm: set_fiscal_data gets the receipt number from the URL; the answer is Payme’s result', async () => {
    const bridge = await startTestBridge();
    try {
      const paid = await post(bridge, '/payment/payme', { amount: 700, qr_code: '880101698207133392' });
      const { body } = await post(bridge, '/payment/payme_confirm', { payment_id: paid.body.data.payment_id, qr_code: CHECK_URL, fiscal_sign: '999' });
      assert.equal(body.is_success, true, JSON.stringify(body));
      assert.equal(typeof body.data.id, 'number');
      assert.equal(body.data.error, null);
      assert.equal(body.data.result.receipt._id, paid.body.data.payment_id);
      assert.equal(typeof body.data.result.receipt.create_time, 'number');
      assert.equal(typeof body.data.result.receipt.pay_time, 'number');
      const receipt = bridge.emulators!.payme.ledger().find((r) => r._id === paid.body.data.payment_id);
      assert.deepEqual(receipt?.fiscalData, {
        receipt_id: '1542', // the emulator reads numbers as their literal text
        qr_code_url: CHECK_URL,
        terminal_id: 'EP000000000123',
        date: '20261123150102',
        fiscal_sign: '999',
      });
    } finally {
      await bridge.close();
    }
  });

  test('bad requests: 7 naming the field; unknown payments: 106; refused by the provider: 104', async () => {
    const bridge = await startTestBridge();
    try {
      const paid = await post(bridge, '/payment/click', { amount: 500, qr_code: '880101698207133392' });
      const id = paid.body.data.payment_id;
      const bad: [string, object, RegExp][] = [
        ['/payment/click_confirm', { payment_id: id, qr_code: 'http://ofd.soliq.uz/check?r=1' }, /^qr_code: must be the https check URL/],
        ['/payment/click_confirm', { payment_id: id, qr_code: 'https://ofd.soliq.uz.evil.com/check' }, /^qr_code: must be the https check URL/],
        ['/payment/click_confirm', { payment_id: id }, /^qr_code: is required$/],
        ['/payment/click_confirm', { qr_code: CHECK_URL }, /^payment_id: is required$/],
        ['/payment/payme_confirm', { payment_id: 'abc', qr_code: 'https://ofd.soliq.uz/check?t=1' }, /^receipt_id: is required/],
        ['/payment/payme_confirm', { payment_id: 'abc', qr_code: CHECK_URL, receipt_id: 'x' }, /^receipt_id: must be the fiscal receipt number/],
      ];
      for (const [url, payload, message] of bad) {
        const { body } = await post(bridge, url, payload);
        assert.equal(body.error?.code, 7, `${url} ${JSON.stringify(payload)}: ${JSON.stringify(body)}`);
        assert.match(String(body.error!.data), message);
      }
      const unknown = await post(bridge, '/payment/click_confirm', { payment_id: '999999', qr_code: CHECK_URL });
      assert.equal(unknown.body.error?.code, 106);
      assert.match(String(unknown.body.error?.data), /not a Click payment in this PayBridge’s journal/);
      const failed = await post(bridge, '/payment/click', { amount: 500, qr_code: '880101698207133116' });
      assert.equal(failed.body.error?.code, 104);
    } finally {
      await bridge.close();
    }

    const lenient = await startTestBridge((c) => (c.fiscal.allow_foreign_payment_ids = true));
    try {
      const refused = await post(lenient, '/payment/payme_confirm', { payment_id: 'ffffffffffffffffffffffff', qr_code: CHECK_URL });
      assert.equal(refused.body.error?.code, 104, JSON.stringify(refused.body));
      assert.equal(refused.body.error?.data, '-31602: Чек не найден');
      const click = await post(lenient, '/payment/click_confirm', { payment_id: '424242', qr_code: CHECK_URL });
      assert.equal(click.body.error?.code, 104);
      assert.equal(click.body.error?.data, '-6: Платеж не найден');
    } finally {
      await lenient.close();
    }
  });
});

describe('a hand-off that fails on the network', () => {
  for (const method of ['click', 'payme'] as const) {
    test(`${method}: queued, retried in the background with backoff, delivered once the network is back`, async () => {
      const emulator = method === 'click' ? await startClickEmulator() : await startPaymeEmulator();
      const target = Number(new URL(method === 'click' ? (emulator as { baseUrl: string }).baseUrl : (emulator as { url: string }).url).port);
      const relay = new TcpRelay(target);
      const port = await relay.start();
      const bridge = await startTestBridge((c) => {
        if (method === 'click') productionClick({ baseUrl: `http://127.0.0.1:${port}/v2/merchant/` })(c);
        else productionPayme(`http://127.0.0.1:${port}/api`)(c);
        c.fiscal.retry_initial_ms = 100;
        c.fiscal.retry_max_ms = 400;
        c.fiscal.sweep_interval_ms = 50;
      });
      try {
        const paid = await post(bridge, `/payment/${method}`, { amount: 900, qr_code: '880101698207133392' });
        assert.equal(paid.body.is_success, true);
        relay.cut();
        const { body } = await post(bridge, `/payment/${method}_confirm`, { payment_id: paid.body.data.payment_id, qr_code: CHECK_URL });
        assert.equal(body.is_success, true, JSON.stringify(body));
        assert.equal(body.data.status, 'queued');
        assert.equal(body.data.attempts, 1);

        await waitFor('a few retries', async () => ((await bridge.journal.get(paid.body.data.transaction_id))?.fiscal?.attempts ?? 0) >= 3);
        const pending = (await bridge.journal.get(paid.body.data.transaction_id))!.fiscal!;
        assert.equal(pending.state, 'pending');
        assert.ok(pending.lastError);
        relay.restore();
        await waitFor('delivery', async () => (await bridge.journal.get(paid.body.data.transaction_id))?.fiscal?.state === 'submitted');
        const delivered =
          method === 'click'
            ? (emulator as Awaited<ReturnType<typeof startClickEmulator>>).ledger()[0]?.fiscalReceiptUrl
            : ((emulator as Awaited<ReturnType<typeof startPaymeEmulator>>).ledger()[0]?.fiscalData as { qr_code_url?: string } | null)?.qr_code_url;
        assert.equal(delivered, CHECK_URL);
      } finally {
        await bridge.close();
        await relay.close();
        await emulator.close();
      }
    });
  }

  test('a pending hand-off survives a restart and is delivered by the next run', async () => {
    const emulator = await startClickEmulator();
    const relay = new TcpRelay(Number(new URL(emulator.baseUrl).port));
    const port = await relay.start();
    const setup = (c: Parameters<Parameters<typeof startTestBridge>[0] & object>[0]) => {
      productionClick({ baseUrl: `http://127.0.0.1:${port}/v2/merchant/` })(c);
      c.fiscal.retry_initial_ms = 60_000; // the first run would not retry in time
      c.fiscal.sweep_interval_ms = 50;
    };
    const first = await startTestBridge(setup);
    try {
      const paid = await post(first, '/payment/click', { amount: 900, qr_code: '880101698207133392' });
      relay.cut();
      const queued = await post(first, '/payment/click_confirm', { payment_id: paid.body.data.payment_id, qr_code: CHECK_URL });
      assert.equal(queued.body.data.status, 'queued');
      await first.close();
      relay.restore();
      const second = await startTestBridge((c) => {
        setup(c);
        c.fiscal.retry_initial_ms = 50;
      }, first.dataDir);
      try {
        // The next attempt was set a minute ahead by the first run; bring it due, as time would.
        const h = (await second.journal.getHandoff('click', paid.body.data.payment_id))!;
        await second.journal.updateHandoff(h.id, { nextAttemptAt: Date.now() });
        await waitFor('delivery after restart', async () => (await second.journal.getHandoff('click', paid.body.data.payment_id))?.state === 'submitted');
        assert.equal(emulator.ledger()[0]?.fiscalReceiptUrl, CHECK_URL);
      } finally {
        await second.close();
      }
    } finally {
      await first.close();
      await relay.close();
      await emulator.close();
    }
  });
});
