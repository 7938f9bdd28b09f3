import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { FiscalHandoff } from '../src/payments/transaction.js';
import { bringHandoffDue, get, post, productionClick, productionPayme, startClickEmulator, startPaymeEmulator, startTestBridge, TcpRelay } from './helpers.js';

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
  // `cut`: connections are accepted, then reset — the request may have reached the provider, so the
  // hand-off is `unknown` (before a hand-off had no such state, and this was `pending`). `refuse`:
  // nothing listens, the request provably never left — `pending`.
  for (const [method, failure] of [['click', 'cut'], ['payme', 'cut'], ['click', 'refuse'], ['payme', 'refuse']] as const) {
    test(`${method}, ${failure === 'cut' ? 'connection reset' : 'connection refused'}: queued (${failure === 'cut' ? 'unknown' : 'pending'}), retried in the background with backoff, delivered once the network is back`, async () => {
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
      const expected = failure === 'cut' ? 'unknown' : 'pending';
      try {
        const paid = await post(bridge, `/payment/${method}`, { amount: 900, qr_code: '880101698207133392' });
        assert.equal(paid.body.is_success, true);
        if (failure === 'cut') relay.cut();
        else await relay.refuse();
        const { body } = await post(bridge, `/payment/${method}_confirm`, { payment_id: paid.body.data.payment_id, qr_code: CHECK_URL });
        assert.equal(body.is_success, true, JSON.stringify(body));
        assert.equal(body.data.status, 'queued');
        assert.equal(body.data.handoff_state, expected);
        assert.equal(body.data.in_progress, false);
        assert.match(body.data.message, failure === 'cut' ? /answer was lost.*keeps trying/ : /could not be reached; PayBridge keeps retrying/);
        assert.equal(body.data.attempts, 1);

        // Read between attempts (nobody holds it): during one it is `unknown` whatever came before, as it may be reaching the provider.
        let waiting: FiscalHandoff | undefined;
        await waitFor('a few retries', async () => {
          waiting = (await bridge.journal.get(paid.body.data.transaction_id))?.fiscal ?? undefined;
          return (waiting?.attempts ?? 0) >= 3 && waiting?.claim === null;
        });
        assert.equal(waiting!.state, expected, 'a refused connection never makes it unknown, and a reset one never pending again');
        assert.ok(waiting!.lastError);
        if (failure === 'cut') relay.restore();
        else await relay.accept();
        await waitFor('delivery', async () => (await bridge.journal.get(paid.body.data.transaction_id))?.fiscal?.state === 'submitted');
        const delivered =
          method === 'click'
            ? (emulator as Awaited<ReturnType<typeof startClickEmulator>>).ledger()[0]?.fiscalReceiptUrl
            : ((emulator as Awaited<ReturnType<typeof startPaymeEmulator>>).ledger()[0]?.fiscalData as { qr_code_url?: string } | null)?.qr_code_url;
        assert.equal(delivered, CHECK_URL);
        const reached =
          method === 'click' ? (emulator as Awaited<ReturnType<typeof startClickEmulator>>).ledger()[0]?.fiscalRequests : (emulator as Awaited<ReturnType<typeof startPaymeEmulator>>).ledger()[0]?.fiscalRequests;
        assert.equal(reached, 1, 'none of the failed attempts reached the provider; the one that did delivered it');
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
        await bringHandoffDue(second.journal, 'click', paid.body.data.payment_id);
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

/** A QR code of 40 digits (Uzum's minimum) ending in `magic`; every one unique in this process. */
let codes = 0;
const code = (magic: string) => `88010169820713${String(process.pid % 100_000).padStart(5, '0')}${String(++codes).padStart(18, '0')}`.slice(0, 37) + magic;

describe('a fiscal answer lost: the hand-off is unknown, never refused, until the provider confirms the receipt', () => {
  const quickRetries = (c: Parameters<Parameters<typeof startTestBridge>[0] & object>[0]) => {
    c.fiscal.retry_initial_ms = 100;
    c.fiscal.retry_max_ms = 400;
    c.fiscal.sweep_interval_ms = 50;
  };
  /** How many submissions of the payment's receipt reached the provider's emulator, and what it holds. */
  const atProvider = (bridge: Awaited<ReturnType<typeof startTestBridge>>, method: 'click' | 'payme' | 'uzum', paymentId: string) => {
    const e = bridge.emulators!;
    if (method === 'click') {
      const p = e.click.ledger().find((x) => String(x.paymentId) === paymentId);
      return { requests: p?.fiscalRequests ?? 0, url: p?.fiscalReceiptUrl ?? null };
    }
    if (method === 'payme') {
      const r = e.payme.ledger().find((x) => x._id === paymentId);
      return { requests: r?.fiscalRequests ?? 0, url: (r?.fiscalData as { qr_code_url?: string } | null)?.qr_code_url ?? null };
    }
    const u = e.uzum.paymentById(paymentId);
    return { requests: u?.fiscalRequests ?? 0, url: u?.fiscalUrl ?? null };
  };

  for (const method of ['click', 'payme', 'uzum'] as const) {
    test(`${method} (…714, recorded then the answer lost once): queued as unknown; the retry learns it is delivered${method === 'click' ? ' by reading it back, without sending it again' : ' when the same receipt is accepted again'}`, async () => {
      const bridge = await startTestBridge(quickRetries);
      try {
        const paid = await post(bridge, `/payment/${method}`, { amount: 1_500, qr_code: code('714') });
        assert.equal(paid.body.is_success, true, JSON.stringify(paid.body));
        const id = paid.body.data.payment_id as string;
        const first = await post(bridge, `/payment/${method}_confirm`, { payment_id: id, qr_code: CHECK_URL });
        assert.equal(first.body.is_success, true, JSON.stringify(first.body));
        assert.equal(first.body.data.status, 'queued', 'not confirmed: the till hears so, not a refusal');
        assert.equal(first.body.data.handoff_state, 'unknown');
        assert.match(first.body.data.message, /answer was lost.*not confirmed yet/);
        assert.deepEqual(atProvider(bridge, method, id), { requests: 1, url: CHECK_URL }, 'the provider has it already');

        await waitFor('delivery on retry', async () => (await bridge.journal.getHandoff(method, id))?.state === 'submitted');
        const delivered = (await bridge.journal.getHandoff(method, id))!;
        assert.equal(delivered.claim, null);
        assert.equal(delivered.lastError, null);
        assert.deepEqual(atProvider(bridge, method, id), { requests: method === 'click' ? 1 : 2, url: CHECK_URL });
        // The till's own retry now hears it delivered, and nothing more is sent.
        const again = await post(bridge, `/payment/${method}_confirm`, { payment_id: id, qr_code: CHECK_URL });
        assert.equal(again.body.is_success, true);
        assert.notEqual(again.body.data.status, 'queued');
        assert.equal(atProvider(bridge, method, id).requests, method === 'click' ? 1 : 2);
      } finally {
        await bridge.close();
      }
    });
  }

  for (const method of ['payme', 'uzum'] as const) {
    test(`${method} (…715, recorded, the answer lost, every repeat refused): stays unknown with the provider's words, retried, never refused`, async () => {
      const bridge = await startTestBridge(quickRetries);
      try {
        const paid = await post(bridge, `/payment/${method}`, { amount: 1_500, qr_code: code('715') });
        const id = paid.body.data.payment_id as string;
        const first = await post(bridge, `/payment/${method}_confirm`, { payment_id: id, qr_code: CHECK_URL });
        assert.equal(first.body.data.handoff_state, 'unknown', JSON.stringify(first.body));
        await waitFor('repeats refused', async () => atProvider(bridge, method, id).requests >= 3);
        // The till asks again: its own repeat is refused too, and it hears "not confirmed", not a refusal.
        const again = await post(bridge, `/payment/${method}_confirm`, { payment_id: id, qr_code: CHECK_URL });
        assert.equal(again.body.is_success, true, JSON.stringify(again.body));
        assert.equal(again.body.data.status, 'queued');
        const h = (await bridge.journal.getHandoff(method, id))!;
        assert.equal(h.state, 'unknown');
        assert.match(String(h.lastError), method === 'payme' ? /^-31099: Фискальные данные уже переданы — .*not taken as a refusal/ : /^400: operation\.forbidden — .*not taken as a refusal/);
      } finally {
        await bridge.close();
      }
    });
  }

  test('a payment given back while its receipt is unknown: not sent again, and not refused either (it may be at the provider)', async () => {
    const bridge = await startTestBridge((c) => {
      c.fiscal.retry_initial_ms = 3_600_000; // no retry of its own meanwhile: the test sweeps
      c.fiscal.sweep_interval_ms = 3_600_000;
    });
    try {
      const paid = await post(bridge, '/payment/payme', { amount: 1_500, qr_code: code('714') });
      const id = paid.body.data.payment_id as string;
      assert.equal((await post(bridge, '/payment/payme_confirm', { payment_id: id, qr_code: CHECK_URL })).body.data.handoff_state, 'unknown');
      const cancel = await post(bridge, '/payment/payme_cancel', { transaction_id: paid.body.data.transaction_id });
      assert.equal(cancel.body.is_success, true, JSON.stringify(cancel.body));
      await bringHandoffDue(bridge.journal, 'payme', id);
      await bridge.fiscal.sweep();
      const h = (await bridge.journal.getHandoff('payme', id))!;
      assert.equal(h.state, 'unknown');
      assert.match(String(h.lastError), /^GIVEN_BACK: payment cancelled before the receipt was delivered; whether Payme holds the receipt sent earlier is not known/);
      assert.equal(h.claim, null);
      assert.ok(h.nextAttemptAt! > Date.now(), 'looked at again only after the longest pause');
      assert.equal(atProvider(bridge, 'payme', id).requests, 1, 'not sent again');
    } finally {
      await bridge.close();
    }
  });

  test('click (…715): the repeat would be refused, but CLICK’s ofd_data shows the receipt: delivered, sent once', async () => {
    const bridge = await startTestBridge(quickRetries);
    try {
      const paid = await post(bridge, '/payment/click', { amount: 1_500, qr_code: code('715') });
      const id = paid.body.data.payment_id as string;
      assert.equal((await post(bridge, '/payment/click_confirm', { payment_id: id, qr_code: CHECK_URL })).body.data.handoff_state, 'unknown');
      await waitFor('delivery on retry', async () => (await bridge.journal.getHandoff('click', id))?.state === 'submitted');
      assert.deepEqual(atProvider(bridge, 'click', id), { requests: 1, url: CHECK_URL });
    } finally {
      await bridge.close();
    }
  });

  test('a till submitting the same receipt twice at once: one submission reaches the provider; the other hears it in progress', async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let arrived!: () => void;
    const reached = new Promise<void>((r) => (arrived = r));
    const emulator = await startClickEmulator({
      onFiscalRequest: async () => {
        arrived();
        await held;
      },
    });
    const bridge = await startTestBridge((c) => {
      productionClick(emulator)(c);
      c.click!.timeouts.response_ms = 30_000;
    });
    try {
      const paid = await post(bridge, '/payment/click', { amount: 900, qr_code: code('777') });
      const id = paid.body.data.payment_id as string;
      const first = post(bridge, '/payment/click_confirm', { payment_id: id, qr_code: CHECK_URL });
      await reached;
      const second = await post(bridge, '/payment/click_confirm', { payment_id: id, qr_code: CHECK_URL });
      assert.equal(second.body.is_success, true, JSON.stringify(second.body));
      assert.equal(second.body.data.status, 'queued');
      assert.equal(second.body.data.in_progress, true);
      assert.match(second.body.data.message, /being submitted .* right now \(by [^)]+#live\)/);
      release();
      assert.equal((await first).body.data.status, 'successfully');
      assert.equal(emulator.ledger()[0]?.fiscalRequests, 1);
    } finally {
      release();
      await bridge.close();
      await emulator.close();
    }
  });
});
