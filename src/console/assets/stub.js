// The in-process stub (the remote autopilot server): its journal of the
// calls litd's side made to it, live, and its script (edit, validate, apply).

import { admin } from './api.js';
import { clear, el, pretty, showError, table } from './dom.js';

function answerText(answer) {
  if (!answer) return '–';
  if (answer.ok !== undefined) return 'ok';
  return pretty(answer);
}

export function stubView(ctx, root) {
  root.append(el('h2', {}, 'Stub: the remote autopilot server'));
  if (!ctx.info.stub) {
    root.append(el('p', { class: 'muted' },
      'No in-process stub: this mock registers with an external autopilot server (--autopilot-addr).'));
    return { show() {}, hide() {} };
  }
  const journalError = el('p', { class: 'error', role: 'alert', hidden: true });
  const journal = el('div', { id: 'stub-journal' });
  const scriptError = el('p', { class: 'error', role: 'alert', hidden: true, id: 'script-error' });
  const scriptResult = el('p', { class: 'okay', hidden: true, id: 'script-result' });
  const editor = el('textarea', { id: 'script-text', rows: 18, spellcheck: 'false' });
  const button = (id, text, extra = {}) => el('button', { type: 'button', id, ...extra }, text);
  const reloadScript = button('script-reload', 'Reload');
  const validate = button('script-validate', 'Validate');
  const apply = button('script-apply', 'Apply');
  const clearJournal = button('stub-journal-clear', 'Clear the stub journal', { class: 'danger' });
  let visible = false;
  let lastCount = -1;

  function paintJournal(entries) {
    const rows = [...entries].reverse().map((e) => el('tr', { class: 'stub-call', 'data-rpc': e.rpc },
      el('td', {}, e.seq),
      el('td', { class: 'mono' }, e.time),
      el('td', { class: 'mono' }, e.rpc),
      el('td', {}, e.step === null || e.step === undefined ? 'default' : `step ${pretty(e.step)}`),
      el('td', {}, el('pre', {}, pretty(e.request))),
      el('td', {}, el('pre', {}, answerText(e.answer))),
      el('td', {}, `${e.delay_ms} ms`)));
    clear(journal).append(rows.length
      ? table(['seq', 'time', 'rpc', 'answered by', 'request', 'answer', 'delay'], rows)
      : el('p', { class: 'muted' }, 'the stub has received nothing yet'));
  }

  async function pollJournal() {
    try {
      const answer = await admin('GET', '/journal');
      showError(journalError, null);
      const entries = answer.entries ?? [];
      if (entries.length !== lastCount) {
        lastCount = entries.length;
        paintJournal(entries);
      }
    } catch (e) {
      showError(journalError, e);
    }
  }

  function said(error, ok) {
    showError(scriptError, error);
    scriptResult.hidden = !ok;
    scriptResult.textContent = ok ?? '';
  }

  async function loadScript() {
    try {
      editor.value = pretty(await admin('GET', '/script'));
      said(null, null);
    } catch (e) {
      said(e, null);
    }
  }

  validate.addEventListener('click', async () => {
    try {
      const answer = await admin('POST', '/script/validate', editor.value);
      if (answer.valid) said(null, 'valid: nothing applied yet');
      else said(new Error(answer.message), null);
    } catch (e) {
      said(e, null);
    }
  });
  apply.addEventListener('click', async () => {
    try {
      editor.value = pretty(await admin('PUT', '/script', editor.value));
      said(null, 'applied: the stub answers by this script now');
    } catch (e) {
      said(e, null);
    }
  });
  reloadScript.addEventListener('click', loadScript);
  clearJournal.addEventListener('click', async () => {
    try {
      await admin('DELETE', '/journal');
      lastCount = -1;
      await pollJournal();
    } catch (e) {
      showError(journalError, e);
    }
  });

  root.append(
    el('div', { class: 'card' },
      el('h3', {}, 'Script (GET/PUT /_autopilot-mock/v1/script)'),
      el('div', { class: 'toolbar' }, reloadScript, validate, apply),
      editor, scriptError, scriptResult),
    el('div', { class: 'card' },
      el('h3', {}, 'Journal of calls to the stub (GET /_autopilot-mock/v1/journal)'),
      el('div', { class: 'toolbar' }, clearJournal), journalError, journal));
  loadScript();
  setInterval(() => { if (visible) pollJournal(); }, 1000);
  return {
    show() { visible = true; pollJournal(); },
    hide() { visible = false; },
  };
}
