import type { Config } from '../../src/config/schema.js';

/**
 * The requests behind every example of the API reference: one script, run by the generator
 * (`npm run docs:examples`, which records the answers into src/http/openapi-examples.data.ts) and by
 * test/openapi.test.ts (which replays it against a fresh sandbox and compares). A step may use what
 * an earlier one answered (a payment's id, its RRN), which is why the requests are a script and not
 * a list of fixed bodies: the ids differ from one sandbox to the next.
 *
 * Fixed QR codes and amounts keep the recorded file from changing when nothing changed; the magic
 * endings (README "Sandbox: magic QR codes", "magic amounts for the pinpads") make the providers and
 * pinpads refuse on purpose.
 */

export interface DocsRequest {
  method: 'GET' | 'POST';
  url: string;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface DocsStep {
  /** The route as the OpenAPI document names it: "POST /payment/transactions/{transaction_id}/refund". */
  route: string;
  /** The example's name in the reference, e.g. "paid", "declined (104)". */
  name: string;
  request: (kept: Kept) => DocsRequest;
  /** Keeps what later steps need from this answer (its envelope). */
  keep?: (answer: Answer, kept: Kept) => void;
  /** Prepares a later example; replayed, not shown in the reference. */
  setup?: true;
  /**
   * Query parameters the step uses that not every PayBridge has: the step runs only where the
   * route documents them (a step of a route the document lacks is skipped the same way).
   */
  needs?: string[];
}

export interface Answer {
  data: Record<string, unknown> | null;
  error: Record<string, unknown> | null;
  is_success: boolean;
}

export type Kept = Record<string, string>;

/** What the generator and the replaying test both change in the sandbox configuration. */
export function docsConfig(c: Config): void {
  // A partial Click reversal whose answer is lost (…604) stays unknown for an operator to decide.
  c.click!.partial_reversal = true;
  // Only the script's own "settle now" settles anything: a background pass in the middle of a slow
  // run would hold the unknown give-back just when the script resolves it.
  c.recovery.interval_ms = 3_600_000;
  c.instance.shop = 'chilonzor-1';
  c.instance.till = '3';
  c.instance.id = 'till-3';
}

/** A transaction id that is in no journal. */
export const NO_SUCH_TRANSACTION = '00000000-0000-4000-8000-000000000000';
const CHECK_URL = 'https://ofd.soliq.uz/check?t=EP000000000123&r=1542&c=20261126150102&s=512345678901';

/** The fiscal module's fields Payme takes with the receipt (the ones of CHECK_URL). */
const PAYME_FISCAL = { receipt_id: 1542, terminal_id: 'EP000000000123', fiscal_sign: '512345678901', date: '2026-11-26T15:01:02', status_code: 0, message: 'Принят' };

const json = (method: 'GET' | 'POST', url: string, body?: unknown, headers?: Record<string, string>): DocsRequest => ({
  method,
  url,
  ...(body === undefined ? {} : { body }),
  ...(headers ? { headers } : {}),
});
const keepAs = (name: string, field: string) => (answer: Answer, kept: Kept) => {
  kept[name] = String(answer.data?.[field]);
};

/** A QR payment, its refusals, its fiscal receipt and its give-backs, for one provider. */
function qrSteps(method: 'click' | 'payme' | 'uzum', qr: string, declined: string): DocsStep[] {
  const pay = `POST /payment/${method}`;
  const cancel = `POST /payment/${method}_cancel`;
  const confirm = `POST /payment/${method}_confirm`;
  return [
    {
      route: pay,
      name: 'paid',
      request: () => json('POST', `/payment/${method}`, { amount: 150_000, qr_code: qr }, { 'idempotency-key': `docs-${method}-1` }),
      keep: (answer, kept) => {
        kept[`${method}_tx`] = String(answer.data?.transaction_id);
        kept[`${method}_payment`] = String(answer.data?.payment_id);
      },
    },
    { route: pay, name: 'declined (104)', request: () => json('POST', `/payment/${method}`, { amount: 150_000, qr_code: declined }) },
    { route: pay, name: 'bad request (7)', request: () => json('POST', `/payment/${method}`, { amount: 1.5, qr_code: qr }) },
    { route: confirm, name: 'delivered', request: (k) => json('POST', `/payment/${method}_confirm`, { payment_id: k[`${method}_payment`], qr_code: CHECK_URL, ...(method === 'payme' ? PAYME_FISCAL : {}) }) },
    { route: confirm, name: 'bad request (7)', request: (k) => json('POST', `/payment/${method}_confirm`, { payment_id: k[`${method}_payment`], qr_code: 'https://example.com/check' }) },
    // Payme and Uzum cancel only whole payments: their partial give-back is a refusal worth showing.
    { route: cancel, name: method === 'click' ? 'part given back' : 'part refused (106)', request: (k) => json('POST', `/payment/${method}_cancel`, { transaction_id: k[`${method}_tx`], amount: 50_000 }) },
    { route: cancel, name: 'the rest given back', request: (k) => json('POST', `/payment/${method}_cancel`, { payment_id: k[`${method}_payment`] }) },
    { route: cancel, name: 'nothing left (106)', request: (k) => json('POST', `/payment/${method}_cancel`, { transaction_id: k[`${method}_tx`] }) },
    { route: cancel, name: 'not in the journal (106)', request: () => json('POST', `/payment/${method}_cancel`, { transaction_id: NO_SUCH_TRANSACTION }) },
    { route: cancel, name: 'bad request (7)', request: (k) => json('POST', `/payment/${method}_cancel`, { transaction_id: k[`${method}_tx`], payment_id: k[`${method}_payment`] }) },
  ];
}

/** A pinpad's purchase, give-back, refusals, reports and shift close. */
function cardSteps(method: 'humo' | 'uzcard', path: 'xumo' | 'uzcard', code: number): DocsStep[] {
  const route = `POST /payment/${path}`;
  const terminal = `${method}-sandbox`;
  const get = (suffix: string, name: string, query = `?terminal=${terminal}`): DocsStep => ({ route: `GET /payment/${suffix}`, name, request: () => json('GET', `/payment/${suffix}${query}`) });
  return [
    { route, name: 'paid', request: () => json('POST', `/payment/${path}`, { amount: 250_000, terminal }, { 'idempotency-key': `docs-${method}-1` }), keep: keepAs(`${method}_rrn`, 'ppt_id') },
    { route, name: 'second purchase', request: () => json('POST', `/payment/${path}`, { amount: 120_000, terminal }) },
    get(`${path}/print_last`, 'last slip'),
    get(`${path}_shortreport`, 'X-report'),
    {
      route,
      name: method === 'humo' ? 'cancelled' : 'refunded',
      request: (k) => json('POST', `/payment/${path}`, { amount: method === 'humo' ? 250_000 : 100_000, is_return: true, request_id: k[`${method}_rrn`], terminal }),
    },
    { route, name: `declined by the card's bank (${code})`, request: () => json('POST', `/payment/${path}`, { amount: 11_600, terminal }) },
    { route, name: `aborted at the pinpad (${code})`, request: () => json('POST', `/payment/${path}`, { amount: 99_200, terminal }) },
    { route, name: 'bad request (7)', request: () => json('POST', `/payment/${path}`, { amount: 500, is_return: true, terminal }) },
    get(`${path}_close`, 'shift closed'),
    get(`${path}_close/print_last`, 'last shift report'),
    get(`${path}_close`, 'bad request (7)', '?terminal=no such terminal'),
    get(`${path}_shortreport`, 'bad request (7)', '?shift=1'),
    get(`${path}/print_last`, 'bad request (7)', '?terminal=no such terminal'),
    get(`${path}_close/print_last`, 'bad request (7)', '?terminal=no such terminal'),
  ];
}

const notConfigured = (route: string, url: string, good: unknown, bad: unknown): DocsStep[] => {
  const [method] = route.split(' ') as ['GET' | 'POST'];
  const ask = (what: unknown) => (method === 'GET' ? json('GET', `${url}${what as string}`) : json('POST', url, what));
  return [
    { route, name: 'not configured (104)', request: () => ask(good) },
    { route, name: 'bad request (7)', request: () => ask(bad) },
  ];
};

export const DOCS_STEPS: DocsStep[] = [
  { route: 'GET /health', name: 'ready', request: () => json('GET', '/health') },
  ...qrSteps('click', '880101698207133392', '880101698207133116'),
  ...qrSteps('payme', '880102598207133393', '880102598207133116'),
  // Uzum refuses a code under 40 characters, as the real one does.
  ...qrSteps('uzum', `${'8801034982071333'.repeat(2)}88010394`, `${'8801034982071333'.repeat(2)}88010116`),
  ...cardSteps('humo', 'xumo', 108),
  ...cardSteps('uzcard', 'uzcard', 109),

  // The journal and the operator's routes, over what the steps above left in it.
  { route: 'GET /payment/transactions', name: 'a page', request: () => json('GET', '/payment/transactions?method=click&limit=2') },
  { route: 'GET /payment/transactions', name: 'bad request (7)', request: () => json('GET', '/payment/transactions?limit=0') },
  { route: 'GET /payment/transactions/{transaction_id}', name: 'a payment with its timeline', request: (k) => json('GET', `/payment/transactions/${k.click_tx}`) },
  { route: 'GET /payment/transactions/{transaction_id}', name: 'not in the journal (106)', request: () => json('GET', `/payment/transactions/${NO_SUCH_TRANSACTION}`) },
  { route: 'GET /payment/transactions/{transaction_id}', name: 'bad request (7)', request: () => json('GET', '/payment/transactions/12345') },
  // A give-back whose answer was lost: unknown until an operator decides it.
  { route: 'POST /payment/click', name: 'paid (cancel answer lost)', setup: true, request: () => json('POST', '/payment/click', { amount: 80_000, qr_code: '880104398207133604' }), keep: keepAs('lost_tx', 'transaction_id') },
  {
    route: 'POST /payment/click_cancel',
    name: 'outcome unknown (104)',
    request: (k) => json('POST', '/payment/click_cancel', { transaction_id: k.lost_tx, amount: 30_000 }),
    keep: (answer, kept) => {
      kept.lost_give_back = String(answer.error?.give_back_id);
    },
  },
  { route: 'POST /payment/recovery/run', name: 'settled what it could', request: () => json('POST', '/payment/recovery/run', {}) },
  // What waits for an operator, while that give-back does.
  { route: 'GET /payment/attention', name: 'waiting for an operator', request: () => json('GET', '/payment/attention') },
  { route: 'GET /payment/transactions', name: 'give-backs', needs: ['kind'], request: () => json('GET', '/payment/transactions?kind=give_back&limit=2') },
  { route: 'GET /payment/transactions', name: 'date with from (7)', needs: ['date'], request: () => json('GET', '/payment/transactions?date=2026-11-26&from=2026-11-26') },
  {
    route: 'POST /payment/transactions/{transaction_id}/resolve',
    name: 'decided',
    request: (k) => json('POST', `/payment/transactions/${k.lost_give_back}/resolve`, { status: 'succeeded', operator: 'Dilnoza (manager)', reason: 'seen in the Click merchant cabinet' }),
  },
  {
    route: 'POST /payment/transactions/{transaction_id}/resolve',
    name: 'not unknown (106)',
    request: (k) => json('POST', `/payment/transactions/${k.lost_give_back}/resolve`, { status: 'failed', operator: 'Dilnoza (manager)', reason: 'changed my mind' }),
  },
  {
    route: 'POST /payment/transactions/{transaction_id}/resolve',
    name: 'bad request (7)',
    request: (k) => json('POST', `/payment/transactions/${k.lost_give_back}/resolve`, { status: 'paid', operator: '', reason: '' }),
  },

  { route: 'POST /payment/click', name: 'paid (for the operator)', setup: true, request: () => json('POST', '/payment/click', { amount: 60_000, qr_code: '880105298207133401' }), keep: keepAs('operator_tx', 'transaction_id') },
  {
    route: 'POST /payment/transactions/{transaction_id}/refund',
    name: 'given back',
    request: (k) => json('POST', `/payment/transactions/${k.operator_tx}/refund`, { amount: 20_000, operator: 'Dilnoza (manager)' }, { 'idempotency-key': 'docs-operator-1' }),
  },
  { route: 'POST /payment/transactions/{transaction_id}/refund', name: 'more than remains (106)', request: (k) => json('POST', `/payment/transactions/${k.operator_tx}/refund`, { amount: 999_900 }) },
  { route: 'POST /payment/transactions/{transaction_id}/refund', name: 'not in the journal (106)', request: () => json('POST', `/payment/transactions/${NO_SUCH_TRANSACTION}/refund`, {}) },
  { route: 'POST /payment/transactions/{transaction_id}/refund', name: 'bad request (7)', request: (k) => json('POST', `/payment/transactions/${k.operator_tx}/refund`, { amount: 0 }) },

  { route: 'GET /payment/summary', name: 'today', request: () => json('GET', '/payment/summary') },
  { route: 'GET /payment/summary', name: 'bad request (7)', request: () => json('GET', '/payment/summary?date=2026-02-30') },
  { route: 'GET /payment/summary', name: 'too many days (7)', needs: ['days'], request: () => json('GET', '/payment/summary?days=32') },
  { route: 'GET /payment/summary', name: 'one till', needs: ['till'], request: () => json('GET', '/payment/summary?shop=chilonzor-1&till=3') },
  { route: 'GET /payment/summary', name: 'bad till (7)', needs: ['till'], request: () => json('GET', '/payment/summary?till=') },
  { route: 'GET /payment/terminals', name: 'the terminals', request: () => json('GET', '/payment/terminals') },
  { route: 'GET /payment/shift-closes', name: 'reconciliations', request: () => json('GET', '/payment/shift-closes?limit=2') },
  { route: 'GET /payment/shift-closes', name: 'bad request (7)', request: () => json('GET', '/payment/shift-closes?limit=0') },

  // The day against the wallets' records (after everything above that a late recovery could settle).
  { route: 'POST /payment/reconciliation/wallets', name: 'the day', request: () => json('POST', '/payment/reconciliation/wallets', { date: 'today', methods: ['payme'] }) },
  { route: 'POST /payment/reconciliation/wallets', name: 'bad request (7)', request: () => json('POST', '/payment/reconciliation/wallets', { date: '2026-02-30' }) },
  { route: 'GET /payment/reconciliation/wallets', name: 'the day', request: () => json('GET', '/payment/reconciliation/wallets?date=today') },
  { route: 'GET /payment/reconciliation/wallets', name: 'not run yet (106)', request: () => json('GET', '/payment/reconciliation/wallets?date=2001-01-01') },
  { route: 'GET /payment/reconciliation/wallets', name: 'bad request (7)', request: () => json('GET', '/payment/reconciliation/wallets?date=2026-02-30') },

  // FiscalBox's UzQR and Anorbank endpoints: refused until a published specification exists.
  ...notConfigured('POST /payment/one_qr/create', '/payment/one_qr/create', { external_id: 'EXT001', amount: '100.00', print: false, banners: [] }, { external_id: 'EXT001', amount: '100,00' }),
  ...notConfigured('GET /payment/one_qr/status', '/payment/one_qr/status', '?invoice_id=INVC134B7FEFED34BC3B470B8', ''),
  ...notConfigured('POST /payment/one_qr/receipt', '/payment/one_qr/receipt', { pay_id: 'PAY12345678901234567', fiscal_receipt_url: CHECK_URL }, { pay_id: 'PAY12345678901234567' }),
  ...notConfigured('POST /payment/one_qr/cancel', '/payment/one_qr/cancel', { invoice_id: 'INV8D1EBF7CDCBA44E7BF90D3' }, {}),
  ...notConfigured('POST /payment/one_qr/refund', '/payment/one_qr/refund', { pay_id: 'PAY123456', amount: '100.00' }, { pay_id: 'PAY123456', amount: '100,00' }),
  ...notConfigured('GET /payment/one_qr/refund/status', '/payment/one_qr/refund/status', '?refund_id=REFF5149C4B458F4D7FB', ''),
  ...notConfigured('POST /payment/anor', '/payment/anor', { amount: 50_000, qr_code: '880106198207133395' }, { amount: -5, qr_code: '880106198207133395' }),
  ...notConfigured('POST /payment/anor_confirm', '/payment/anor_confirm', { transaction_id: '05a447d7-ad64-4b95-931e-951b624b6534', qr_code: CHECK_URL }, { transaction_id: '05a447d7-ad64-4b95-931e-951b624b6534' }),

  // Last, so that it counts every request above.
  { route: 'GET /metrics', name: 'metrics', request: () => json('GET', '/metrics') },
];
