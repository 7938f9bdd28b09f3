/**
 * JSON as real cash-register software writes it.
 *
 * The POS clients in the field were written against hand-made documents, so they send
 * trailing commas before `}`/`]`, numbers with leading zeros (an RRN such as
 * `010965270742`), a note in parentheses after a value and a comma forgotten at a line's end (both
 * printed that way in the request examples they were written from). Standard JSON.parse refuses the first and would silently turn the second
 * into 10965270742. This parser accepts both and never loses a digit:
 *  - a number literal with a leading zero, or an integer too large to be exact as a double,
 *    comes back as the literal's own text (a string);
 *  - so does a literal with a fraction or an exponent whose value as a double is a whole number
 *    (`500.0`, `5e2`, and `500.0000000000000001`, which a double rounds to 500): only a plain
 *    integer literal ever becomes an integer, so an integer field cannot be fed a rounded reading;
 *  - with `numbers: 'raw'` every number comes back as its literal text, so money can be
 *    converted without ever passing through a float.
 * What could be read two ways is refused: a key given twice in one object (JSON.parse keeps the last,
 * so `"amount": 500` then `"amount": 5` would read 5) is a JsonDuplicateKeyError naming the key.
 * Everything else follows RFC 8259 strictly.
 * (Inside an object, a note is `(` … `)` on the value's own line; a comma may be left out only where
 * the next member starts on a new line.)
 */

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export interface LenientJsonOptions {
  /** 'exact' (default): numbers become JS numbers when that is lossless, else their text. 'raw': always their text. */
  numbers?: 'exact' | 'raw';
  /** Deepest nesting accepted; deeper input is refused instead of exhausting the stack. */
  maxDepth?: number;
}

export class JsonSyntaxError extends Error {
  constructor(
    message: string,
    readonly position: number,
  ) {
    super(message);
    this.name = 'JsonSyntaxError';
  }
}

/**
 * A key given twice in one object. The message starts with the key's path (`amount`, `items.0.price`),
 * the way a validation message names its field: `amount: given twice (line 2 column 3 and line 3 column 3); …`.
 */
export class JsonDuplicateKeyError extends JsonSyntaxError {
  constructor(
    message: string,
    position: number,
    /** Keys and array indexes from the document's root, joined by dots. */
    readonly path: string,
  ) {
    super(message, position);
    this.name = 'JsonDuplicateKeyError';
  }
}

// Keys that would reach Object.prototype when assigned; refused like secure-json-parse does.
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
const NUMBER = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const STRING_BODY = /(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;

export function parseLenientJson(text: string, options: LenientJsonOptions = {}): JsonValue {
  const rawNumbers = options.numbers === 'raw';
  const maxDepth = options.maxDepth ?? 64;
  let pos = text.charCodeAt(0) === 0xfeff ? 1 : 0;

  const where = (at: number): string => {
    const before = text.slice(0, at);
    return `line ${before.split('\n').length} column ${at - before.lastIndexOf('\n')}`;
  };

  const fail = (what: string): never => {
    const found = pos < text.length ? `'${text[pos]}'` : 'end of input';
    throw new JsonSyntaxError(`invalid JSON at ${where(pos)}: expected ${what}, found ${found}`, pos);
  };

  // Where each value sits, for naming a duplicated key: `items.0.amount`.
  const path: (string | number)[] = [];
  const pathText = (key: string): string => {
    const full = [...path, key].join('.');
    return full.length > 200 ? `${full.slice(0, 199)}…` : full;
  };

  /** Skips whitespace; says whether it crossed a line break. */
  const skipWhitespace = (): boolean => {
    let lineBreak = false;
    while (pos < text.length) {
      const c = text.charCodeAt(pos);
      if (c === 0x0a || c === 0x0d) lineBreak = true;
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) pos++;
      else break;
    }
    return lineBreak;
  };

  // A note in parentheses after a member's value, on the same line: `"amount": 50000 (цена в сотых 00)`.
  const skipAnnotation = (): void => {
    let at = pos;
    while (text[at] === ' ' || text[at] === '\t') at++;
    if (text[at] !== '(') return;
    const end = text.indexOf(')', at);
    const eol = text.slice(at).search(/[\r\n]/);
    if (end === -1 || (eol !== -1 && at + eol < end)) {
      pos = at;
      fail("')' closing the note on the same line");
    }
    pos = end + 1;
  };

  const parseString = (): string => {
    const start = pos;
    pos++; // opening quote
    STRING_BODY.lastIndex = pos;
    const m = STRING_BODY.exec(text);
    if (!m) {
      pos = start;
      return fail('a well-formed string');
    }
    pos = STRING_BODY.lastIndex;
    return JSON.parse(text.slice(start, pos)) as string;
  };

  const parseNumber = (): string | number => {
    NUMBER.lastIndex = pos;
    const m = NUMBER.exec(text);
    if (!m) return fail('a value');
    const literal = m[0];
    pos = NUMBER.lastIndex;
    if (rawNumbers) return literal;
    const digits = literal.startsWith('-') ? literal.slice(1) : literal;
    if (digits.length > 1 && digits[0] === '0' && digits[1]! >= '0' && digits[1]! <= '9') {
      return literal; // leading zeros: an identifier written as a number, kept digit for digit
    }
    const value = Number(literal);
    const plainInteger = /^-?\d+$/.test(literal);
    if (plainInteger && !Number.isSafeInteger(value)) return literal;
    if (!Number.isFinite(value)) return literal;
    // 500.0, 5e2, 500.0000000000000001: a whole number only after reading the exponent or rounding
    // to a double. Kept as written, so nothing that wants an integer takes it for one.
    if (!plainInteger && Number.isInteger(value)) return literal;
    return value;
  };

  const parseWord = (word: string, value: JsonValue): JsonValue => {
    if (text.startsWith(word, pos)) {
      pos += word.length;
      return value;
    }
    return fail('a value');
  };

  const parseValue = (depth: number): JsonValue => {
    skipWhitespace();
    const c = text[pos];
    switch (c) {
      case '{':
        return parseObject(depth + 1);
      case '[':
        return parseArray(depth + 1);
      case '"':
        return parseString();
      case 't':
        return parseWord('true', true);
      case 'f':
        return parseWord('false', false);
      case 'n':
        return parseWord('null', null);
      default:
        return parseNumber();
    }
  };

  const checkDepth = (depth: number): void => {
    if (depth > maxDepth) fail(`nesting no deeper than ${maxDepth}`);
  };

  const parseObject = (depth: number): JsonValue => {
    checkDepth(depth);
    pos++;
    const result: { [key: string]: JsonValue } = {};
    const keyPositions = new Map<string, number>();
    skipWhitespace();
    if (text[pos] === '}') {
      pos++;
      return result;
    }
    for (;;) {
      skipWhitespace();
      if (text[pos] !== '"') fail('a "quoted" key');
      const keyAt = pos;
      const key = parseString();
      if (FORBIDDEN_KEYS.has(key)) {
        pos = keyAt;
        fail('a key other than __proto__, constructor or prototype');
      }
      const firstAt = keyPositions.get(key);
      if (firstAt !== undefined) {
        const name = pathText(key);
        throw new JsonDuplicateKeyError(`${name}: given twice (${where(firstAt)} and ${where(keyAt)}); a field may appear only once`, keyAt, name);
      }
      keyPositions.set(key, keyAt);
      skipWhitespace();
      if (text[pos] !== ':') fail("':'");
      pos++;
      path.push(key);
      result[key] = parseValue(depth);
      path.pop();
      skipAnnotation();
      const lineBreak = skipWhitespace();
      if (text[pos] === '"' && lineBreak) continue; // the next member on its own line, its comma forgotten
      if (text[pos] === ',') {
        pos++;
        skipWhitespace();
        if (text[pos] === '}') {
          pos++;
          return result; // trailing comma, as the seed documents print it
        }
        continue;
      }
      if (text[pos] === '}') {
        pos++;
        return result;
      }
      fail("',' or '}'");
    }
  };

  const parseArray = (depth: number): JsonValue => {
    checkDepth(depth);
    pos++;
    const result: JsonValue[] = [];
    skipWhitespace();
    if (text[pos] === ']') {
      pos++;
      return result;
    }
    for (;;) {
      path.push(result.length);
      result.push(parseValue(depth));
      path.pop();
      skipWhitespace();
      if (text[pos] === ',') {
        pos++;
        skipWhitespace();
        if (text[pos] === ']') {
          pos++;
          return result;
        }
        continue;
      }
      if (text[pos] === ']') {
        pos++;
        return result;
      }
      fail("',' or ']'");
    }
  };

  const value = parseValue(0);
  skipWhitespace();
  if (pos < text.length) fail('end of input');
  return value;
}
