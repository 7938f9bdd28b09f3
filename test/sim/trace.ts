/**
 * What a run did, one line per thing that mattered, kept in a ring: on a failure the last lines are
 * printed, and before them every earlier line that names a transaction the failure is about, so
 * that the trace printed is short and still tells that transaction's whole story. A hash of every
 * line ever written proves that a replay took exactly the same path.
 */

const UUID = /[0-9a-f]{8}-0000-4000-8000-(\d{12})/g;

/** Our deterministic UUIDs shown short: t42. */
export function short(text: string): string {
  return text.replace(UUID, (_, n: string) => `t${Number(n)}`);
}

export class Trace {
  private readonly ring: { t: number; line: string }[] = [];
  private next = 0;
  private hash = 0x811c9dc5;
  lines = 0;

  constructor(
    private readonly capacity: number,
    readonly startTime: number,
  ) {}

  write(now: number, line: string): void {
    for (let i = 0; i < line.length; i++) this.hash = Math.imul(this.hash ^ line.charCodeAt(i), 0x01000193) >>> 0;
    this.hash = Math.imul(this.hash ^ (now & 0xffff), 0x01000193) >>> 0;
    const entry = { t: now, line };
    if (this.ring.length < this.capacity) this.ring.push(entry);
    else this.ring[this.next] = entry;
    this.next = (this.next + 1) % this.capacity;
    this.lines++;
  }

  /** Every kept line, for a file a developer reads in full (--dump). */
  dump(): string {
    return this.ordered().map((e) => this.format(e)).join('\n');
  }

  /** A fingerprint of the whole run: equal for two runs that took the same path. */
  get digest(): string {
    return `${this.hash.toString(16).padStart(8, '0')}:${this.lines}`;
  }

  private ordered(): { t: number; line: string }[] {
    return this.ring.length < this.capacity ? this.ring : [...this.ring.slice(this.next), ...this.ring.slice(0, this.next)];
  }

  private format(e: { t: number; line: string }): string {
    return `${((e.t - this.startTime) / 1000).toFixed(3).padStart(10)}s  ${short(e.line)}`;
  }

  /**
   * The lines to print: every kept line naming one of `about` (as a whole word, so t4 is not t42),
   * then the last `tail` lines, without repeats.
   */
  render(about: readonly string[], tail: number): string {
    const all = this.ordered();
    const cut = Math.max(0, all.length - tail);
    const words = about.map((a) => new RegExp(`\\b${short(a).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`));
    const story = all.slice(0, cut).filter((e) => words.some((w) => w.test(short(e.line))));
    const out: string[] = [];
    if (story.length) {
      out.push(`  -- earlier lines about ${about.map(short).join(', ')} --`);
      out.push(...collapse(story).map(({ e, times, last }) => this.format(e) + (times > 1 ? `   (×${times}, the last at ${((last - this.startTime) / 1000).toFixed(3)}s)` : '')));
      out.push(`  -- the last ${all.length - cut} lines --`);
    }
    out.push(...all.slice(cut).map((e) => this.format(e)));
    if (this.lines > all.length) out.unshift(`  (${this.lines - all.length} older lines not kept)`);
    return out.join('\n');
  }
}

/** A story without its repeats: a line seen before (a poll, a renewal) is counted on its first showing. */
function collapse(lines: { t: number; line: string }[]): { e: { t: number; line: string }; times: number; last: number }[] {
  const seen = new Map<string, { e: { t: number; line: string }; times: number; last: number }>();
  const out: { e: { t: number; line: string }; times: number; last: number }[] = [];
  for (const e of lines) {
    const known = seen.get(e.line);
    if (known) {
      known.times++;
      known.last = e.t;
      continue;
    }
    const entry = { e, times: 1, last: e.t };
    seen.set(e.line, entry);
    out.push(entry);
  }
  return out;
}
