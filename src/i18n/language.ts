export const LANGUAGES = ['ru', 'uz', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];

/**
 * The language a request asks for with Accept-Language (RFC 9110 weights), among the three
 * PayBridge speaks; the configured default when it asks for none of them. "uz-Cyrl" is not
 * offered (the messages are in the Latin alphabet), so it falls through to the next choice.
 */
export function pickLanguage(acceptLanguage: string | undefined, fallback: Language): Language {
  if (!acceptLanguage) return fallback;
  let best: { language: Language; weight: number } | undefined;
  for (const part of acceptLanguage.split(',').slice(0, 32)) {
    const [tag = '', ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => /^\s*q=([01](?:\.\d{0,3})?)\s*$/.exec(p)).find(Boolean);
    const weight = q ? Number(q[1]) : 1;
    if (!(weight > 0)) continue;
    const [primary, script] = tag.split('-');
    const language = LANGUAGES.find((l) => l === primary);
    if (!language || (language === 'uz' && script === 'cyrl')) continue;
    if (!best || weight > best.weight) best = { language, weight };
  }
  return best?.language ?? fallback;
}
