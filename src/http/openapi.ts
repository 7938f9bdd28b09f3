import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { VERSION } from '../version.js';

const DESCRIPTION = `PayBridge takes payments for a shop's cash register: Click Pass and Payme Go QR codes, Humo and UzCard cards on pinpads.

Every answer is HTTP 200 with the envelope \`{data, error, is_success}\`; amounts are integers in tiyin (1 soum = 100 tiyin).
\`error.message\` is \`BILLING_ERROR\` for code 104 and otherwise a sentence for the cashier, in Russian, Uzbek (Latin) or English
(\`Accept-Language\`). Send an \`Idempotency-Key\` header with payments to make retries safe.

\`error.transaction_status\` \`failed\` means nothing was charged, and is said only on proof: a documented refusal of
that very request, a status lookup that found nothing when asked late enough and twice, or the journal showing the
request never left PayBridge. Every other trouble (a timeout, a 5xx, an unreadable body, a system error, a busy
pinpad) is \`unknown\`: do not take the payment again; retry with the same \`Idempotency-Key\` for the settled
answer. What each provider and terminal answer proves: docs/outcomes.md.

When PayBridge listens on a non-loopback address, every request needs \`Authorization: Bearer <token>\` (HTTP 401 otherwise).`;

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
  });
  void app.register(swaggerUi, {
    routePrefix: '/docs',
    // The validator badge would call swagger.io; PayBridge runs offline next to the till.
    uiConfig: { validatorUrl: null, docExpansion: 'list', deepLinking: true, tryItOutEnabled: true },
    staticCSP: true,
  });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
