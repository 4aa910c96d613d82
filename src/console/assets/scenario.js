// Client mode (serve --scenario): the scenario and each step's status,
// live (GET /_autopilot-mock/v1/verdict).

import { admin } from './api.js';
import { clear, el, showError, table } from './dom.js';

/** Before the client is done, a step not yet met is pending rather than failed. */
function stepStatus(step, finished) {
  if (!finished && step.status === 'fail' && String(step.detail ?? '').startsWith('missing:')) return 'pending';
  return step.status;
}

export function scenarioView(ctx, root) {
  root.append(el('h2', {}, 'Scenario (client mode)'));
  if (!ctx.info.client_mode) {
    root.append(el('p', { class: 'muted', id: 'scenario-off' },
      'No client check: start serve with --scenario FILE to judge a client here, step by step.'));
    return { show() {}, hide() {} };
  }
  const error = el('p', { class: 'error', role: 'alert', hidden: true });
  const summary = el('div', { class: 'card', id: 'scenario-summary' });
  const steps = el('div', { id: 'scenario-steps' });
  root.append(error, summary, steps);
  let visible = false;

  async function poll() {
    try {
      const v = await admin('GET', '/verdict');
      showError(error, null);
      const finished = Boolean(v.finished);
      const scenario = v.report?.scenarios?.[0] ?? { steps: [] };
      const statuses = scenario.steps.map((s) => stepStatus(s, finished));
      const failing = statuses.includes('fail');
      let verdict = v.verdict;
      if (!finished) verdict = failing ? 'failing' : 'pass so far';
      clear(summary).append(
        el('div', { class: 'big' }, v.scenario, ' ',
          el('span', { class: `st-${failing ? 'fail' : (finished ? 'pass' : 'pending')}`, id: 'scenario-verdict' }, verdict)),
        el('div', { class: 'muted' }, `${v.met} of ${v.steps} steps met`,
          scenario.file ? ` · ${scenario.file}` : '', scenario.transport ? ` · judged over ${scenario.transport}` : ''));
      const rows = scenario.steps.map((s, i) => {
        const status = statuses[i];
        return el('tr', { class: 'scenario-step', 'data-status': status },
          el('td', {}, s.step), el('td', { class: `st-${status}` }, status),
          el('td', {}, status === 'pending' ? 'not sent yet' : (s.detail ?? '')));
      });
      clear(steps).append(table(['step', 'status', 'detail'], rows));
    } catch (e) {
      showError(error, e);
    }
  }
  setInterval(() => { if (visible) poll(); }, 1000);
  return {
    show() { visible = true; poll(); },
    hide() { visible = false; },
  };
}
