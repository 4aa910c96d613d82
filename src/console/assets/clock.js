// The mock's clock (GET/POST /_autopilot-mock/v1/clock): advance or set it;
// and the reset of the whole mock (POST /_autopilot-mock/v1/reset).

import { admin } from './api.js';
import { duration, el, showError } from './dom.js';

export function clockView(ctx, root) {
  const now = el('div', { class: 'big mono', id: 'clock-view-now' }, '…');
  const drift = el('div', { class: 'muted', id: 'clock-drift' });
  const error = el('p', { class: 'error', role: 'alert', hidden: true, id: 'clock-error' });
  const result = el('p', { class: 'okay', hidden: true, id: 'clock-result' });
  const seconds = el('input', { type: 'number', id: 'clock-advance-seconds', value: '3600' });
  const setTo = el('input', { type: 'datetime-local', id: 'clock-set', step: '1' });

  async function move(body, what) {
    try {
      const answer = await admin('POST', '/clock', body);
      ctx.tick(answer);
      showError(error, null);
      result.hidden = false;
      result.textContent = `${what}: now ${answer.now}`;
    } catch (e) {
      result.hidden = true;
      showError(error, e);
    }
  }
  const advance = (secs, label) => el('button', { type: 'button', 'data-advance': secs,
    onclick: () => move({ advance_seconds: secs }, `advanced ${label}`) }, `+${label}`);

  const reset = el('button', { type: 'button', class: 'danger', id: 'mock-reset' }, 'Reset the mock');
  reset.addEventListener('click', async () => {
    try {
      await admin('POST', '/reset');
      showError(error, null);
      result.hidden = false;
      result.textContent = 'reset: a fresh mock (the clock and the journal of received calls kept)';
    } catch (e) {
      showError(error, e);
    }
  });

  root.append(el('h2', {}, 'Clock'),
    el('div', { class: 'card' }, now, drift),
    el('div', { class: 'card' },
      el('h3', {}, 'Advance'),
      el('div', { class: 'toolbar' }, advance(60, '1m'), advance(3600, '1h'), advance(86400, '1d'),
        seconds, el('button', { type: 'button', id: 'clock-advance',
          onclick: () => move({ advance_seconds: Math.trunc(Number(seconds.value)) }, `advanced ${seconds.value} s`) }, 'Advance by seconds')),
      el('h3', {}, 'Set (UTC)'),
      el('div', { class: 'toolbar' }, setTo, el('button', { type: 'button', id: 'clock-set-button',
        onclick: () => {
          const ms = Date.parse(`${setTo.value}Z`);
          if (Number.isNaN(ms)) showError(error, new Error('set: pick a date and time'));
          else move({ set_unix_seconds: Math.trunc(ms / 1000) }, 'set');
        } }, 'Set')),
      error, result),
    el('div', { class: 'card' }, el('h3', {}, 'Reset'),
      el('p', { class: 'muted' }, 'Back to a fresh mock (POST /_autopilot-mock/v1/reset): no sessions, privacy maps or firewall actions; the stub forgets its clients and journal and has its start-up script again. The clock and the journal of received calls stay.'),
      reset));

  ctx.onTick((seconds) => {
    const text = new Date(seconds * 1000).toISOString();
    now.textContent = text;
    const ahead = seconds - Date.now() / 1000;
    drift.textContent = Math.abs(ahead) < 1 ? 'with this browser\'s clock'
      : `${duration(ahead)} ${ahead > 0 ? 'ahead of' : 'behind'} this browser's clock`;
    if (!setTo.value) setTo.value = text.slice(0, 19);
  });
  return { show() {}, hide() {} };
}
