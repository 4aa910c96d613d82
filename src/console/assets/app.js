// Start-up, login, the tab router and the mock clock's tick.

import {
  admin, call, credentialKind, forgetCredential, macaroonCredential, passwordCredential,
  storedCredential, useCredential,
} from './api.js';
import { showError } from './dom.js';
import { featuresView } from './features.js';
import { sessionsView } from './sessions.js';
import { callsView } from './calls.js';
import { stubView } from './stub.js';
import { clockView } from './clock.js';
import { scenarioView } from './scenario.js';

const $ = (id) => document.getElementById(id);
const VIEWS = { features: featuresView, sessions: sessionsView, calls: callsView, stub: stubView,
  clock: clockView, scenario: scenarioView };

/** What every view shares. */
function context(info) {
  let catalogue = null;
  const ticks = new Set();
  return {
    info,
    /** The mock clock's now in seconds (fractional), or null before the first tick. */
    now: null,
    /** Views calling litd's routes load by themselves except in client mode. */
    autoLoad: !info.client_mode,
    serves: (fullMethod) => info.methods.some((m) => m.method === fullMethod),
    /** The feature catalogue, fetched once (litd's ListAutopilotFeatures over REST). */
    features(reload = false) {
      if (reload || !catalogue) {
        catalogue = call('GET', '/v1/autopilot/features').catch((e) => {
          catalogue = null;
          throw e;
        });
      }
      return catalogue;
    },
    onTick(fn) { ticks.add(fn); },
    tick(clock) {
      this.now = Number(BigInt(clock.unix_nanos) / 1000000n) / 1000;
      $('clock-now').textContent = clock.now ?? '';
      for (const fn of ticks) fn(this.now);
    },
  };
}

let views = {};
let current = null;

function route() {
  const name = location.hash.replace('#', '') || 'features';
  const target = VIEWS[name] ? name : 'features';
  for (const a of document.querySelectorAll('#tabs a')) a.classList.toggle('active', a.dataset.view === target);
  for (const [key, view] of Object.entries(views)) {
    const active = key === target;
    $(`view-${key}`).hidden = !active;
    if (active && current !== key) view.show();
    if (!active && current === key) view.hide();
  }
  current = target;
}

async function tickClock(ctx) {
  try {
    ctx.tick(await admin('GET', '/clock'));
  } catch (e) {
    $('clock-now').textContent = `(${e.message})`;
  }
}

function start(info) {
  $('login').hidden = true;
  $('main').hidden = false;
  $('logout').hidden = false;
  $('whoami').textContent = credentialKind() === 'password' ? 'UI password' : 'macaroon';
  const mode = $('mode');
  mode.hidden = false;
  mode.textContent = info.client_mode ? 'client mode' : (info.stub ? 'in-process stub' : 'external autopilot server');
  $('client-mode-note').hidden = !info.client_mode;
  const ctx = context(info);
  views = {};
  for (const [name, make] of Object.entries(VIEWS)) views[name] = make(ctx, $(`view-${name}`));
  current = null;
  window.addEventListener('hashchange', route);
  route();
  tickClock(ctx);
  setInterval(() => tickClock(ctx), 1000);
}

/** Checks a credential against the admin API (autopilot:read), then opens the console. */
async function login(credential) {
  useCredential(credential);
  try {
    start(await admin('GET', '/info'));
  } catch (e) {
    forgetCredential();
    throw e;
  }
}

function showLogin(error) {
  $('main').hidden = true;
  $('logout').hidden = true;
  $('login').hidden = false;
  showError($('login-error'), error);
}

function boot() {
  $('login-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const password = $('login-password').value;
    const hex = $('login-macaroon').value.trim();
    const button = $('login-submit');
    button.disabled = true;
    try {
      await login(hex !== '' ? macaroonCredential(hex) : passwordCredential(password));
      $('login-password').value = '';
      $('login-macaroon').value = '';
      showError($('login-error'), null);
    } catch (e) {
      showLogin(e);
    } finally {
      button.disabled = false;
    }
  });
  $('logout').addEventListener('click', () => {
    forgetCredential();
    // A fresh page (without the view's #fragment, which would route first)
    // drops every timer and view.
    window.removeEventListener('hashchange', route);
    location.replace(location.pathname);
  });
  const saved = storedCredential();
  if (saved) login(saved).catch(showLogin);
  else showLogin(null);
}

boot();
