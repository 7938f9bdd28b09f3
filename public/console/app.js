// The manager's console: plain DOM, no framework, nothing from outside this PayBridge. Every text
// goes in through textContent, never as HTML.
import { WORDS } from './i18n.js';

const $ = (id) => document.getElementById(id);
const METHODS = { click: 'Click', payme: 'Payme', uzum: 'Uzum', humo: 'Humo', uzcard: 'UzCard' };
const state = { lang: 'ru', detail: null, seen: new Set(), firstLoad: true, timer: null };

const t = (key, params = {}) => (WORDS[state.lang][key] ?? WORDS.en[key] ?? key).replace(/\{(\w+)\}/g, (_, k) => String(params[k] ?? ''));

/** 123456 tiyin → "1 234,56 сум", from the integer's digits: no floating point anywhere near money. */
function soum(tiyin) {
  const digits = String(Math.abs(tiyin)).padStart(3, '0');
  const whole = digits.slice(0, -2).replace(/\B(?=(\d{3})+(?!\d))/g, '\u00a0');
  return `${tiyin < 0 ? '−' : ''}${whole}${state.lang === 'en' ? '.' : ','}${digits.slice(-2)} ${t('soum')}`;
}

/** "12.5" or "12,50" soum → 1250 tiyin, exactly; null when it is not such a number. */
function parseSoum(text) {
  const m = /^\s*(\d{1,13})(?:[.,](\d{1,2}))?\s*$/.exec(text);
  if (!m) return null;
  return Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
}

const time = (iso) => new Date(iso).toLocaleString(state.lang === 'uz' ? 'uz-Latn-UZ' : state.lang, { timeZone: 'Asia/Tashkent', dateStyle: 'short', timeStyle: 'medium' });

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') node.className = v;
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v);
  }
  for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(String(c ?? '')));
  return node;
}
const pill = (kind, text) => el('span', { class: `pill ${kind}` }, text);

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
  document.documentElement.lang = state.lang;
  for (const node of document.querySelectorAll('[data-t]')) node.textContent = t(node.dataset.t);
  $('language').value = state.lang;
}

function showLogin() {
  $('app').hidden = true;
  $('detail').hidden = true;
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

function renderTotals(summary) {
  $('today-date').textContent = summary.date;
  $('totals').replaceChildren(
    ...summary.methods.map((m) =>
      el(
        'div',
        { class: 'card', 'data-method': m.method },
        el('div', { class: 'name' }, METHODS[m.method]),
        el('div', { class: 'net' }, soum(m.net_amount)),
        el('div', { class: 'small' }, `${m.paid_count} ${t('paid')} · ${soum(m.paid_amount)}`),
        el('div', { class: 'small' }, `${t('returned')} ${soum(m.returned_amount)} · ${m.failed_count} ${t('failed_n')}${m.pending_count + m.unknown_count ? ` · ${m.pending_count + m.unknown_count} ${t('open_n')}` : ''}`),
      ),
    ),
  );
}

const totalsText = (x) => (x ? `${x.purchase_count} ${t('purchases')} ${soum(x.purchase_amount)} / ${x.return_count} ${t('returns')} ${soum(x.return_amount)}` : t('none'));

function renderTerminals(terminals, summary) {
  $('terminals').tBodies[0].replaceChildren(
    ...terminals.map((term) => {
      const totals = summary.terminals.find((s) => s.terminal === term.id)?.totals;
      return el(
        'tr',
        { 'data-terminal': term.id },
        el('td', {}, `${term.id} `, el('span', { class: 'muted' }, METHODS[term.method])),
        el('td', { title: term.last_error?.message ?? '' }, pill(term.state, t(term.state))),
        el('td', {}, term.shift_number ?? t('none')),
        el('td', {}, totalsText(totals)),
        el('td', {}, term.last_close ? `${time(term.last_close.closed_at)} ` : t('none'), term.last_close ? pill(term.last_close.matched === false ? 'mismatch' : term.last_close.matched ? 'matched' : 'none', t(term.last_close.matched === false ? 'mismatch' : term.last_close.matched ? 'matched' : 'no_totals')) : ''),
      );
    }),
  );
}

function renderCloses(closes) {
  $('closes').tBodies[0].replaceChildren(
    ...closes.map((c) =>
      el(
        'tr',
        { class: c.mismatch ? 'mismatch' : '' },
        el('td', {}, time(c.closed_at)),
        el('td', {}, c.terminal),
        el('td', {}, c.shift_number ?? t('none')),
        el('td', {}, totalsText(c.terminal_totals)),
        el('td', {}, totalsText(c.journal_totals)),
        // Why nothing was compared, and the terminal's own verdict with its bank («Итоги совпали»), which is not PayBridge's.
        el(
          'td',
          { title: [c.reason, c.terminal_host_reconciliation && `terminal ↔ bank: ${c.terminal_host_reconciliation.printed.join(', ')}`].filter(Boolean).join('\n') },
          pill(c.mismatch ? 'mismatch' : c.matched ? 'matched' : 'none', t(c.mismatch ? 'mismatch' : c.matched ? 'matched' : 'no_totals')),
        ),
      ),
    ),
  );
}

function filterQuery() {
  const form = new FormData($('filters'));
  const q = new URLSearchParams({ limit: '50' });
  if (form.get('method')) q.set('method', form.get('method'));
  if (form.get('status')) q.set('status', form.get('status'));
  for (const name of ['shop', 'till']) {
    const value = String(form.get(name) ?? '').trim();
    if (value) q.set(name, value);
  }
  const date = form.get('date');
  if (date) {
    const from = new Date(`${date}T00:00:00+05:00`);
    q.set('from', from.toISOString());
    q.set('to', new Date(from.getTime() + 86_400_000).toISOString());
  }
  return q;
}

/**
 * A give-back of a payment PayBridge never took (one FiscalBox took before the switch, allowed by
 * terminals.allow_foreign_rrns): nothing in the journal was reserved for it, so an operator must see it.
 */
const isForeign = (tx) => tx.kind !== 'payment' && !tx.original_transaction_id;

function renderTransactions(items) {
  const rows = items.map((tx) => {
    const fresh = !state.firstLoad && !state.seen.has(tx.transaction_id);
    state.seen.add(tx.transaction_id);
    return el(
      'tr',
      { tabindex: '0', 'data-id': tx.transaction_id, 'data-status': tx.status, class: fresh ? 'fresh' : '', onclick: () => openDetail(tx.transaction_id), onkeydown: (e) => e.key === 'Enter' && openDetail(tx.transaction_id) },
      el('td', {}, time(tx.created_at)),
      el('td', {}, METHODS[tx.method], tx.kind !== 'payment' ? el('span', { class: 'muted' }, ` · ${tx.kind}`) : '', isForeign(tx) ? el('span', {}, ' ', pill('foreign', t('foreign'))) : ''),
      el('td', {}, soum(tx.amount), tx.refunded_amount ? el('div', { class: 'muted' }, `−${soum(tx.refunded_amount)}`) : ''),
      el('td', {}, pill(tx.status, t(`st_${tx.status}`))),
      el('td', { class: 'mono' }, tx.payment_id ?? ''),
      el('td', { class: 'mono' }, tx.transaction_id.slice(0, 8)),
    );
  });
  state.firstLoad = false;
  $('transactions').tBodies[0].replaceChildren(...rows);
  $('empty').hidden = items.length > 0;
}

async function refresh() {
  try {
    const [summary, terminals, closes, page] = await Promise.all([
      api('/payment/summary'),
      api('/payment/terminals'),
      api('/payment/shift-closes?limit=10'),
      api(`/payment/transactions?${filterQuery()}`),
    ]);
    $('login').hidden = true;
    $('app').hidden = false;
    $('logout').hidden = !sessionStorage.getItem('paybridge.token');
    if (summary.is_success) renderTotals(summary.data);
    if (terminals.is_success && summary.is_success) renderTerminals(terminals.data, summary.data);
    if (closes.is_success) renderCloses(closes.data);
    if (page.is_success) renderTransactions(page.data.items);
    if (state.detail && !$('detail').hidden) await openDetail(state.detail.transaction_id, true);
  } catch (err) {
    if (!(err instanceof Unauthorized)) console.error(err);
  }
}

async function openDetail(id, quiet = false) {
  const answer = await api(`/payment/transactions/${id}`);
  if (!answer.is_success) return quiet ? undefined : toast(answer.error.message);
  const tx = answer.data;
  state.detail = tx;
  const facts = [
    ['status', pill(tx.status, t(`st_${tx.status}`))],
    ['method', `${METHODS[tx.method]}${tx.kind !== 'payment' ? ` · ${tx.kind}` : ''}${isForeign(tx) ? ` · ${t('foreign')}` : ''}`],
    ['amount', soum(tx.amount)],
    ['refunded_amount', tx.refunded_amount ? soum(tx.refunded_amount) : null],
    ['transaction', tx.transaction_id],
    ['payment_id', tx.payment_id],
    ['qr_code', tx.qr_code],
    ['terminal', tx.terminal],
    ['shop', tx.shop],
    ['till', tx.till],
    ['instance', tx.instance],
    ['receipt', tx.receipt_number],
    ['shift', tx.shift_number],
    ['fiscal', tx.fiscal ? `${tx.fiscal.state} (${tx.fiscal.attempts})` : null],
    ['error', tx.error ? `${tx.error.code}: ${tx.error.data ?? tx.error.message}` : null],
    ['created', time(tx.created_at)],
    ['updated', time(tx.updated_at)],
  ].filter(([, v]) => v !== null && v !== undefined && v !== '');
  $('detail-facts').replaceChildren(...facts.flatMap(([k, v]) => [el('dt', {}, t(k)), el('dd', { 'data-fact': k }, v)]));
  $('detail-events').replaceChildren(...tx.events.map((e) => el('li', {}, el('span', { class: 'muted' }, time(e.at)), ' ', pill(e.status, t(`st_${e.status}`)), ' ', e.step)));
  $('detail-slip').textContent = tx.slip ?? '';
  $('slip-title').hidden = $('detail-slip').hidden = !tx.slip;
  $('refund-open').hidden = !(tx.kind === 'payment' && tx.status === 'succeeded');
  $('resolve-open').hidden = tx.status !== 'unknown';
  $('detail').hidden = false;
}

function openRefund() {
  const tx = state.detail;
  const remaining = tx.amount - tx.refunded_amount;
  $('refund-question').textContent = t('confirm_question', { amount: soum(remaining), method: METHODS[tx.method], time: time(tx.created_at) });
  $('refund-form').reset();
  $('refund-error').textContent = '';
  $('refund-dialog').showModal();
}

async function confirmRefund(event) {
  event.preventDefault();
  const form = new FormData($('refund-form'));
  const amountText = String(form.get('amount') ?? '').trim();
  const amount = amountText === '' ? undefined : parseSoum(amountText);
  if (amount === null || amount === 0) return void ($('refund-error').textContent = t('bad_amount'));
  $('refund-confirm').disabled = true;
  try {
    const answer = await api(`/payment/transactions/${state.detail.transaction_id}/refund`, {
      method: 'POST',
      body: { ...(amount ? { amount } : {}), ...(form.get('operator') ? { operator: String(form.get('operator')) } : {}) },
    });
    if (!answer.is_success) return void ($('refund-error').textContent = answer.error.message);
    $('refund-dialog').close();
    toast(t('done_given_back', { amount: soum(answer.data.amount ?? amount ?? 0) }));
    await refresh();
  } finally {
    $('refund-confirm').disabled = false;
  }
}

async function confirmResolve(event) {
  event.preventDefault();
  const form = new FormData($('resolve-form'));
  const answer = await api(`/payment/transactions/${state.detail.transaction_id}/resolve`, {
    method: 'POST',
    body: { status: form.get('status'), operator: String(form.get('operator') ?? ''), reason: String(form.get('reason') ?? '') },
  });
  if (!answer.is_success) return void ($('resolve-error').textContent = answer.error.message);
  $('resolve-dialog').close();
  toast(t('done_resolved'));
  await refresh();
}

async function start() {
  const settings = await fetch('/console/config.json').then((r) => r.json());
  state.lang = localStorage.getItem('paybridge.lang') ?? settings.language ?? 'ru';
  $('mode').textContent = settings.mode === 'sandbox' ? 'sandbox' : '';
  $('mode').hidden = settings.mode !== 'sandbox';
  translatePage();

  $('language').addEventListener('change', async () => {
    state.lang = $('language').value;
    localStorage.setItem('paybridge.lang', state.lang);
    translatePage();
    await refresh();
  });
  $('filters').addEventListener('change', () => void refresh());
  // Enter in the shop or till field filters; it must not send the form away.
  $('filters').addEventListener('submit', (event) => {
    event.preventDefault();
    void refresh();
  });
  $('detail-close').addEventListener('click', () => ($('detail').hidden = true));
  $('refund-open').addEventListener('click', openRefund);
  $('refund-cancel').addEventListener('click', () => $('refund-dialog').close());
  $('refund-form').addEventListener('submit', confirmRefund);
  $('resolve-open').addEventListener('click', () => ($('resolve-form').reset(), ($('resolve-error').textContent = ''), $('resolve-dialog').showModal()));
  $('resolve-cancel').addEventListener('click', () => $('resolve-dialog').close());
  $('resolve-form').addEventListener('submit', confirmResolve);
  $('logout').addEventListener('click', () => (sessionStorage.removeItem('paybridge.token'), showLogin()));
  $('login-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    sessionStorage.setItem('paybridge.token', String(new FormData($('login-form')).get('token') ?? ''));
    $('login-error').textContent = '';
    await refresh();
    if (!$('login').hidden) $('login-error').textContent = t('login_wrong');
    else startPolling();
  });
  await refresh();
  if ($('login').hidden) startPolling();
}

// Live: the journal is asked again every 2 s (an EventSource could not carry the token).
function startPolling() {
  clearInterval(state.timer);
  state.timer = setInterval(() => void refresh(), 2000);
}

void start();
