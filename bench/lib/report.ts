import { cpus, totalmem } from 'node:os';

export interface Figure {
  scenario: number;
  name: string;
  value: number;
  unit: string;
  /** Measured in the same run against its floor or limit (for a count: the count itself). */
  ratio: number;
  ratioOf: string;
  target?: { max?: number; min?: number; orRatio?: number };
  lowerIsBetter?: boolean;
  /**
   * 'count': work counted in PayBridge per payment (durable commits, SQL statements, log lines…),
   * which the code decides and the machine does not; the only figures CI fails on. Anything else
   * (a time, a rate, a ratio of times) is reported and compared, never gated: how fast a shared
   * machine's disk and CPU are at the moment decides it as much as the code does.
   */
  gate?: 'count' | false;
  /** For a count: how much more than the baseline's value is still a pass (default COUNT_TOLERANCE). */
  tolerance?: number;
  detail?: string;
}

export interface BenchContext {
  quick: boolean;
  /** A fresh loopback port for each process the bench starts. */
  port(): number;
  /** Records a broken run: figures from failed requests would be meaningless. */
  check(ok: boolean, problem: string): void;
}

export function machine() {
  const cpu = cpus();
  return {
    cpus: cpu.length,
    model: cpu[0]?.model ?? 'unknown',
    memory_gb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
}

export function meetsTarget(f: Figure): boolean | null {
  if (!f.target) return null;
  if (f.target.max !== undefined && f.value > f.target.max) return false;
  if (f.target.min !== undefined && f.value < f.target.min) return f.target.orRatio !== undefined && f.ratio >= f.target.orRatio;
  return true;
}

export function table(figures: Figure[]): string {
  const rows = figures.map((f) => {
    const target = f.target ? (f.target.max !== undefined ? `≤ ${f.target.max}` : `≥ ${f.target.min}${f.target.orRatio ? ` or ratio ≥ ${f.target.orRatio}` : ''}`) : '';
    const met = meetsTarget(f);
    return [String(f.scenario), f.name, f.value.toFixed(f.value < 10 ? 3 : 0), `${f.ratio.toFixed(3)} (${f.ratioOf})`, target, met === null ? '' : met ? 'met' : 'MISSED', f.detail ?? ''];
  });
  const head = ['#', 'figure', 'value', 'ratio', 'target', '', 'detail'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/**
 * A count may be this much above the baseline's and pass: an extra journal write (2 → 3 per payment),
 * log line (3 → 4) or SQL statement (one more of about fifteen) is well beyond it; a stray write of a
 * background pass over a few thousand payments is well within it.
 */
export const COUNT_TOLERANCE = 0.05;

export interface Regression {
  scenario: number;
  name: string;
  text: string;
}

/**
 * What fails the CI check: a gated count (`gate: 'count'` in the baseline) that grew by more than its
 * tolerance, or that this run did not measure at all (a count that silently disappeared would turn
 * the gate off). Times and ratios of times are never judged here, whatever they did.
 */
export function regressions(figures: Figure[], baseline: Figure[]): Regression[] {
  const problems: Regression[] = [];
  for (const base of baseline) {
    if (base.gate !== 'count') continue;
    const now = figures.find((f) => f.scenario === base.scenario && f.name === base.name);
    if (!now || !Number.isFinite(now.value)) {
      problems.push({ scenario: base.scenario, name: base.name, text: `${base.scenario} ${base.name}: not measured in this run (the baseline gates it)` });
      continue;
    }
    const tolerance = base.tolerance ?? COUNT_TOLERANCE;
    if (now.value > base.value * (1 + tolerance)) {
      problems.push({
        scenario: base.scenario,
        name: base.name,
        text: `${base.scenario} ${base.name}: ${now.value.toFixed(3)} against the baseline's ${base.value.toFixed(3)} (+${((now.value / base.value - 1) * 100).toFixed(1)} %, more than the ${(tolerance * 100).toFixed(0)} % allowed)`,
      });
    }
  }
  return problems;
}

/** Gated counts that fell by more than their tolerance: not a failure, a baseline to move down. */
export function improvements(figures: Figure[], baseline: Figure[]): string[] {
  const out: string[] = [];
  for (const base of baseline) {
    if (base.gate !== 'count') continue;
    const now = figures.find((f) => f.scenario === base.scenario && f.name === base.name);
    if (now && now.value < base.value * (1 - (base.tolerance ?? COUNT_TOLERANCE))) out.push(`${base.scenario} ${base.name}: ${now.value.toFixed(3)} (baseline ${base.value.toFixed(3)})`);
  }
  return out;
}

/** Every figure beside the baseline's, for the log: how the times moved is information, not a verdict. */
export function comparison(figures: Figure[], baseline: Figure[]): string {
  const rows = figures.map((f) => {
    const base = baseline.find((b) => b.scenario === f.scenario && b.name === f.name);
    const judged = base?.gate === 'count' ? 'gated' : 'reported';
    const change = base ? `${f.value >= base.value ? '+' : ''}${((f.value / base.value - 1) * 100).toFixed(0)} %` : 'new';
    return [String(f.scenario), f.name, judged, base ? fmt(base.value) : '', fmt(f.value), change];
  });
  const head = ['#', 'figure', 'check', 'baseline', 'now', 'change'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

const fmt = (n: number) => (Number.isFinite(n) ? n.toFixed(Math.abs(n) < 10 ? 3 : 0) : '');
