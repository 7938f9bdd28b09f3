/**
 * The simulator's only source of randomness: xoshiro128** seeded through splitmix32, so that one
 * integer seed fixes every choice of a run. Subsystems take streams of their own (`fork`), so that
 * a change in how often one of them draws does not reshuffle the others' choices.
 */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number, stream = 0) {
    // Both halves of a seed above 2^32 count; the stream separates forks of one seed.
    let s = (Math.floor(seed / 0x1_0000_0000) ^ Math.imul(stream + 1, 0x9e3779b9) ^ (seed >>> 0)) >>> 0;
    const split = () => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = split();
    this.b = split();
    this.c = split();
    this.d = split();
    if ((this.a | this.b | this.c | this.d) === 0) this.a = 1;
  }

  /** A uniform 32-bit unsigned integer. */
  next(): number {
    const result = Math.imul(rotl(Math.imul(this.b, 5) >>> 0, 7), 9) >>> 0;
    const t = (this.b << 9) >>> 0;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return result;
  }

  /** [0, 1) */
  float(): number {
    return this.next() / 0x1_0000_0000;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.float() * n);
  }

  /** An integer in [lo, hi]. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  chance(p: number): boolean {
    return this.float() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from nothing');
    return items[this.int(items.length)]!;
  }

  /** One of `choices`, each as likely as its weight (weights ≤ 0 never). */
  weighted<T>(choices: readonly (readonly [T, number])[]): T {
    const total = choices.reduce((sum, [, w]) => sum + Math.max(0, w), 0);
    let x = this.float() * total;
    for (const [value, w] of choices) {
      if (w <= 0) continue;
      x -= w;
      if (x < 0) return value;
    }
    return choices.findLast(([, w]) => w > 0)![0];
  }

  /** Mostly short, sometimes long: a delay drawn log-uniformly from [lo, hi]. */
  logUniform(lo: number, hi: number): number {
    return Math.round(Math.exp(Math.log(lo) + this.float() * (Math.log(hi) - Math.log(lo))));
  }

  /** An independent stream for one subsystem. */
  fork(label: string): Rng {
    let h = 0x811c9dc5;
    for (let i = 0; i < label.length; i++) h = Math.imul(h ^ label.charCodeAt(i), 0x01000193) >>> 0;
    return new Rng(this.next() * 0x10000 + (h & 0xffff), h);
  }

  /** `n` hex digits. */
  hex(n: number): string {
    let out = '';
    while (out.length < n) out += this.next().toString(16).padStart(8, '0');
    return out.slice(0, n);
  }

  digits(n: number): string {
    let out = '';
    while (out.length < n) out += String(this.next() % 1_000_000_000).padStart(9, '0');
    return out.slice(0, n);
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
