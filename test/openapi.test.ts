import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RouteOptions } from 'fastify';
import { createPayBridge, type PayBridge } from '../src/app.js';
import { createLogger } from '../src/logger.js';
import { recorded } from '../src/http/openapi-examples.js';
import { DOCS_CSP } from '../src/http/openapi.js';
import { recordExamples, shapeOf, type Recorded } from './docs/record.js';
import { docsConfig } from './docs/scenarios.js';
import { LogCapture, startTestBridge, tempDir, testConfig, type Envelope } from './helpers.js';

/** What the reference leaves out on purpose: the reference itself and the console's files. */
const UNDOCUMENTED = [/^\/docs/, /^\/openapi\.json$/, /^\/console/, /^\/$/, /^\/payment\/reconciliation\/wallets\.csv$/, /^\/payment\/export$/, /^\/_sandbox\//];

interface RouteSchema {
  summary?: string;
  tags?: string[];
  body?: { examples?: unknown[] };
  params?: unknown;
  response?: Record<string, { examples?: unknown[] }>;
  hide?: boolean;
}

interface SchemaLike {
  example?: unknown;
  examples?: unknown;
  default?: unknown;
  type?: string;
  enum?: unknown[];
  properties?: Record<string, SchemaLike>;
}
interface Operation {
  description?: string;
  parameters?: { in: string; name: string; example?: unknown; schema?: SchemaLike }[];
  requestBody?: { content: Record<string, { schema?: SchemaLike; examples?: Record<string, { value: unknown }> }> };
  responses: Record<string, { content?: Record<string, { schema?: SchemaLike; example?: unknown; examples?: Record<string, { value: unknown }> }> }>;
  'x-error-codes'?: number[];
}
interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
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

  it('names every wallet and pinpad PayBridge takes in its introduction, Uzum too (#28)', async () => {
    const spec = (await bridge.server.inject({ method: 'GET', url: '/openapi.json' })).json() as { info: { description: string }; tags: { name: string; description: string }[] };
    for (const name of ['Click Pass', 'Payme Go', 'Uzum Fast Pay', 'Humo', 'UzCard']) assert.ok(spec.info.description.split('\n')[0]!.includes(name), `${name} in: ${spec.info.description.split('\n')[0]}`);
    assert.match(spec.tags.find((t) => t.name === 'qr')!.description, /Uzum Fast Pay/);
  });

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

  it('shows what the sandbox answered: the right slip for each pinpad and close, each route’s own refusals', async () => {
    const spec = (await bridge.server.inject({ method: 'GET', url: '/openapi.json' })).json() as OpenApiDocument;
    assert.match(spec.openapi, /^3\./);
    const answers = (path: string, method = 'post') => spec.paths[path]![method]!.responses['200']!.content!['application/json']!.examples!;
    const click = spec.paths['/payment/click']!.post!;
    assert.deepEqual(click.requestBody!.content['application/json']!.examples!.paid!.value, { amount: 150_000, qr_code: '880101698207133392' }, 'the seed’s QR code is the request example');
    assert.equal((answers('/payment/click').paid!.value as Envelope).is_success, true);
    assert.match(JSON.stringify(answers('/payment/click')['declined (104)']), /BILLING_ERROR.*-5017/);
    // The UzCard examples are UzCard's slips, the closes are shift reports, not the seeds' Humo cancel slip.
    const uzcard = answers('/payment/uzcard').paid!.value as Envelope;
    assert.match(uzcard.data.message, /UZCARD/);
    assert.doesNotMatch(JSON.stringify(answers('/payment/uzcard')), /HUMO|CANCEL/);
    for (const close of ['/payment/xumo_close', '/payment/uzcard_close']) assert.match((answers(close, 'get')['shift closed']!.value as Envelope).data.message, /Отчет закрытия смены/);
    // The pinpads refuse with their own codes; /health and /metrics have no made-up refusal.
    assert.deepEqual(spec.paths['/payment/xumo']!.post!['x-error-codes'], [7, 108]);
    assert.deepEqual(spec.paths['/payment/uzcard']!.post!['x-error-codes'], [7, 109]);
    assert.deepEqual(spec.paths['/health']!.get!['x-error-codes'], []);
    for (const path of ['/health', '/metrics']) {
      const shown = Object.values(spec.paths[path]!.get!.responses).flatMap((r) => Object.values(r.content ?? {})).flatMap((m) => [m.example, ...Object.values(m.examples ?? {}).map((e) => e.value)]);
      assert.doesNotMatch(JSON.stringify(shown), /BILLING_ERROR|"code":\s*104/, `${path} shows a refusal it never answers`);
    }
    assert.match(String(spec.paths['/payment/xumo']!.post!.description), /\*\*108\*\*: the Humo pinpad refused or failed/);
    assert.match(String(spec.paths['/metrics']!.get!.responses['200']!.content!['text/plain']!.example), /paybridge_http_requests_total\{/);
  });

  it('has for every route of the document a success example (unless it is always refused) and its error codes', async () => {
    const spec = (await bridge.server.inject({ method: 'GET', url: '/openapi.json' })).json() as OpenApiDocument;
    const operations = Object.entries(spec.paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ route: `${method.toUpperCase()} ${path}`, op })));
    assert.ok(operations.length >= 37, `only ${operations.length} operations in the document`);
    for (const { route, op } of operations) {
      const examples = recorded[route];
      assert.ok(examples?.length, `${route} has no recorded example: run \`npm run docs:examples\` (and script its requests in test/docs/scenarios.ts)`);
      const content = op.responses['200']!.content!;
      const json = content['application/json'];
      const alwaysRefused = JSON.stringify(json?.schema?.properties?.is_success) === JSON.stringify({ type: 'boolean', enum: [false] });
      if (json) {
        const shown = Object.values(json.examples ?? {}).map((e) => e.value as Envelope);
        if (!alwaysRefused) assert.ok(shown.some((e) => e.is_success), `${route} shows no success example: script one in test/docs/scenarios.ts, then run \`npm run docs:examples\``);
        const codes = [...new Set(shown.filter((e) => !e.is_success).map((e) => e.error!.code))].sort((a, b) => a - b);
        assert.deepEqual(op['x-error-codes'], codes, `${route}: x-error-codes lists the codes of its examples`);
        for (const code of codes) assert.match(String(op.description), new RegExp(`\\*\\*${code}\\*\\*`), `${route} lists code ${code} in its description`);
        // A route that takes input shows what bad input gets.
        if (op.requestBody || op.parameters?.some((p) => p.in !== 'header')) assert.ok(codes.includes(7), `${route} shows no bad-request (7) example`);
      } else {
        assert.ok((content['text/plain'] ?? content['text/csv'])?.example, `${route} shows no example of its text answer`);
      }
    }
  });

  it('gives every parameter and body field an example, so “Try it out” never invents one from a pattern', async () => {
    const spec = (await bridge.server.inject({ method: 'GET', url: '/openapi.json' })).json() as OpenApiDocument;
    const has = (s: SchemaLike | undefined) => s !== undefined && (s.example !== undefined || s.default !== undefined || Array.isArray(s.examples));
    for (const [path, ops] of Object.entries(spec.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const where = `${method.toUpperCase()} ${path}`;
        for (const p of op.parameters ?? []) assert.ok(p.example !== undefined || has(p.schema), `${where}: parameter ${p.in} ${p.name} has no example`);
        const body = op.requestBody?.content['application/json'];
        if (!body) continue;
        assert.ok(Object.keys(body.examples ?? {}).length > 0, `${where}: the request body has no example`);
        const first = Object.values(body.examples!)[0]!;
        for (const [name, property] of Object.entries(body.schema?.properties ?? {})) assert.ok(has(property), `${where}: body field ${name} has no example`);
        assert.equal(typeof first.value, 'object', `${where}: the first body example is an object`);
      }
    }
    // The random terminal name came from here: the pinpads' body now names the sandbox's terminal.
    const humo = spec.paths['/payment/xumo']!.post!.requestBody!.content['application/json']!;
    assert.equal((Object.values(humo.examples!)[0]!.value as { terminal: string }).terminal, 'humo-sandbox');
  });

  it('replays every recorded request against a fresh sandbox: the same outcome, code and fields', async () => {
    const fresh = await startTestBridge(docsConfig);
    try {
      const replayed = await recordExamples(fresh);
      const shapes = (routes: Record<string, Recorded[]>) => Object.entries(routes).flatMap(([route, list]) => list.map((e) => `${route} | ${e.name} | ${shapeOf(e)}`)).sort();
      const stale = `src/http/openapi-examples.data.ts is stale: run \`npm run docs:examples\``;
      assert.deepEqual(shapes(replayed), shapes(recorded as Record<string, Recorded[]>), stale);
      // The requests themselves are the recorded ones, but for the ids the sandbox makes up.
      const requests = (routes: Record<string, Recorded[]>) =>
        Object.values(routes).flatMap((list) => list.map((e) => `${e.request.method} ${e.request.url} ${JSON.stringify(e.request.body ?? null)}`.replace(/[0-9a-f]{8}-[0-9a-f-]{27}|\d{12}|[0-9a-f]{24}|[A-Za-z0-9_-]{40,}/g, '…')));
      assert.deepEqual(requests(replayed).sort(), requests(recorded as Record<string, Recorded[]>).sort(), stale);

      // "Try it out" sends every pre-filled parameter: for each GET of the reference, that request works.
      const spec = (await fresh.server.inject({ method: 'GET', url: '/openapi.json' })).json() as OpenApiDocument;
      for (const [path, ops] of Object.entries(spec.paths)) {
        const op = ops.get;
        if (!op || path.includes('{') || !op.responses['200']?.content?.['application/json']) continue;
        const shown = Object.values(op.responses['200'].content['application/json'].examples ?? {}).map((e) => e.value as Envelope);
        if (!shown.some((e) => e.is_success)) continue;
        const query = new URLSearchParams();
        for (const p of op.parameters ?? []) {
          const value = p.example ?? p.schema?.example ?? p.schema?.default;
          if (p.in === 'query' && value !== undefined) query.set(p.name, String(value));
        }
        const url = `${path}${query.size ? `?${query}` : ''}`;
        const answer = (await fresh.server.inject({ method: 'GET', url })).json() as Envelope;
        assert.equal(answer.is_success, true, `Try it out of GET ${url}: ${JSON.stringify(answer.error)}`);
      }
    } finally {
      await fresh.close();
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
    // A strict policy of the page's own: no inline or eval'd code, nothing upgraded to https on a LAN.
    const csp = String(page.headers['content-security-policy']);
    assert.equal(csp, Object.entries(DOCS_CSP).map(([k, v]) => `${k} ${v};`).join(' '));
    assert.doesNotMatch(csp, /unsafe-(eval|inline)|upgrade-insecure-requests|https:/);
    assert.match(page.body, /theme\/paybridge\.css/, 'the phone layout is linked');
  });
});
