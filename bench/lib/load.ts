import autocannon from 'autocannon';

export interface LoadOptions {
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  /** A new body for each request (unique QR codes: PayBridge answers a repeated one from the journal). */
  body?: (n: number) => string;
  connections: number;
  /** Seconds; or `amount` requests in all. */
  duration?: number;
  amount?: number;
  /** Requests per second over all connections; unset: as fast as answered. */
  overallRate?: number;
  /** Whether an answer is a success; by default the envelope's is_success (every answer of the contract is HTTP 200). */
  ok?: (text: string) => boolean;
}

export interface LoadResult {
  requests: number;
  seconds: number;
  perSecond: number;
  p50: number;
  p99: number;
  max: number;
  failures: number;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!;
}

/**
 * autocannon against 127.0.0.1 only, with latencies kept in full (autocannon's own histogram
 * rounds to whole milliseconds, too coarse for a 1.5 ms budget).
 */
export function load(options: LoadOptions): Promise<LoadResult> {
  if (!/^http:\/\/127\.0\.0\.1[:/]/.test(options.url)) throw new Error(`benchmarks only load 127.0.0.1, not ${options.url}`);
  const times: number[] = [];
  let failures = 0;
  let n = 0;
  const body = options.body;
  const ok = options.ok ?? ((text: string) => text.includes('"is_success":true'));
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: options.url,
        method: options.method ?? 'POST',
        headers: { 'content-type': 'application/json', ...options.headers },
        connections: options.connections,
        ...(options.duration !== undefined ? { duration: options.duration } : {}),
        ...(options.amount !== undefined ? { amount: options.amount } : {}),
        ...(options.overallRate !== undefined ? { overallRate: options.overallRate } : {}),
        timeout: 60,
        requests: [
          {
            ...(body ? { setupRequest: (request: autocannon.Request) => ({ ...request, body: body(n++) }) } : {}),
            onResponse: (_status: number, text: string) => {
              if (!ok(text)) failures += 1;
            },
          },
        ],
      },
      (err: Error | null, result: autocannon.Result) => {
        if (err) return reject(err);
        times.sort((a, b) => a - b);
        resolve({
          requests: times.length,
          seconds: result.duration,
          perSecond: times.length / result.duration,
          p50: percentile(times, 50),
          p99: percentile(times, 99),
          max: times[times.length - 1] ?? NaN,
          failures: failures + result.errors + result.timeouts + result.non2xx,
        });
      },
    );
    instance.on('response', (_client, _statusCode, _bytes, responseTime) => void times.push(responseTime));
  });
}

/** `count` payments, each sent when the previous one is answered; returns how many failed. */
export async function oneAtATime(url: string, count: number, body: (n: number) => string): Promise<number> {
  if (!url.startsWith('http://127.0.0.1:')) throw new Error(`benchmarks only load 127.0.0.1, not ${url}`);
  let failures = 0;
  for (let i = 0; i < count; i++) {
    try {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: body(i) });
      if (res.status !== 200 || !(await res.text()).includes('"is_success":true')) failures += 1;
    } catch {
      failures += 1;
    }
  }
  return failures;
}
