import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import iconv from 'iconv-lite';

/**
 * Arcus2's own configuration, `INI/cashreg.ini`: the DLL and its tool read it, so it is the truth
 * about where the slip and the result are written, in which charset, and how result codes are
 * remapped. PayBridge's settings only override it.
 */

export interface CashregIni {
  /** Where the file was read from, or null when there is none. */
  path: string | null;
  /** Upper-cased keys; each value with the line it came from. */
  values: Map<string, { value: string; line: number }>;
}

export function parseCashregIni(text: string, path: string | null): CashregIni {
  const values = new Map<string, { value: string; line: number }>();
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (!line || line.startsWith(';') || line.startsWith('#') || line.startsWith('[')) return;
    const eq = line.indexOf('=');
    if (eq <= 0) return;
    values.set(line.slice(0, eq).trim().toUpperCase(), { value: line.slice(eq + 1).trim(), line: index + 1 });
  });
  return { path, values };
}

/** cashreg.ini where it exists; an install without one is left to PayBridge's settings and Arcus2's defaults. */
export function readCashregIni(path: string): CashregIni {
  if (!existsSync(path)) return { path: null, values: new Map() };
  // Keys are ASCII and file names on a Windows till are in the ANSI code page.
  return parseCashregIni(iconv.decode(readFileSync(path), 'cp1251'), path);
}

export class CashregError extends Error {}

const DEFAULT_OPS_INI = 'INI/ops.ini';

/** The iconv name of a charset as cashreg.ini or the configuration spells it (CP1251, WIN1251, 866, UTF8 …). */
export function charsetName(value: string): string | undefined {
  const v = value.trim().toLowerCase().replace(/[-_\s]/g, '');
  if (/^(cp|win|windows)?1251$/.test(v) || v === 'ansi') return 'cp1251';
  if (/^(cp|dos|ibm)?866$/.test(v) || v === 'oem') return 'cp866';
  if (v === 'utf8') return 'utf8';
  return undefined;
}

const yes = (value: string | undefined) => !!value && /^(1|yes|true|on|да)$/i.test(value.trim());

/** A code remap (RC_CONVERT_FILE): `original = written` per line. */
export type RcRemap = Map<string, string>;

export function parseRcRemap(text: string): RcRemap {
  const map: RcRemap = new Map();
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith(';') || line.startsWith('#') || line.startsWith('[')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    map.set(line.slice(0, eq).trim(), line.slice(eq + 1).trim());
  }
  return map;
}

export interface Arcus2Files {
  cheqFile: string;
  rcFile: string;
  opsIni: string;
  charset: string;
  /** Applied backwards to rc.out: what the site writes, to the pinpad's own code. Null: rc.out holds the original code. */
  rcRemap: RcRemap | null;
  /** Where each came from, for the start-up log. */
  sources: Record<'cheq_file' | 'rc_file' | 'ops_ini' | 'charset' | 'rc_remap', string>;
}

export interface Arcus2FileSettings {
  work_dir: string;
  cashreg_ini: string;
  cheq_file?: string | undefined;
  rc_file?: string | undefined;
  ops_ini?: string | undefined;
  charset?: string | undefined;
}

/**
 * The files and charsets PayBridge uses: each PayBridge setting when given, else cashreg.ini's key,
 * else Arcus2's default. `setting` is the configuration key of the Arcus2 section, for messages.
 */
export function arcus2Files(s: Arcus2FileSettings, setting: string): Arcus2Files {
  const iniPath = isAbsolute(s.cashreg_ini) ? s.cashreg_ini : join(s.work_dir, s.cashreg_ini);
  const ini = readCashregIni(iniPath);
  const at = (key: string) => {
    const v = ini.values.get(key);
    return v && v.value ? { value: v.value, where: `${ini.path} line ${v.line} (${key})` } : undefined;
  };
  const inWork = (file: string) => (isAbsolute(file) ? file : join(s.work_dir, file));
  const pick = (own: string | undefined, key: string, fallback: string, name: string) => {
    if (own !== undefined) return { value: own, where: `${setting}.${name}` };
    return at(key) ?? { value: fallback, where: `Arcus2's default (${ini.path ? `${ini.path} has no ${key}` : `no ${iniPath}`})` };
  };
  const cheq = pick(s.cheq_file, 'CHEQ_FILE', 'cheq.out', 'cheq_file');
  const rc = pick(s.rc_file, 'RESULT_FILE', 'rc.out', 'rc_file');

  // cashreg.ini names ops.ini as it sits beside it (the INI folder); the setting is relative to work_dir.
  let opsIni: { value: string; where: string };
  // The setting has a default (the CLI's config check reads it), so only a changed one overrides cashreg.ini.
  const own = s.ops_ini === undefined || s.ops_ini === DEFAULT_OPS_INI ? undefined : s.ops_ini;
  const opsKey = own === undefined ? at('OPERATION_INI_FILE') : undefined;
  if (own !== undefined) opsIni = { value: inWork(own), where: `${setting}.ops_ini` };
  else if (opsKey) {
    const beside = isAbsolute(opsKey.value) ? opsKey.value : join(dirname(iniPath), opsKey.value);
    opsIni = { value: existsSync(beside) ? beside : inWork(opsKey.value), where: opsKey.where };
  } else opsIni = { value: inWork(DEFAULT_OPS_INI), where: s.ops_ini === undefined ? "Arcus2's default" : `${setting}.ops_ini` };

  // OPCHARSET is the till's side (the files written for it); PPCHARSET the pinpad's, used where the
  // till's is not given (an inference: public files set both to CP1251).
  const charsetSource = s.charset !== undefined ? { value: s.charset, where: `${setting}.charset` } : (at('OPCHARSET') ?? at('PPCHARSET') ?? { value: 'cp1251', where: "Arcus2's default" });
  const charset = charsetName(charsetSource.value);
  if (!charset) throw new CashregError(`${charsetSource.where}: charset "${charsetSource.value}" is not one PayBridge reads (CP1251, CP866, UTF-8); set ${setting}.charset`);

  let rcRemap: RcRemap | null = null;
  let remapWhere = 'none: rc.out holds the pinpad’s own codes';
  const convert = at('RC_CONVERT_FILE');
  const original = at('USEORIGINALRC');
  if (convert && !yes(original?.value)) {
    const path = isAbsolute(convert.value) ? convert.value : [join(dirname(iniPath), convert.value), inWork(convert.value)].find((p) => existsSync(p));
    if (!path || !existsSync(path)) {
      throw new CashregError(`${convert.where}: the remap file "${convert.value}" cannot be found, so rc.out cannot be read; put it in place, or set USEORIGINALRC=1 there`);
    }
    rcRemap = parseRcRemap(iconv.decode(readFileSync(path), charset));
    remapWhere = `${convert.where}: ${path}, ${rcRemap.size} codes`;
  } else if (convert) remapWhere = `none: ${original!.where} keeps the original codes`;

  return {
    cheqFile: inWork(cheq.value),
    rcFile: inWork(rc.value),
    opsIni: opsIni.value,
    charset,
    rcRemap,
    sources: { cheq_file: cheq.where, rc_file: rc.where, ops_ini: opsIni.where, charset: charsetSource.where, rc_remap: remapWhere },
  };
}

/**
 * The pinpad's response code in rc.out, or undefined when the file does not say it plainly: the
 * whole content is the code (or, with a remap, a value the remap writes for exactly one code).
 * Anything else is an unknown outcome for the caller, never a refusal.
 */
export function readResultCode(content: string, remap: RcRemap | null): string | undefined {
  const text = content.replace(/^\uFEFF/, '').trim();
  if (!text) return undefined;
  if (remap) {
    const originals = [...remap.entries()].filter(([, written]) => written === text).map(([from]) => from);
    if (originals.length > 1) return undefined;
    if (originals.length === 1) return /^\d{3}$/.test(originals[0]!) ? originals[0] : undefined;
    // A code the remap rewrites was never written as itself: seeing it proves nothing.
    if (remap.has(text)) return undefined;
  }
  return /^\d{3}$/.test(text) ? text : undefined;
}
