import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RouteOptions } from 'fastify';
import { createPayBridge, type PayBridge } from '../src/app.js';
import { createLogger } from '../src/logger.js';
import { LogCapture, tempDir, testConfig } from './helpers.js';

/** What the reference leaves out on purpose: the reference itself and the console's files. */
const UNDOCUMENTED = [/^\/docs/, /^\/openapi\.json$/, /^\/console/, /^\/$/];

interface RouteSchema {
  summary?: string;
  tags?: string[];
  body?: { examples?: unknown[] };
  params?: unknown;
  response?: Record<string, { examples?: unknown[] }>;
  hide?: boolean;
}

describe('API reference', () => {
  let bridge: PayBridge;
  const routes: RouteOptions[] = [];

  before(async () => {
    bridge = await createPayBridge(testConfig(tempDir()), createLogger('silent', new LogCapture()));
    // Routes are added when the server gets ready, so every one of them passes through this hook.
    bridge.server.addHook('onRoute', (route) => void routes.push(route));
    await bridge.server.ready();
  });
  after(() => bridge.close());

  it('fails when a route has no schema: each has a summary, a tag, its inputs and its 200 answer', () => {
    const documented = routes.filter((r) => r.method !== 'HEAD' && !UNDOCUMENTED.some((p) => p.test(r.url)));
    assert.ok(documented.length >= 18, `only ${documented.length} routes seen`);
    for (const route of documented) {
      const where = `${String(route.method)} ${route.url}`;
      const schema = route.schema as RouteSchema | undefined;
      assert.ok(schema, `${where} has no schema`);
      assert.ok(!schema.hide, `${where} is hidden from the reference`);
      assert.ok(schema.summary && schema.summary.length > 5, `${where} has no summary`);
      assert.ok(schema.tags?.length, `${where} has no tag`);
      assert.ok(schema.response?.['200'], `${where} does not describe its answer`);
      if (route.method === 'POST' && !route.url.endsWith('/run')) assert.ok(schema.body, `${where} does not describe its body`);
      if (route.url.includes(':')) assert.ok(schema.params, `${where} does not describe its path parameters`);
    }
  });

  it('serves the OpenAPI document with the seeds’ examples', async () => {
    const res = await bridge.server.inject({ method: 'GET', url: '/openapi.json' });
    assert.equal(res.statusCode, 200);
    const spec = res.json() as { openapi: string; paths: Record<string, Record<string, any>> };
    assert.match(spec.openapi, /^3\./);
    const click = spec.paths['/payment/click']!.post;
    assert.equal(click.summary, 'Take a Click Pass payment'.replace(' Pass', ''));
    const body = click.requestBody.content['application/json'];
    const requestExamples = JSON.stringify(body.examples ?? body.schema);
    assert.match(requestExamples, /880101698207133392/, 'the seed’s QR code is the request example');
    const answer = JSON.stringify(click.responses['200']);
    assert.match(answer, /Успешно подтвержден/, 'the seed’s success answer is the response example');
    assert.match(answer, /BILLING_ERROR/, 'the seed’s failure answer is the response example');
    const humo = JSON.stringify(spec.paths['/payment/xumo']!.post.responses['200']);
    assert.match(humo, /416311639412/, 'the seed’s Humo slip is the card example');
    for (const path of ['/payment/transactions', '/payment/transactions/{transaction_id}', '/metrics', '/health', '/payment/uzcard_close']) {
      assert.ok(spec.paths[path], `${path} is in the reference`);
    }
  });

  it('serves the interactive page from PayBridge itself, with nothing loaded from elsewhere', async () => {
    const page = await bridge.server.inject({ method: 'GET', url: '/docs/' });
    assert.equal(page.statusCode, 200);
    assert.match(page.headers['content-type'] as string, /text\/html/);
    const assets = [...page.body.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    assert.ok(assets.length > 0);
    for (const asset of assets) {
      assert.doesNotMatch(asset, /^(https?:)?\/\//, `${asset} would be fetched from another host`);
      const url = new URL(asset, 'http://paybridge.local/docs/').pathname;
      const res = await bridge.server.inject({ method: 'GET', url });
      assert.equal(res.statusCode, 200, `${url} is served`);
    }
    const init = await bridge.server.inject({ method: 'GET', url: '/docs/static/swagger-initializer.js' });
    assert.equal(init.statusCode, 200);
    const code = init.body.split('\n').filter((line) => !line.trim().startsWith('//'));
    assert.deepEqual(code.filter((line) => /https?:\/\//.test(line)), [], 'the initializer calls no outside host');
  });
});
