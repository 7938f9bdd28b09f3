import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '../../lib/typebox.js';
import type { Journal } from '../../payments/ports/journal.js';
import { invalidRequest } from '../../payments/errors.js';
import { exportPeriod, journalCsv } from '../../payments/journal-export.js';

const DAY = (description: string) => Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description, examples: ['2026-11-01'], 'x-error': 'must be a date, YYYY-MM-DD' });

export const JournalExportQuerySchema = Type.Object(
  {
    from: Type.Optional(DAY('The first shop day (shop.timezone), YYYY-MM-DD.')),
    to: Type.Optional(DAY('The last shop day, included; today when absent.')),
    date: Type.Optional(DAY('One shop day instead of from/to.')),
    till: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'Only what this till took (instance.till).', 'x-error': 'must be a till name of 1 to 64 characters' })),
    shop: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'Only what this shop took (instance.shop).', 'x-error': 'must be a shop name of 1 to 64 characters' })),
    lang: Type.Optional(
      Type.Union([Type.Literal('ru'), Type.Literal('uz'), Type.Literal('en')], { description: 'Headings, words and number format; the request’s language (Accept-Language, else `language`) when absent.', 'x-error': 'must be ru, uz or en' }),
    ),
  },
  { additionalProperties: false, 'x-error': 'is not a parameter of the export' },
);
export type JournalExportQuery = Static<typeof JournalExportQuerySchema>;

/**
 * `GET /payment/export`: the accountant's export (the CLI's `journal export`) as a CSV download for
 * the console. Behind the API token like every other read; a bad query is answered with the code-7
 * envelope before anything is read. The file is streamed as the journal is read: a journal that fails
 * midway cuts the download off (the browser reports it failed) rather than ending it short.
 */
export function registerJournalExportRoute(app: FastifyInstance, journal: Journal, timezone: string): void {
  app.get<{ Querystring: JournalExportQuery }>(
    '/payment/export',
    {
      schema: {
        summary: 'The accountant’s export of shop days, as CSV',
        description:
          'One row per payment and per give-back (with its payment’s id), oldest first; times on the shop’s clock, amounts in soum. ru/uz: semicolon-separated with decimal commas, en: comma-separated with decimal points; UTF-8 with a byte-order mark, CRLF (README, "The accountant’s export").',
        tags: ['journal'],
        querystring: JournalExportQuerySchema,
        // A file for a spreadsheet, not an API answer: described in the README and docs/cli.md, left out of /docs.
        hide: true,
        response: { 200: Type.String({ description: 'text/csv attachment; a bad query is answered with the envelope (code 7).' }) },
      },
    },
    async (request, reply) => {
      const q = request.query;
      // Unlike the CLI, no default period: a link names the days it exports.
      if (q.from === undefined && q.date === undefined) throw invalidRequest(['from: is required (the first shop day, YYYY-MM-DD), or date']);
      const period = exportPeriod(timezone, { date: q.date, from: q.from, to: q.to });
      const language = q.lang ?? request.language;
      const name = `paybridge-${period.first === period.last ? period.first : `${period.first}_${period.last}`}${q.till ? `-till-${q.till.replace(/[^\w.-]/g, '_')}` : ''}.csv`;
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${name}"`)
        .send(Readable.from(journalCsv(journal, { from: period.from, to: period.to, till: q.till, shop: q.shop }, { language, timezone })));
    },
  );
}
