/**
 * `node --import tsx bench/profile.ts [seconds] [rate]`: Click payments through PayBridge under load
 * with the V8 CPU profiler on; prints the functions with the most self time and writes the
 * .cpuprofile (open it in Chrome DevTools or speedscope for the flame graph).
 */
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startBridgeProcess, startEmulatorProcess } from './lib/children.js';
import { load } from './lib/load.js';
import { pacedLoad } from './lib/paced.js';

const seconds = Number(process.argv[2] ?? 5);
const rate = process.argv[3] ? Number(process.argv[3]) : undefined;
const dir = new URL('./profiles/', import.meta.url).pathname;
mkdirSync(dir, { recursive: true });
const emulators = await startEmulatorProcess(0);
const bridge = await startBridgeProcess({ port: 18_999, click: emulators.click, ...(process.env.BENCH_DATA_DIR ? { dataDir: process.env.BENCH_DATA_DIR } : {}), extraArgs: ['--cpu-prof', `--cpu-prof-dir=${dir}`] });
const body = (n: number) => JSON.stringify({ amount: 500, qr_code: `8801${process.pid}${String(n).padStart(9, '0')}000` });
// With a rate: evenly spaced, as scenario 1 loads it; without: as fast as answered, as scenario 2.
const result = rate
  ? await pacedLoad({ url: `${bridge.url}/payment/click`, body, connections: 50, rate, seconds })
  : await load({ url: `${bridge.url}/payment/click`, body, connections: 32, duration: seconds });
await bridge.stop();
await emulators.stop();
console.log(`${result.requests} payments, ${result.perSecond.toFixed(0)}/s, p50 ${result.p50.toFixed(2)} ms, p99 ${result.p99.toFixed(2)} ms`);

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
// One profile per thread of the PayBridge process: the main thread (HTTP, providers) and the journal's.
const pid = String(bridge.process.pid);
const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile') && f.split('.')[3] === pid).sort();
for (const file of files) {
  const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { nodes: Node[] };
  const byFunction = new Map<string, number>();
  let total = 0;
  for (const node of profile.nodes) {
    const hits = node.hitCount ?? 0;
    total += hits;
    const where = node.callFrame.url.replace(/^.*\/(node_modules\/)?/, (m) => (m.includes('node_modules') ? 'node_modules/' : '')).replace(/^file:\/\//, '');
    const key = `${node.callFrame.functionName || '(anonymous)'}  ${where}:${node.callFrame.lineNumber + 1}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + hits);
  }
  console.log(`\nprofile: ${join(dir, file)} (thread ${file.split('.')[4]})\nself time, top 25:`);
  for (const [key, hits] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`${((hits / total) * 100).toFixed(1).padStart(5)}%  ${key}`);
}
