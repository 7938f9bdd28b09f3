import { ConfigError, loadConfig } from '../../config/load.js';
import type { Config } from '../../config/schema.js';
import { maskText, paramName } from '../../payments/masking.js';
import type { JournalFileFacts } from '../../journal/sqlite/backup.js';
import { CliExit, EXIT } from '../exit-codes.js';

/** The journal the configuration names, as `start` would open it (`--config`, PAYBRIDGE_CONFIG, .env, PAYBRIDGE_DATA_DIR). */
export function configuredJournal(configFile: string | undefined): Config['journal'] {
  try {
    return loadConfig({ ...process.env, ...(configFile ? { PAYBRIDGE_CONFIG: configFile } : {}) }, undefined, { serving: false }).config.journal;
  } catch (err) {
    if (err instanceof ConfigError) throw new CliExit(EXIT.CONFIG, maskText(err.message));
    throw err;
  }
}

/** A postgres:// URL a command line may carry: without its password (pg_dump and pg_restore take it from PGPASSWORD or the password file). */
export function urlWithoutPassword(url: string): string {
  try {
    const u = new URL(url);
    u.password = '';
    // libpq takes a password in the query too (`password`, and `sslpassword` for the client key). The
    // other parameters are kept as written: URLSearchParams would write them again (a space as `+`,
    // which libpq does not read as a space).
    const kept = u.search.slice(1).split('&').filter((p) => p !== '' && !/^(ssl)?password$/i.test(paramName(p.split('=')[0]!)));
    u.search = kept.length > 0 ? `?${kept.join('&')}` : '';
    return u.toString();
  } catch {
    return maskText(url);
  }
}

export function sizeText(bytes: number): string {
  const mb = bytes / (1024 * 1024);
  return `${mb >= 0.1 ? `${mb.toFixed(1)} MB` : `${(bytes / 1024).toFixed(1)} KB`} (${bytes} bytes)`;
}

/** "schema version 11, 1234 transactions (1200 payments, 34 give-backs), 2.1 MB (…)". */
export function factsText(facts: JournalFileFacts): string {
  return `schema version ${facts.schemaVersion}, ${facts.transactions} transactions (${facts.payments} payments, ${facts.giveBacks} give-backs), ${sizeText(facts.bytes)}`;
}
