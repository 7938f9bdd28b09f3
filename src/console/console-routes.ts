import type { FastifyInstance } from 'fastify';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Language } from '../i18n/language.js';
import { lazyInstance } from '../http/lazy-instance.js';
import { VERSION } from '../version.js';

/**
 * public/console, two levels above this file whether it runs from src/ (tsx) or dist/. Through
 * fileURLToPath: a URL's pathname is `/C:/…` on Windows, which no file API there accepts.
 */
const ROOT = fileURLToPath(new URL('../../public/console/', import.meta.url));

/**
 * Chart.js's self-contained browser build, from the installed package (its `exports` name only the
 * module entry points, so the file is found beside the resolved one). Read once: it changes only
 * with `npm install`, and the console must not reach any CDN.
 */
const CHART_JS = join(dirname(createRequire(import.meta.url).resolve('chart.js')), 'chart.umd.min.js');

/**
 * Everything the console loads is its own: its module scripts, its stylesheet, Chart.js from
 * /console/vendor/, JSON from this PayBridge. No inline script or style attribute is allowed;
 * Chart.js sizes its canvas through the CSSOM, which a CSP does not govern. `data:` only for the
 * empty favicon, which keeps the browser from asking for /favicon.ico.
 */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "frame-ancestors 'none'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

export interface ConsoleSettings {
  language: Language;
  mode: string;
  /** The shop's IANA time zone: every date and time the console shows is in it. */
  timezone: string;
  /** This PayBridge's shop and till (instance.shop, instance.till; null when not named): the console's "whole shop" is that shop. */
  shop?: string | null;
  till?: string | null;
}

const isConsolePath = (url: string) => url === '/' || url === '/console' || url.startsWith('/console/') || url.startsWith('/console?');

/**
 * The shop manager's console: static files served by PayBridge itself (no CDN, works offline).
 * Its data comes from the operator API with the same token as any client; the page itself and
 * its settings are open so that it can ask for the token.
 */
export function registerConsole(app: FastifyInstance, settings: ConsoleSettings): void {
  app.addHook('onSend', async (request, reply) => {
    if (isConsolePath(request.url)) reply.header('content-security-policy', CONSOLE_CSP);
  });
  // Its files are served by @fastify/static, loaded by the console's first request, not at start
  // (docs/performance.md, 4): the same options, in an instance of its own that this route forwards to.
  const files = lazyInstance(async (inner) => {
    const { default: fastifyStatic } = await import('@fastify/static');
    await inner.register(fastifyStatic, { root: ROOT, prefix: '/console/', decorateReply: false, index: 'index.html', cacheControl: false });
  });
  app.route({ method: ['GET', 'HEAD'], url: '/console/*', schema: { hide: true }, handler: files.forward });
  let chartJs: Buffer | undefined;
  app.get('/console/vendor/chart.umd.min.js', { schema: { hide: true } }, async (_request, reply) => {
    chartJs ??= readFileSync(CHART_JS);
    return reply.type('text/javascript; charset=utf-8').send(chartJs);
  });
  app.get('/', { schema: { hide: true } }, async (_request, reply) => reply.redirect('/console/'));
  app.get('/console', { schema: { hide: true } }, async (_request, reply) => reply.redirect('/console/'));
  app.get('/console/config.json', { schema: { hide: true } }, async () => ({
    language: settings.language,
    mode: settings.mode,
    timezone: settings.timezone,
    shop: settings.shop ?? null,
    till: settings.till ?? null,
    version: VERSION,
  }));
}
