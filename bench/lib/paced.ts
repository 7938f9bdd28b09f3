import { Pool } from 'undici';
import { percentile, type LoadResult } from './load.js';

export interface PacedOptions {
  url: string;
  headers?: Record<string, string>;
  body: (n: number) => string;
  /** Requests per second, sent evenly spaced whether or not earlier ones were answered. */
  rate: number;
  seconds: number;
  /** Keep-alive connections to draw from; more are never opened. */
  connections: number;
  ok?: (text: string) => boolean;
}

/**
 * An open-loop load at a steady rate: request i leaves at start + i / rate, answered or not.
 * autocannon's `overallRate` sends each second's quota back to back at the start of the second, so
 * its latencies at "500/s" are those of bursts; a till's requests arrive spread out, which is what
 * the overhead target is about. The sender never waits for an answer before the next departure,
 * so a slow answer cannot hold back the requests behind it and hide its cost (coordinated omission).
 */
export async function pacedLoad(options: PacedOptions): Promise<LoadResult> {
  const target = new URL(options.url);
  if (target.hostname !== '127.0.0.1') throw new Error(`benchmarks only load 127.0.0.1, not ${options.url}`);
  const pool = new Pool(target.origin, { connections: options.connections, pipelining: 1 });
  const ok = options.ok ?? ((text: string) => text.includes('"is_success":true'));
  const total = Math.round(options.rate * options.seconds);
  const interval = 1000 / options.rate;
  const times: number[] = [];
  let failures = 0;
  const inFlight: Promise<void>[] = [];
  const started = performance.now();
  for (let i = 0; i < total; i++) {
    const planned = started + i * interval;
    const wait = planned - performance.now();
    if (wait >= 1) await new Promise((r) => setTimeout(r, wait));
    const sent = performance.now();
    inFlight.push(
      pool
        .request({ path: target.pathname, method: 'POST', headers: { 'content-type': 'application/json', ...options.headers }, body: options.body(i) })
        .then(async (res) => {
          const text = await res.body.text();
          times.push(performance.now() - sent);
          if (res.statusCode !== 200 || !ok(text)) failures += 1;
        })
        .catch(() => void (failures += 1)),
    );
  }
  await Promise.all(inFlight);
  const seconds = (performance.now() - started) / 1000;
  await pool.close();
  times.sort((a, b) => a - b);
  return {
    requests: times.length,
    seconds,
    perSecond: times.length / seconds,
    p50: percentile(times, 50),
    p99: percentile(times, 99),
    max: times[times.length - 1] ?? NaN,
    failures,
  };
}
