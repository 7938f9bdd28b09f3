import { Simulation } from '/work/wt-sim/test/sim/sim.ts';
import { World } from '/work/wt-sim/test/sim/world.ts';
const counts = new Map<string, number>();
const orig = World.prototype.take;
World.prototype.take = function () {
  const e = orig.call(this);
  if (e) { const k = e.label.replace(/pb\d\/g\d+/g, 'P').replace(/[0-9a-f-]{20,}/g, 'ID').replace(/\d+/g, 'N').slice(0, 50); counts.set(k, (counts.get(k) ?? 0) + 1); }
  return e;
};
const sim = new Simulation({ seed: Number(process.argv[2] ?? 1), ops: Number(process.argv[3] ?? 300) });
const r = await sim.run();
console.log(r.ok, r.violation?.message, r.steps, r.ops);
console.log([...counts].sort((a, b) => b[1] - a[1]).slice(0, 40).map(([k, v]) => `${v}\t${k}`).join('\n'));
