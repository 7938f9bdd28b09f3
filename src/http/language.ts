import type { FastifyInstance } from 'fastify';
import { pickLanguage, type Language } from '../i18n/language.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The language of the cashier's messages in this answer: Accept-Language, else the configured one. */
    language: Language;
  }
}

export function negotiateLanguage(app: FastifyInstance, configured: Language): void {
  app.decorateRequest('language', configured);
  app.addHook('onRequest', async (request) => {
    request.language = pickLanguage(request.headers['accept-language'], configured);
  });
}
