import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, test } from 'node:test';
import pino from 'pino';
import { DailyWalletReconciliation } from '../src/payments/daily-reconciliation.js';
import type { WalletReconciliation } from '../src/payments/wallet-reconciliation.js';
import { shopDate } from '../src/lib/shop-time.js';
import { get, post, startTestBridge } from './helpers.js';

// The day's wallet reconciliation happens by itself (#26 point 3).

const TZ = 'Asia/Tashkent';
const at = (iso: string) => Date.parse(iso);

describe('the daily wallet reconciliation', () => {
  test('the day due is today from daily_at on in the shop’s zone, yesterday before it — and yesterday only when it had wallet payments', async () => {
    const asked: string[] = [];
    const views = new Map<string, 'done'>();
    const fake = {
      view: async (date: string) => (views.get(date) ? { state: 'done' } : undefined),
      run: async (date: string) => {
        asked.push(date);
        views.set(date, 'done');
        return { state: 'done' };
      },
    } as unknown as WalletReconciliation;
    let hadPayments = false;
    let now = at('2026-12-06T18:49:00Z'); // 23:49 in Tashkent (UTC+5)
    const daily = new DailyWalletReconciliation(fake, async () => hadPayments, pino({ level: 'silent' }), {
      timezone: TZ,
      dailyAt: '23:50',
      clock: { now: () => now, sleep: async () => {}, after: () => () => {}, every: () => () => {} },
    });
    assert.deepEqual(daily.due(now), { date: '2026-12-05', byItsHour: false });
    await daily.tick();
    assert.deepEqual(asked, [], 'an empty yesterday is not caught up');
    hadPayments = true;
    await daily.tick();
    assert.deepEqual(asked, ['2026-12-05']);
    await daily.tick();
    assert.deepEqual(asked, ['2026-12-05'], 'a day done is left alone');
    now = at('2026-12-06T18:50:00Z'); // 23:50 in Tashkent
    assert.deepEqual(daily.due(now), { date: '2026-12-06', byItsHour: true });
    await daily.tick();
    assert.deepEqual(asked, ['2026-12-05', '2026-12-06']);
    now = at('2026-12-06T19:00:00Z'); // 00:00 of the 7th in Tashkent: the 6th was done
    assert.deepEqual(daily.due(now), { date: '2026-12-06', byItsHour: false });
  });

  test('a PayBridge with a wallet configured reconciles the day by itself at daily_at', async () => {
    // 00:00: whatever the time of day the test runs, the day's hour has come.
    const bridge = await startTestBridge((c) => {
      c.reconciliation.daily = true;
      c.reconciliation.daily_at = '00:00';
    });
    try {
      const today = shopDate(bridge.config.shop.timezone, Date.now());
      // The start's look already began it; a payment made meanwhile is for the next run.
      for (;;) {
        const run = await get(bridge, `/payment/reconciliation/wallets?date=${today}`);
        if (run.body.is_success && run.body.data.state === 'done') {
          assert.equal(run.body.data.result, 'match');
          break;
        }
        await sleep(50);
      }
      const { body } = await post(bridge, '/payment/payme', { amount: 700, qr_code: '880101698207133392' });
      assert.equal(body.is_success, true);
    } finally {
      await bridge.close();
    }
  });
});
