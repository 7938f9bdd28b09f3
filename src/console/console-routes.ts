import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { fileURLToPath } from 'node:url';
import type { Language } from '../i18n/language.js';
import { VERSION } from '../version.js';

/**
 * public/console, two levels above this file whether it runs from src/ (tsx) or dist/. Through
 * fileURLToPath: a URL's pathname is `/C:/…` on Windows, which no file API there accepts.
 */
const ROOT = fileURLToPath(new URL('../../public/console/', import.meta.url));

export interface ConsoleSettings {
  language: Language;
  mode: string;
  /** The shop's IANA time zone: every date and time the console shows is in it. */
  timezone: string;
}

/**
 * The shop manager's console: static files served by PayBridge itself (no CDN, works offline).
 * Its data comes from the operator API with the same token as any client; the page itself and
 * its settings are open so that it can ask for the token.
 */
export function registerConsole(app: FastifyInstance, settings: ConsoleSettings): void {
  void app.register(fastifyStatic, { root: ROOT, prefix: '/console/', decorateReply: false, index: 'index.html', cacheControl: false });
  app.get('/', { schema: { hide: true } }, async (_request, reply) => reply.redirect('/console/'));
  app.get('/console', { schema: { hide: true } }, async (_request, reply) => reply.redirect('/console/'));
  app.get('/console/config.json', { schema: { hide: true } }, async () => ({ language: settings.language, mode: settings.mode, version: VERSION, timezone: settings.timezone }));
}
