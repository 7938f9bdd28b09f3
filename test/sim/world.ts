import type { Clock } from '../../src/lib/clock.js';
import { Rng } from './random.js';

/**
 * Virtual time. Everything that happens in a run is an event in one queue, ordered by the true
 * time it is due and, among events due at the same moment, by a key the seed drew when it was
 * queued: timers of every simulated process, a journal call reaching the database, a request
 * reaching a provider and its answer coming back, a till's next request, a crash. The loop takes
 * one event at a time, moves the true clock to it, runs it, and lets the microtasks it set off run
 * to their next wait (which is always another event) before the next one: nothing runs on a real
 * timer or socket, so a seed replays a run exactly.
 */

/** One life of a simulated process: a crash ends it, and every event it queued is dropped. */
export class Generation {
  alive = true;
  /** Until then (true time) the process is frozen (a long GC pause, a suspended VM): its events wait. */
  pausedUntil = 0;
  constructor(
    readonly instance: string,
    readonly n: number,
  ) {}

  toString(): string {
    return `${this.instance}/g${this.n}`;
  }
}

export interface Scheduled {
  cancel(): void;
}

interface Ev {
  at: number;
  key: number;
  seq: number;
  gen: Generation | null;
  cancelled: boolean;
  label: string;
  fn: () => void;
}

/** A binary heap of events by (at, key, seq). */
class EventQueue {
  private heap: Ev[] = [];

  get size(): number {
    return this.heap.length;
  }

  push(e: Ev): void {
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }

  pop(): Ev | undefined {
    const h = this.heap;
    if (h.length === 0) return undefined;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && before(h[l]!, h[m]!)) m = l;
        if (r < h.length && before(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }

  peek(): Ev | undefined {
    return this.heap[0];
  }
}

function before(x: Ev, y: Ev): boolean {
  if (x.at !== y.at) return x.at < y.at;
  if (x.key !== y.key) return x.key < y.key;
  return x.seq < y.seq;
}

/** 26 Nov 2026 18:50 UTC: close to midnight in Tashkent, so that a run crosses CLICK's day boundary. */
export const EPOCH = Date.UTC(2026, 10, 26, 18, 50, 0);

export class World {
  /** The true time, epoch ms: the journal's clock, the providers', and what every skew is measured from. */
  now = EPOCH;
  readonly rng: Rng;
  private readonly queue = new EventQueue();
  private seq = 0;
  /** Events run so far. */
  steps = 0;
  /** The label of the event being run (for errors raised inside it). */
  current = '';

  constructor(seed: number) {
    this.rng = new Rng(seed, 0x5ced);
  }

  /** Queues `fn` to run `delayMs` from now (true time), unless `gen` has died by then. */
  schedule(delayMs: number, gen: Generation | null, label: string, fn: () => void): Scheduled {
    const e: Ev = { at: this.now + Math.max(0, Math.round(delayMs)), key: this.rng.next(), seq: this.seq++, gen, cancelled: false, label, fn };
    this.queue.push(e);
    return { cancel: () => (e.cancelled = true) };
  }

  /** The next live event, taken off the queue with the clock moved to it; undefined when none is left. */
  take(): { label: string; fn: () => void; gen: Generation | null } | undefined {
    for (;;) {
      const e = this.queue.pop();
      if (!e) return undefined;
      if (e.cancelled || (e.gen && !e.gen.alive)) continue;
      if (e.gen && e.gen.pausedUntil > e.at) {
        // A frozen process does nothing until it thaws; then its due events run in a new order.
        this.queue.push({ ...e, at: e.gen.pausedUntil, key: this.rng.next() });
        continue;
      }
      if (e.at > this.now) this.now = e.at;
      this.steps++;
      this.current = e.label;
      return e;
    }
  }

  /** When the next event is due (Infinity when none is queued). */
  nextAt(): number {
    return this.queue.peek()?.at ?? Infinity;
  }

  get pending(): number {
    return this.queue.size;
  }
}

/**
 * Lets everything the last event set off run until it waits on another event. The journal's group
 * commit is the one thing that uses setImmediate; a turn after it has run, so have its callers.
 */
export async function drain(inFlight: () => number): Promise<void> {
  let turns = 0;
  do {
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (++turns > 1000) throw new Error('the simulated processes never came to rest: something waits on a real timer or socket');
  } while (inFlight() > 0);
}

/**
 * A simulated computer's clock: the true time plus its skew, which a jump changes at once (NTP
 * stepping it, or someone setting it by hand). Its timers run on elapsed time, as Node's do, so a
 * jump moves `now()` and leaves timers alone. A crash of the process drops its timers.
 */
export class SimClock implements Clock {
  constructor(
    private readonly world: World,
    private readonly gen: Generation,
    private readonly skew: () => number,
  ) {}

  now(): number {
    return this.world.now + this.skew();
  }

  sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => this.world.schedule(ms, this.gen, `${this.gen} wakes after ${ms} ms`, resolve));
  }

  after(ms: number, fn: () => void): () => void {
    const s = this.world.schedule(ms, this.gen, `${this.gen} timer ${ms} ms`, fn);
    return () => s.cancel();
  }

  every(ms: number, fn: () => void): () => void {
    let current: Scheduled | undefined;
    let stopped = false;
    const arm = () => {
      current = this.world.schedule(ms, this.gen, `${this.gen} every ${ms} ms`, () => {
        if (stopped) return;
        arm();
        fn();
      });
    };
    arm();
    return () => {
      stopped = true;
      current?.cancel();
    };
  }
}
