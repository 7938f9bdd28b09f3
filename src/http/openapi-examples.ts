import { RECORDED } from './openapi-examples.data.js';

/**
 * Puts what the sandbox really answered (openapi-examples.data.ts, written by `npm run docs:examples`)
 * into the OpenAPI document: each route's answers as named response examples, its request bodies as
 * request examples, the error codes it answered as `x-error-codes` and a list in its description,
 * and an example for every parameter, so that "Try it out" starts from values that work instead of
 * strings swagger-ui would make up from a pattern.
 */

interface RecordedRequest {
  method: string;
  url: string;
  body?: unknown;
  headers?: Record<string, string>;
}

interface RecordedAnswer {
  data: unknown;
  error: { code?: number; [field: string]: unknown } | null;
  is_success: boolean;
}

export interface RecordedExample {
  name: string;
  request: RecordedRequest;
  status: number;
  answer?: RecordedAnswer;
  text?: string;
}

export type RecordedRoutes = Record<string, RecordedExample[]>;

export interface RecordedFile {
  generated_by: string;
  routes: RecordedRoutes;
}

/** The loose shape of the parts of an OpenAPI 3 document this module reads and writes. */
type Json = Record<string, any>;

/** What each code means, for the per-route list; the README's table says more. */
export const ERROR_CODE_MEANINGS: Record<number, string> = {
  7: 'the request is malformed; nothing was done',
  103: 'PayBridge failed inside',
  104: 'the QR provider declined or failed (`BILLING_ERROR`)',
  106: 'the request conflicts with the state of a payment',
  108: 'the Humo pinpad refused or failed',
  109: 'the UzCard pinpad refused or failed',
  110: 'an API token is required (HTTP 401)',
};

/**
 * Examples for parameters no recorded request used, by name: real values of the sandbox (its
 * terminals, the shop and till of the docs' script) that a request can carry as they are.
 */
const PARAMETER_EXAMPLES: Record<string, unknown> = {
  terminal: 'humo-sandbox',
  method: 'click',
  status: 'succeeded',
  kind: 'payment',
  date: '2026-11-26',
  days: 7,
  from: '2026-11-01',
  to: '2026-12-01',
  shop: 'chilonzor-1',
  till: '3',
  limit: 20,
  'idempotency-key': 'till-3-receipt-1542',
  operator: 'Dilnoza (manager)',
  reason: 'seen in the provider’s merchant cabinet',
  request_id: '600000000018',
  is_return: true,
  transaction_id: 'd0c5e7a0-0000-4000-8000-000000000001',
  payment_id: '2170000001',
};

export const recorded: RecordedRoutes = RECORDED.routes;

/** "POST /payment/transactions/{transaction_id}/refund", the key of the recorded routes. */
export const routeKey = (method: string, path: string) => `${method.toUpperCase()} ${path}`;

const succeeded = (e: RecordedExample) => e.text !== undefined || e.answer?.is_success === true;

/** The example's name without its code: "declined (104)" → "declined". */
const plainName = (name: string) => name.replace(/\s*\(\d+\)$/, '');

function errorCodes(examples: RecordedExample[]): Map<number, string[]> {
  const codes = new Map<number, string[]>();
  for (const e of examples) {
    const code = e.answer?.error?.code;
    if (typeof code === 'number') codes.set(code, [...(codes.get(code) ?? []), plainName(e.name)]);
  }
  return new Map([...codes].sort(([a], [b]) => a - b));
}

function describeCodes(codes: Map<number, string[]>): string {
  if (codes.size === 0) return '**Error codes:** none of its own (103 if PayBridge fails inside).';
  const lines = [...codes].map(([code, names]) => `- **${code}**: ${ERROR_CODE_MEANINGS[code] ?? 'see the README'} — e.g. ${[...new Set(names)].join('; ')}`);
  return `**Error codes** (each shown under Responses, as the sandbox answered it):\n${lines.join('\n')}`;
}

/** A parameter's value in the first successful recorded request that carried it. */
function recordedValue(parameter: Json, path: string, examples: RecordedExample[]): unknown {
  // Only a request that worked: a refused one's values are wrong on purpose (a date 2026-02-30).
  for (const e of examples.filter(succeeded)) {
    const url = new URL(e.request.url, 'http://paybridge.local');
    if (parameter.in === 'query' && url.searchParams.has(parameter.name)) return url.searchParams.get(parameter.name);
    if (parameter.in === 'header' && e.request.headers?.[parameter.name] !== undefined) return e.request.headers[parameter.name];
    if (parameter.in === 'path') {
      const pattern = new RegExp(`^${path.replace(/\{([^}]+)\}/g, (_all, name: string) => (name === parameter.name ? '([^/]+)' : '[^/]+'))}$`);
      const found = pattern.exec(url.pathname)?.[1];
      if (found) return found;
    }
  }
  return undefined;
}

const hasExample = (schema: Json | undefined) => schema !== undefined && (schema.example !== undefined || schema.default !== undefined || Array.isArray(schema.examples));

/** The first literal of an enum or a union of literals. */
function firstLiteral(schema: Json | undefined): unknown {
  if (!schema) return undefined;
  if (Array.isArray(schema.enum)) return schema.enum[0];
  for (const branch of (schema.anyOf ?? schema.oneOf ?? []) as Json[]) if (Array.isArray(branch.enum)) return branch.enum[0];
  return undefined;
}

/** A value the route itself answered for the parameter: `cursor` ← a page's `next_cursor`. */
function answeredValue(name: string, examples: RecordedExample[]): unknown {
  for (const e of examples.filter(succeeded)) {
    const data = e.answer?.data as Record<string, unknown> | null | undefined;
    const value = data?.[`next_${name}`];
    if (value !== undefined && value !== null) return value;
  }
  return undefined;
}

function exampleFor(name: string, schema: Json | undefined, fromRecording: unknown): unknown {
  if (fromRecording !== undefined) return schema?.type === 'integer' && /^\d+$/.test(String(fromRecording)) ? Number(fromRecording) : fromRecording;
  return PARAMETER_EXAMPLES[name] ?? firstLiteral(schema);
}

/**
 * swagger-ui fills every parameter's `example` into "Try it out", optional ones too, and sends them
 * all: a filter that was not part of a working request (a `date` beside `from`/`to`, a `cursor`) would
 * make the pre-filled request fail. So a parameter of the recorded request, and any the request
 * cannot do without, gets `example` (pre-filled); any other optional query parameter gets its example
 * in `schema.examples`, shown in the reference but left empty in the form.
 */
function attachParameterExamples(operation: Json, path: string, examples: RecordedExample[]): void {
  for (const parameter of (operation.parameters ?? []) as Json[]) {
    if (parameter.example !== undefined || hasExample(parameter.schema)) continue;
    const used = recordedValue(parameter, path, examples);
    const value = exampleFor(parameter.name, parameter.schema, used ?? answeredValue(parameter.name, examples));
    if (value === undefined) continue;
    if (used !== undefined || parameter.required || parameter.in !== 'query') parameter.example = value;
    else {
      parameter.schema = { ...parameter.schema, examples: [value] };
      // swagger-ui shows no schema.examples of a parameter: the reader sees it in the description.
      parameter.description = [parameter.description, `Example: \`${String(value)}\``].filter(Boolean).join(' ');
    }
  }
}

function attachBodyExamples(operation: Json, examples: RecordedExample[]): void {
  const media = operation.requestBody?.content?.['application/json'];
  if (!media) return;
  const withBody = [...examples.filter(succeeded), ...examples.filter((x) => !succeeded(x))].filter((e) => e.request.body !== undefined);
  if (withBody.length) {
    media.examples = Object.fromEntries(withBody.map((e) => [e.name, { summary: e.name, value: e.request.body }]));
    delete media.example;
  }
  // The schema's own properties too: the "Schema" tab and any client generator show them.
  for (const [name, property] of Object.entries((media.schema?.properties ?? {}) as Record<string, Json>)) {
    if (hasExample(property)) continue;
    const used = withBody.find((e) => e.request.body && typeof e.request.body === 'object' && name in (e.request.body as object));
    const value = exampleFor(name, property, used ? (used.request.body as Record<string, unknown>)[name] : undefined);
    if (value !== undefined) property.example = value;
  }
}

function attachResponseExamples(operation: Json, examples: RecordedExample[]): void {
  const ok = operation.responses?.['200']?.content;
  if (!ok) return;
  const text = examples.find((e) => e.text !== undefined);
  const textMedia = ok['text/plain'] ?? ok['text/csv'];
  if (text && textMedia) textMedia.example = text.text;
  const json = ok['application/json'];
  const answers = [...examples.filter(succeeded), ...examples.filter((x) => !succeeded(x))].filter((e) => e.answer);
  if (json && answers.length) {
    json.examples = Object.fromEntries(answers.map((e) => [e.name, { summary: e.name, value: e.answer }]));
    delete json.example;
  }
}

/** Adds the recorded examples to every operation of an OpenAPI 3 document (in place). */
export function attachRecordedExamples(document: Json, routes: RecordedRoutes = recorded): Json {
  for (const [path, operations] of Object.entries((document.paths ?? {}) as Record<string, Json>)) {
    for (const [method, operation] of Object.entries(operations as Record<string, Json>)) {
      const examples = routes[routeKey(method, path)] ?? [];
      attachParameterExamples(operation, path, examples);
      attachBodyExamples(operation, examples);
      attachResponseExamples(operation, examples);
      if (examples.length === 0) continue;
      const codes = errorCodes(examples);
      operation['x-error-codes'] = [...codes.keys()];
      operation.description = [operation.description, describeCodes(codes)].filter(Boolean).join('\n\n');
    }
  }
  return document;
}
