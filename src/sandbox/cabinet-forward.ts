import type { FastifyInstance } from 'fastify';
import type { Emulators } from './start.js';

/**
 * Sandbox mode only: the emulators' "merchant cabinet" routes (a refund made outside PayBridge, a
 * Payme receipt made by another till) reached through PayBridge's own port, so that a newcomer who
 * started PayBridge with `npm start` (its emulators on free ports) can plant a difference without
 * looking the ports up. The body goes to the emulator as it came; its answer comes back as it is.
 * Not part of the till's API: left out of /docs.
 */
export function registerCabinetForwards(app: FastifyInstance, emulators: Emulators): void {
  const origins = {
    click: new URL(emulators.click.baseUrl).origin,
    payme: new URL(emulators.payme.url).origin,
    uzum: new URL(emulators.uzum.baseUrl).origin,
  };
  const routes: [keyof typeof origins, string][] = [
    ['click', '/_sandbox/click/cabinet-refund'],
    ['payme', '/_sandbox/payme/cabinet-refund'],
    ['uzum', '/_sandbox/uzum/cabinet-refund'],
    ['payme', '/_sandbox/payme/outside-receipt'],
  ];
  for (const [wallet, path] of routes) {
    app.post(path, { schema: { hide: true } }, async (request, reply) => {
      const res = await fetch(`${origins[wallet]}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(request.body ?? {}) });
      return reply.code(res.status).type('application/json').send(await res.text());
    });
  }
}
