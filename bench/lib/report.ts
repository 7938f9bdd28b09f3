import { cpus, totalmem } from 'node:os';

export interface Figure {
  scenario: number;
  name: string;
  value: number;
  unit: string;
  /** Measured in the same run against its floor or limit; this is what regressions are judged on. */
  ratio: number;
  ratioOf: string;
  target?: { max?: number; min?: number; orRatio?: number };
  lowerIsBetter?: boolean;
  /** False for a figure too noisy on a shared machine to fail CI on (a p99 of a few seconds' load). */
  gate?: boolean;
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

/** Ratios that moved the wrong way by more than `tolerance` against the baseline. */
export function regressions(figures: Figure[], baseline: Figure[], tolerance = 0.3): { scenario: number; name: string; text: string }[] {
  const problems: { scenario: number; name: string; text: string }[] = [];
  for (const base of baseline) {
    if (base.gate === false) continue;
    const now = figures.find((f) => f.scenario === base.scenario && f.name === base.name);
    if (!now) continue;
    const worse = base.lowerIsBetter ? now.ratio > base.ratio * (1 + tolerance) : now.ratio < base.ratio * (1 - tolerance);
    if (worse) problems.push({ scenario: base.scenario, name: base.name, text: `${base.scenario} ${base.name}: ratio ${now.ratio.toFixed(3)} against the baseline's ${base.ratio.toFixed(3)} (${base.ratioOf})` });
  }
  return problems;
}
