import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../src/config/load.js';
import { pickLanguage } from '../src/i18n/language.js';
import { MESSAGES } from '../src/i18n/messages.js';
import { post, startTestBridge, tempDir, type TestBridge } from './helpers.js';

const TOKEN = 'till-42-0123456789abcdef';

describe('access: loopback needs nothing, any other address needs a token', () => {
  it('refuses to start on a reachable address without a token, and says how to set one', () => {
    const dir = tempDir();
    for (const host of ['0.0.0.0', '192.168.1.20', '::']) {
      assert.throws(
        () => loadConfig({ HOST: host, PAYBRIDGE_DATA_DIR: dir }, dir),
        (err: unknown) => err instanceof ConfigError && /server\.api_token: is required when server\.host is/.test(err.message) && /PAYBRIDGE_API_TOKEN/.test(err.message),
        host,
      );
    }
    for (const host of ['127.0.0.1', '127.0.0.53', 'localhost', '::1']) assert.equal(loadConfig({ HOST: host, PAYBRIDGE_DATA_DIR: dir }, dir).config.server.host, host);
    assert.equal(loadConfig({ HOST: '0.0.0.0', PAYBRIDGE_API_TOKEN: TOKEN, PAYBRIDGE_DATA_DIR: dir }, dir).config.server.api_token, TOKEN);
    assert.throws(() => loadConfig({ HOST: '0.0.0.0', PAYBRIDGE_API_TOKEN: 'short', PAYBRIDGE_DATA_DIR: dir }, dir), /server\.api_token/);
  });

  describe('with a token', () => {
    let bridge: TestBridge;
    before(async () => {
      bridge = await startTestBridge((c) => {
        c.server.api_token = TOKEN;
      });
    });
    after(() => bridge.close());

    it('answers 401 in the envelope without it or with a wrong one, and charges nothing', async () => {
      for (const authorization of [undefined, `Bearer ${TOKEN}x`, `Bearer ${TOKEN.slice(0, -1)}`, `Basic ${TOKEN}`, TOKEN, 'Bearer ']) {
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (authorization !== undefined) headers.authorization = authorization;
        const { statusCode, body } = await post(bridge, '/payment/click', { amount: 500, qr_code: '880101698207133392' }, headers);
        assert.equal(statusCode, 401, String(authorization));
        assert.equal(body.is_success, false);
        assert.equal(body.error?.code, 110);
        assert.match(body.error!.message, /ключ доступа/i);
      }
      const res = await bridge.server.inject({ method: 'GET', url: '/payment/transactions', headers: { 'accept-language': 'en' } });
      assert.equal(res.statusCode, 401);
      assert.match(res.headers['www-authenticate'] as string, /^Bearer/);
      assert.equal(res.json().error.message, 'PayBridge needs an access token (Authorization: Bearer header).');
      assert.equal(bridge.emulators!.click.charges().length, 0, 'nothing reached the provider');
      const metrics = await bridge.server.inject({ method: 'GET', url: '/metrics' });
      assert.equal(metrics.statusCode, 401, 'metrics are not open either');
    });

    it('serves the request with the right token', async () => {
      const { statusCode, body } = await post(bridge, '/payment/click', { amount: 500, qr_code: '880101698207133392' }, { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` });
      assert.equal(statusCode, 200);
      assert.equal(body.is_success, true, JSON.stringify(body));
      const listed = await bridge.server.inject({ method: 'GET', url: '/payment/transactions', headers: { authorization: `bearer ${TOKEN}` } });
      assert.equal(listed.json().data.items.length, 1);
    });

    it('leaves the health probe, the API reference and the console page open', async () => {
      for (const url of ['/health', '/openapi.json', '/docs/']) {
        const res = await bridge.server.inject({ method: 'GET', url });
        assert.equal(res.statusCode, 200, url);
      }
      const write = await bridge.server.inject({ method: 'POST', url: '/health', payload: '{}' });
      assert.notEqual(write.statusCode, 200, 'only reading is open');
    });

    it('decides on the routed, normalised path: a path that only looks open needs the token (#16)', async () => {
      // Over a real socket: inject resolves dot segments before Fastify sees them, a till's HTTP client does not.
      const origin = await bridge.server.listen({ host: '127.0.0.1', port: 0 });
      const { port } = new URL(origin);
      const raw = (path: string, headers: Record<string, string> = {}) =>
        new Promise<{ status: number; body: string }>((resolve, reject) => {
          const req = httpRequest({ host: '127.0.0.1', port, path, method: 'GET', headers }, (res) => {
            let body = '';
            res.setEncoding('utf8');
            res.on('data', (chunk: string) => (body += chunk));
            res.on('end', () => resolve({ status: res.statusCode!, body }));
          });
          req.on('error', reject);
          req.end();
        });
      const disguised = [
        '/console/../payment/transactions',
        '/console/%2e%2e/payment/transactions',
        '/console/%2E%2E%2Fpayment%2Ftransactions',
        '/console/x/../../payment/transactions',
        '/docs/../payment/transactions',
        '/docs/static/../../payment/summary',
        '/console/./../metrics',
        '//payment/transactions',
        '/payment/transactions/',
        '/payment/transactions?x=/console/',
        '/console/..%5cpayment',
        '/no/such/endpoint',
        '/favicon.ico',
      ];
      for (const path of disguised) {
        const res = await raw(path);
        assert.equal(res.status, 401, path);
        assert.equal(JSON.parse(res.body).error.code, 110, path);
        const authorised = await raw(path, { authorization: `Bearer ${TOKEN}` });
        assert.notEqual(authorised.status, 401, `${path} with the token is past the access check`);
      }
      for (const path of ['/health', '/health?verbose=1', '/openapi.json', '/docs', '/docs/', '/docs/json', '/console/', '/console/app.js', '/console/config.json']) {
        const res = await raw(path);
        assert.equal(res.status, 200, path);
      }
      assert.equal((await raw('/console')).status, 302, 'the console redirect stays open');
    });
  });

  describe('CORS', () => {
    it('is off by default: no CORS headers for any origin', async () => {
      const bridge = await startTestBridge();
      try {
        const res = await bridge.server.inject({ method: 'OPTIONS', url: '/payment/click', headers: { origin: 'http://pos.local', 'access-control-request-method': 'POST' } });
        assert.equal(res.headers['access-control-allow-origin'], undefined);
      } finally {
        await bridge.close();
      }
    });

    it('allows exactly the configured origins, with the token header', async () => {
      const bridge = await startTestBridge((c) => {
        c.server.cors_origins = ['http://pos.local:3000'];
        c.server.api_token = TOKEN;
      });
      try {
        const preflight = await bridge.server.inject({
          method: 'OPTIONS',
          url: '/payment/click',
          headers: { origin: 'http://pos.local:3000', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
        });
        assert.equal(preflight.statusCode, 204, 'a preflight carries no token and is still answered');
        assert.equal(preflight.headers['access-control-allow-origin'], 'http://pos.local:3000');
        assert.match(String(preflight.headers['access-control-allow-headers']), /authorization/);
        const other = await bridge.server.inject({ method: 'OPTIONS', url: '/payment/click', headers: { origin: 'http://evil.example', 'access-control-request-method': 'POST' } });
        assert.equal(other.headers['access-control-allow-origin'], undefined);
      } finally {
        await bridge.close();
      }
    });
  });
});

describe('languages', () => {
  it('reads Accept-Language with weights, among ru, uz (Latin) and en', () => {
    assert.equal(pickLanguage(undefined, 'ru'), 'ru');
    assert.equal(pickLanguage('en-US,en;q=0.9', 'ru'), 'en');
    assert.equal(pickLanguage('uz-Latn-UZ', 'ru'), 'uz');
    assert.equal(pickLanguage('uz-Cyrl;q=1, ru;q=0.5', 'en'), 'ru', 'Cyrillic Uzbek is not offered');
    assert.equal(pickLanguage('de, fr;q=0.8', 'uz'), 'uz');
    assert.equal(pickLanguage('ru;q=0.2, en;q=0.7', 'uz'), 'en');
    assert.equal(pickLanguage('en;q=0, ru', 'uz'), 'ru');
    assert.equal(pickLanguage(';;;,,q=,', 'en'), 'en');
  });

  it('has every sentence in all three languages with the same parameters', () => {
    for (const [key, texts] of Object.entries(MESSAGES)) {
      const params = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort().join(',');
      assert.ok(texts.ru && texts.uz && texts.en, key);
      assert.equal(params(texts.uz), params(texts.ru), `${key} uz`);
      assert.equal(params(texts.en), params(texts.ru), `${key} en`);
      assert.match(texts.ru, /[а-яё]/i, `${key} ru is Russian`);
      assert.doesNotMatch(texts.uz, /[а-яё]/i, `${key} uz is in the Latin alphabet`);
    }
  });

  describe('over HTTP', () => {
    let bridge: TestBridge;
    before(async () => {
      bridge = await startTestBridge();
    });
    after(() => bridge.close());

    const ask = (language: string | undefined, url: string, payload: object) =>
      post(bridge, url, payload, { 'content-type': 'application/json', ...(language ? { 'accept-language': language } : {}) });

    it('speaks Russian by default, Uzbek or English when asked; the contract’s BILLING_ERROR never changes', async () => {
      const missing = { transaction_id: '00000000-0000-4000-8000-000000000000' };
      const ru = await ask(undefined, '/payment/click_cancel', missing);
      const uz = await ask('uz', '/payment/click_cancel', missing);
      const en = await ask('en-GB', '/payment/click_cancel', missing);
      assert.equal(ru.body.error!.message, 'Транзакции 00000000-0000-4000-8000-000000000000 нет в журнале.');
      assert.equal(uz.body.error!.message, '00000000-0000-4000-8000-000000000000 tranzaksiyasi jurnalda yoʻq.');
      assert.equal(en.body.error!.message, 'Transaction 00000000-0000-4000-8000-000000000000 is not in the journal.');
      for (const r of [ru, uz, en]) assert.equal(r.body.error!.code, 106);
      assert.equal(uz.body.error!.data, en.body.error!.message, 'data keeps the English detail whatever the language');

      const declined = await ask('uz', '/payment/click', { amount: 500, qr_code: '880101698207133116' });
      assert.equal(declined.body.error!.code, 104);
      assert.equal(declined.body.error!.message, 'BILLING_ERROR');
      assert.equal(declined.body.error!.data, '-5017: Недостаточно средств на карте');

      const bad = await ask('en', '/payment/click', { amount: 'five', qr_code: '1' });
      assert.equal(bad.body.error!.message, 'The till sent an invalid request (amount). Nothing was done; tell the till’s administrator.');
      assert.match(String(bad.body.error!.data), /^amount: must be a positive integer/);
    });

    it('puts the pinpad’s answer into the cashier’s language', async () => {
      const ru = await ask(undefined, '/payment/xumo', { amount: 11_600 });
      const uz = await ask('uz', '/payment/xumo', { amount: 11_600 });
      const en = await ask('en', '/payment/xumo', { amount: 11_600 });
      assert.equal(ru.body.error!.message, 'Недостаточно средств');
      assert.equal(en.body.error!.message, 'Insufficient funds');
      assert.notEqual(uz.body.error!.message, ru.body.error!.message);
      assert.doesNotMatch(uz.body.error!.message, /[а-яё]/i);
      for (const r of [ru, uz, en]) assert.equal(r.body.error!.data, '116 Insufficient funds');
    });

    it('uses the configured language when a request asks for none', async () => {
      const uzBridge = await startTestBridge((c) => {
        c.language = 'uz';
      });
      try {
        const { body } = await post(uzBridge, '/payment/click', { amount: 0, qr_code: '1' });
        assert.match(body.error!.message, /^Kassa notoʻgʻri soʻrov yubordi \(amount\)/);
      } finally {
        await uzBridge.close();
      }
    });
  });
});
