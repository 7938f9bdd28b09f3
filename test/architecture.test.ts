import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';

const SRC = resolve(import.meta.dirname, '../src');

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

/** Every relative module a file imports (static and dynamic), as paths under src/ with forward slashes. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)['"](\.{1,2}\/[^'"]+)['"]/g)].map((m) => m[1]!);
  return specs.map((s) => relative(SRC, resolve(dirname(file), s)).split('\\').join('/'));
}

function crossings(layer: string, forbidden: readonly string[]): string[] {
  return filesUnder(join(SRC, layer)).flatMap((file) =>
    importsOf(file)
      .filter((target) => forbidden.some((dir) => target.startsWith(dir)))
      .map((target) => `${relative(SRC, file)} → ${target}`),
  );
}

test('the domain owns its ports: nothing in src/payments imports an adapter, the journal, the HTTP layer or the sandbox', () => {
  assert.deepEqual(crossings('payments', ['journal/', 'providers/', 'terminals/', 'http/', 'sandbox/', 'config/', 'metrics/', 'cli/']), []);
});

test('adapters and the journal meet only in the domain, never import each other', () => {
  assert.deepEqual(crossings('journal', ['providers/', 'terminals/', 'http/', 'sandbox/']), []);
  assert.deepEqual(crossings('providers', ['journal/', 'terminals/', 'http/']), []);
  assert.deepEqual(crossings('terminals', ['journal/', 'providers/', 'http/']), []);
});
