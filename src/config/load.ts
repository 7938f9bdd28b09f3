import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { parseEnv } from 'node:util';
import { extname, isAbsolute, join, resolve } from 'node:path';
import type { TSchema } from '../lib/typebox.js';
import { Value, ValueErrorType } from '../lib/typebox.js';
import { isValidTimeZone } from '../lib/shop-time.js';
import { leaseProblems } from './leases.js';
import { ClickConfigSchema, ConfigSchema, PaymeConfigSchema, SandboxClickConfigSchema, SandboxPaymeConfigSchema, SandboxUzumConfigSchema, UzumConfigSchema, type Config } from './schema.js';

export class ConfigError extends Error {
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`invalid configuration (${source}):\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

function keyPath(prefix: string, pointer: string): string {
  const parts = pointer.split('/').filter(Boolean).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  return [prefix, ...parts].filter(Boolean).join('.') || '(root)';
}

/**
 * How many letters must be added, removed or changed, or two neighbours swapped, to make `a` into
 * `b` (Levenshtein with transpositions: "prot" is one step from "port").
 */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

/** The known key `key` is most likely a misspelling of: at most a third of its letters off (and 2). */
function nearestKey(key: string, known: string[]): string | undefined {
  const limit = Math.min(2, Math.max(1, Math.floor(key.length / 3)));
  const scored = known.map((k) => ({ k, d: editDistance(key.toLowerCase(), k.toLowerCase()) })).filter((x) => x.d <= limit);
  return scored.sort((x, y) => x.d - y.d)[0]?.k;
}

/** A key the schema does not have: with the one that was probably meant, if one is close. */
function unknownKey(key: string, schema: { properties?: Record<string, unknown> }): string {
  const name = key.slice(key.lastIndexOf('.') + 1);
  const meant = nearestKey(name, Object.keys(schema.properties ?? {}));
  return meant === undefined ? `${key}: unknown key` : `${key}: unknown key; did you mean ${key.slice(0, key.length - name.length)}${meant}?`;
}

/** A value outside a list of fixed ones: the list, and what was given. */
function notOneOf(key: string, schema: { anyOf?: { const?: unknown }[] }, value: unknown): string | undefined {
  const values = schema.anyOf?.map((s) => s.const);
  if (!values?.length || values.some((v) => v === undefined)) return undefined;
  return `${key}: must be one of ${values.map((v) => JSON.stringify(v)).join(', ')} (got ${JSON.stringify(value)})`;
}

/** Applies defaults and checks `value` against `schema`; problems name the dotted key. */
function validate<T>(schema: TSchema, value: unknown, prefix: string): { value: T; problems: string[] } {
  const withDefaults = Value.Default(schema, structuredClone(value ?? {}));
  const problems: string[] = [];
  for (const error of Value.Errors(schema, withDefaults)) {
    const key = keyPath(prefix, error.path);
    if (error.type === ValueErrorType.ObjectAdditionalProperties) problems.push(unknownKey(key, error.schema as { properties?: Record<string, unknown> }));
    else if (error.type === ValueErrorType.ObjectRequiredProperty) problems.push(`${key}: is required`);
    else if (error.type === ValueErrorType.Union) problems.push(notOneOf(key, error.schema as { anyOf?: { const?: unknown }[] }, error.value) ?? `${key}: ${error.message.toLowerCase()}`);
    else problems.push(`${key}: ${error.message.toLowerCase()}`);
  }
  // A missing key also fails its type check; the one message that matters is that it is missing.
  const missing = new Set(problems.filter((p) => p.endsWith(': is required')).map((p) => p.slice(0, -': is required'.length)));
  const relevant = problems.filter((p) => p.endsWith(': is required') || !missing.has(p.slice(0, p.indexOf(': '))));
  return { value: withDefaults as T, problems: [...new Set(relevant)] };
}

function readConfigFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(path, [`cannot read the file: ${(err as Error).message}`]);
  }
  try {
    // yaml (72 files) is loaded only for a YAML file: a JSON configuration starts without it.
    return extname(path).toLowerCase() === '.json' ? JSON.parse(text) : (createRequire(import.meta.url)('yaml') as typeof import('yaml')).parse(text);
  } catch (err) {
    throw new ConfigError(path, [`not valid ${extname(path).toLowerCase() === '.json' ? 'JSON' : 'YAML'}: ${(err as Error).message}`]);
  }
}

/**
 * `.env` in `cwd` (the folder PayBridge is started from), when there is one: its variables are
 * added to `env`; a variable `env` already has keeps its value, as with Node's `--env-file` and
 * `process.loadEnvFile`, whose parser (util.parseEnv) this is. That parser silently skips a line it
 * cannot read, or reads it into the next variable's name, so a line that is neither NAME=value nor
 * part of a quoted value is refused here, naming its number. Returns the file read, or undefined.
 */
export function loadDotEnv(env: NodeJS.ProcessEnv, cwd = process.cwd()): string | undefined {
  const file = join(cwd, '.env');
  if (!existsSync(file)) return undefined;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(file, [`cannot read the file: ${(err as Error).message}`]);
  }
  const parsed = parseEnv(text);
  const problems: string[] = [];
  const values = Object.values(parsed).filter((v): v is string => v !== undefined);
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || /^(export\s+)?[A-Za-z_][A-Za-z0-9_]*\s*=/.test(line)) return;
    // A line of a quoted value that spans lines is fine; anything else was dropped or misread.
    const inner = line.replace(/["'`]\s*(#.*)?$/, '');
    if (values.some((v) => v.includes('\n') && v.includes(inner))) return;
    problems.push(`line ${i + 1}: ${JSON.stringify(line.length > 40 ? `${line.slice(0, 40)}…` : line)} is not NAME=value`);
  });
  if (problems.length) throw new ConfigError(file, problems);
  for (const [name, value] of Object.entries(parsed)) if (env[name] === undefined && value !== undefined) env[name] = value;
  return file;
}

export interface LoadedConfig {
  config: Config;
  /** Where the configuration came from, for the start-up log and /health. */
  source: string;
}

/** Only the machine itself reaches these; the seeds' no-auth contract holds there. */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/**
 * A PayBridge on a PostgreSQL journal serves one till of the chain that shares it, and only its shop
 * and till keep that till's Idempotency-Keys apart from the other tills' (tillScope): without them
 * every till would share one set of keys, and one till's retry could be refused, or answered, by
 * another till's request. So both are required there.
 */
export function postgresTillProblems(config: Pick<Config, 'journal' | 'instance'>): string[] {
  if (config.journal.engine !== 'postgres') return [];
  const missing = (['shop', 'till'] as const).filter((k) => !config.instance[k]).map((k) => `instance.${k}`);
  if (missing.length === 0) return [];
  return [
    `instance.shop, instance.till: both are required when journal.engine is postgres (${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} missing): ` +
      'the tills of a chain share that journal, and a till’s Idempotency-Keys are kept apart from the others’ by its shop and till',
  ];
}

export interface LoadOptions {
  /**
   * False for a tool that only reads or copies the journal (journal export, journal migrate): it
   * serves no till, so it needs no till's name.
   */
  serving?: boolean;
}

/**
 * Builds the configuration: defaults, then the file named by PAYBRIDGE_CONFIG (YAML or JSON), then
 * the environment (HOST, PORT, PAYBRIDGE_API_TOKEN, PAYBRIDGE_DATA_DIR, LOG_LEVEL). With no file PayBridge runs in
 * sandbox mode. Every problem is reported at once, each naming its key.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd(), { serving = true }: LoadOptions = {}): LoadedConfig {
  const file = env.PAYBRIDGE_CONFIG ? resolve(cwd, env.PAYBRIDGE_CONFIG) : undefined;
  const source = file ?? 'defaults (no PAYBRIDGE_CONFIG)';
  const raw = file ? readConfigFile(file) : {};
  if (raw !== null && raw !== undefined && (typeof raw !== 'object' || Array.isArray(raw))) {
    throw new ConfigError(source, ['(root): must be a mapping of keys to values']);
  }
  const input = structuredClone((raw ?? {}) as Record<string, unknown>);
  const problems: string[] = [];

  const server = (input.server ?? {}) as Record<string, unknown>;
  if (typeof server === 'object' && server !== null) {
    if (env.HOST) server.host = env.HOST;
    if (env.PORT !== undefined && env.PORT !== '') {
      if (/^\d{1,5}$/.test(env.PORT)) server.port = Number(env.PORT);
      else problems.push(`PORT (environment): must be a port number, got ${JSON.stringify(env.PORT)}`);
    }
    input.server = server;
  }
  if (env.PAYBRIDGE_API_TOKEN) (input.server as Record<string, unknown>).api_token = env.PAYBRIDGE_API_TOKEN;
  if (env.PAYBRIDGE_DATA_DIR) input.data_dir = env.PAYBRIDGE_DATA_DIR;
  // The database URL carries a password: like the API token it may come from the environment
  // rather than a file; naming a URL there means the shared PostgreSQL journal.
  if (env.PAYBRIDGE_JOURNAL_URL) input.journal = { ...((input.journal as object | undefined) ?? {}), engine: 'postgres', url: env.PAYBRIDGE_JOURNAL_URL };
  if (env.LOG_LEVEL) input.log = { ...((input.log as object | undefined) ?? {}), level: env.LOG_LEVEL };

  const base = validate<Config>(ConfigSchema, input, '');
  problems.push(...base.problems);
  const config = base.value;

  // Provider sections are checked strictly in production; in sandbox the emulators fill them in.
  const providers = [
    ['click', ClickConfigSchema, SandboxClickConfigSchema],
    ['payme', PaymeConfigSchema, SandboxPaymeConfigSchema],
    ['uzum', UzumConfigSchema, SandboxUzumConfigSchema],
  ] as const;
  for (const [key, productionSchema, sandboxSchema] of providers) {
    if (input[key] === undefined) continue;
    const section = validate<never>(config.mode === 'production' ? productionSchema : sandboxSchema, input[key], key);
    problems.push(...section.problems);
    (config as Record<string, unknown>)[key] = section.value;
  }

  config.terminals.devices.forEach((t, i) => {
    const key = `terminals.devices.${i}`;
    if (!t[t.driver]) problems.push(`${key}.${t.driver}: is required for driver ${t.driver}`);
    const b = t.bridge;
    if (t.driver === 'bridge' && b?.transport === 'tcp' && (!b.host || !b.port)) problems.push(`${key}.bridge: host and port are required for tcp`);
    if (t.driver === 'bridge' && b?.transport === 'serial' && !b.path) problems.push(`${key}.bridge.path: is required for serial`);
    if (config.terminals.devices.findIndex((o) => o.id === t.id) !== i) problems.push(`${key}.id: "${t.id}" is used twice`);
  });
  for (const method of ['humo', 'uzcard'] as const) {
    if (config.terminals.devices.filter((t) => t.method === method && t.default).length > 1) problems.push(`terminals.devices: more than one default ${method} terminal`);
  }

  if (typeof config.shop?.timezone === 'string' && config.shop.timezone !== '' && !isValidTimeZone(config.shop.timezone)) {
    problems.push(`shop.timezone: "${config.shop.timezone}" is not a time zone this Node.js knows; an IANA name such as Asia/Tashkent`);
  }

  if (config.journal.engine === 'postgres' && !config.journal.url) {
    problems.push('journal.url: is required when journal.engine is postgres (postgres://user:password@host:5432/database, or PAYBRIDGE_JOURNAL_URL)');
  }
  if (serving) problems.push(...postgresTillProblems(config));

  if (!isLoopbackHost(config.server.host) && !config.server.api_token) {
    problems.push(
      `server.api_token: is required when server.host is ${config.server.host}, which other machines can reach (set it in the file or as PAYBRIDGE_API_TOKEN, at least 16 characters)`,
    );
  }

  // Every lease against the work it must outlive (src/config/leases.ts): a recovery claim against the
  // longest settle, a request's live claim against its renewals, an idempotency key against its request.
  problems.push(...leaseProblems(config));

  if (problems.length) throw new ConfigError(source, problems);
  config.data_dir = isAbsolute(config.data_dir) ? config.data_dir : resolve(cwd, config.data_dir);
  config.journal.path ??= join(config.data_dir, 'journal.sqlite');
  config.journal.path = resolve(config.data_dir, config.journal.path);
  if (config.log.file) config.log.file = resolve(cwd, config.log.file);
  return { config, source };
}
