import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { ClickConfigSchema, ConfigSchema, PaymeConfigSchema, UzumConfigSchema } from '../src/config/schema.js';

interface Node {
  type?: string;
  properties?: Record<string, Node>;
}

/** Every setting's dotted key: the leaves of the schema (an array's items are its own key). */
function keys(schema: Node, prefix: string): string[] {
  if (schema.type !== 'object' || !schema.properties) return [prefix];
  return Object.entries(schema.properties).flatMap(([k, v]) => keys(v, prefix ? `${prefix}.${k}` : k));
}

describe('the README’s configuration table (#28: it lacked sandbox.uzum.port and others)', () => {
  test('names every key of the configuration, in its key column', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const table = readme
      .slice(readme.indexOf('| key | default | meaning |'))
      .split('\n\n')[0]!
      .split('\n')
      .slice(2)
      .map((row) => row.split('|')[1] ?? '');
    const named = table.flatMap((cell) => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]!));
    // `x.*` stands for the settings under x, `x[]` for an array's items.
    const covered = (key: string) => named.some((n) => n === key || (n.endsWith('.*') && key.startsWith(n.slice(0, -1))) || (n.endsWith('[]') && key.startsWith(n.slice(0, -2))));
    // click, payme and uzum are free-form in ConfigSchema: their own schemas hold the keys.
    const all = [...keys(ConfigSchema as Node, '').filter((k) => !['click', 'payme', 'uzum'].includes(k)), ...keys(ClickConfigSchema as Node, 'click'), ...keys(PaymeConfigSchema as Node, 'payme'), ...keys(UzumConfigSchema as Node, 'uzum')];
    assert.ok(all.length > 50, `the schema read: ${all.length} keys`);
    assert.deepEqual(all.filter((k) => !covered(k)), [], 'keys missing from the README’s table');
    assert.ok(named.includes('sandbox.uzum.port'));
  });
});
