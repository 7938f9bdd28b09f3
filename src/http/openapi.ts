import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { VERSION } from '../version.js';
import { DOCS_THEME_CSS, DOCS_VIEWPORT_JS } from './docs-theme.js';
import { attachRecordedExamples } from './openapi-examples.js';

const DESCRIPTION = `PayBridge takes payments for a shop's cash register: Click Pass and Payme Go QR codes, Humo and UzCard cards on pinpads.

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
 * Must be registered before the routes it describes.
 */
export function registerOpenApi(app: FastifyInstance): void {
  void app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'PayBridge', version: VERSION, description: DESCRIPTION },
      tags: [
        { name: 'qr', description: 'Click Pass and Payme Go: payment, fiscal receipt, cancellation.' },
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
  void app.register(swaggerUi, {
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
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
