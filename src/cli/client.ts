import { CliExit, EXIT } from './exit-codes.js';

export interface Envelope<T = Record<string, unknown>> {
  data: T | null;
  error: { code: number; message: string; data: string | null; transaction_status?: string; [k: string]: unknown } | null;
  is_success: boolean;
}

export interface ClientOptions {
  url: string;
  token?: string | undefined;
  lang?: string | undefined;
}

/** Talks to a running PayBridge over its HTTP API; every answer is the contract's envelope. */
export class PayBridgeClient {
  constructor(private readonly options: ClientOptions) {}

  async request<T = Record<string, unknown>>(method: 'GET' | 'POST', path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Envelope<T>> {
    const url = new URL(path, this.options.url.endsWith('/') ? this.options.url : `${this.options.url}/`);
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers: {
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...(this.options.token ? { authorization: `Bearer ${this.options.token}` } : {}),
          ...(this.options.lang ? { 'accept-language': this.options.lang } : {}),
          ...headers,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      throw new CliExit(EXIT.UNREACHABLE, `cannot reach PayBridge at ${this.options.url}: ${cause?.code ?? cause?.message ?? (err as Error).message}`);
    }
    const text = await res.text();
    let envelope: Envelope<T>;
    try {
      envelope = JSON.parse(text) as Envelope<T>;
    } catch {
      throw new CliExit(EXIT.UNREACHABLE, `${url.origin} answered HTTP ${res.status} with something that is not PayBridge's envelope`);
    }
    if (res.status === 401) throw new CliExit(EXIT.UNAUTHORIZED, `${envelope.error?.message ?? 'unauthorized'} (give --token or PAYBRIDGE_API_TOKEN)`);
    return envelope;
  }
}

/** The exit code an envelope means: refused, or not known yet. */
export function exitCodeOf(envelope: Envelope<unknown>): number {
  if (envelope.is_success) return EXIT.OK;
  const status = envelope.error?.transaction_status;
  if (status === 'unknown' || status === 'pending' || envelope.error?.data === 'OUTCOME_UNKNOWN') return EXIT.UNKNOWN;
  return EXIT.REFUSED;
}
