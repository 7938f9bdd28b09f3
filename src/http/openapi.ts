import type { FastifyInstance, RouteOptions } from 'fastify';
import { VERSION } from '../version.js';
import { lazyInstance } from './lazy-instance.js';

const DESCRIPTION = `PayBridge takes payments for a shop's cash register: Click Pass, Payme Go and Uzum Fast Pay QR codes, Humo and UzCard cards on pinpads.

Every answer is HTTP 200 with the envelope \`{data, error, is_success}\`; amounts are integers in tiyin (1 soum = 100 tiyin).
\`error.message\` is \`BILLING_ERROR\` for code 104 and otherwise a sentence for the cashier, in Russian, Uzbek (Latin) or English
(\`Accept-Language\`). Send an \`Idempotency-Key\` header with payments to make retries safe.

\`error.transaction_status\` \`failed\` means nothing was charged, and is said only on proof: a documented refusal of
that very request, a status lookup that found nothing when asked late enough and twice, or the journal showing the
request never left PayBridge. Every other trouble (a timeout, a 5xx, an unreadable body, a system error, a busy
pinpad) is \`unknown\`: do not take the payment again; retry with the same \`Idempotency-Key\` for the settled
answer. What each provider and terminal answer proves: docs/outcomes.md. An unknown outcome's answer (payment, cancel,
refund, shift close) always carries \`transaction_status: "unknown"\` and a \`reason\` in the request's language that
says what to do (do not repeat it; the pinpad's screen or slip, or the customer's app; call the manager); what the
provider or terminal said travels apart, in \`error.provider_said\`, never inside the cashier's sentence.

When PayBridge listens on a non-loopback address, every request needs \`Authorization: Bearer <token>\` (HTTP 401 otherwise).

Every example below is what a sandbox PayBridge answered (\`npm run docs:examples\`; ids and times replaced by fixed
samples), and each route lists the error codes it answers. Any route may also answer 103 when PayBridge fails inside,
and 110 (HTTP 401) when a token is required and missing.`;

/**
 * The page's Content-Security-Policy: swagger-ui's own files only. Its scripts and styles are files
 * served from /docs/static (no inline code), React sets styles through the DOM (not an attribute the
 * policy governs), and its icons are data: images; "Try it out" and the document are fetched from
 * PayBridge itself. No upgrade-insecure-requests (the plugin's default): a shop's PayBridge is
 * plain HTTP on the LAN, where upgraded requests would all fail.
 */
export const DOCS_CSP = {
  'default-src': "'self'",
  'base-uri': "'none'",
  'connect-src': "'self'",
  'font-src': "'self' data:",
  'form-action': "'self'",
  'frame-ancestors': "'none'",
  'img-src': "'self' data:",
  'object-src': "'none'",
  'script-src': "'self'",
  'script-src-attr': "'none'",
  'style-src': "'self'",
};

/**
 * The API reference, generated from the same schemas that validate requests: the document at
 * `/openapi.json` and an interactive page at `/docs`, both served from PayBridge itself (no CDN).
 * Must be registered before the routes it describes: it records each route as it is added.
 *
 * Nothing of it is loaded at start (docs/performance.md, 4): @fastify/swagger, swagger-ui and its
 * assets, the recorded examples are loaded on the first request for the document or the page. They
 * then live in a Fastify instance of their own (lazyInstance), which holds the recorded routes (their
 * schemas and config; handlers that never run, and no validation compiled) beside the two plugins;
 * PayBridge's own server forwards `/openapi.json` and `/docs/*` to it. The document is the one the plugin made
 * when it sat in PayBridge's server: the same routes, schemas and options.
 */
export function registerOpenApi(app: FastifyInstance): void {
  const routes: RouteOptions[] = [];
  app.addHook('onRoute', (route) => {
    // HEAD routes are Fastify's own copies of GET ones (the plugin leaves them out of the document, and
    // the reference's instance makes its own); the reference's routes are its own too.
    if (route.method === 'HEAD' || route.url === '/openapi.json' || DOCS_PATHS.includes(route.url)) return;
    routes.push(route);
  });
  const reference = lazyInstance((inner) => buildReference(inner, routes));
  app.get('/openapi.json', { schema: { hide: true } }, async () => (await reference.instance()).swagger());
  // The paths @fastify/swagger-ui serves under its prefix: any other path under /docs is unknown here too.
  for (const url of DOCS_PATHS) app.route({ method: ['GET', 'HEAD'], url, schema: { hide: true }, handler: reference.forward });
}

const DOCS_PATHS = ['/docs', '/docs/', '/docs/json', '/docs/yaml', '/docs/static/*'];

async function buildReference(docs: FastifyInstance, routes: readonly RouteOptions[]): Promise<void> {
  const [{ default: swagger }, { default: swaggerUi }, { attachRecordedExamples }, { DOCS_THEME_CSS, DOCS_VIEWPORT_JS }] = await Promise.all([
    import('@fastify/swagger'),
    import('@fastify/swagger-ui'),
    import('./openapi-examples.js'),
    import('./docs-theme.js'),
  ]);
  // The schemas are only read here, to be documented; PayBridge's own server validates with them.
  docs.setValidatorCompiler(() => () => true);
  docs.setSerializerCompiler(() => (data) => JSON.stringify(data));
  await docs.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'PayBridge', version: VERSION, description: DESCRIPTION },
      tags: [
        { name: 'qr', description: 'Click Pass, Payme Go and Uzum Fast Pay: payment, fiscal receipt, cancellation.' },
        { name: 'cards', description: 'Humo (Ingenico, Arcus2) and UzCard (PAX A35) pinpads.' },
        { name: 'journal', description: 'Every payment PayBridge took, with its timeline.' },
        { name: 'operator', description: 'For the shop’s manager and the CLI: totals, terminals, reconciliations, refunds.' },
        { name: 'service', description: 'Health and metrics.' },
      ],
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'Only when server.api_token is set.' } } },
      security: [{ bearer: [] }, {}],
    },
    // Called once, when the document is first asked for (then cached): every route is known by then.
    transformObject: (document) => ('openapiObject' in document ? attachRecordedExamples(document.openapiObject) : document.swaggerObject),
  });
  await docs.register(swaggerUi, {
    routePrefix: '/docs',
    // The validator badge would call swagger.io; PayBridge runs offline next to the till.
    // BaseLayout: without the top bar, whose inline-styled swagger logo the CSP would (rightly) block,
    // and whose "explore" box loads any URL; PayBridge documents only itself.
    uiConfig: { validatorUrl: null, docExpansion: 'list', deepLinking: true, tryItOutEnabled: true, layout: 'BaseLayout' },
    staticCSP: DOCS_CSP,
    // Served by PayBridge like the rest of the page: a layout that fits a phone.
    theme: {
      title: 'PayBridge API',
      css: [{ filename: 'paybridge.css', content: DOCS_THEME_CSS }],
      js: [{ filename: 'viewport.js', content: DOCS_VIEWPORT_JS }],
    },
  });
  const never = async () => {
    throw new Error('the API reference’s copy of a route is never called');
  };
  for (const route of routes) docs.route({ method: route.method, url: route.url, schema: route.schema, config: route.config, constraints: route.constraints, handler: never });
}
