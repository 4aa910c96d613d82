// The feature catalogue (litd's ListAutopilotFeatures): each feature's
// rules with their default, min and max values.

import { clear, compact, el, privacyText, showError, table } from './dom.js';

/** A RuleValue is a oneof: `{rate_limit: {...}}`; show its kind and value. */
export function ruleValueText(value) {
  if (!value || typeof value !== 'object') return '–';
  const keys = Object.keys(value);
  if (keys.length === 1) return `${keys[0]}: ${compact(value[keys[0]])}`;
  return compact(value);
}

function featureCard(feature) {
  const rules = Object.entries(feature.rules ?? {}).map(([name, r]) => el('tr', { 'data-rule': name },
    el('td', { class: 'mono' }, name),
    el('td', {}, r.known ? 'yes' : 'no'),
    el('td', { class: 'mono', 'data-col': 'default' }, ruleValueText(r.defaults)),
    el('td', { class: 'mono', 'data-col': 'min' }, ruleValueText(r.min_value)),
    el('td', { class: 'mono', 'data-col': 'max' }, ruleValueText(r.max_value))));
  const perms = (feature.permissions_list ?? []).map((p) =>
    el('li', { class: 'mono' }, `${p.method} `,
      el('span', { class: 'muted' }, (p.operations ?? []).map((o) => `${o.entity}:${o.action}`).join(', '))));
  return el('div', { class: 'card', 'data-feature': feature.name },
    el('h3', {}, feature.name, ' ', el('span', { class: 'muted' }, feature.description ?? '')),
    el('p', {},
      el('span', { class: 'tag' }, `privacy: ${privacyText(feature.privacy_flags)}`), ' ',
      feature.requires_upgrade ? el('span', { class: 'tag error' }, 'requires upgrade') : null, ' ',
      feature.default_config ? el('span', { class: 'tag mono' }, `default config: ${feature.default_config}`) : null),
    rules.length
      ? table(['rule', 'known', 'default', 'min', 'max'], rules, { class: 'rules' })
      : el('p', { class: 'muted' }, 'no rules'),
    perms.length ? el('details', {}, el('summary', {}, `${perms.length} permissions`), el('ul', {}, perms)) : null);
}

export function featuresView(ctx, root) {
  const list = el('div', { id: 'features-list' });
  const error = el('p', { class: 'error', role: 'alert', hidden: true, id: 'features-error' });
  const reload = el('button', { type: 'button', id: 'features-reload' }, ctx.autoLoad ? 'Reload' : 'Load');
  root.append(el('h2', {}, 'Feature catalogue'),
    el('p', { class: 'muted' }, 'GET /v1/autopilot/features (litrpc.Autopilot/ListAutopilotFeatures)'),
    el('div', { class: 'toolbar' }, reload), error, list);
  let loaded = false;

  async function load(force) {
    try {
      const answer = await ctx.features(force);
      showError(error, null);
      clear(list);
      const features = Object.values(answer.features ?? {});
      if (!features.length) list.append(el('p', { class: 'muted' }, 'the catalogue is empty'));
      for (const f of features) list.append(featureCard(f));
      loaded = true;
    } catch (e) {
      showError(error, e);
    }
  }
  reload.addEventListener('click', () => load(true));
  return {
    show() { if (ctx.autoLoad && !loaded) load(false); },
    hide() {},
  };
}
