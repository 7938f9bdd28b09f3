// `npm test`'s runner: lists test/*.test.ts itself and hands the files to node --test. A glob in
// package.json is expanded by sh only; cmd and PowerShell pass it on as written, and Node 20's --test
// does not expand it either, so on Windows `npm test` found no tests.
//
//   node test/run-all.mjs                          every test file, in name order
//   node test/run-all.mjs click payme              the files whose name contains "click" or "payme"
//   node test/run-all.mjs --test-name-pattern=x    arguments that start with "-" go to node --test
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const testDir = dirname(fileURLToPath(import.meta.url));
const root = dirname(testDir);
const args = process.argv.slice(2);
const nodeArgs = args.filter((a) => a.startsWith('-'));
const filters = args.filter((a) => !a.startsWith('-'));

const all = readdirSync(testDir)
  .filter((name) => name.endsWith('.test.ts'))
  .sort();
const chosen = filters.length ? all.filter((name) => filters.some((f) => name.includes(f.replace(/^.*[\\/]/, '')))) : all;
if (chosen.length === 0) {
  process.stderr.write(`run-all: no test file in ${relative(process.cwd(), testDir) || '.'} matches ${filters.join(', ') || '*.test.ts'}\n`);
  process.exit(1);
}

// One file at a time: the suites start real servers, processes and browsers, and time their answers.
const child = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', ...nodeArgs, ...chosen.map((name) => join('test', name))], {
  cwd: root,
  stdio: 'inherit',
});
// Ctrl-C reaches the child from the terminal itself: the runner only waits for it to report and stop.
process.on('SIGINT', () => {});
process.on('SIGTERM', () => child.kill('SIGTERM'));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
