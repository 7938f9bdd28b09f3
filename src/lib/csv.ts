/** RFC 4180: quoted when it holds the separator, a quote or a line break; a leading =+-@ is defused for spreadsheets. */
export function csvField(value: string | number | null, separator = ','): string {
  if (value === null) return '';
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return csvQuoted(text, separator);
}

/** `text` as one field, quoted (RFC 4180) when it holds the separator, a quote or a line break; nothing defused. */
export function csvQuoted(text: string, separator = ','): string {
  return text.includes(separator) || /["\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
