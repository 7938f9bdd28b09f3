import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Config } from '../src/config/schema.js';
import { SqliteJournal } from '../src/journal/sqlite/sqlite-journal.js';
import { createLogger } from '../src/logger.js';
import { IdempotencyService, tillScope, type IdempotentRequest } from '../src/payments/idempotency.js';
import type { ClickEmulator } from '../src/sandbox/click/emulator.js';
import { LogCapture, productionClick, startClickEmulator, startTestBridge, tempDir, uniqueQr, type Envelope, type TestBridge, transitionAsHolder, releaseHolder } from './helpers.js';
import { describeUnlessSkipped, dropTestDatabases, freshDatabase, postgresSkip } from './postgres.js';

/**
 * Idempotency keys belong to a till, every replayed answer says so, every POST (the operator's too)
 * is idempotent, and an answer the journal could not keep is still given. Each PayBridge here listens
 * on a real loopback port and is called over HTTP, as a till calls it.
 */

interface Listening {
  bridge: TestBridge;
  base: string;
}

const running: Listening[] = [];

async function listen(overrides: (c: Config) => void, dataDir = tempDir()): Promise<Listening> {
  const bridge = await startTestBridge(overrides, dataDir);
  const node = { bridge, base: await bridge.server.listen({ host: '127.0.0.1', port: 0 }) };
  running.push(node);
  return node;
}

after(async () => {
  for (const { bridge } of running.splice(0)) await bridge.close();
  await dropTestDatabases();
});

async function call(to: Listening, path: string, body?: object, key?: string): Promise<Envelope> {
  const res = await fetch(`${to.base}${path}`, {
    method: 'POST',
    headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...(key ? { 'idempotency-key': key } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  assert.equal(res.status, 200);
  return (await res.json()) as Envelope;
}

/** The first answer as a replay of it must read: the same, with `replayed: true` where the README says. */
function asReplay(first: Envelope): Envelope {
  return first.is_success ? { ...first, data: { ...first.data, replayed: true } } : { ...first, error: { ...first.error!, replayed: true } };
}

describe('the till a key belongs to', () => {
  test('is its shop and till, never the process: stable across restarts and shared by a pool', () => {
    assert.equal(tillScope({ shop: 'chilonzor', till: '1' }), '{"shop":"chilonzor","till":"1"}');
    assert.notEqual(tillScope({ shop: 'chilonzor', till: '1' }), tillScope({ shop: 'chilonzor', till: '2' }));
    assert.notEqual(tillScope({ shop: 'a', till: 'b c' }), tillScope({ shop: 'a b', till: 'c' }), 'no two names run together');
    // instance.id names a process (and defaults to <hostname>:<pid>): it plays no part.
    const withId = { id: 'pb-a', shop: 's', till: '1' };
    assert.equal(tillScope(withId), tillScope({ shop: 's', till: '1' }));
    assert.equal(tillScope({}), '{"shop":null,"till":null}', 'one till with nothing configured: one fixed namespace');
  });
});

/**
 * Two tills of a chain on one journal. Their QR retry window is 1 ms: the same one-time QR code and
 * amount within the window is one payment whatever the key (a journal-wide rule of its own), and
 * here only the keys are under test.
 */
function twoTills(name: string, skip: string | false, journal: () => Promise<(c: Config) => void>) {
  describeUnlessSkipped(`two tills on one ${name} journal`, skip, () => {
    let click: ClickEmulator;
    let a: Listening;
    let b: Listening;
    const charged = (qr: string) => click.ledger().filter((p) => p.otpData === qr).length;

    before(async () => {
      click = await startClickEmulator();
      const shared = await journal();
      const till = (n: string) => (c: Config) => {
        productionClick(click)(c);
        shared(c);
        c.instance = { id: `pb-${n}`, shop: 'chilonzor', till: n };
        c.idempotency.qr_retry_window_ms = 1;
      };
      a = await listen(till('1'));
      b = await listen(till('2'));
    });

    test('the same key and body from each: each till’s customer is charged, neither answer is a replay', async () => {
      const key = `receipt-${randomUUID()}`;
      const qr = uniqueQr();
      const fromA = await call(a, '/payment/click', { amount: 1_000, qr_code: qr }, key);
      await new Promise((r) => setTimeout(r, 5));
      const fromB = await call(b, '/payment/click', { amount: 1_000, qr_code: qr }, key);
      assert.equal(fromA.is_success, true, JSON.stringify(fromA));
      assert.equal(fromB.is_success, true, JSON.stringify(fromB));
      assert.notEqual(fromB.data.transaction_id, fromA.data.transaction_id, 'till B got a payment of its own, not till A’s');
      assert.equal(fromA.data.replayed, undefined);
      assert.equal(fromB.data.replayed, undefined);
      assert.equal(charged(qr), 2, 'Click charged both');

      // Each till's own retry is its own first answer again, marked as a replay; nothing is charged.
      assert.deepEqual(await call(a, '/payment/click', { amount: 1_000, qr_code: qr }, key), asReplay(fromA));
      assert.deepEqual(await call(b, '/payment/click', { amount: 1_000, qr_code: qr }, key), asReplay(fromB));
      assert.equal(charged(qr), 2);
    });

    test('a failure replayed says so in error', async () => {
      const key = randomUUID();
      const qr = `${uniqueQr().slice(0, -3)}116`; // Click declines: not enough money
      const declined = await call(a, '/payment/click', { amount: 700, qr_code: qr }, key);
      assert.equal(declined.error?.code, 104);
      assert.equal(declined.error?.transaction_status, 'failed');
      assert.equal(declined.error?.replayed, undefined);
      const again = await call(a, '/payment/click', { amount: 700, qr_code: qr }, key);
      assert.deepEqual(again, asReplay(declined));
      assert.deepEqual(Object.keys(again.error!).slice(0, 3), ['code', 'message', 'data'], 'the contract’s fields first');
      // Till B's equal key is another request: its own attempt, not A's answer replayed.
      const atB = await call(b, '/payment/click', { amount: 700, qr_code: qr }, key);
      assert.equal(atB.error?.code, 104);
      assert.equal(atB.error?.replayed, undefined);
      assert.notEqual(atB.error?.transaction_id, declined.error?.transaction_id);
    });

    after(() => click?.close());
  });
}

twoTills('SQLite', false, async () => {
  const path = join(tempDir(), 'chain.sqlite');
  return (c) => {
    c.journal.path = path;
  };
});

twoTills('PostgreSQL', postgresSkip(), async () => {
  const url = await freshDatabase();
  return (c) => {
    c.journal.engine = 'postgres';
    c.journal.url = url;
  };
});

describe('pinpads of two tills on one journal', () => {
  test('the same key and amount: two sales, one at each pinpad (the body is the amount alone)', async () => {
    const path = join(tempDir(), 'chain.sqlite');
    const till = (n: string) => (c: Config) => {
      c.journal.path = path;
      c.instance = { shop: 'chilonzor', till: n };
    };
    const a = await listen(till('1'));
    const b = await listen(till('2'));
    const key = randomUUID();
    const fromA = await call(a, '/payment/uzcard', { amount: 5_000 }, key);
    const fromB = await call(b, '/payment/uzcard', { amount: 5_000 }, key);
    assert.equal(fromA.is_success, true, JSON.stringify(fromA));
    assert.equal(fromB.is_success, true, JSON.stringify(fromB));
    assert.notEqual(fromB.data.transaction_id, fromA.data.transaction_id);
    assert.equal(fromB.data.replayed, undefined);
    assert.equal(a.bridge.emulators!.uzcard.terminal.operations().length, 1);
    assert.equal(b.bridge.emulators!.uzcard.terminal.operations().length, 1, 'till B’s customer paid at till B’s pinpad');
    assert.deepEqual(await call(b, '/payment/uzcard', { amount: 5_000 }, key), asReplay(fromB));
    assert.equal(b.bridge.emulators!.uzcard.terminal.operations().length, 1);
  });
});

describe('the operator’s POSTs take a key too', () => {
  test('a give-back with the same key twice gives back once', async () => {
    const pb = await listen(() => {});
    const paid = await call(pb, '/payment/uzcard', { amount: 1_000 });
    assert.equal(paid.is_success, true, JSON.stringify(paid));
    const id = paid.data.transaction_id as string;
    const key = randomUUID();
    const first = await call(pb, `/payment/transactions/${id}/refund`, { amount: 300, operator: 'Dilnoza' }, key);
    assert.equal(first.is_success, true, JSON.stringify(first));
    assert.equal(first.data.replayed, undefined);
    const second = await call(pb, `/payment/transactions/${id}/refund`, { amount: 300, operator: 'Dilnoza' }, key);
    assert.deepEqual(second, asReplay(first));
    assert.equal((await pb.bridge.journal.get(id))?.refundedAmount, 300, 'given back once');
    assert.equal(pb.bridge.emulators!.uzcard.terminal.operations().length, 2, 'the sale and one refund at the pinpad');
    // The same key with another amount is another request: refused, nothing given back.
    const other = await call(pb, `/payment/transactions/${id}/refund`, { amount: 200, operator: 'Dilnoza' }, key);
    assert.equal(other.error?.code, 106);
    assert.equal((await pb.bridge.journal.get(id))?.refundedAmount, 300);
  });

  test('settling now with the same key twice runs one pass', async () => {
    const pb = await listen(() => {});
    let passes = 0;
    const recovery = pb.bridge.recovery as unknown as { recoverNow: () => Promise<unknown> };
    const recoverNow = recovery.recoverNow.bind(recovery);
    recovery.recoverNow = async () => {
      passes += 1;
      return recoverNow();
    };
    const key = randomUUID();
    const first = await call(pb, '/payment/recovery/run', undefined, key);
    assert.equal(first.is_success, true, JSON.stringify(first));
    assert.equal(first.data.replayed, undefined);
    const second = await call(pb, '/payment/recovery/run', undefined, key);
    assert.deepEqual(second, asReplay(first));
    assert.equal(passes, 1);
    await call(pb, '/payment/recovery/run');
    assert.equal(passes, 2, 'without a key every call is a pass');
  });

  test(
    'an operator’s decision with the same key twice is recorded once, the second answer replayed',
    async () => {
      const pb = await listen(() => {});
      const tx = await pb.bridge.journal.insert({ id: randomUUID(), method: 'humo', amount: 1_000, qrCodeMasked: null, qrCodeHash: null, createdAt: Date.now() }, { step: 'received' });
      await transitionAsHolder(pb.bridge.journal, tx.id, 'pending', 'unknown', {}, { step: 'answer_lost' });
      await releaseHolder(pb.bridge.journal, tx.id);
      const key = randomUUID();
      const body = { status: 'succeeded', operator: 'Dilnoza (manager)', reason: 'the pinpad showed ОДОБРЕНО' };
      const first = await call(pb, `/payment/transactions/${tx.id}/resolve`, body, key);
      assert.equal(first.is_success, true, JSON.stringify(first));
      const second = await call(pb, `/payment/transactions/${tx.id}/resolve`, body, key);
      assert.deepEqual(second, asReplay(first));
      const detail = (await (await fetch(`${pb.base}/payment/transactions/${tx.id}`)).json()) as Envelope;
      assert.equal(detail.data.events.filter((e: { step: string }) => e.step === 'operator_decision').length, 1);
      const spec = (await (await fetch(`${pb.base}/openapi.json`)).json()) as { paths: Record<string, { post?: { parameters?: { in: string; name: string }[] } }> };
      const declared = spec.paths['/payment/transactions/{transaction_id}/resolve']?.post?.parameters ?? [];
      assert.ok(declared.some((p) => p.in === 'header' && p.name === 'idempotency-key'));
    },
  );

  test('every POST declares the Idempotency-Key header in the API reference', async () => {
    const pb = await listen(() => {});
    const spec = (await (await fetch(`${pb.base}/openapi.json`)).json()) as { paths: Record<string, { post?: { parameters?: { in: string; name: string }[] } }> };
    const posts = Object.entries(spec.paths).filter(([, p]) => p.post);
    assert.ok(posts.length >= 10, `only ${posts.length} POSTs`);
    const without = posts
      .filter(([, p]) => !(p.post!.parameters ?? []).some((q) => q.in === 'header' && q.name === 'idempotency-key'))
      .map(([path]) => path);
    assert.deepEqual(without, []);
    for (const path of ['/payment/transactions/{transaction_id}/refund', '/payment/recovery/run']) assert.ok(spec.paths[path]?.post, `${path} is in the reference`);
  });
});

describe('an answer the journal cannot keep', () => {
  test('is given all the same, and the retry is answered from the payment once the journal is back', async () => {
    const pb = await listen(() => {});
    // bridge.journal has no set trap: what is set on it lands on the journal every service holds.
    const journal = pb.bridge.journal as unknown as Record<string, unknown>;
    const complete = journal.completeIdempotencyKey as (...args: unknown[]) => Promise<void>;
    let failures = 0;
    journal.completeIdempotencyKey = async (...args: unknown[]) => {
      if (failures === 0) {
        failures += 1;
        throw new Error('server closed the connection unexpectedly');
      }
      return complete.apply(pb.bridge.journal, args);
    };
    try {
      const key = randomUUID();
      const qr = uniqueQr();
      const paid = await call(pb, '/payment/click', { amount: 1_000, qr_code: qr }, key);
      assert.equal(paid.is_success, true, `the money moved: the answer is the payment’s, not 103 — ${JSON.stringify(paid)}`);
      assert.equal(paid.data.replayed, undefined);
      assert.equal(failures, 1);
      assert.match(pb.bridge.logs.text, /could not record the answer to an idempotency key/);

      const retry = await call(pb, '/payment/click', { amount: 1_000, qr_code: qr }, key);
      assert.equal(retry.is_success, true, JSON.stringify(retry));
      assert.equal(retry.data.transaction_id, paid.data.transaction_id);
      assert.equal(retry.data.replayed, true);
      assert.equal(pb.bridge.emulators!.click.ledger().filter((p) => p.otpData === qr).length, 1, 'charged once');
    } finally {
      journal.completeIdempotencyKey = complete;
    }
  });
});

/** Two sales at the sandbox's UzCard pinpad, with nothing given back yet. */
async function twoSales(pb: Listening): Promise<[string, string]> {
  const a = await call(pb, '/payment/uzcard', { amount: 1_000 });
  const b = await call(pb, '/payment/uzcard', { amount: 1_000 });
  assert.equal(a.is_success && b.is_success, true, JSON.stringify([a, b]));
  return [a.data.transaction_id, b.data.transaction_id];
}

/** A payment left unknown, for an operator to decide. */
async function unknownPayment(pb: Listening): Promise<string> {
  const tx = await pb.bridge.journal.insert({ id: randomUUID(), method: 'humo', amount: 1_000, qrCodeMasked: null, qrCodeHash: null, createdAt: Date.now() }, { step: 'received' });
  await transitionAsHolder(pb.bridge.journal, tx.id, 'pending', 'unknown', {}, { step: 'answer_lost' });
  await releaseHolder(pb.bridge.journal, tx.id);
  return tx.id;
}

/** A payment as the journal has it: status, what was given back, its give-backs and its timeline's steps. */
async function untouched(pb: Listening, id: string) {
  const tx = await pb.bridge.journal.get(id);
  return { status: tx?.status, refunded: tx?.refundedAmount, giveBacks: (await pb.bridge.journal.giveBacksOf(id)).length, steps: tx?.events.map((e) => e.step) };
}

describe('a key is the till’s for one request: method, path and body', () => {
  test('refund A with a key, then refund B with it: 106 naming A’s refund, B not given back, nothing sent', async () => {
    const pb = await listen(() => {});
    const pinpad = () => pb.bridge.emulators!.uzcard.terminal.operations().length;
    const [a, b] = await twoSales(pb);
    const bBefore = await untouched(pb, b);
    const key = randomUUID();
    const body = { amount: 300, operator: 'Dilnoza' };
    const first = await call(pb, `/payment/transactions/${a}/refund`, body, key);
    assert.equal(first.is_success, true, JSON.stringify(first));
    assert.equal(pinpad(), 3, 'two sales and A’s refund');

    const other = await call(pb, `/payment/transactions/${b}/refund`, body, key);
    assert.equal(other.is_success, false, 'B’s refund is not A’s answer replayed as a success');
    assert.equal(other.error?.code, 106);
    assert.equal(other.error?.key_used_for, `POST /payment/transactions/${a}/refund`);
    assert.ok(other.error!.message.includes(`POST /payment/transactions/${a}/refund`), other.error!.message);
    assert.equal(other.error?.replayed, undefined);
    assert.deepEqual(await untouched(pb, b), bBefore, 'B: nothing journaled, nothing given back');
    assert.equal(pinpad(), 3, 'nothing sent to the pinpad');

    // A's own retry is still A's answer: with its id in capitals (one transaction, however written)
    // and with a query string (no POST reads one).
    assert.deepEqual(await call(pb, `/payment/transactions/${a.toUpperCase()}/refund`, body, key), asReplay(first));
    assert.deepEqual(await call(pb, `/payment/transactions/${a}/refund?attempt=2`, body, key), asReplay(first));
    // Another body on A's path: refused, saying the body differs.
    const more = await call(pb, `/payment/transactions/${a}/refund`, { amount: 200, operator: 'Dilnoza' }, key);
    assert.equal(more.error?.code, 106);
    assert.equal(more.error?.key_used_for, `POST /payment/transactions/${a}/refund`);
    assert.match(more.error!.message, /другими данными/, 'Russian by default');
    assert.equal((await pb.bridge.journal.get(a))?.refundedAmount, 300, 'A given back once');
    assert.equal(pinpad(), 3);
  });

  test('the answer says what differs in the till’s language', async () => {
    const pb = await listen(() => {});
    const [a, b] = await twoSales(pb);
    const key = randomUUID();
    assert.equal((await call(pb, `/payment/transactions/${a}/refund`, { amount: 100 }, key)).is_success, true);
    const ask = async (path: string, body: object) => {
      const res = await fetch(`${pb.base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'accept-language': 'en', 'idempotency-key': key }, body: JSON.stringify(body) });
      return ((await res.json()) as Envelope).error!;
    };
    assert.equal(
      (await ask(`/payment/transactions/${b}/refund`, { amount: 100 })).message,
      `Idempotency-Key "${key}" was already used for a different request, POST /payment/transactions/${a}/refund; nothing was done. Use a new key for a new request.`,
    );
    assert.equal(
      (await ask(`/payment/transactions/${a}/refund`, { amount: 101 })).message,
      `Idempotency-Key "${key}" was already used for a different request: POST /payment/transactions/${a}/refund with another body; nothing was done. Use a new key for a new request.`,
    );
  });

  test('an operator’s decision on X with a key, then on Y with it: 106 naming X’s, Y still waits for a decision', async () => {
    const pb = await listen(() => {});
    const x = await unknownPayment(pb);
    const y = await unknownPayment(pb);
    const key = randomUUID();
    const body = { status: 'succeeded', operator: 'Dilnoza (manager)', reason: 'the pinpad showed ОДОБРЕНО' };
    const first = await call(pb, `/payment/transactions/${x}/resolve`, body, key);
    assert.equal(first.is_success, true, JSON.stringify(first));
    const yBefore = await untouched(pb, y);
    const other = await call(pb, `/payment/transactions/${y}/resolve`, body, key);
    assert.equal(other.error?.code, 106, JSON.stringify(other));
    assert.equal(other.error?.key_used_for, `POST /payment/transactions/${x}/resolve`);
    assert.deepEqual(await untouched(pb, y), yBefore);
    assert.equal(yBefore.status, 'unknown');
    assert.deepEqual(await call(pb, `/payment/transactions/${x.toUpperCase()}/resolve`, body, key), asReplay(first));
  });

  test('a key used for a Click payment, then for a Payme one: 106, Payme never asked', async () => {
    const pb = await listen(() => {});
    const key = randomUUID();
    const qr = uniqueQr();
    const paid = await call(pb, '/payment/click', { amount: 1_000, qr_code: qr }, key);
    assert.equal(paid.is_success, true, JSON.stringify(paid));
    const payme = await call(pb, '/payment/payme', { amount: 1_000, qr_code: qr }, key);
    assert.equal(payme.error?.code, 106, JSON.stringify(payme));
    assert.equal(payme.error?.key_used_for, 'POST /payment/click');
    assert.equal(pb.bridge.emulators!.payme.ledger().length, 0, 'no receipt made');
    assert.equal((await pb.bridge.journal.list({ method: 'payme', limit: 5 })).items.length, 0, 'nothing journaled');
    assert.deepEqual(await call(pb, '/payment/click', { amount: 1_000, qr_code: qr }, key), asReplay(paid));
    assert.equal(pb.bridge.emulators!.click.ledger().filter((p) => p.otpData === qr).length, 1);
  });

  test('no POST route reads a query string, so the fingerprint leaves it out', async () => {
    const pb = await listen(() => {});
    const spec = (await (await fetch(`${pb.base}/openapi.json`)).json()) as { paths: Record<string, { post?: { parameters?: { in: string; name: string }[] } }> };
    const withQuery = Object.entries(spec.paths)
      .filter(([, p]) => (p.post?.parameters ?? []).some((q) => q.in === 'query'))
      .map(([path]) => path);
    assert.deepEqual(withQuery, [], 'a POST that reads its query must put it in the fingerprint (src/http/idempotent.ts)');
  });
});

describe('keys an older PayBridge kept under their route', () => {
  /** The scope and fingerprint keys had before they were the till's for one request. */
  const legacy = (route: string, body: string) => ({ scope: `${tillScope({})} ${route}`, fingerprint: createHash('sha256').update(`${route}\n${body}`).digest('hex') });

  test('a retry of a payment is answered from it, not charged again', async () => {
    // No QR retry window: only the key can stop a second charge here.
    const pb = await listen((c) => (c.idempotency.qr_retry_window_ms = 1));
    const qr = uniqueQr();
    const paid = await call(pb, '/payment/click', { amount: 1_000, qr_code: qr });
    assert.equal(paid.is_success, true, JSON.stringify(paid));
    const key = randomUUID();
    const old = legacy('POST /payment/click', `{"amount":1000,"qr_code":${JSON.stringify(qr)}}`);
    const now = Date.now();
    assert.equal(await pb.bridge.journal.claimIdempotencyKey({ ...old, key, owner: 'older', createdAt: now, expiresAt: now + 60_000 }), undefined);
    assert.equal(await pb.bridge.journal.completeIdempotencyKey(old.scope, key, 'older', paid, paid.data.transaction_id), true);
    await new Promise((r) => setTimeout(r, 5));
    assert.deepEqual(await call(pb, '/payment/click', { amount: 1_000, qr_code: qr }, key), asReplay(paid));
    assert.equal(pb.bridge.emulators!.click.ledger().filter((p) => p.otpData === qr).length, 1, 'charged once');
    const other = await call(pb, '/payment/click', { amount: 2_000, qr_code: qr }, key);
    assert.equal(other.error?.code, 106);
  });

  test('under a route with an id, whose old fingerprint names no transaction: refused, nothing given back', async () => {
    const pb = await listen(() => {});
    const [a] = await twoSales(pb);
    const key = randomUUID();
    const old = legacy('POST /payment/transactions/:transaction_id/refund', '{"amount":300}');
    const now = Date.now();
    await pb.bridge.journal.claimIdempotencyKey({ ...old, key, owner: 'older', createdAt: now, expiresAt: now + 60_000 });
    await pb.bridge.journal.completeIdempotencyKey(old.scope, key, 'older', { data: { status: 'successfully' }, error: null, is_success: true }, null);
    const before = await untouched(pb, a);
    const refused = await call(pb, `/payment/transactions/${a}/refund`, { amount: 300 }, key);
    assert.equal(refused.error?.code, 106, JSON.stringify(refused));
    assert.match(refused.error!.data!, /was used before PayBridge was updated/);
    assert.deepEqual(await untouched(pb, a), before);
    assert.equal(pb.bridge.emulators!.uzcard.terminal.operations().length, 2, 'the two sales only');
  });
});

describe('completing a key', () => {
  test('a request that lost its key to a retry gives its answer but never overwrites the retry’s', async () => {
    const journal = new SqliteJournal({ path: join(tempDir(), 'journal.sqlite'), origin: { instance: 'pb', inFlightLeaseMs: 60_000 } });
    const logs = new LogCapture();
    const service = new IdempotencyService(journal, createLogger('debug', logs), { ttlMs: 60_000, waitMs: 100, owner: 'pb', till: tillScope({}) });
    let release!: () => void;
    const stuck = new Promise<void>((r) => (release = r));
    const request = (answer: string, before: Promise<void> = Promise.resolve()): IdempotentRequest => ({
      key: 'k',
      target: 'POST /payment/recovery/run',
      body: 'null',
      work: async () => {
        await before;
        return { response: { data: answer }, transactionId: null, final: true };
      },
      fromTransaction: async () => undefined,
    });
    try {
      const first = service.run(request('first', stuck));
      // The first request is stuck before journaling anything: past wait_ms its retry takes the key over.
      await new Promise((r) => setTimeout(r, 150));
      assert.deepEqual(await service.run(request('retry')), { response: { data: 'retry' }, replayed: false });
      release();
      assert.deepEqual(await first, { response: { data: 'first' }, replayed: false }, 'its caller still hears its answer');
      assert.match(logs.text, /no longer holds the key/);
      assert.deepEqual(await service.run(request('third')), { response: { data: 'retry' }, replayed: true }, 'the key keeps the answer of the request that held it');
    } finally {
      await journal.close();
    }
  });
});
