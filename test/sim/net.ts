import { TransportError, type HttpResponse, type ProviderTransport } from '../../src/providers/http-transport.js';
import type { Rng } from './random.js';
import type { Generation, World } from './world.js';

/**
 * The wire between a simulated PayBridge and a simulated provider, as the providers' real clients
 * see it through their transport: a request may never leave (connection refused), vanish on the
 * way, reach the provider and lose its answer, come back late (after the client gave up), come
 * back as a gateway's 5xx (the provider saw it, or not), come back cut short, or — for the methods a
 * proxy may repeat (GET, PUT, DELETE) — reach the provider twice. A request that reaches the
 * provider does so within `maxArrivalMs` of being sent: the providers' status APIs are trusted to
 * show a request by `not_found_after_ms` after it was sent, so the network never holds one back
 * longer than that (a late *answer* is fine; a late *request* would break the providers' contract,
 * not PayBridge's).
 */

export type ProviderName = 'click' | 'payme' | 'uzum';

export interface WireRequest {
  provider: ProviderName;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  url: string;
  /** The path below the provider's base URL. */
  path: string;
  headers: Record<string, string>;
  body: string;
  /** True time the client sent it. */
  sentAt: number;
  instance: string;
  /** The give-back operation whose request this is, if any (who to credit a give-back to). */
  op: string | undefined;
  /** This delivery is a repeat of one the provider saw already. */
  repeat: boolean;
}

export interface WireAnswer {
  status: number;
  body: string;
}

export interface SimProvider {
  readonly name: ProviderName;
  handle(req: WireRequest): WireAnswer;
  /** Whether this request, arriving now, may move money (a charge, or a give-back of money taken). */
  movesMoney(method: WireRequest['method'], path: string, body: string): boolean;
}

export type Weather = 'calm' | 'flaky' | 'down';

type Plan =
  | { kind: 'ok'; d1: number; d2: number }
  | { kind: 'refused'; d: number }
  | { kind: 'connect_timeout' }
  | { kind: 'lost_request'; reset: boolean; d: number }
  | { kind: 'lost_answer'; reset: boolean; d1: number; d: number }
  | { kind: 'gateway_before'; status: number; d: number }
  | { kind: 'gateway_after'; status: number; d1: number; d2: number }
  | { kind: 'garbage'; d1: number; d2: number }
  /** Delivered twice; the client hears the first delivery's answer, the copy arrives after it. */
  | { kind: 'duplicate'; d1: number; d1b: number; d2: number }
  /** A proxy's retry: the first delivery is made and its answer lost upstream; the client hears the retry's answer. */
  | { kind: 'proxy_retry'; d1: number; d1b: number; d2: number };

export interface NetControl {
  /** Faults off: every request arrives and is answered in time (a quiet period). */
  faults: boolean;
  /**
   * Whether a proxy may retry a PUT or DELETE whose upstream answer it lost (nginx's
   * proxy_next_upstream does by default): the provider sees the request twice and the client hears
   * the second answer. Off unless asked for (--proxy-retries): see docs/simulation.md.
   */
  proxyRetries: boolean;
  weather: Record<ProviderName, Weather>;
  /** Told of each exchange for the trace. */
  trace(line: string): void;
}

const GATEWAY_PAGE = (status: number) => `<html><head><title>${status}</title></head><body><center><h1>${status} ${status === 504 ? 'Gateway Time-out' : 'Bad Gateway'}</h1></center><hr><center>nginx</center></body></html>`;

export class SimTransport implements ProviderTransport {
  lastClockOffsetMs: number | undefined;

  constructor(
    private readonly world: World,
    private readonly rng: Rng,
    private readonly net: NetControl,
    private readonly provider: SimProvider,
    private readonly who: { instance: string; gen: Generation; skew: () => number; op: () => string | undefined; sending: (instance: string, op: string | undefined, what: string) => void },
    private readonly timeouts: { connectMs: number; responseMs: number },
    private readonly baseUrl: string,
    private readonly maxArrivalMs: number,
  ) {}

  private plan(method: WireRequest['method']): Plan {
    const r = this.rng;
    const d = () => r.logUniform(1, 60);
    const late = () => (r.chance(0.5) ? r.range(this.timeouts.responseMs, this.timeouts.responseMs * 3) : r.logUniform(1, this.timeouts.responseMs));
    const arrival = () => Math.min(this.maxArrivalMs, r.logUniform(1, 80));
    if (!this.net.faults) return { kind: 'ok', d1: arrival(), d2: d() };
    const weather = this.net.weather[this.provider.name];
    const faultShare = weather === 'calm' ? 0.05 : weather === 'flaky' ? 0.45 : 0.9;
    if (!r.chance(faultShare)) return { kind: 'ok', d1: arrival(), d2: r.chance(0.03) ? late() : d() };
    // A GET (a status question) may reach the provider twice; a PUT or DELETE (CLICK's and Uzum's
    // reversals) only where proxies are allowed to retry them.
    const repeatable = method === 'GET' || (method !== 'POST' && this.net.proxyRetries);
    return r.weighted<Plan>([
      [{ kind: 'refused', d: d() }, weather === 'down' ? 5 : 2],
      [{ kind: 'connect_timeout' }, 1],
      [{ kind: 'lost_request', reset: r.chance(0.5), d: d() }, 2],
      [{ kind: 'lost_answer', reset: r.chance(0.5), d1: arrival(), d: d() }, 3],
      [{ kind: 'ok', d1: arrival(), d2: late() }, 2],
      [{ kind: 'gateway_before', status: r.pick([502, 503]), d: d() }, weather === 'down' ? 4 : 1],
      [{ kind: 'gateway_after', status: 504, d1: arrival(), d2: d() }, 2],
      [{ kind: 'garbage', d1: arrival(), d2: d() }, 1],
      [{ kind: 'duplicate', d1: arrival(), d1b: this.maxArrivalMs + r.logUniform(1, 500), d2: d() }, repeatable ? 2 : 0],
      [{ kind: 'proxy_retry', d1: arrival(), d1b: this.maxArrivalMs + r.logUniform(1, 500), d2: d() }, repeatable && method !== 'GET' ? 2 : 0],
    ]);
  }

  send(method: WireRequest['method'], url: string, headers: Record<string, string>, body?: string): Promise<HttpResponse> {
    const { world, who } = this;
    const sentAt = world.now;
    const path = url.startsWith(this.baseUrl) ? url.slice(this.baseUrl.length) : url;
    const request: WireRequest = { provider: this.provider.name, method, url, path, headers, body: body ?? '', sentAt, instance: who.instance, op: who.op(), repeat: false };
    const plan = this.plan(method);
    const name = `${this.provider.name} ${method} ${path.split('?')[0]}`;
    if (this.provider.movesMoney(method, path, request.body)) who.sending(who.instance, request.op, `${name}${this.provider.name === 'payme' ? ` (${/"method":"([a-z._]+)"/.exec(request.body)?.[1]})` : ''}`);
    const deadline = this.timeouts.responseMs;
    return new Promise<HttpResponse>((resolve, reject) => {
      // Every delay below is counted from the moment the request was sent.
      const at = (total: number) => sentAt + total - world.now;
      const giveUp = (why: string) =>
        world.schedule(at(deadline), who.gen, `${who.gen} ✗ ${name} timed out`, () => {
          this.net.trace(`${who.gen} ✗ ${name}: no answer within ${deadline} ms (${why})`);
          reject(new TransportError(`no answer within the response timeout (UND_ERR_HEADERS_TIMEOUT)`, true, 'UND_ERR_HEADERS_TIMEOUT'));
        });
      const answer = (total: number, status: number, text: string, why: string) => {
        if (total > deadline) return giveUp(why === '' ? 'the answer came late' : `${why}, and late`);
        world.schedule(at(total), who.gen, `${who.gen} ← ${name}: HTTP ${status}`, () => {
          const clockOffsetMs = Math.round(-who.skew() / 1000) * 1000;
          this.lastClockOffsetMs = clockOffsetMs;
          this.net.trace(`${who.gen} ← ${name}: ${status} ${text.slice(0, 160)}${why ? ` (${why})` : ''}`);
          resolve({ statusCode: status, body: text, clockOffsetMs });
        });
      };
      const fail = (total: number, err: TransportError, why: string) =>
        world.schedule(at(total), who.gen, `${who.gen} ✗ ${name} ${err.code}`, () => {
          this.net.trace(`${who.gen} ✗ ${name}: ${err.code} (${why})`);
          reject(err);
        });
      /** The request reaches the provider (whatever became of its sender meanwhile). */
      const arrive = (delay: number, repeat: boolean, then: (a: WireAnswer) => void) =>
        world.schedule(at(delay), null, `${name} reaches ${this.provider.name}`, () => {
          const a = this.provider.handle({ ...request, repeat });
          this.net.trace(`${this.provider.name} got ${who.gen}'s ${method} ${path}${repeat ? ' (again)' : ''}: ${body ? body.slice(0, 200) : ''} → ${a.status} ${a.body.slice(0, 200)}`);
          then(a);
        });
      switch (plan.kind) {
        case 'ok':
          arrive(plan.d1, false, (a) => answer(plan.d1 + plan.d2, a.status, a.body, ''));
          return;
        case 'refused':
          fail(plan.d, new TransportError('could not connect: connect ECONNREFUSED', false, 'ECONNREFUSED'), 'refused');
          return;
        case 'connect_timeout':
          fail(this.timeouts.connectMs, new TransportError('could not connect: Connect Timeout Error', false, 'UND_ERR_CONNECT_TIMEOUT'), 'connect timeout');
          return;
        case 'lost_request':
          if (plan.reset) fail(plan.d, new TransportError('connection lost: socket hang up', true, 'ECONNRESET'), 'request lost on the way');
          else giveUp('request lost on the way');
          return;
        case 'lost_answer':
          arrive(plan.d1, false, () => {
            if (plan.reset) fail(plan.d1 + plan.d, new TransportError('connection lost: other side closed', true, 'UND_ERR_SOCKET'), 'answer lost');
            else giveUp('answer lost');
          });
          return;
        case 'gateway_before':
          answer(plan.d, plan.status, GATEWAY_PAGE(plan.status), 'the gateway did not pass it on');
          return;
        case 'gateway_after':
          arrive(plan.d1, false, () => answer(plan.d1 + plan.d2, plan.status, GATEWAY_PAGE(plan.status), 'the gateway timed out after passing it on'));
          return;
        case 'garbage':
          arrive(plan.d1, false, (a) => answer(plan.d1 + plan.d2, a.status === 200 ? 200 : a.status, a.body.slice(0, Math.max(1, Math.floor(a.body.length / 2))) + '<html>', 'cut short'));
          return;
        case 'duplicate':
          arrive(plan.d1, false, (a) => answer(plan.d1 + plan.d2, a.status, a.body, ''));
          arrive(plan.d1b, true, () => undefined);
          return;
        case 'proxy_retry':
          arrive(plan.d1, false, () => undefined);
          arrive(plan.d1b, true, (a) => answer(plan.d1b + plan.d2, a.status, a.body, 'a proxy retried it'));
          return;
      }
    });
  }

  async close(): Promise<void> {}
}
