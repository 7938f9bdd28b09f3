import { readFileSync } from 'node:fs';
import iconv from 'iconv-lite';

/** The operations PayBridge runs through Arcus2. `refund`, `print_last_report` and `x_report` exist only at some sites. */
export type Arcus2Op = 'purchase' | 'cancel' | 'refund' | 'close_shift' | 'print_last' | 'print_last_report' | 'x_report';
/** Operations PayBridge never runs but must recognise, so that no other operation is taken for them. */
type OtherOp = 'cancel_last' | 'cancel_by_link';
type KnownOp = Arcus2Op | OtherOp;

export const REQUIRED_OPS: readonly Arcus2Op[] = ['purchase', 'cancel', 'close_shift', 'print_last'];
export const OPTIONAL_OPS: readonly Arcus2Op[] = ['refund', 'print_last_report', 'x_report'];
/** Operations that only read or print: no line that could move money may ever stand for them. */
export const READ_ONLY_OPS: readonly Arcus2Op[] = ['print_last', 'print_last_report', 'x_report'];

export interface OpsIniLine {
  code: number;
  opClass: number;
  opId: number;
  name: string;
  /** 1-based line number in the file, and the line as written, for messages. */
  line: number;
  text: string;
}

/** `ops.ini`: `op code = op class, op id, name` per line, `#` disables a line. Written in cp1251 on Windows. */
export function parseOpsIni(text: string): OpsIniLine[] {
  const lines: OpsIniLine[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';') || line.startsWith('[')) return;
    const m = /^(\d+)\s*=\s*(\d+)\s*,\s*(\d+)\s*,\s*(.*)$/.exec(line);
    if (m) lines.push({ code: Number(m[1]), opClass: Number(m[2]), opId: Number(m[3]), name: m[4]!.trim(), line: index + 1, text: line });
  });
  return lines;
}

/**
 * ops.ini is a Windows text file of the install, in the ANSI code page (cp1251) whatever charset
 * cashreg.ini gives the tool's output files; one saved as UTF-8 with a byte-order mark is read so.
 */
export function readOpsIni(path: string): OpsIniLine[] {
  const bytes = readFileSync(path);
  const utf8 = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  return parseOpsIni(utf8 ? bytes.subarray(3).toString('utf8') : iconv.decode(bytes, 'cp1251'));
}

/**
 * A name as compared: lower case, ё as е, every Uzbek apostrophe as ', punctuation and hyphens as
 * spaces. Whole names are compared after this, never fragments: «Отмена последней» contains
 * «последн» and is still a cancel.
 */
export function normaliseName(name: string): string {
  return name
    .toLowerCase()
    .replace(/ё/g, 'е')
    .replace(/[ʻʼ‘’`´]/g, "'")
    .replace(/[.,:;!?"«»()[\]{}\-–—_/\\№#*]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * The names installs give their operations, Russian, Uzbek (Latin and Cyrillic) and English. A name
 * listed under two operations (a bare «Отмена» is universal cancel at one site and cancel-last at
 * another) is ambiguous, and only the configuration can say which it is.
 */
const NAMES: Record<KnownOp, readonly string[]> = {
  purchase: [
    'оплата', 'покупка', 'продажа', 'оплата покупки', 'оплата картой', 'purchase', 'sale', 'payment', 'pay',
    "to'lov", 'tolov', 'xarid', 'sotish', "karta orqali to'lov", 'тўлов', 'тулов', 'харид', 'сотиш',
  ],
  cancel: [
    'универсальная отмена', 'отмена', 'отмена операции', 'отмена оплаты', 'отмена покупки', 'universal cancel', 'cancel', 'void', 'cancellation',
    'universal bekor qilish', 'bekor qilish', 'универсал бекор қилиш', 'бекор қилиш',
  ],
  cancel_last: [
    'отмена последней', 'отмена последней операции', 'отмена последнего', 'отмена последней транзакции', 'отмена', 'cancel last', 'void last', 'cancel',
    'void', "oxirgisini bekor qilish", "oxirgi operatsiyani bekor qilish", 'bekor qilish', 'охиргисини бекор қилиш', 'охирги операцияни бекор қилиш', 'бекор қилиш',
  ],
  cancel_by_link: ['отмена по ссылке', 'отмена по rrn', 'отмена по номеру', 'cancel by link', 'cancel by rrn', "havola bo'yicha bekor qilish", 'rrn bo\'yicha bekor qilish'],
  refund: ['возврат', 'возврат покупки', 'возврат оплаты', 'возврат платежа', 'refund', 'return', 'qaytarish', "pulni qaytarish", 'қайтариш', 'пулни қайтариш'],
  close_shift: [
    'сверка итогов', 'закрытие смены', 'закрытие дня', 'сверка', 'reconciliation', 'settlement', 'close batch', 'close shift', 'close day', 'end of day',
    'smenani yopish', 'yakunlarni solishtirish', 'сменани ёпиш', 'якунларни солиштириш',
  ],
  print_last: [
    'печать последнего чека', 'копия последнего чека', 'повтор последнего чека', 'последний чек', 'копия чека', 'print last', 'print last receipt',
    'last receipt', 'last slip', 'reprint', 'reprint last', 'oxirgi chek', 'oxirgi chekni chop etish', 'oxirgi chek nusxasi', 'охирги чек', 'охирги чекни чоп этиш',
  ],
  print_last_report: [
    'печать последнего отчета', 'копия последнего отчета', 'последний отчет', 'print last report', 'last report', 'reprint report',
    'oxirgi hisobot', 'oxirgi hisobotni chop etish', 'охирги ҳисобот', 'охирги хисобот',
  ],
  x_report: ['x отчет', 'х отчет', 'промежуточный отчет', 'краткий отчет', 'x report', 'short report', 'oraliq hisobot', 'x hisobot', 'оралиқ ҳисобот', 'х ҳисобот'],
};

const BY_NAME = new Map<string, KnownOp[]>();
for (const [op, names] of Object.entries(NAMES) as [KnownOp, readonly string[]][]) {
  for (const name of names) {
    const key = normaliseName(name);
    const ops = BY_NAME.get(key) ?? [];
    if (!ops.includes(op)) ops.push(op);
    BY_NAME.set(key, ops);
  }
}

/** What a line's name could stand for (more than one: ambiguous; none: a name PayBridge does not know). */
export function operationsNamed(name: string): KnownOp[] {
  return BY_NAME.get(normaliseName(name)) ?? [];
}

/**
 * Words of operations that move money. Here a fragment is the safe reading: a read-only operation
 * is refused whenever its name so much as contains one, whatever else it says.
 */
const MONEY_WORDS =
  /отмен|возврат|сторн|аннул|оплат|покуп|продаж|бекор|қайтар|кайтар|тўлов|харид|bekor|qaytar|to'lov|xarid|cancel|refund|void|revers|storno|return|annul|purchase|sale|payment/u;

export function carriesMoneyWord(name: string): boolean {
  return MONEY_WORDS.test(normaliseName(name));
}

export interface ClassPin {
  class: number;
  id: number;
}

export interface OpsOverrides {
  /** `arcus2.ops`: the op code, as the tool is run with it. */
  byCode?: Partial<Record<Arcus2Op, number>>;
  /** `arcus2.ops_by_class`: the line whose op class and op id these are (they never change between installs of one bank). */
  byClass?: Partial<Record<Arcus2Op, ClassPin>>;
}

export interface ResolvedOps {
  codes: Partial<Record<Arcus2Op, number>>;
  /** How each operation was found, for the start-up log. */
  how: Partial<Record<Arcus2Op, string>>;
}

export class OpsIniError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OpsIniError';
  }
}

const show = (file: string, l: OpsIniLine) => `${file} line ${l.line} ("${l.text}")`;

/**
 * The op codes of this site. Each operation comes from the configuration (by code, or by op class
 * and id), else from exactly one ops.ini line whose whole name is one of that operation's names.
 * Throws, naming the lines and the settings, when an operation is ambiguous, a required one is
 * missing, or a read-only operation would run a line whose name speaks of money.
 * `setting` is the configuration key of the Arcus2 section (`terminals.devices.0.arcus2`).
 */
export function resolveOps(lines: OpsIniLine[], overrides: OpsOverrides, file: string, setting: string): ResolvedOps {
  const codes: Partial<Record<Arcus2Op, number>> = {};
  const how: Partial<Record<Arcus2Op, string>> = {};
  const problems: string[] = [];
  const fix = (op: Arcus2Op) => `set ${setting}.ops.${op} (its code) or ${setting}.ops_by_class.${op} ({ class, id })`;
  const lineOf: Partial<Record<Arcus2Op, OpsIniLine>> = {};

  for (const op of [...REQUIRED_OPS, ...OPTIONAL_OPS]) {
    const code = overrides.byCode?.[op];
    const pin = overrides.byClass?.[op];
    if (code !== undefined && pin !== undefined) {
      problems.push(`${setting}.ops.${op} and ${setting}.ops_by_class.${op} are both set; keep one`);
      continue;
    }
    if (code !== undefined) {
      const found = lines.filter((l) => l.code === code);
      if (found.length > 1) {
        problems.push(`${setting}.ops.${op} = ${code}: code ${code} is on ${found.length} lines of ${file} (${found.map((l) => show(file, l)).join('; ')}); the tool's choice cannot be known`);
        continue;
      }
      codes[op] = code;
      if (found[0]) lineOf[op] = found[0];
      how[op] = found[0] ? `${setting}.ops.${op}, ${show(file, found[0])}` : `${setting}.ops.${op} (a code ${file} does not list)`;
      continue;
    }
    if (pin !== undefined) {
      const found = lines.filter((l) => l.opClass === pin.class && l.opId === pin.id);
      if (found.length !== 1) {
        problems.push(
          found.length === 0
            ? `${setting}.ops_by_class.${op}: no line of ${file} has op class ${pin.class}, op id ${pin.id}`
            : `${setting}.ops_by_class.${op}: op class ${pin.class}, op id ${pin.id} is on ${found.length} lines of ${file} (${found.map((l) => show(file, l)).join('; ')})`,
        );
        continue;
      }
      codes[op] = found[0]!.code;
      lineOf[op] = found[0]!;
      how[op] = `${setting}.ops_by_class.${op}, ${show(file, found[0]!)}`;
      continue;
    }
    const named = lines.filter((l) => operationsNamed(l.name).includes(op));
    const twoWays = named.filter((l) => operationsNamed(l.name).length > 1);
    if (twoWays.length) {
      const l = twoWays[0]!;
      problems.push(`${show(file, l)}: the name could be ${operationsNamed(l.name).join(' or ')}; ${fix(op)}`);
      continue;
    }
    if (named.length > 1) {
      problems.push(`${op} is named on ${named.length} lines of ${file} (${named.map((l) => show(file, l)).join('; ')}); ${fix(op)}`);
      continue;
    }
    const line = named[0];
    if (!line) {
      if (REQUIRED_OPS.includes(op)) problems.push(`${file} names no ${op} operation (known names are compared whole); ${fix(op)}`);
      continue;
    }
    const sameCode = lines.filter((l) => l.code === line.code);
    if (sameCode.length > 1) {
      problems.push(`${op}: code ${line.code} is on ${sameCode.length} lines of ${file} (${sameCode.map((l) => show(file, l)).join('; ')}); ${fix(op)}`);
      continue;
    }
    codes[op] = line.code;
    lineOf[op] = line;
    how[op] = show(file, line);
  }

  // Structural safety: whatever the file or the configuration says, reading the last slip or a
  // report never runs a line whose name speaks of money or that another operation resolved to.
  for (const op of READ_ONLY_OPS) {
    const code = codes[op];
    if (code === undefined) continue;
    const line = lineOf[op];
    if (line && (carriesMoneyWord(line.name) || operationsNamed(line.name).some((o) => !(READ_ONLY_OPS as readonly string[]).includes(o)))) {
      problems.push(`${op} would run ${show(file, line)}, an operation that moves money; PayBridge never runs it to read or print (${fix(op)} to a read-only line)`);
      continue;
    }
    const clash = (Object.entries(codes) as [Arcus2Op, number][]).find(([other, c]) => other !== op && c === code && !(READ_ONLY_OPS as readonly string[]).includes(other));
    if (clash) problems.push(`${op} and ${clash[0]} would both run code ${code}; PayBridge never runs a money operation to read or print (${fix(op)})`);
  }
  if (problems.length) throw new OpsIniError(`${setting}: ${problems.join('\n  ')}`);
  return { codes, how };
}

/** Every line's code, class, id and what its name was taken for, for the start-up log. */
export function describeLines(lines: OpsIniLine[]): { line: number; code: number; class: number; id: number; name: string; recognised_as: string[] }[] {
  return lines.map((l) => ({ line: l.line, code: l.code, class: l.opClass, id: l.opId, name: l.name, recognised_as: operationsNamed(l.name) }));
}

/**
 * Refuses codes configured by hand for operations that only read or print when the site's ops.ini
 * shows them moving money (a cancel-last given as print-last would cancel a customer's payment each
 * time a slip is reprinted). `reading` maps each setting to its code.
 */
export function assertReadOnlyCodes(lines: readonly OpsIniLine[], reading: Readonly<Record<string, number | undefined>>, file: string): void {
  const problems: string[] = [];
  for (const [setting, code] of Object.entries(reading)) {
    if (code === undefined) continue;
    const line = lines.find((l) => l.code === code);
    if (line && carriesMoneyWord(line.name)) problems.push(`${setting} = ${code} is line ${line.line} of ${file} ("${line.text}"), an operation that moves money`);
  }
  if (problems.length) throw new Error(`${problems.join('; ')}: a reading or printing operation can never be one that moves money; set the code of the site's print operation`);
}
