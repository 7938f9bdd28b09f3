import type { TSchema } from '../lib/typebox.js';

/**
 * POS clients in the field send numbers as numeric strings ("500"), booleans as "true"/"false",
 * and identifiers as bare numbers (request_id 650). Before validation, each top-level field is
 * brought to the type its schema declares, when that is lossless; anything else is left as sent,
 * so validation names it.
 */
export function coerceToSchema(schema: TSchema, value: unknown): unknown {
  const properties = (schema as { properties?: Record<string, TSchema> }).properties;
  if (!properties || value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const out: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  for (const [key, propertySchema] of Object.entries(properties)) {
    if (!(key in out)) continue;
    out[key] = coerceScalar((propertySchema as { type?: string }).type, out[key]);
  }
  return out;
}

function coerceScalar(type: string | undefined, value: unknown): unknown {
  switch (type) {
    case 'integer':
    case 'number':
      if (typeof value === 'string' && /^-?\d+$/.test(value)) {
        const n = Number(value);
        return Number.isSafeInteger(n) ? n : value;
      }
      return value;
    case 'boolean':
      if (value === 'true') return true;
      if (value === 'false') return false;
      return value;
    case 'string':
      return typeof value === 'number' && Number.isFinite(value) ? String(value) : value;
    default:
      return value;
  }
}
