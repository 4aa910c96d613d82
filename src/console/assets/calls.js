// The journal of received calls (GET /_autopilot-mock/v1/requests), live:
// polled with since_seq, newest first; a row opens its request, response
// and error JSON.

import { admin, codeName } from './api.js';
import { clear, el, pretty, showError } from './dom.js';

const KEEP = 1000;

function authText(auth) {
  if (!auth) return '';
  if (auth.result === 'refused') return `refused: ${auth.message}`;
  return auth.result;
}

function resultText(entry) {
  if (!entry.error) return 'OK';
  return `${entry.error.code ?? codeName(entry.error.code_number)}: ${entry.error.message}`;
}

function entryRows(entry, open) {
  const detail = el('tr', { class: 'detail', hidden: !open.has(entry.seq) },
    el('td', { colspan: 8 },
      el('div', { class: 'grid2' },
        el('div', {}, el('b', {}, 'request'), el('pre', { class: 'call-request' }, pretty(entry.request))),
        el('div', {}, el('b', {}, entry.error ? 'error' : 'response'),
          el('pre', { class: 'call-response' }, pretty(entry.error ?? entry.response))))));
  const row = el('tr', { class: 'clickable call', 'data-seq': entry.seq, 'data-method': entry.method },
    el('td', {}, entry.seq),
    el('td', { class: 'mono' }, entry.time),
    el('td', { class: 'mono', 'data-col': 'method' }, entry.method),
    el('td', { 'data-col': 'transport' }, entry.transport),
    el('td', { 'data-col': 'credential' }, entry.credential),
    el('td', { class: `auth-${entry.auth?.result}`, 'data-col': 'auth' }, authText(entry.auth)),
    el('td', { class: entry.error ? 'error' : 'okay', 'data-col': 'result' }, resultText(entry)),
    el('td', {}, `${entry.latency_ms} ms`));
  row.addEventListener('click', () => {
    detail.hidden = !detail.hidden;
    if (detail.hidden) open.delete(entry.seq);
    else open.add(entry.seq);
  });
  return [row, detail];
}

export function callsView(ctx, root) {
  const error = el('p', { class: 'error', role: 'alert', hidden: true });
  const body = el('tbody', { id: 'calls-body' });
  const filter = el('input', { type: 'text', id: 'calls-filter', placeholder: 'filter by method' });
  const live = el('input', { type: 'checkbox', id: 'calls-live', checked: true });
  const clearButton = el('button', { type: 'button', id: 'calls-clear', class: 'danger' }, 'Clear the journal');
  const count = document.getElementById('calls-count');
  let entries = [];
  const open = new Set();
  let lastSeq = 0;
  let visible = false;
  let busy = false;

  function paint() {
    const f = filter.value.trim().toLowerCase();
    const shown = entries.filter((e) => !f || e.method.toLowerCase().includes(f));
    clear(body);
    for (const e of [...shown].reverse()) body.append(...entryRows(e, open));
    if (!shown.length) body.append(el('tr', {}, el('td', { colspan: 8, class: 'muted' }, 'no calls received yet')));
  }

  async function poll() {
    if (busy) return;
    busy = true;
    try {
      const answer = await admin('GET', `/requests?since_seq=${lastSeq}`);
      const fresh = answer.entries ?? [];
      showError(error, null);
      if (fresh.length) {
        entries = entries.concat(fresh).slice(-KEEP);
        lastSeq = fresh[fresh.length - 1].seq;
        count.textContent = String(entries.length);
        if (visible) paint();
      }
    } catch (e) {
      showError(error, e);
    } finally {
      busy = false;
    }
  }

  clearButton.addEventListener('click', async () => {
    try {
      await admin('DELETE', '/requests');
      entries = [];
      count.textContent = '';
      paint();
    } catch (e) {
      showError(error, e);
    }
  });
  filter.addEventListener('input', paint);
  root.append(el('h2', {}, 'Received calls'),
    el('p', { class: 'muted' }, 'Every litrpc call the mock received, on every transport (GET /_autopilot-mock/v1/requests). Click a row for its JSON.'),
    el('div', { class: 'toolbar' }, filter, el('label', { class: 'inline' }, live, 'live'), clearButton),
    error,
    el('table', { id: 'calls-table' },
      el('thead', {}, el('tr', {}, ['seq', 'time', 'method', 'transport', 'credential', 'auth', 'result', 'latency'].map((h) => el('th', {}, h)))),
      body));
  paint();
  poll();
  // The journal is polled in the background too, for the count on the tab.
  setInterval(() => { if (live.checked) poll(); }, 1000);
  return {
    show() {
      visible = true;
      paint();
      poll();
    },
    hide() { visible = false; },
  };
}
