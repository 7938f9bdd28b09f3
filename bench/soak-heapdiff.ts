/**
 * `node --import tsx bench/soak-heapdiff.ts BEFORE.heapsnapshot AFTER.heapsnapshot [top]`: what grew
 * between two V8 heap snapshots (as `npm run soak -- --snapshots` writes them, each after a full
 * collection), by node type and constructor: count and self size before and after, largest growth
 * first. A leak shows as a constructor whose count grows with the number of requests; warm-up as
 * compiled code and a few arrays that stop growing.
 */
import { readFileSync } from 'node:fs';

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

export interface HeapGroup {
  count: number;
  bytes: number;
}

/** Count and self size per "type:name" (objects by constructor; strings, code and arrays by type). */
export function groupHeap(snapshot: Snapshot): Map<string, HeapGroup> {
  const fields = snapshot.snapshot.meta.node_fields;
  const types = snapshot.snapshot.meta.node_types[0];
  const width = fields.length;
  const typeAt = fields.indexOf('type');
  const nameAt = fields.indexOf('name');
  const sizeAt = fields.indexOf('self_size');
  const groups = new Map<string, HeapGroup>();
  for (let i = 0; i < snapshot.nodes.length; i += width) {
    const type = types[snapshot.nodes[i + typeAt]!]!;
    // Strings, numbers and code are grouped by type alone: their "name" is their content.
    const byName = type === 'object' || type === 'closure' || type === 'native' || type === 'hidden' || type === 'array';
    const key = byName ? `${type}:${snapshot.strings[snapshot.nodes[i + nameAt]!]!.slice(0, 60)}` : type;
    const g = groups.get(key) ?? { count: 0, bytes: 0 };
    g.count += 1;
    g.bytes += snapshot.nodes[i + sizeAt]!;
    groups.set(key, g);
  }
  return groups;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [beforeFile, afterFile, topArg] = process.argv.slice(2);
  if (!beforeFile || !afterFile) {
    process.stderr.write('usage: bench/soak-heapdiff.ts BEFORE.heapsnapshot AFTER.heapsnapshot [top]\n');
    process.exit(2);
  }
  const read = (f: string) => groupHeap(JSON.parse(readFileSync(f, 'utf8')) as Snapshot);
  const before = read(beforeFile);
  const after = read(afterFile);
  const total = (m: Map<string, HeapGroup>) => [...m.values()].reduce((s, g) => s + g.bytes, 0);
  const rows = [...new Set([...before.keys(), ...after.keys()])].map((key) => {
    const b = before.get(key) ?? { count: 0, bytes: 0 };
    const a = after.get(key) ?? { count: 0, bytes: 0 };
    return { key, countBefore: b.count, countAfter: a.count, kbBefore: b.bytes / 1024, kbAfter: a.bytes / 1024, kbGrowth: (a.bytes - b.bytes) / 1024 };
  });
  rows.sort((x, y) => y.kbGrowth - x.kbGrowth);
  process.stdout.write(`heap: ${(total(before) / 1024 / 1024).toFixed(2)} MB → ${(total(after) / 1024 / 1024).toFixed(2)} MB\n`);
  process.stdout.write(`${'KB grown'.padStart(9)} ${'count before → after'.padStart(22)}  type:constructor\n`);
  for (const r of rows.slice(0, Number(topArg ?? 30))) {
    process.stdout.write(`${r.kbGrowth.toFixed(1).padStart(9)} ${`${r.countBefore} → ${r.countAfter}`.padStart(22)}  ${r.key}\n`);
  }
}
