import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, it } from 'node:test';
import { shopDay } from '../src/lib/shop-time.js';
import { PAYMENT_METHODS } from '../src/payments/transaction.js';
import { get, post, startTestBridge, tempDir, transitionAsHolder, uniqueQr, type TestBridge } from './helpers.js';
import { describeUnlessSkipped, dropTestDatabases, freshDatabase, postgresSkip } from './postgres.js';

/**
 * Takings per till and per shop (issue #28): `GET /payment/summary?till=&shop=`. Two tills of one
 * shop write one journal in turn (the same SQLite file, PayBridge restarted with another
 * instance.till), with real sandbox payments; a third shop's row is written straight into the
 * journal. The totals of each till add up to the whole journal's, hour by hour and day by day:
 * the narrowed summary is worked out from the rows, the whole one by the journal's own totals,
 * and both must agree.
 */
const TZ = 'Asia/Tashkent';
type Money = { paid_count: number; paid_amount: number; returned_amount: number; returned_count?: number; net_amount: number };
const MONEY = ['paid_count', 'paid_amount', 'returned_amount', 'net_amount'] as const;

const ENGINES = [
  { name: 'sqlite', skip: false as const, url: async () => undefined },
  { name: 'postgres', skip: postgresSkip(), url: async () => freshDatabase() },
];
after(() => dropTestDatabases());

for (const engine of ENGINES) describeUnlessSkipped(`the summary of one till, of one shop, of everything (${engine.name})`, engine.skip, () => {
  const dir = tempDir();
  let url: string | undefined;
  const today = shopDay(TZ);
  let bridge: TestBridge;
  // Two tills write one journal in turn: the same SQLite file, or the same PostgreSQL database.
  const atTill = (shop: string, till: string) => (c: import('../src/config/schema.js').Config) => {
    c.instance = { ...c.instance, shop, till };
    if (url) {
      c.journal.engine = 'postgres';
      c.journal.url = url;
    }
  };
  const pay = async (b: TestBridge, path: string, body: object) => {
    const r = await post(b, path, body);
    assert.equal(r.body.is_success, true, JSON.stringify(r.body));
    return r.body.data.transaction_id as string;
  };

  before(async () => {
    url = await engine.url();
    const first = await startTestBridge(atTill('chilonzor', '1'), dir);
    try {
      await pay(first, '/payment/click', { amount: 1_000, qr_code: uniqueQr() });
      const humo = await pay(first, '/payment/xumo', { amount: 3_000 });
      const r = await post(first, `/payment/transactions/${humo}/refund`, {});
      assert.equal(r.body.is_success, true, JSON.stringify(r.body));
    } finally {
      await first.close();
    }
    bridge = await startTestBridge(atTill('chilonzor', '2'), dir);
    await pay(bridge, '/payment/payme', { amount: 2_000, qr_code: uniqueQr() });
    await pay(bridge, '/payment/uzcard', { amount: 4_000 });
    // Yesterday at this till, an hour before the shop's midnight: in `days`, not in today's totals.
    const yesterday = randomUUID();
    await bridge.journal.insert({ id: yesterday, method: 'click', amount: 600, qrCodeMasked: '****1', qrCodeHash: null, createdAt: today.from - 3_600_000, kind: 'payment' }, { step: 'received' });
    await transitionAsHolder(bridge.journal, yesterday, 'pending', 'succeeded', {}, { step: 'paid' });
  });
  after(() => bridge?.close());

  const summary = async (query: string) => {
    const { statusCode, body } = await get(bridge, `/payment/summary?date=${today.date}${query}`);
    assert.equal(statusCode, 200);
    assert.equal(body.is_success, true, JSON.stringify(body.error));
    return body.data;
  };
  const method = (d: { methods: (Money & { method: string })[] }, m: string) => d.methods.find((x) => x.method === m)!;

  it('each till has its own takings; the shop and the whole journal have both', async () => {
    const one = await summary('&till=1');
    assert.equal(one.till, '1');
    assert.equal(one.shop, null);
    assert.deepEqual(
      one.methods.filter((m: Money) => m.paid_count > 0).map((m: Money & { method: string }) => [m.method, m.paid_amount, m.returned_amount, m.net_amount]),
      [
        ['click', 1_000, 0, 1_000],
        ['humo', 3_000, 3_000, 0],
      ],
    );
    assert.equal(method(one, 'humo').returned_count, 1);
    const two = await summary('&shop=chilonzor&till=2');
    assert.deepEqual(
      two.methods.filter((m: Money) => m.paid_count > 0).map((m: Money & { method: string }) => [m.method, m.paid_amount, m.net_amount]),
      [
        ['payme', 2_000, 2_000],
        ['uzcard', 4_000, 4_000],
      ],
    );
    // Yesterday's sale of till 2 is in its days, not in its day.
    assert.equal(two.days.at(-2).methods.click.paid_amount, 600);
    assert.equal(method(two, 'click').paid_amount, 0);
    const other = await summary('&shop=yunusobod');
    assert.equal(other.methods.every((m: Money) => m.paid_count === 0 && m.net_amount === 0), true);
    assert.deepEqual(other.tills, [], 'no till of that shop took anything, and this PayBridge is not in it');
  });

  it('the tills add up to the whole journal, in the day, every hour and every day', async () => {
    const all = await summary('');
    const parts = [await summary('&till=1'), await summary('&till=2')];
    for (const m of PAYMENT_METHODS) {
      for (const k of [...MONEY, 'returned_count', 'failed_count', 'pending_count', 'unknown_count'] as const) {
        assert.equal(parts[0].methods.find((x: { method: string }) => x.method === m)[k] + parts[1].methods.find((x: { method: string }) => x.method === m)[k], method(all, m)[k as 'paid_count'], `${m} ${k}`);
      }
      for (const [series, i] of [...all.hourly.map((_: unknown, i: number) => ['hourly', i] as const), ...all.days.map((_: unknown, i: number) => ['days', i] as const)]) {
        for (const k of MONEY) assert.equal(parts[0][series][i].methods[m][k] + parts[1][series][i].methods[m][k], all[series][i].methods[m][k], `${series}[${i}] ${m} ${k}`);
      }
    }
    assert.equal(method(all, 'uzcard').paid_amount, 4_000);
    assert.equal(all.days.at(-2).methods.click.paid_amount, 600);
  });

  it('names the day’s tills and its own; the card terminals only in a summary that includes this PayBridge’s till', async () => {
    const all = await summary('');
    assert.deepEqual(all.tills, [
      { shop: 'chilonzor', till: '1' },
      { shop: 'chilonzor', till: '2' },
    ]);
    assert.deepEqual(all.this_till, { shop: 'chilonzor', till: '2' });
    assert.ok(all.terminals.length > 0);
    assert.ok((await summary('&till=2')).terminals.length > 0);
    assert.deepEqual((await summary('&till=1')).terminals, [], 'till 1’s pinpads are not this PayBridge’s');
  });

  it('a bad till or shop is refused with code 7 saying what is wrong', async () => {
    for (const [query, field] of [
      ['till=', 'till'],
      [`till=${'9'.repeat(65)}`, 'till'],
      ['till=1&till=2', 'till'],
      ['shop=', 'shop'],
      ['shop=a%01b', 'shop'],
    ] as const) {
      const { statusCode, body } = await get(bridge, `/payment/summary?${query}`);
      assert.equal(body.is_success, false, query);
      assert.equal(body.error?.code, 7, `${query}: ${JSON.stringify(body.error)}`);
      assert.match(`${body.error?.message} ${body.error?.data}`, new RegExp(`${field}.*(name of 1 to 64|must)`), `${query}: ${JSON.stringify(body.error)}`);
      assert.notEqual(statusCode, 500);
    }
  });

  it('the OpenAPI document shows the two filters', async () => {
    const doc = (await bridge.server.inject({ method: 'GET', url: '/docs/json' })).json();
    const names = (doc.paths['/payment/summary'].get.parameters as { name: string; in: string }[]).filter((p) => p.in === 'query').map((p) => p.name);
    assert.ok(names.includes('till') && names.includes('shop'), names.join(','));
  });
});
