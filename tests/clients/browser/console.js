// Drives the console in Debian's chromium (headless) with puppeteer-core, as
// a person would: log in with the UI password (a wrong one first), read the
// feature catalogue, add a session through the form (an invalid add first),
// see it listed and in the journal of received calls, revoke it, advance
// the clock, look at the stub and the scenario view. A screenshot of each
// view goes to the screenshot directory. Prints one JSON line of what it
// saw; every browser console error or page error is in `unexpected`,
// except the network errors of the two steps that expect an error answer.
//
// With `"mode": "client"` (serve --scenario scenarios/client/add-list-revoke.json)
// the console, logged in with a pasted macaroon, is the client the scenario judges: it lists the features,
// adds, lists, revokes and lists again, and reads each step's status on
// the way; once the last step is met serve exits, so what fails after that
// is only recorded (`after_scenario`).
//
//   node console.js PLAN.json
//   PLAN: {"base_url", "password", "macaroon_hex", "chromium", "screenshots",
//          "mode": "serve"|"client"}

'use strict';

const fs = require('node:fs');
const path = require('node:path');
const puppeteer = require('puppeteer-core');

const plan = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const seen = { screenshots: [], unexpected: [], expected_errors: [], after_scenario: [] };
let phase = 'start';
// Steps whose error answer is the point: the one failed request each may log.
const EXPECTED = {
  'wrong-login': ['/_autopilot-mock/v1/info'],
  'invalid-add': ['/v1/autopilot/sessions'],
  // serve --autopilot-disabled: litrpc.Autopilot's routes answer 501.
  'disabled': ['/v1/autopilot/features', '/v1/autopilot/sessions'],
};

function unexpected(entry) {
  if (phase === 'after-scenario') seen.after_scenario.push(entry);
  else seen.unexpected.push(entry);
}

function onConsole(message) {
  if (message.type() !== 'error') return;
  const url = message.location()?.url ?? '';
  const entry = { phase, text: message.text(), url };
  const expected = EXPECTED[phase];
  if (expected && message.text().startsWith('Failed to load resource') && expected.includes(new URL(url).pathname)) {
    seen.expected_errors.push(entry);
  } else {
    unexpected(entry);
  }
}

async function shot(page, name) {
  const file = path.join(plan.screenshots, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  seen.screenshots.push(file);
}

const visible = (selector) => `${selector}:not([hidden])`;
const text = (page, selector) => page.$eval(selector, (n) => n.textContent.trim());

async function setValue(page, selector, value) {
  await page.$eval(selector, (n, v) => {
    n.value = v;
    n.dispatchEvent(new Event('input', { bubbles: true }));
  }, value);
}

async function tab(page, view) {
  await page.click(`a[data-view="${view}"]`);
  await page.waitForSelector(visible(`#view-${view}`));
}

async function run(page) {
  phase = 'open';
  await page.goto(`${plan.base_url}/_autopilot-mock/console/`, { waitUntil: 'load' });
  await page.waitForSelector(visible('#login'));
  await shot(page, 'login');

  phase = 'wrong-login';
  await page.type('#login-password', 'not-the-ui-password');
  await page.click('#login-submit');
  await page.waitForSelector(visible('#login-error'));
  seen.login_error = await text(page, '#login-error');

  phase = 'login';
  await setValue(page, '#login-password', plan.password);
  await page.click('#login-submit');
  await page.waitForSelector(visible('#main'));
  seen.whoami = await text(page, '#whoami');
  seen.mode = await text(page, '#mode');

  phase = 'features';
  const rule = '[data-feature="HealthCheck"] tr[data-rule="rate-limit"]';
  await page.waitForSelector(rule);
  seen.health_check_rate_limit = {
    default: await text(page, `${rule} [data-col="default"]`),
    min: await text(page, `${rule} [data-col="min"]`),
    max: await text(page, `${rule} [data-col="max"]`),
  };
  seen.features = await page.$$eval('#features-list [data-feature]', (ns) => ns.map((n) => n.dataset.feature));
  await shot(page, 'features');

  phase = 'invalid-add';
  await tab(page, 'sessions');
  const feature = '#add-features [data-feature="HealthCheck"]';
  await page.waitForSelector(`${feature} input[name="feature"]`);
  await setValue(page, '#add-label', 'browser-test');
  await page.click('#add-submit');
  await page.waitForSelector(visible('#add-error'));
  seen.add_error = await text(page, '#add-error');

  phase = 'add';
  await page.click(`${feature} input[name="feature"]`);
  await page.click(`${feature} input.rule-override[data-rule="rate-limit"]`);
  await setValue(page, `${feature} textarea.rule-value[data-rule="rate-limit"]`, JSON.stringify(
    { rate_limit: { read_limit: { iterations: 7, num_hours: 1 }, write_limit: { iterations: 1, num_hours: 1 } } }));
  await page.click('#add-flags-set');
  await page.click('#add-flags input[data-flag="ClearPubkeys"]');
  await page.click('#add-submit');
  await page.waitForSelector(visible('#add-result'));
  seen.add_result = await text(page, '#add-result');
  const row = '#sessions-autopilot tr[data-label="browser-test"]';
  await page.waitForSelector(row);
  seen.listed = {
    state: await text(page, `${row} [data-col="state"]`),
    type: await text(page, `${row} [data-col="type"]`),
    privacy: await text(page, `${row} [data-col="privacy"]`),
    key: await page.$eval(row, (n) => n.dataset.key),
  };
  await page.waitForFunction((s) => document.querySelector(s)?.textContent.startsWith('in '), {},
    `${row} [data-col="until"]`);
  seen.listed.until = await text(page, `${row} [data-col="until"]`);
  seen.listed_in_all = (await page.$('#sessions-all tr[data-label="browser-test"]')) !== null;
  await shot(page, 'sessions');

  phase = 'calls';
  await tab(page, 'calls');
  const call = 'tr.call[data-method="/litrpc.Autopilot/AddAutopilotSession"]';
  // Both adds of this run (the invalid one and the one that worked).
  await page.waitForFunction((s) => document.querySelectorAll(s).length === 2, {}, call);
  seen.journal_add = {
    transport: await text(page, `${call} [data-col="transport"]`),
    credential: await text(page, `${call} [data-col="credential"]`),
    auth: await text(page, `${call} [data-col="auth"]`),
    results: await page.$$eval(`${call} [data-col="result"]`, (ns) => ns.map((n) => n.textContent.trim())),
  };
  // The successful add is the newest one: open it.
  await page.click(call);
  await page.waitForSelector('tr.detail:not([hidden]) .call-request');
  seen.journal_add.request = JSON.parse(await text(page, 'tr.detail:not([hidden]) .call-request'));
  seen.journal_add.response = JSON.parse(await text(page, 'tr.detail:not([hidden]) .call-response'));
  await shot(page, 'calls');

  phase = 'revoke';
  await tab(page, 'sessions');
  await page.waitForSelector(`${row} button.revoke`);
  await page.click(`${row} button.revoke`);
  await page.waitForFunction((s) => document.querySelector(s)?.textContent === 'STATE_REVOKED', {},
    `${row} [data-col="state"]`);
  seen.revoked_state = await text(page, `${row} [data-col="state"]`);
  seen.revoke_button_left = (await page.$(`${row} button.revoke`)) !== null;
  // A litrpc.Sessions session the test added over REST before the run:
  // in the list of every type only, revoked through litrpc.Sessions.
  const other = '#sessions-all tr[data-label="readonly-test"]';
  seen.readonly = {
    in_autopilot_list: (await page.$('#sessions-autopilot tr[data-label="readonly-test"]')) !== null,
    type: await text(page, `${other} [data-col="type"]`),
    state_before: await text(page, `${other} [data-col="state"]`),
  };
  await page.click(`${other} button.revoke`);
  await page.waitForFunction((s) => document.querySelector(s)?.textContent === 'STATE_REVOKED', {},
    `${other} [data-col="state"]`);
  seen.readonly.state_after = await text(page, `${other} [data-col="state"]`);

  phase = 'linked-add';
  // A second session in the revoked one's group, picked from the form's list.
  const group = await page.$eval(`${row} [data-col="group"]`, (n) => n.title);
  seen.group_options = await page.$$eval('#add-group-options option', (ns) => ns.map((n) => n.value));
  await setValue(page, '#add-label', 'browser-linked');
  await setValue(page, '#add-group', group);
  await page.click('#add-submit');
  const linked = '#sessions-autopilot tr[data-label="browser-linked"]';
  await page.waitForSelector(linked);
  seen.linked = {
    group_of_first: group,
    group: await page.$eval(`${linked} [data-col="group"]`, (n) => n.title),
    state: await text(page, `${linked} [data-col="state"]`),
  };

  phase = 'clock';
  await tab(page, 'clock');
  await page.waitForFunction(() => /^\d{4}-/.test(document.getElementById('clock-view-now').textContent));
  seen.clock_before = await text(page, '#clock-view-now');
  await page.click('button[data-advance="86400"]');
  await page.waitForSelector(visible('#clock-result'));
  seen.clock_result = await text(page, '#clock-result');
  seen.clock_after = await text(page, '#clock-view-now');
  await shot(page, 'clock');
  await tab(page, 'sessions');
  await page.waitForFunction((s) => document.querySelector(s)?.textContent.endsWith(' ago'), {},
    `${row} [data-col="until"]`);
  seen.until_after_advance = await text(page, `${row} [data-col="until"]`);
  // Set: one more day, typed into the date-time field (UTC).
  await tab(page, 'clock');
  const target = new Date(Date.parse(seen.clock_after) + 86400 * 1000).toISOString().slice(0, 19);
  await setValue(page, '#clock-set', target);
  await page.click('#clock-set-button');
  await page.waitForFunction(() => document.getElementById('clock-result').textContent.startsWith('set:'));
  seen.clock_set = { target: `${target}Z`, result: await text(page, '#clock-result') };

  phase = 'stub';
  await tab(page, 'stub');
  await page.waitForSelector('#stub-journal tr.stub-call[data-rpc="RegisterSession"]');
  seen.stub_rpcs = await page.$$eval('#stub-journal tr.stub-call', (ns) => ns.map((n) => n.dataset.rpc));
  await page.waitForFunction(() => document.getElementById('script-text').value.startsWith('{'));
  const script = await page.$eval('#script-text', (n) => n.value);
  await setValue(page, '#script-text', '{"responses": {"Nope": []}}');
  await page.click('#script-validate');
  await page.waitForSelector(visible('#script-error'));
  seen.script_invalid = await text(page, '#script-error');
  await setValue(page, '#script-text', script);
  await page.click('#script-validate');
  await page.waitForSelector(visible('#script-result'));
  seen.script_valid = await text(page, '#script-result');
  await page.click('#script-apply');
  await page.waitForFunction(() => document.getElementById('script-result').textContent.startsWith('applied'));
  seen.script_applied = await text(page, '#script-result');
  await shot(page, 'stub');

  phase = 'scenario';
  await tab(page, 'scenario');
  seen.scenario = await text(page, '#view-scenario');
  await shot(page, 'scenario');
  // Let the background polls run once more, so their errors would show.
  await new Promise((resolve) => setTimeout(resolve, 1500));

  phase = 'logout';
  // The credential outlives a reload of the tab, not a log-out.
  await page.reload({ waitUntil: 'load' });
  await page.waitForSelector(visible('#main'));
  seen.after_reload = await text(page, '#whoami');
  await page.click('#logout');
  await page.waitForSelector(visible('#login'));
  seen.stored_after_logout = await page.evaluate(() => sessionStorage.length);
  phase = 'end';
}

const stepStatuses = (page) => page.$$eval('#scenario-steps tr.scenario-step', (ns) => ns.map((n) => n.dataset.status));

async function waitForSteps(page, want) {
  await page.waitForFunction((w) => JSON.stringify(Array.from(
    document.querySelectorAll('#scenario-steps tr.scenario-step'), (n) => n.dataset.status)) === w,
  {}, JSON.stringify(want));
  return stepStatuses(page);
}

async function runClientMode(page) {
  phase = 'open';
  await page.goto(`${plan.base_url}/_autopilot-mock/console/`, { waitUntil: 'load' });
  await page.waitForSelector(visible('#login'));
  phase = 'login';
  // This time with lit.macaroon's hex pasted.
  await setValue(page, '#login-macaroon', plan.macaroon_hex);
  await page.click('#login-submit');
  await page.waitForSelector(visible('#main'));
  seen.whoami = await text(page, '#whoami');
  seen.mode = await text(page, '#mode');
  seen.client_mode_note = !(await page.$eval('#client-mode-note', (n) => n.hidden));

  phase = 'scenario-start';
  await tab(page, 'scenario');
  seen.steps_at_start = await waitForSteps(page, ['pending', 'pending', 'pending', 'pending', 'pending']);
  phase = 'features';
  await tab(page, 'features');
  await page.click('#features-reload');
  await page.waitForSelector('[data-feature="HealthCheck"]');
  phase = 'add';
  await tab(page, 'sessions');
  await page.click('#add-load-features');
  const feature = '#add-features [data-feature="HealthCheck"] input[name="feature"]';
  await page.waitForSelector(feature);
  await page.click(feature);
  await page.click('#add-submit');
  await page.waitForSelector('#sessions-autopilot tr[data-label="console"]');
  await shot(page, 'sessions');
  phase = 'midway';
  await tab(page, 'scenario');
  seen.steps_midway = await waitForSteps(page, ['pass', 'pass', 'pass', 'pending', 'pending']);
  seen.verdict_midway = await text(page, '#scenario-verdict');
  await shot(page, 'scenario');
  phase = 'revoke';
  await tab(page, 'sessions');
  // The revoke and the list after it complete the scenario: serve stops
  // then, and the console's background polls fail from that moment on.
  phase = 'after-scenario';
  await page.click('#sessions-autopilot tr[data-label="console"] button.revoke');
  await page.waitForFunction(() => document.querySelector(
    '#sessions-autopilot tr[data-label="console"] [data-col="state"]')?.textContent === 'STATE_REVOKED');
  seen.revoked_state = 'STATE_REVOKED';
}

async function runAutopilotDisabled(page) {
  phase = 'open';
  await page.goto(`${plan.base_url}/_autopilot-mock/console/`, { waitUntil: 'load' });
  await page.waitForSelector(visible('#login'));
  phase = 'login';
  await page.type('#login-password', plan.password);
  // The features view loads (and fails) as soon as the login is through.
  phase = 'disabled';
  await page.click('#login-submit');
  await page.waitForSelector(visible('#main'));
  await page.waitForSelector(visible('#features-error'));
  seen.features_error = await text(page, '#features-error');
  await tab(page, 'sessions');
  await page.waitForSelector('[data-list-error="autopilot"]');
  seen.autopilot_list_error = await text(page, '[data-list-error="autopilot"]');
  await page.waitForSelector('#add-features .error');
  seen.add_features_error = await text(page, '#add-features .error');
  const other = '#sessions-all tr[data-label="readonly-test"]';
  await page.waitForSelector(other);
  seen.readonly_type = await text(page, `${other} [data-col="type"]`);
  await shot(page, 'sessions');
  // Reset the mock from the clock view: the session is gone.
  await tab(page, 'clock');
  await page.click('#mock-reset');
  await page.waitForSelector(visible('#clock-result'));
  seen.reset_result = await text(page, '#clock-result');
  await tab(page, 'sessions');
  await page.waitForFunction((s) => document.querySelector('#sessions-all table') && !document.querySelector(s), {}, other);
  seen.listed_after_reset = await page.$$eval('#sessions-all tr[data-label]', (ns) => ns.length);
  phase = 'end';
}

async function main() {
  fs.mkdirSync(plan.screenshots, { recursive: true });
  const browser = await puppeteer.launch({
    executablePath: plan.chromium,
    headless: true,
    acceptInsecureCerts: true,
    args: ['--no-sandbox', '--headless=new', '--ignore-certificate-errors', '--disable-gpu',
      '--disable-dev-shm-usage', '--no-first-run'],
  });
  try {
    const page = await browser.newPage();
    page.setDefaultTimeout(15000);
    await page.setViewport({ width: 1280, height: 900 });
    page.on('console', onConsole);
    page.on('pageerror', (e) => unexpected({ phase, text: `page error: ${e.message}` }));
    page.on('requestfailed', (r) => unexpected({ phase, text: `request failed: ${r.url()} ${r.failure()?.errorText}` }));
    try {
      const flows = { client: runClientMode, disabled: runAutopilotDisabled };
      await (flows[plan.mode] ?? run)(page);
    } catch (e) {
      seen.failed = { phase, error: String(e.stack ?? e) };
      await shot(page, `failure-${phase}`).catch(() => {});
    }
  } finally {
    await browser.close();
  }
  process.stdout.write(`${JSON.stringify(seen)}\n`);
}

main().catch((e) => {
  process.stderr.write(`${e.stack ?? e}\n`);
  process.exit(1);
});
