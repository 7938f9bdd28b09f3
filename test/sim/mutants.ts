/**
 * Proof that the simulator finds what matters (issue #24, item 6): each defect the issue lists, and
 * the fence's removal, put back into a copy of the tree, must make the simulator fail within the
 * budget CI gives it (--ops, default 100,000 operations in all per mutant, over consecutive seeds).
 *
 *   npm run test:sim:mutants                       every mutant, seeds from a fresh one
 *   npm run test:sim:mutants -- --seed 7 --only fence --ops 100000 --per-seed 20000
 *
 * Each mutant is a few exact replacements in the production code (and, where production's wiring is
 * the simulator's own, in test/sim/), each of which must match exactly once: a mutant whose code has
 * moved on fails loudly instead of testing nothing. Prints, per mutant, the seed that caught it, the
 * operations and time it took, and the violation; exits 1 when one is not caught.
 */
import { spawnSync } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

interface Edit {
  file: string;
  find: string;
  replace: string;
}

interface Mutant {
  name: string;
  what: string;
  edits: Edit[];
}

export const MUTANTS: Mutant[] = [
  {
    name: 'defect-1',
    what: 'operator resolve during recovery: the resolve does not take the claim (it writes under whoever holds the row), and a proof that meets a row settled otherwise is logged and dropped (success "not recorded", no conflict, the reservation freed)',
    edits: [
      {
        file: 'src/payments/operation-engine.ts',
        find: `    const attempt = await this.journal.claim(id, \`\${this.instance}#operator\`, this.leaseMs);
    if (!attempt.taken) {`,
        replace: `    const taken = await this.journal.claim(id, \`\${this.instance}#operator\`, this.leaseMs);
    // MUTANT defect-1: a row someone holds is decided all the same, under that holder's claim.
    const attempt = !taken.taken && taken.tx && taken.holder ? { taken: true as const, tx: { ...taken.tx, claim: taken.holder } } : taken;
    if (!attempt.taken) {`,
      },
      {
        file: 'src/payments/operation-engine.ts',
        find: `      if (verdict.outcome === 'succeeded') {
        await this.keepProof(tx, claim.fence, verdict, err);`,
        replace: `      if (verdict.outcome === 'succeeded') {
        // MUTANT defect-1: a success that meets a row settled otherwise is logged and returned, not kept.
        if (err instanceof StaleTransitionError) {
          this.hooks.log?.warn({ transaction_id: tx.id }, 'stale transition');
          return { tx: { ...tx, ...facts, status: 'succeeded' }, recorded: false };
        }
        await this.keepProof(tx, claim.fence, verdict, err);`,
      },
    ],
  },
  {
    name: 'defect-2',
    what: "a lapsed claim and recovery from a stale snapshot: claims expire by each process's own clock, renewals are fire-and-forget, recovery settles the row as its pass listed it (not read again under the claim), and the compare-and-set checks the status only",
    edits: [
      { file: 'test/sim/sim.ts', find: `journalClock: () => () => this.world.now,`, replace: `journalClock: (m) => () => this.world.now + m.skew, // MUTANT defect-2: each process's own clock` },
      {
        file: 'src/payments/live-claim.ts',
        find: `      if (await this.journal.renewClaim(this.id, this.fence, this.leaseMs)) {
        this.confirmedUntil = askedAt + this.leaseMs;
        this.failing = false;
      } else this.lose('its claim was taken over by another holder');`,
        replace: `      // MUTANT defect-2: renewed fire-and-forget.
      void this.journal.renewClaim(this.id, this.fence, this.leaseMs).catch(() => undefined);
      this.confirmedUntil = askedAt + this.leaseMs;
      this.failing = false;`,
      },
      {
        file: 'src/payments/recovery.ts',
        find: `        const after = await this.settle(claimed);`,
        replace: `        const after = await this.settle({ ...candidate, claim: claimed.claim }); // MUTANT defect-2: the listed snapshot`,
      },
      {
        file: 'src/payments/operation-engine.ts',
        find: `    const fresh = await this.journal.get(claimed.id);
    if (!fresh || !UNSETTLED.includes(fresh.status) || fresh.claim?.owner !== fence.owner || fresh.claim.epoch !== fence.epoch) return fresh ?? claimed;`,
        replace: `    // MUTANT defect-2: settled from the snapshot it was given, not read again under the claim.
    const fresh = { ...claimed, events: [], fiscal: null } as TransactionWithEvents;`,
      },
      {
        file: 'src/journal/sqlite/sqlite-journal.ts',
        find: 'WHERE id = @id AND status = @from AND claimed_by = @owner AND claim_epoch = @epoch',
        replace: 'WHERE id = @id AND status = @from /* MUTANT defect-2: status only */',
      },
    ],
  },
  {
    name: 'defect-3',
    what: "one Idempotency-Key on two transactions' refunds or resolves: the key's request is the route pattern (and the body), not the concrete path, so the second is answered with the first's success",
    edits: [{ file: 'src/http/idempotent.ts', find: `      target: targetOf(request),`, replace: `      target: \`\${request.method} \${request.routeOptions.url}\`, // MUTANT defect-3: the route, not the path` }],
  },
  {
    name: 'defect-4',
    what: "a keyed retry of an unknown operation waits idempotency.wait_ms and answers 106 'still in progress' (nothing asked), and SQLite does not let a dead process's claims go at start",
    edits: [
      { file: 'src/payments/idempotency.ts', find: `if (settled === undefined && current.transactionId && this.options.settleOnce) {`, replace: `if (false as boolean) { // MUTANT defect-4: never asked` },
      { file: 'test/sim/instance.ts', find: `if (this.env.instances === 1) await this.journal.releaseDeadClaims().catch(() => 0);`, replace: `// MUTANT defect-4: dead claims kept at start (src/app.ts's releaseDeadClaims)` },
    ],
  },
  {
    name: 'fence',
    what: "no fence: a state write is a compare-and-set on the status alone, whoever holds the row's claim",
    edits: [
      {
        file: 'src/journal/sqlite/sqlite-journal.ts',
        find: 'WHERE id = @id AND status = @from AND claimed_by = @owner AND claim_epoch = @epoch',
        replace: 'WHERE id = @id AND status = @from /* MUTANT fence: removed */',
      },
    ],
  },
];

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
}

/** A copy of the tree as it is (tracked and new files), with the mutant's edits, sharing node_modules. */
function mutatedCopy(m: Mutant): string {
  const dir = mkdtempSync(join(tmpdir(), `paybridge-mutant-${m.name}-`));
  const files = spawnSync('git', ['ls-files', '-co', '--exclude-standard'], { cwd: root, encoding: 'utf8' }).stdout.split('\n').filter((f) => f && f !== 'node_modules' && !f.startsWith('node_modules/'));
  for (const f of files) {
    try {
      cpSync(join(root, f), join(dir, f), { recursive: false });
    } catch {
      // a file listed but deleted in the working tree
    }
  }
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
  for (const e of m.edits) {
    const path = join(dir, e.file);
    const text = readFileSync(path, 'utf8');
    const count = text.split(e.find).length - 1;
    if (count !== 1) throw new Error(`mutant ${m.name}: ${e.file} has ${count} matches of ${JSON.stringify(e.find.slice(0, 80))}, not one: the code moved on; update test/sim/mutants.ts`);
    writeFileSync(path, text.replace(e.find, e.replace));
  }
  return dir;
}

interface Caught {
  mutant: string;
  caught: boolean;
  seed?: number;
  ops: number;
  seconds: number;
  violation?: string;
}

function hunt(m: Mutant, firstSeed: number, budgetOps: number, perSeed: number): Caught {
  const dir = mutatedCopy(m);
  const started = performance.now();
  let spent = 0;
  try {
    for (let seed = firstSeed; spent < budgetOps; seed++) {
      const ops = Math.min(perSeed, budgetOps - spent);
      const run = spawnSync(process.execPath, ['--import', 'tsx', 'test/sim/run.ts', '--seed', String(seed), '--ops', String(ops)], { cwd: dir, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
      const out = `${run.stdout}\n${run.stderr}`;
      const failed = /^FAILED, seed \d+: (.*)$/m.exec(out);
      const done = /^(?:FAILED after|ok:) (\d+) ops/m.exec(out);
      spent += done ? Number(done[1]) : ops;
      if (run.status !== 0 && !failed) throw new Error(`mutant ${m.name}, seed ${seed}: the simulator did not run:\n${out.slice(-3000)}`);
      if (failed) return { mutant: m.name, caught: true, seed, ops: spent, seconds: (performance.now() - started) / 1000, violation: failed[1]!.slice(0, 300) };
    }
    return { mutant: m.name, caught: false, ops: spent, seconds: (performance.now() - started) / 1000 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function main(): number {
  const firstSeed = arg('seed') !== undefined ? Number(arg('seed')) : randomInt(2 ** 31);
  const budget = Number(arg('ops') ?? 100_000);
  const perSeed = Number(arg('per-seed') ?? 10_000);
  const only = arg('only')?.split(',');
  const chosen = MUTANTS.filter((m) => !only || only.includes(m.name));
  console.log(`mutants from seed ${firstSeed}: at most ${budget} operations each, ${perSeed} a seed`);
  const results: Caught[] = [];
  for (const m of chosen) {
    console.log(`\n${m.name}: ${m.what}`);
    const r = hunt(m, firstSeed, budget, perSeed);
    results.push(r);
    console.log(r.caught ? `  caught by seed ${r.seed} after ${r.ops} operations, ${r.seconds.toFixed(1)} s: ${r.violation}` : `  NOT CAUGHT within ${r.ops} operations (${r.seconds.toFixed(1)} s)`);
  }
  console.log('\n| mutant | caught | seed | operations | seconds | violation |\n|---|---|---|---|---|---|');
  for (const r of results) console.log(`| ${r.mutant} | ${r.caught ? 'yes' : '**no**'} | ${r.seed ?? '—'} | ${r.ops} | ${r.seconds.toFixed(1)} | ${r.violation?.replace(/\|/g, '\\|') ?? '—'} |`);
  return results.every((r) => r.caught) ? 0 : 1;
}

process.exit(main());
