// The sessions: litrpc.Autopilot's list (and litrpc.Sessions' list of every
// type when the mock serves it), with time to expiry on the mock's clock,
// revoke buttons and the add form.

import { call } from './api.js';
import { base64ToHex, clear, el, privacyText, showError, table, untilText, urlSafe, utc } from './dom.js';
import { addSessionForm } from './add_session.js';

const LIST_SESSIONS = '/litrpc.Sessions/ListSessions';
const REVOKE_SESSION = '/litrpc.Sessions/RevokeSession';

function short(hex) {
  return hex.length > 20 ? `${hex.slice(0, 16)}…` : hex;
}

/** One list's table; `revokePath(session)` is null where no revoke applies. */
function sessionTable(sessions, nowCells, revoke, revokePath) {
  const rows = sessions.map((s) => {
    const key = s.local_public_key ?? '';
    const expiry = el('td', { 'data-col': 'expiry' },
      utc(s.expiry_timestamp_seconds), el('br'), el('span', { class: 'muted', 'data-col': 'until' }));
    nowCells.push([expiry.lastChild, s.expiry_timestamp_seconds]);
    const path = revokePath(s);
    return el('tr', { 'data-label': s.label ?? '', 'data-key': base64ToHex(key) },
      el('td', {}, s.label || el('span', { class: 'muted' }, '(no label)')),
      el('td', { class: `state-${s.session_state}`, 'data-col': 'state' }, s.session_state),
      el('td', { 'data-col': 'type' }, s.session_type),
      el('td', { class: 'mono', title: base64ToHex(s.id ?? '') }, short(base64ToHex(s.id ?? ''))),
      el('td', { class: 'mono', 'data-col': 'group', title: base64ToHex(s.group_id ?? '') },
        short(base64ToHex(s.group_id ?? ''))),
      el('td', { 'data-col': 'privacy' }, privacyText(s.privacy_flags)),
      el('td', { class: 'mono' }, Object.keys(s.autopilot_feature_info ?? {}).join(', ') || '–'),
      expiry,
      el('td', {}, utc(s.created_at), s.revoked_at && s.revoked_at !== '0' ? el('div', { class: 'muted' }, `revoked ${utc(s.revoked_at)}`) : null),
      el('td', {}, path && s.session_state !== 'STATE_REVOKED'
        ? el('button', { type: 'button', class: 'danger revoke', onclick: (e) => revoke(e.target, path) }, 'Revoke')
        : null));
  });
  return table(['label', 'state', 'type', 'id', 'group', 'privacy', 'features', 'expiry (mock clock)', 'created', ''], rows);
}

export function sessionsView(ctx, root) {
  const error = el('p', { class: 'error', role: 'alert', hidden: true, id: 'sessions-error' });
  const autopilot = el('div', { id: 'sessions-autopilot' });
  const all = el('div', { id: 'sessions-all' });
  const reload = el('button', { type: 'button', id: 'sessions-reload' }, ctx.autoLoad ? 'Reload' : 'Load');
  const hasAll = ctx.serves(LIST_SESSIONS);
  let nowCells = [];
  function paintUntil(now) {
    for (const [cell, expiry] of nowCells) cell.textContent = untilText(expiry, now);
  }

  async function revoke(button, path) {
    button.disabled = true;
    try {
      await call('DELETE', path);
      showError(error, null);
    } catch (e) {
      showError(error, e);
    }
    await load();
  }

  // In client mode litrpc.Sessions' list is a call of its own (it would be
  // out of turn in a scenario), made only on request.
  async function load(withAll = ctx.autoLoad) {
    const cells = [];
    // Each list on its own: with litd's autopilot.disable the first fails
    // (litd's `unknown service litrpc.Autopilot`) and the second still lists.
    try {
      const ap = await call('GET', '/v1/autopilot/sessions');
      form.groups(ap.sessions ?? []);
      clear(autopilot).append(sessionTable(ap.sessions ?? [], cells, revoke,
        (s) => `/v1/autopilot/sessions/${urlSafe(s.local_public_key ?? '')}`));
    } catch (e) {
      clear(autopilot).append(el('p', { class: 'error', role: 'alert', 'data-list-error': 'autopilot' }, e.message));
    }
    if (hasAll && withAll) {
      try {
        const every = await call('GET', '/v1/sessions');
        const canRevoke = ctx.serves(REVOKE_SESSION);
        clear(all).append(sessionTable(every.sessions ?? [], cells, revoke,
          (s) => (canRevoke ? `/v1/sessions/${urlSafe(s.local_public_key ?? '')}` : null)));
      } catch (e) {
        clear(all).append(el('p', { class: 'error', role: 'alert', 'data-list-error': 'all' }, e.message));
      }
    }
    nowCells = cells;
    paintUntil(ctx.now);
  }

  const form = addSessionForm(ctx, () => load());
  reload.addEventListener('click', () => load());
  const loadAll = hasAll && !ctx.autoLoad
    ? el('button', { type: 'button', id: 'sessions-load-all', onclick: () => load(true) }, 'Load both lists')
    : null;
  root.append(el('div', {}, el('h2', {}, 'Sessions'),
    el('div', { class: 'toolbar' }, reload, loadAll, el('span', { class: 'muted' },
      'GET /v1/autopilot/sessions', hasAll ? ' and GET /v1/sessions' : '')),
    error,
    el('h3', {}, 'litrpc.Autopilot (ListAutopilotSessions)'), autopilot,
    hasAll ? el('h3', {}, 'litrpc.Sessions (ListSessions: every type)') : null,
    hasAll ? all : el('p', { class: 'muted' }, 'This mock does not serve litrpc.Sessions.'),
    form.node));
  ctx.onTick(paintUntil);
  return {
    show() {
      if (ctx.autoLoad) load();
      form.show();
    },
    hide() {},
  };
}
