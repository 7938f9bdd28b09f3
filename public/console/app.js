// The manager's console: plain DOM, no framework, nothing from outside this PayBridge. Every text
// goes in through textContent, never as HTML; every number and date through format.js.
import { makeFormat, parseSoum, readableStep } from './format.js';
import { WORDS } from './i18n.js';

const $ = (id) => document.getElementById(id);
const METHODS = { click: 'Click', payme: 'Payme', uzum: 'Uzum', humo: 'Humo', uzcard: 'UzCard' };
const METHOD_COLOURS = { click: '#2d7ff9', payme: '#33c7c7', uzum: '#7b3fe4', humo: '#e8912d', uzcard: '#0e6245' };
const state = { lang: 'ru', timeZone: 'Asia/Tashkent', detail: null, detailSeq: 0, seen: new Set(), firstLoad: true, timer: null, charts: {}, summary: null, refreshSeq: 0, drawnSeq: 0, walletsSeq: 0, walletsTimer: null, walletsPosting: false };
let fmt = makeFormat('ru', 'Asia/Tashkent', WORDS.ru);

const t = (key, params = {}) => (WORDS[state.lang][key] ?? WORDS.en[key] ?? key).replace(/\{(\w+)\}/g, (_, k) => String(params[k] ?? ''));
const stepText = (step) => WORDS[state.lang].steps[step] ?? WORDS.en.steps[step] ?? readableStep(step);
const kindText = (kind) => t(`kind_${kind}`);
const isGiveBack = (tx) => tx.kind === 'cancel' || tx.kind === 'refund';
/**
 * A give-back of a payment PayBridge never took (one FiscalBox took before the switch, allowed by
 * terminals.allow_foreign_rrns): nothing in the journal was reserved for it, so an operator must see it.
 */
const isForeign = (tx) => isGiveBack(tx) && !tx.original_transaction_id;

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') node.className = v;
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v);
  }
  for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(String(c ?? '')));
  return node;
}
const pill = (kind, text) => el('span', { class: `pill ${kind}` }, text);

/** A table's cells carry their column's heading, which a phone shows beside each value (rows stack). */
function labelCells(table) {
  const heads = [...table.tHead.rows[0].cells].map((th) => th.textContent);
  for (const row of table.tBodies[0].rows) [...row.cells].forEach((td, i) => td.setAttribute('data-label', heads[i] ?? ''));
}

class Unauthorized extends Error {}

async function api(path, options = {}) {
  const token = sessionStorage.getItem('paybridge.token');
  const res = await fetch(path, {
    method: options.method ?? 'GET',
    headers: {
      'accept-language': state.lang,
      ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  if (res.status === 401) {
    showLogin();
    throw new Unauthorized();
  }
  return res.json();
}

function translatePage() {
  fmt = makeFormat(state.lang, state.timeZone, WORDS[state.lang]);
  document.documentElement.lang = state.lang;
  for (const node of document.querySelectorAll('[data-t]')) node.textContent = t(node.dataset.t);
  $('language').value = state.lang;
  $('refund-form').elements.amount.placeholder = `0${fmt.decimal}00`;
}

function showLogin() {
  $('app').hidden = true;
  closeDetail();
  $('login').hidden = false;
  clearInterval(state.timer);
  state.timer = null;
}

function toast(text) {
  const node = $('toast');
  node.textContent = text;
  node.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => (node.hidden = true), 4000);
}

/**
 * An error from the envelope, whole: what happened, what to do (the sentence in the screen's
 * language), and in small print who said no. The provider's or terminal's own words (`provider_said`,
 * with its code) are labelled as theirs only when they are: a refusal by PayBridge's own checks (7, 106)
 * says it is PayBridge's, and that nothing was sent.
 */
function showError(prefix, error) {
  $(`${prefix}-error-message`).textContent = error ? `${error.code}: ${error.message}` : '';
  $(`${prefix}-error-reason`).textContent = error?.reason ?? '';
  const fine = $(`${prefix}-error-data`);
  const { line, source } = whoSaid(error);
  fine.textContent = line;
  fine.dataset.source = source;
}

function whoSaid(error) {
  if (!error) return { line: '', source: '' };
  const code = error.data && error.data !== 'OUTCOME_UNKNOWN' && error.data !== 'NOT_CONFIGURED' ? error.data : null;
  const theirs = error.provider_said ?? code;
  if ((error.code === 104 || error.code === 108 || error.code === 109) && theirs && (error.provider_said || error.transaction_id)) {
    const label = t(error.code === 104 ? 'provider_detail' : 'terminal_detail');
    return { line: `${label}: ${theirs}${error.provider_said && code ? ` (${code})` : ''}`, source: error.code === 104 ? 'provider' : 'terminal' };
  }
  if (error.code === 7 || error.code === 106) return { line: t('paybridge_check'), source: 'paybridge' };
  return { line: error.data ? `${t('detail_label')}: ${error.data}` : '', source: 'paybridge' };
}

/**
 * A day's total, to fit a phone's card whatever the amount: the digits and the currency's word are
 * two pieces with a breakable space between (the word goes beneath when the line is full); the
 * digits' size follows the card's width and their count (style.css, --digits), and a number too
 * long even at the smallest size wraps between its digits rather than being cut.
 */
function netAmount(tiyin) {
  const { digits, currency } = fmt.moneyParts(tiyin);
  const node = el('div', { class: 'net', 'data-part': 'net' }, el('span', { class: 'digits' }, digits), ' ', el('span', { class: 'currency' }, currency));
  node.style.setProperty('--digits', String(digits.length));
  return node;
}

/** The summary's query: the till chosen, or the whole shop (this PayBridge's, when it names one). */
function summaryQuery() {
  const q = new URLSearchParams();
  const choice = $('till-picker').value;
  if (choice) {
    const [shop, till] = JSON.parse(choice);
    if (shop !== null) q.set('shop', shop);
    q.set('till', till);
  } else if (state.shop) q.set('shop', state.shop);
  return q;
}

/** The picker: the whole shop, then every till that took something that day (and this one), the choice kept. */
function renderTillPicker(summary) {
  const picker = $('till-picker');
  const chosen = picker.value;
  const tills = Array.isArray(summary.tills) ? [...summary.tills] : [];
  if (chosen && !tills.some((x) => JSON.stringify([x.shop, x.till]) === chosen)) {
    const [shop, till] = JSON.parse(chosen);
    tills.push({ shop, till });
  }
  const shops = new Set(tills.map((x) => x.shop));
  const label = (x) => `${shops.size > 1 || (x.shop !== null && x.shop !== state.shop) ? `${x.shop ?? '—'} · ` : ''}${t('till')} ${x.till}`;
  picker.replaceChildren(el('option', { value: '' }, t('whole_shop')), ...tills.map((x) => el('option', { value: JSON.stringify([x.shop, x.till]) }, label(x))));
  picker.value = chosen;
  picker.closest('label').hidden = tills.length === 0;
  // The accountant's CSV of the day shown, for the till chosen (GET /payment/export, with the console's token).
  const q = new URLSearchParams({ from: summary.date, to: summary.date });
  if (chosen) q.set('till', JSON.parse(chosen)[1]);
  q.set('lang', state.lang);
  $('export-csv').href = `/payment/export?${q}`;
}

function renderTotals(summary) {
  $('today-date').textContent = fmt.day(summary.date);
  $('totals').replaceChildren(
    ...summary.methods.map((m) => {
      const open = m.pending_count + m.unknown_count;
      const returned = typeof m.returned_count === 'number' ? `${fmt.count(m.returned_count, 'give_backs')} · ` : '';
      return el(
        'div',
        { class: 'card', 'data-method': m.method },
        el('div', { class: 'name' }, METHODS[m.method]),
        netAmount(m.net_amount),
        el('div', { class: 'small', 'data-part': 'paid' }, `${fmt.count(m.paid_count, 'purchases')} · ${fmt.money(m.paid_amount)}`),
        el('div', { class: 'small', 'data-part': 'returned' }, `${t('returned_label')}: ${returned}${fmt.money(m.returned_amount)}`),
        el('div', { class: 'small', 'data-part': 'other' }, `${t('failed_n')}: ${fmt.number(m.failed_count)}${open ? ` · ${t('open_n')}: ${fmt.number(open)}` : ''}`),
      );
    }),
  );
}

// ---- charts -------------------------------------------------------------------------------------

const methodsOf = (buckets) => Object.keys(METHODS).filter((m) => buckets.some((b) => b.methods?.[m]));

/**
 * One stacked bar chart per bucket list. The amounts drawn are tiyin / 100 for the axis's sake only;
 * each dataset keeps its exact tiyin (`tiyin`), which the tooltip and the table print exactly.
 */
function drawChart(id, buckets, labelOf, field, title) {
  const canvas = $(`${id}-chart`);
  const methods = methodsOf(buckets);
  const datasets = methods.map((m) => {
    const tiyin = buckets.map((b) => b.methods[m]?.[field] ?? 0);
    return { label: METHODS[m], method: m, tiyin, data: tiyin.map((x) => x / 100), backgroundColor: METHOD_COLOURS[m], stack: 'methods' };
  });
  const labels = buckets.map(labelOf);
  const totals = methods.map((m, i) => `${METHODS[m]} ${fmt.money(datasets[i].tiyin.reduce((a, b) => a + b, 0))}`);
  canvas.setAttribute('aria-label', `${title}: ${totals.join(', ')}`);
  drawTable(id, labels, datasets);
  const Chart = window.Chart;
  if (!Chart) return;
  const existing = state.charts[id];
  if (existing) {
    existing.data.labels = labels;
    existing.data.datasets = datasets;
    existing.options.scales.y.ticks.callback = (v) => fmt.axisSoum(v);
    existing.options.scales.y.title.text = t('soum');
    existing.update('none');
    return;
  }
  state.charts[id] = new Chart(canvas, {
    type: 'bar',
    data: { labels, datasets },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      scales: {
        x: { stacked: true, ticks: { autoSkip: true, maxRotation: 0 } },
        y: { stacked: true, beginAtZero: true, title: { display: true, text: t('soum') }, ticks: { callback: (v) => fmt.axisSoum(v) } },
      },
      plugins: {
        legend: { position: 'bottom', labels: { boxWidth: 12 } },
        tooltip: { callbacks: { label: (ctx) => `${ctx.dataset.label}: ${fmt.money(ctx.dataset.tiyin[ctx.dataIndex])}` } },
      },
    },
  });
}

function drawTable(id, labels, datasets) {
  const table = $(`${id}-table`);
  table.tHead.replaceChildren(el('tr', {}, el('th', {}, t(id === 'hourly' ? 'hour' : 'day')), ...datasets.map((d) => el('th', {}, d.label))));
  table.tBodies[0].replaceChildren(
    ...labels
      .map((label, i) => ({ label, i }))
      .filter(({ i }) => datasets.some((d) => d.tiyin[i] !== 0))
      .map(({ label, i }) => el('tr', {}, el('td', {}, label), ...datasets.map((d) => el('td', {}, fmt.money(d.tiyin[i]))))),
  );
  labelCells(table);
}

function renderCharts(summary) {
  if (Array.isArray(summary.hourly)) drawChart('hourly', summary.hourly, (h) => fmt.hour(h.from), 'paid_amount', t('by_hour'));
  if (Array.isArray(summary.days)) drawChart('days', summary.days, (d) => fmt.dayShort(d.date), 'net_amount', t('by_day'));
}

// ---- waiting for an operator ----------------------------------------------------------------------

function renderAttention(attention) {
  const box = $('attention');
  if (!attention || !attention.count) {
    box.hidden = true;
    return;
  }
  const parts = [];
  if (attention.unknown_count) parts.push(fmt.count(attention.unknown_count, 'unknown_outcomes'));
  if (attention.mismatched_count) parts.push(fmt.count(attention.mismatched_count, 'mismatches'));
  if (attention.conflicts_count) parts.push(fmt.count(attention.conflicts_count, 'conflicts'));
  if (attention.unknown_closes_count) parts.push(fmt.count(attention.unknown_closes_count, 'unknown_closes'));
  // Older PayBridges answer without the wallets' differences.
  const walletDifferences = attention.wallet_discrepancies ?? [];
  if (attention.wallet_discrepancies_count) parts.push(fmt.count(attention.wallet_discrepancies_count, 'wallet_differences'));
  $('attention-title').textContent = `${fmt.count(attention.count, 'operations_wait')}: ${parts.join(', ')}`;
  box.dataset.count = String(attention.count);
  box.hidden = false;
  $('attention-items').replaceChildren(
    ...attention.unknown.map((tx) =>
      el(
        'li',
        {},
        el(
          'button',
          { type: 'button', class: 'link', 'data-id': tx.transaction_id, onclick: () => openDetail(tx.transaction_id) },
          `${t('unknown_outcome')}: ${METHODS[tx.method]} · ${kindText(tx.kind)} · ${fmt.money(isGiveBack(tx) ? -tx.amount : tx.amount)} · ${fmt.dateTime(tx.created_at)}`,
        ),
      ),
    ),
    ...attention.mismatched.map((c) =>
      el('li', {}, el('button', { type: 'button', class: 'link', 'data-close': c.id, onclick: () => openClose(c) }, `${t('mismatch_of')}: ${c.terminal} · ${t('shift')} ${c.shift_number ?? t('none')} · ${fmt.dateTime(c.closed_at)}`)),
    ),
    ...(attention.conflicts ?? []).map((c) =>
      el(
        'li',
        {},
        el(
          'button',
          { type: 'button', class: 'link', 'data-conflict': c.conflict_id, onclick: () => openDetail(c.transaction_id) },
          `${t('conflict_of')}: ${METHODS[c.method] ?? ''} · ${kindText(c.transaction_kind)} · ${fmt.money(c.transaction_kind === 'payment' ? c.amount : -c.amount)} · ${fmt.dateTime(c.created_at)}`,
        ),
      ),
    ),
    // Older PayBridges answer without unknown closes.
    ...(attention.unknown_closes ?? []).map((c) =>
      el('li', {}, el('button', { type: 'button', class: 'link', 'data-close': c.id, onclick: () => openClose(c) }, `${t('unknown_close_of')}: ${c.terminal} · ${fmt.dateTime(c.closed_at)}`)),
    ),
    // Each leads to the reconciliation view, on the day whose report holds it.
    ...walletDifferences.map((d) =>
      el(
        'li',
        {},
        el(
          'a',
          {
            class: 'link',
            href: '#wallets',
            'data-wallet': d.transaction_id,
            'data-kind': d.kind,
            onclick: (e) => {
              e.preventDefault();
              void showWalletDifference(d.transaction_id);
            },
          },
          `${t('wallet_differences_of')}: ${walletKind(d.kind)} · ${METHODS[d.method] ?? d.method} · ${fmt.money(d.amount)}`,
        ),
      ),
    ),
  );
}

function openClose(c) {
  $('close-what').textContent = `${c.terminal} · ${t('shift')} ${c.shift_number ?? t('none')} · ${fmt.dateTime(c.closed_at)}`;
  const row = (label, key, money) => {
    const cell = (x) => (x ? (money ? fmt.money(x[key]) : fmt.number(x[key])) : t('none'));
    return el('tr', {}, el('th', {}, label), el('td', {}, cell(c.terminal_totals)), el('td', {}, cell(c.journal_totals)), el('td', { class: c.difference?.[key] ? 'bad' : '' }, cell(c.difference)));
  };
  $('close-compare').tBodies[0].replaceChildren(
    row(t('cmp_purchase_count'), 'purchase_count', false),
    row(t('cmp_purchase_amount'), 'purchase_amount', true),
    row(t('cmp_return_count'), 'return_count', false),
    row(t('cmp_return_amount'), 'return_amount', true),
  );
  $('close-reason').textContent = c.reason ?? '';
  $('close-dialog').showModal();
}

// ---- terminals, reconciliations -------------------------------------------------------------------

const totalsText = (x) => (x ? `${fmt.count(x.purchase_count, 'purchases')} ${fmt.money(x.purchase_amount)} / ${fmt.count(x.return_count, 'returns')} ${fmt.money(x.return_amount)}` : t('none'));

function renderTerminals(terminals, summary) {
  $('terminals').tBodies[0].replaceChildren(
    ...terminals.map((term) => {
      const totals = summary.terminals.find((s) => s.terminal === term.id)?.totals;
      const close = term.last_close;
      const verdict = close ? (close.matched === false ? 'mismatch' : close.matched ? 'matched' : 'no_totals') : null;
      return el(
        'tr',
        { 'data-terminal': term.id },
        el('td', {}, `${term.id} `, el('span', { class: 'muted' }, METHODS[term.method])),
        el('td', { title: term.last_error?.message ?? '' }, pill(term.state, t(term.state))),
        el('td', {}, term.shift_number ?? t('none')),
        el('td', {}, totalsText(totals)),
        el('td', {}, close ? `${fmt.dateTime(close.closed_at)} ` : t('none'), close ? pill(verdict === 'no_totals' ? 'none' : verdict, t(verdict)) : ''),
      );
    }),
  );
  labelCells($('terminals'));
}

function renderCloses(closes) {
  $('closes').tBodies[0].replaceChildren(
    ...closes.map((c) =>
      el(
        'tr',
        { class: c.mismatch ? 'mismatch' : '', tabindex: c.mismatch ? '0' : null, onclick: c.mismatch ? () => openClose(c) : null },
        el('td', {}, fmt.dateTime(c.closed_at)),
        el('td', {}, c.terminal),
        el('td', {}, c.shift_number ?? t('none')),
        el('td', {}, totalsText(c.terminal_totals)),
        el('td', {}, totalsText(c.journal_totals)),
        // Why nothing was compared, and the terminal's own verdict with its bank («Итоги совпали»), which is not PayBridge's.
        el(
          'td',
          { title: [c.reason, c.terminal_host_reconciliation && `${t('terminal_bank')}: ${c.terminal_host_reconciliation.printed.join(', ')}`].filter(Boolean).join('\n') },
          pill(c.mismatch ? 'mismatch' : c.matched ? 'matched' : 'none', t(c.mismatch ? 'mismatch' : c.matched ? 'matched' : 'no_totals')),
        ),
      ),
    ),
  );
  labelCells($('closes'));
  $('closes').hidden = closes.length === 0;
  $('closes-empty').hidden = closes.length > 0;
}

// ---- transactions ---------------------------------------------------------------------------------

function filterQuery() {
  const form = new FormData($('filters'));
  const q = new URLSearchParams({ limit: '50' });
  // The shop day is the server's to work out (shop.timezone): the console sends the date as it is.
  for (const name of ['method', 'status', 'kind', 'date', 'shop', 'till']) {
    const value = String(form.get(name) ?? '').trim();
    if (value) q.set(name, value);
  }
  return q;
}

/** A give-back's amount leaves the till: it is shown with a minus. */
const signedAmount = (tx) => fmt.money(isGiveBack(tx) ? -tx.amount : tx.amount);

function kindCell(tx) {
  if (!isGiveBack(tx)) return el('td', {}, METHODS[tx.method]);
  const payment = tx.original_transaction_id;
  return el(
    'td',
    {},
    METHODS[tx.method],
    ' ',
    pill('give-back', kindText(tx.kind)),
    payment
      ? el(
          'button',
          {
            type: 'button',
            class: 'link mono',
            'data-original': payment,
            onclick: (e) => {
              e.stopPropagation();
              void openDetail(payment);
            },
          },
          ` ← ${payment.slice(0, 8)}`,
        )
      : '',
    isForeign(tx) ? el('span', {}, ' ', pill('foreign', t('foreign'))) : '',
  );
}

function renderTransactions(items) {
  const rows = items.map((tx) => {
    const fresh = !state.firstLoad && !state.seen.has(tx.transaction_id);
    state.seen.add(tx.transaction_id);
    return el(
      'tr',
      {
        tabindex: '0',
        'data-id': tx.transaction_id,
        'data-status': tx.status,
        'data-kind': tx.kind,
        class: `${fresh ? 'fresh' : ''} ${isGiveBack(tx) ? 'give-back' : ''}`.trim(),
        onclick: () => openDetail(tx.transaction_id),
        onkeydown: (e) => e.key === 'Enter' && openDetail(tx.transaction_id),
      },
      el('td', {}, fmt.dateTime(tx.created_at)),
      kindCell(tx),
      el(
        'td',
        { class: 'amount' },
        el('span', { class: 'money' }, signedAmount(tx)),
        tx.refunded_amount && !isGiveBack(tx) ? el('div', { class: 'muted given-back' }, `${t('given_back_n')} ${fmt.money(tx.refunded_amount)}`) : '',
      ),
      el('td', {}, pill(tx.status, t(`st_${tx.status}`))),
      el('td', { class: 'mono' }, tx.payment_id ?? ''),
      el('td', { class: 'mono' }, tx.transaction_id.slice(0, 8)),
    );
  });
  state.firstLoad = false;
  $('transactions').tBodies[0].replaceChildren(...rows);
  labelCells($('transactions'));
  $('empty').hidden = items.length > 0;
  $('list-error').textContent = '';
}

async function refresh() {
  const seq = ++state.refreshSeq;
  const view = () => [String(summaryQuery()), String(filterQuery())];
  const [totalsQuery, listQuery] = view();
  try {
    const [summary, terminals, closes, page, attention] = await Promise.all([
      api(`/payment/summary?${totalsQuery}`),
      api('/payment/terminals'),
      api('/payment/shift-closes?limit=10'),
      api(`/payment/transactions?${listQuery}`),
      api('/payment/attention'),
    ]);
    // Answers can come back out of order (a poll on the way when a till is picked, a slow one overtaken):
    // an answer older than the one drawn, or for a till or filter no longer chosen, would show the
    // manager another till's takings under this one's name, so it is dropped.
    if (seq < state.drawnSeq || view().join() !== [totalsQuery, listQuery].join()) return;
    state.drawnSeq = seq;
    $('login').hidden = true;
    $('app').hidden = false;
    $('logout').hidden = !sessionStorage.getItem('paybridge.token');
    if (summary.is_success) {
      state.summary = summary.data;
      renderTillPicker(summary.data);
      renderTotals(summary.data);
      renderCharts(summary.data);
    }
    if (terminals.is_success && summary.is_success) renderTerminals(terminals.data, summary.data);
    if (closes.is_success) renderCloses(closes.data);
    if (page.is_success) renderTransactions(page.data.items);
    else $('list-error').textContent = `${page.error.code}: ${page.error.message}`;
    renderAttention(attention.is_success ? attention.data : null);
    void renderJournalBanner();
    if (state.detail && !$('detail').hidden) await openDetail(state.detail.transaction_id, true);
    document.body.dataset.refreshed = String(Number(document.body.dataset.refreshed ?? 0) + 1);
  } catch (err) {
    if (!(err instanceof Unauthorized)) console.error(err);
  }
}

/**
 * The journal's own state, from /health: a banner while its disk is low (journal.low_space_mb) or it
 * cannot write at all (payments are refused with JOURNAL_UNAVAILABLE until it can).
 */
async function renderJournalBanner() {
  const health = await api('/health').catch(() => null);
  const j = health?.data?.journal;
  const words = !j ? '' : !j.ok ? t('journal_down', { detail: j.detail }) : j.low_space ? t('journal_low', { mb: Math.floor(j.free_bytes / 1048576) }) : '';
  $('journal-banner').textContent = words;
  $('journal-banner').hidden = !words;
}

// ---- the reconciliation with the wallets ----------------------------------------------------------

/** Today in the shop's time zone, YYYY-MM-DD (what the day picker and the API take). */
const shopDay = (ms = Date.now()) => new Intl.DateTimeFormat('en-CA', { timeZone: state.timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(ms));
const walletKind = (kind) => t(`wk_${kind}`);
/** A journal status in the screen's words ("unknown → succeeded" for one the reconciliation settled); a wallet's own word as it is. */
const journalStatusText = (s) =>
  s
    ? String(s)
        .split('→')
        .map((x) => x.trim())
        .map((x) => (WORDS.en[`st_${x}`] ? t(`st_${x}`) : x))
        .join(' → ')
    : t('none');
const RESULT_PILL = { match: 'matched', discrepancies: 'mismatch', not_confirmed: 'unknown' };
const walletsDate = () => $('wallets-date').value || shopDay();

/** The day's newest reconciliation, drawn; while one runs it is asked again every 2 s. */
async function loadWallets() {
  const date = walletsDate();
  const seq = ++state.walletsSeq;
  clearTimeout(state.walletsTimer);
  $('wallets-csv').href = `/payment/reconciliation/wallets.csv?date=${encodeURIComponent(date)}`;
  try {
    const answer = await api(`/payment/reconciliation/wallets?date=${encodeURIComponent(date)}`);
    if (seq === state.walletsSeq) renderWallets(answer, date);
    return answer;
  } catch (err) {
    if (!(err instanceof Unauthorized)) console.error(err);
    return null;
  }
}

function renderWallets(answer, date) {
  clearTimeout(state.walletsTimer);
  const report = answer.is_success ? answer.data : null;
  const box = $('wallets');
  box.dataset.date = date;
  box.dataset.state = report?.state ?? 'none';
  $('wallets-run').disabled = state.walletsPosting || report?.state === 'running';
  $('wallets-csv').hidden = report?.state !== 'done';
  if (!report || report.state !== 'done') {
    $('wallets-report').hidden = true;
    if (report) {
      $('wallets-state').textContent = t('wallets_running_since', { time: fmt.dateTime(report.started_at), holder: report.held_by ?? t('none') });
      state.walletsTimer = setTimeout(() => void loadWallets(), 2000);
    } else {
      // 106: nothing ran that day yet; anything else as the API said it.
      $('wallets-state').textContent = answer.error?.code === 106 ? t('wallets_not_run', { date: fmt.day(date) }) : errorText(answer.error);
    }
    return;
  }
  $('wallets-state').textContent = `${t('wallets_done_at', { time: fmt.dateTime(report.finished_at), questions: fmt.number(report.questions ?? 0) })}${report.resumed ? ` ${t('wallets_resumed')}` : ''}`;
  $('wallets-result').replaceChildren(pill(RESULT_PILL[report.result] ?? 'none', t(`result_${report.result}`)));
  $('wallets-result').dataset.result = report.result;
  const side = (x) => el('span', {}, `${fmt.count(x.count, 'purchases')} · `, el('span', { class: 'money' }, fmt.money(x.amount)));
  $('wallets-methods').tBodies[0].replaceChildren(
    ...Object.entries(report.methods ?? {}).map(([method, m]) =>
      el(
        'tr',
        { 'data-method': method, class: m.journal.count !== m.provider.count || m.journal.amount !== m.provider.amount ? 'mismatch' : '' },
        el('td', {}, METHODS[method] ?? method),
        el('td', { 'data-side': 'journal' }, side(m.journal)),
        el('td', { 'data-side': 'provider' }, side(m.provider)),
        el('td', {}, fmt.number(m.matched)),
        el('td', {}, fmt.number(m.not_confirmed)),
      ),
    ),
  );
  labelCells($('wallets-methods'));
  const differences = report.discrepancies ?? [];
  $('wallets-differences').tBodies[0].replaceChildren(
    ...differences.map((d) =>
      el(
        'tr',
        { 'data-kind': d.kind, 'data-id': d.transaction_id, 'data-method': d.method },
        el('td', {}, pill(d.kind === 'not_confirmed' ? 'unknown' : d.kind === 'settled_by_reconciliation' ? 'none' : 'mismatch', walletKind(d.kind))),
        el('td', {}, METHODS[d.method] ?? d.method, d.at ? el('div', { class: 'muted' }, fmt.dateTime(d.at)) : ''),
        el('td', { class: 'amount' }, el('span', { class: 'money' }, fmt.money(d.amount))),
        el('td', {}, journalStatusText(d.journal_status)),
        el('td', { class: 'mono' }, d.provider_status ?? t('none')),
        el('td', { class: 'action' }, d.action ?? ''),
        // A payment the journal never took has only the wallet's id: nothing to open.
        el(
          'td',
          { class: 'mono' },
          d.kind === 'unknown_to_journal'
            ? d.transaction_id
            : el('a', { href: `#transaction/${d.transaction_id}`, class: 'tx-link', 'data-open': d.transaction_id, onclick: (e) => (e.preventDefault(), void openDetail(d.transaction_id)) }, d.transaction_id.slice(0, 8)),
        ),
      ),
    ),
  );
  labelCells($('wallets-differences'));
  $('wallets-differences').hidden = differences.length === 0;
  $('wallets-none').hidden = differences.length > 0;
  $('wallets-report').hidden = false;
}

/** "Reconcile now": the day asked of every wallet; a long run is answered 202 and followed until done. */
async function runWallets(event) {
  event.preventDefault();
  const date = walletsDate();
  state.walletsPosting = true;
  state.walletsSeq += 1;
  clearTimeout(state.walletsTimer);
  $('wallets-run').disabled = true;
  $('wallets').dataset.state = 'running';
  $('wallets-state').textContent = t('wallets_running');
  try {
    const answer = await api('/payment/reconciliation/wallets', { method: 'POST', body: { date } });
    state.walletsPosting = false;
    if (date === walletsDate()) renderWallets(answer, date);
    if (answer.is_success && answer.data.state === 'done') await refresh();
  } catch (err) {
    if (!(err instanceof Unauthorized)) console.error(err);
  } finally {
    state.walletsPosting = false;
    if ($('wallets').dataset.state !== 'running') $('wallets-run').disabled = false;
  }
}

/**
 * The CSV of the day, for the accountant: asked with the console's token and language (a plain link
 * could carry neither), then saved under the server's file name.
 */
async function downloadCsv(event) {
  event.preventDefault();
  return saveCsv($('wallets-csv').href, `wallet-reconciliation-${walletsDate()}.csv`);
}

/** The accountant's export of the day shown (another part of PayBridge answers it), saved the same way. */
async function downloadExport(event) {
  event.preventDefault();
  return saveCsv($('export-csv').href, `paybridge-${state.summary?.date ?? shopDay()}.csv`);
}

async function saveCsv(href, fallbackName) {
  const token = sessionStorage.getItem('paybridge.token');
  const res = await fetch(href, { headers: { 'accept-language': state.lang, ...(token ? { authorization: `Bearer ${token}` } : {}) } });
  if (res.status === 401) return showLogin();
  if (!/text\/csv/.test(res.headers.get('content-type') ?? '')) {
    const body = await res.json().catch(() => null);
    return toast(t('csv_failed', { message: body?.error?.message ?? String(res.status) }));
  }
  const name = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? fallbackName;
  const url = URL.createObjectURL(await res.blob());
  const a = el('a', { href: url, download: name, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** From the banner: the view on the most recent of the last 7 shop days whose report holds this difference. */
async function showWalletDifference(transactionId) {
  $('wallets').scrollIntoView({ block: 'start' });
  for (let back = 0; back < 7; back += 1) {
    const date = shopDay(Date.now() - back * 86_400_000);
    $('wallets-date').value = date;
    const answer = await loadWallets();
    if (answer?.is_success && (answer.data.discrepancies ?? []).some((d) => d.transaction_id === transactionId)) break;
    if (back === 6) {
      $('wallets-date').value = shopDay();
      await loadWallets();
    }
  }
  $('wallets').scrollIntoView({ block: 'start' });
  $(`wallets-differences`).querySelector(`tr[data-id="${CSS.escape(transactionId)}"]`)?.classList.add('fresh');
}

// ---- one transaction ------------------------------------------------------------------------------

function relatedItem(x, kind) {
  return el(
    'li',
    { 'data-id': x.transaction_id, 'data-status': x.status },
    el(
      'button',
      { type: 'button', class: 'link', onclick: () => openDetail(x.transaction_id) },
      `${kindText(kind)} · ${fmt.money(kind === 'payment' ? x.amount : -x.amount)}`,
    ),
    ' ',
    pill(x.status, t(`st_${x.status}`)),
    ' ',
    el('span', { class: 'muted' }, fmt.dateTime(x.created_at)),
    x.error ? el('div', { class: 'error-text' }, failureNode(x.error)) : '',
  );
}

const errorText = (e) => [`${e.code}: ${e.message}`, e.reason, e.data && `(${e.data})`].filter(Boolean).join(' — ');

/**
 * A journaled failure: why, in words for people first (the server's `reason`, in the console's
 * language), then, smaller, the code and the provider's or pinpad's own words, for whoever checks
 * with them ("104: BILLING_ERROR (400: apelsin.pay.wrong.prefix.otp.data)").
 */
const rawError = (e) => [`${e.code}: ${e.message}`, e.data && e.data !== e.message ? `(${e.data})` : ''].filter(Boolean).join(' ');
const failureNode = (e) =>
  el('span', { class: 'failure' }, el('span', { class: 'failure-reason', 'data-part': 'reason' }, e.reason ?? rawError(e)), e.reason ? el('span', { class: 'fine failure-raw', 'data-part': 'raw' }, rawError(e)) : '');
const failureText = (e) => (e.reason ? `${e.reason} (${rawError(e)})` : rawError(e));

function closeDetail() {
  state.detailSeq += 1;
  $('detail').hidden = true;
}

/**
 * Shows one transaction. `quiet`: the live refresh redrawing the one already open. Every open by
 * the manager, and every close, starts a new generation: an answer that comes back after a newer
 * one started is dropped, so a refresh under way can neither bring back the transaction the manager
 * just left nor reopen the panel just closed.
 */
async function openDetail(id, quiet = false) {
  const seq = quiet ? state.detailSeq : ++state.detailSeq;
  const answer = await api(`/payment/transactions/${id}`);
  if (seq !== state.detailSeq || (quiet && $('detail').hidden)) return undefined;
  if (!answer.is_success) return quiet ? undefined : toast(answer.error.message);
  const tx = answer.data;
  state.detail = tx;
  const facts = [
    ['status', pill(tx.status, t(`st_${tx.status}`))],
    ['kind', `${kindText(tx.kind)}${isForeign(tx) ? ` · ${t('foreign')}` : ''}`],
    ['method', METHODS[tx.method]],
    ['amount', signedAmount(tx)],
    ['refunded_amount', tx.refunded_amount && !isGiveBack(tx) ? fmt.money(tx.refunded_amount) : null],
    ['remaining', typeof tx.remaining_amount === 'number' && !isGiveBack(tx) ? fmt.money(tx.remaining_amount) : null],
    ['transaction', tx.transaction_id],
    ['payment_id', tx.payment_id],
    ['qr_code', tx.qr_code],
    ['terminal', tx.terminal],
    ['shop', tx.shop],
    ['till', tx.till],
    ['instance', tx.instance],
    ['receipt', tx.receipt_number],
    ['shift', tx.shift_number],
    ['fiscal', tx.fiscal ? `${t(`fiscal_${tx.fiscal.state}`)} (${t('attempts')}: ${fmt.number(tx.fiscal.attempts)})` : null],
    ['held_by', tx.held_by ? `${tx.held_by.holder} (${t('until')} ${fmt.dateTime(tx.held_by.until)})` : null],
    ['error', tx.error ? failureNode(tx.error) : null],
    ['created', fmt.dateTime(tx.created_at)],
    ['updated', fmt.dateTime(tx.updated_at)],
  ].filter(([, v]) => v !== null && v !== undefined && v !== '');
  $('detail-title').textContent = `${t('transaction')} · ${kindText(tx.kind)}`;
  $('detail-facts').replaceChildren(...facts.flatMap(([k, v]) => [el('dt', {}, t(k)), el('dd', { 'data-fact': k }, v)]));

  const original = tx.original ?? (isGiveBack(tx) && tx.original_transaction_id ? { transaction_id: tx.original_transaction_id, amount: null } : null);
  $('detail-original').hidden = !original;
  $('detail-original-list').replaceChildren(
    ...(original
      ? [
          original.amount === null
            ? el('li', { 'data-id': original.transaction_id }, el('button', { type: 'button', class: 'link mono', onclick: () => openDetail(original.transaction_id) }, original.transaction_id))
            : relatedItem(original, 'payment'),
        ]
      : []),
  );
  const giveBacks = Array.isArray(tx.give_backs) ? tx.give_backs : [];
  $('detail-give-backs').hidden = giveBacks.length === 0;
  $('detail-give-backs-list').replaceChildren(...giveBacks.map((g) => relatedItem(g, g.kind)));

  $('detail-events').replaceChildren(
    ...tx.events.map((e) => el('li', { 'data-step': e.step }, el('span', { class: 'muted' }, fmt.dateTime(e.at)), ' ', pill(e.status, t(`st_${e.status}`)), ' ', stepText(e.step))),
  );
  const conflicts = (tx.conflicts ?? []).filter((c) => c.state === 'open');
  $('detail-conflicts').hidden = conflicts.length === 0;
  $('detail-conflicts-list').replaceChildren(
    ...conflicts.map((c) =>
      el(
        'li',
        { 'data-conflict': c.conflict_id },
        pill('unknown', t(`conflict_kind_${c.kind}`)),
        ' ',
        el('span', { class: 'muted' }, fmt.dateTime(c.created_at)),
        ' ',
        `${t('proven_step')}: ${stepText(c.evidence.step)} (${c.proven_by})`,
        el('div', {}, c.what_to_do ?? ''),
      ),
    ),
  );
  $('detail-slip').textContent = tx.slip ?? '';
  $('slip-title').hidden = $('detail-slip').hidden = !tx.slip;
  const remaining = remainingOf(tx);
  $('refund-open').hidden = !(tx.kind === 'payment' && tx.status === 'succeeded' && remaining > 0);
  $('resolve-open').hidden = tx.status !== 'unknown' && conflicts.length === 0;
  $('detail').hidden = false;
}

/** What can still be given back: the server's ledger when it says, else paid less given back. */
const remainingOf = (tx) => (typeof tx.remaining_amount === 'number' ? tx.remaining_amount : tx.amount - tx.refunded_amount);

function openRefund() {
  const tx = state.detail;
  $('refund-form').reset();
  $('refund-question').textContent = t('confirm_question', { amount: fmt.money(remainingOf(tx)), method: METHODS[tx.method], time: fmt.dateTime(tx.created_at) });
  showError('refund', null);
  $('refund-dialog').showModal();
}

async function confirmRefund(event) {
  event.preventDefault();
  const form = new FormData($('refund-form'));
  const amountText = String(form.get('amount') ?? '').trim();
  const amount = amountText === '' ? undefined : parseSoum(amountText);
  if (amount === null || amount === 0) {
    showError('refund', null);
    $('refund-error-message').textContent = t('bad_amount');
    return;
  }
  $('refund-confirm').disabled = true;
  try {
    const answer = await api(`/payment/transactions/${state.detail.transaction_id}/refund`, {
      method: 'POST',
      body: { ...(amount ? { amount } : {}), ...(form.get('operator') ? { operator: String(form.get('operator')) } : {}) },
    });
    if (!answer.is_success) return void showError('refund', answer.error);
    $('refund-dialog').close();
    toast(t('done_given_back', { amount: fmt.money(answer.data.amount ?? amount ?? 0) }));
    await refresh();
  } finally {
    $('refund-confirm').disabled = false;
  }
}

/** An event's detail in one line: what was asked, what was answered (plain values; anything nested as JSON). */
function summarise(detail) {
  if (detail === null || detail === undefined || detail === '') return '';
  if (typeof detail !== 'object') return String(detail);
  const line = Object.entries(detail)
    .filter(([, v]) => v !== null && v !== undefined && v !== '')
    .map(([k, v]) => `${k}: ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
    .join('; ');
  return line.length > 400 ? `${line.slice(0, 399)}…` : line;
}

/**
 * The operator's decision on an unknown outcome (or a conflict). It names the operation and asks
 * which way the money went in plain words — for a payment whether the customer was charged, for a
 * cancel or refund whether the money went back — beside everything PayBridge has: the timeline
 * (what was asked, what was answered), the last answer, the slip. "Charged" and "went back" are
 * `succeeded`; nothing is preselected, and a reason is required.
 */
function openResolve() {
  const tx = state.detail;
  const giveBack = isGiveBack(tx);
  $('resolve-form').reset();
  showError('resolve', null);
  $('resolve-title').textContent = t(`resolve_title_${tx.kind}`);
  $('resolve-what').textContent = t(`resolve_what_${tx.kind}`, { method: METHODS[tx.method], amount: fmt.money(tx.amount), time: fmt.dateTime(tx.created_at) });
  $('resolve-help').textContent = t(giveBack ? 'resolve_help_give_back' : 'resolve_help_payment');
  $('resolve-yes').textContent = t(giveBack ? 'money_back' : 'money_taken_payment');
  $('resolve-no').textContent = t(giveBack ? 'money_not_back' : 'money_not_taken_payment');
  const events = (tx.events ?? []).map((e) =>
    el('li', { 'data-step': e.step }, el('span', { class: 'muted' }, fmt.dateTime(e.at)), ' ', stepText(e.step), summarise(e.detail) ? el('span', { class: 'fine' }, summarise(e.detail)) : ''),
  );
  const proofs = (tx.conflicts ?? [])
    .filter((c) => c.state === 'open')
    .map((c) => el('li', { 'data-conflict': c.conflict_id }, el('span', { class: 'muted' }, fmt.dateTime(c.created_at)), ' ', `${t('proven_step')}: ${stepText(c.evidence.step)} (${c.proven_by})`, summarise(c.evidence.detail) ? el('span', { class: 'fine' }, summarise(c.evidence.detail)) : ''));
  $('resolve-evidence').replaceChildren(...events, ...proofs);
  if (!events.length && !proofs.length) $('resolve-evidence').replaceChildren(el('li', {}, t('evidence_none')));
  $('resolve-last-error').textContent = tx.error ? `${t('error')}: ${failureText(tx.error)}` : '';
  $('resolve-slip').textContent = tx.slip ?? '';
  $('resolve-slip').hidden = !tx.slip;
  $('resolve-dialog').showModal();
}

async function confirmResolve(event) {
  event.preventDefault();
  const form = new FormData($('resolve-form'));
  const chosen = form.get('status') === 'succeeded' ? $('resolve-yes').textContent : $('resolve-no').textContent;
  const answer = await api(`/payment/transactions/${state.detail.transaction_id}/resolve`, {
    method: 'POST',
    body: { status: form.get('status'), operator: String(form.get('operator') ?? ''), reason: String(form.get('reason') ?? '') },
  });
  if (!answer.is_success) return void showError('resolve', answer.error);
  $('resolve-dialog').close();
  toast(t('done_resolved_as', { outcome: chosen }));
  await refresh();
}

async function start() {
  const settings = await fetch('/console/config.json').then((r) => r.json());
  state.lang = localStorage.getItem('paybridge.lang') ?? settings.language ?? 'ru';
  state.timeZone = settings.timezone ?? 'Asia/Tashkent';
  state.shop = settings.shop ?? null;
  $('mode').textContent = settings.mode === 'sandbox' ? 'sandbox' : '';
  $('mode').hidden = settings.mode !== 'sandbox';
  translatePage();

  $('language').addEventListener('change', async () => {
    state.lang = $('language').value;
    localStorage.setItem('paybridge.lang', state.lang);
    translatePage();
    await Promise.all([refresh(), loadWallets()]);
  });
  $('filters').addEventListener('change', () => void refresh());
  // Enter in the shop or till field filters; it must not send the form away.
  $('filters').addEventListener('submit', (event) => {
    event.preventDefault();
    void refresh();
  });
  $('detail-close').addEventListener('click', closeDetail);
  $('refund-open').addEventListener('click', openRefund);
  $('refund-cancel').addEventListener('click', () => $('refund-dialog').close());
  $('refund-form').addEventListener('submit', confirmRefund);
  $('resolve-open').addEventListener('click', openResolve);
  $('resolve-cancel').addEventListener('click', () => $('resolve-dialog').close());
  $('resolve-form').addEventListener('submit', confirmResolve);
  $('wallets-date').value = shopDay();
  $('wallets-date').max = shopDay();
  $('wallets-date').addEventListener('change', () => void loadWallets());
  $('wallets-form').addEventListener('submit', runWallets);
  $('wallets-csv').addEventListener('click', downloadCsv);
  $('export-csv').addEventListener('click', downloadExport);
  $('till-picker').addEventListener('change', () => void refresh());
  $('logout').addEventListener('click', () => (sessionStorage.removeItem('paybridge.token'), showLogin()));
  $('login-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    sessionStorage.setItem('paybridge.token', String(new FormData($('login-form')).get('token') ?? ''));
    $('login-error').textContent = '';
    await refresh();
    if (!$('login').hidden) $('login-error').textContent = t('login_wrong');
    else {
      startPolling();
      void loadWallets();
    }
  });
  await refresh();
  if ($('login').hidden) {
    startPolling();
    void loadWallets();
  }
}

// Live: the journal is asked again every 2 s (an EventSource could not carry the token).
function startPolling() {
  clearInterval(state.timer);
  state.timer = setInterval(() => void refresh(), 2000);
}

void start();
