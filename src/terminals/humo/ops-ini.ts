import { readFileSync } from 'node:fs';
import iconv from 'iconv-lite';

export type Arcus2Op = 'purchase' | 'cancel' | 'refund' | 'close_shift' | 'print_last';

export interface OpsIniLine {
  code: number;
  opClass: number;
  opId: number;
  name: string;
}

/** `ops.ini`: `op code = op class, op id, name` per line, `#` disables a line. Written in cp1251 on Windows. */
export function parseOpsIni(text: string): OpsIniLine[] {
  const lines: OpsIniLine[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';') || line.startsWith('[')) continue;
    const m = /^(\d+)\s*=\s*(\d+)\s*,\s*(\d+)\s*,\s*(.*)$/.exec(line);
    if (m) lines.push({ code: Number(m[1]), opClass: Number(m[2]), opId: Number(m[3]), name: m[4]!.trim() });
  }
  return lines;
}

// How each operation is recognised by its name in ops.ini; the first line that matches wins.
// (\b knows no Cyrillic letters, hence the explicit ends.)
const NAMES: Record<Arcus2Op, RegExp> = {
  purchase: /^(оплата|покупка|purchase|sale)(\s|$)/iu,
  cancel: /(универсальная отмена|universal cancel)/iu,
  refund: /^(возврат|refund)(\s|$)/iu,
  close_shift: /(сверка итогов|закрытие смены|reconciliation|settlement)/iu,
  print_last: /(последн|копия чека|print last|last receipt)/iu,
};

export function readOpsIni(path: string): OpsIniLine[] {
  return parseOpsIni(iconv.decode(readFileSync(path), 'cp1251'));
}

/**
 * The op codes of this site: from its ops.ini by operation name, each overridable in the
 * configuration. Never built in: every Arcus2 install numbers its operations its own way.
 */
export function resolveOpCodes(lines: OpsIniLine[], overrides: Partial<Record<Arcus2Op, number>>): { codes: Partial<Record<Arcus2Op, number>>; missing: Arcus2Op[] } {
  const codes: Partial<Record<Arcus2Op, number>> = {};
  const missing: Arcus2Op[] = [];
  for (const op of Object.keys(NAMES) as Arcus2Op[]) {
    const code = overrides[op] ?? lines.find((l) => NAMES[op].test(l.name))?.code;
    if (code === undefined) missing.push(op);
    else codes[op] = code;
  }
  return { codes, missing };
}
