// The form that adds an autopilot session (litrpc.Autopilot's
// AddAutopilotSession over REST): label, expiry on the mock's clock,
// features with rule overrides and config, privacy.

import { call } from './api.js';
import {
  PRIVACY_FLAGS, base64ToHex, clear, el, hexToBase64, pretty, privacyText, showError, utf8Base64,
} from './dom.js';

const DEFAULT_MAILBOX = 'mailbox.terminal.lightning.today:443';

/** One feature's box: a checkbox, then per rule an override and the config. */
function featureBox(feature) {
  const use = el('input', { type: 'checkbox', name: 'feature', value: feature.name });
  const body = el('div', { hidden: true });
  const rules = [];
  for (const [name, values] of Object.entries(feature.rules ?? {})) {
    const override = el('input', { type: 'checkbox', class: 'rule-override', 'data-rule': name });
    const text = el('textarea', { rows: 4, spellcheck: 'false', class: 'rule-value', 'data-rule': name, disabled: true },
      pretty(values.defaults ?? {}));
    override.addEventListener('change', () => { text.disabled = !override.checked; });
    rules.push({ name, override, text });
    body.append(el('div', { class: 'rule-row' },
      el('label', { class: 'inline' }, override, `override ${name}`),
      el('span', { class: 'muted' }, ' (prefilled with the default; min and max in the catalogue)'), text));
  }
  const config = el('textarea', { rows: 2, spellcheck: 'false', class: 'feature-config',
    placeholder: feature.default_config ? `default: ${feature.default_config}` : 'feature config (JSON text), empty for none' });
  body.append(el('div', { class: 'rule-row' }, el('label', {}, 'config', config)));
  use.addEventListener('change', () => { body.hidden = !use.checked; });
  const node = el('div', { class: 'feature-box', 'data-feature': feature.name },
    el('label', { class: 'inline' }, use, el('b', {}, feature.name)),
    el('span', { class: 'muted' }, `privacy: ${privacyText(feature.privacy_flags)}`), body);
  return { name: feature.name, use, rules, config, node };
}

/** The request body from the form, or an Error naming the bad field. */
function requestBody(fields, boxes, now) {
  const minutes = Number(fields.expiry.value);
  if (!Number.isFinite(minutes)) return new Error('expires in: not a number of minutes');
  const features = {};
  for (const box of boxes.filter((b) => b.use.checked)) {
    const rules = {};
    for (const rule of box.rules.filter((r) => r.override.checked)) {
      try {
        rules[rule.name] = JSON.parse(rule.text.value);
      } catch (e) {
        return new Error(`${box.name} rule ${rule.name}: not JSON: ${e.message}`);
      }
    }
    features[box.name] = { rules: { rules }, config: utf8Base64(box.config.value) };
  }
  const body = {
    label: fields.label.value,
    expiry_timestamp_seconds: String(Math.trunc((now ?? Date.now() / 1000) + minutes * 60)),
    mailbox_server_addr: fields.mailbox.value,
    dev_server: fields.dev.checked,
    features,
    no_privacy_mapper: fields.noPrivacy.checked,
  };
  if (fields.flagsSet.checked) {
    let flags = 0n;
    for (const box of fields.flags) if (box.checked) flags |= 1n << BigInt(box.dataset.bit);
    body.privacy_flags = flags.toString();
    body.privacy_flags_set = true;
  }
  const group = fields.group.value.trim();
  if (group !== '') {
    const b64 = hexToBase64(group);
    if (b64 === null) return new Error('linked group ID: not hex');
    body.linked_group_id = b64;
  }
  return body;
}

export function addSessionForm(ctx, onAdded) {
  const fields = {
    label: el('input', { type: 'text', id: 'add-label', value: 'console' }),
    expiry: el('input', { type: 'number', id: 'add-expiry', value: '60', min: '-100000' }),
    mailbox: el('input', { type: 'text', id: 'add-mailbox', value: DEFAULT_MAILBOX }),
    dev: el('input', { type: 'checkbox', id: 'add-dev' }),
    noPrivacy: el('input', { type: 'checkbox', id: 'add-no-privacy' }),
    flagsSet: el('input', { type: 'checkbox', id: 'add-flags-set' }),
    flags: PRIVACY_FLAGS.map((name, bit) => el('input', { type: 'checkbox', 'data-flag': name, 'data-bit': bit })),
    group: el('input', { type: 'text', id: 'add-group', list: 'add-group-options',
      placeholder: 'group ID hex of an earlier session' }),
  };
  const featureList = el('div', { id: 'add-features' });
  const groupOptions = el('datalist', { id: 'add-group-options' });
  const flagList = el('div', { id: 'add-flags', class: 'rule-row' },
    fields.flags.map((box) => el('label', { class: 'inline' }, box, box.dataset.flag)));
  const error = el('p', { class: 'error', role: 'alert', hidden: true, id: 'add-error' });
  const result = el('p', { class: 'okay', id: 'add-result', hidden: true });
  const submit = el('button', { type: 'submit', id: 'add-submit' }, 'Add session');
  let boxes = [];

  const form = el('form', { class: 'card', id: 'add-form' },
    el('h3', {}, 'Add an autopilot session (POST /v1/autopilot/sessions)'),
    el('div', { class: 'grid2' },
      el('label', {}, 'label ', fields.label),
      el('label', {}, 'expires in (minutes, on the mock clock) ', fields.expiry),
      el('label', {}, 'mailbox server ', fields.mailbox),
      el('label', { class: 'inline' }, fields.dev, 'dev server')),
    el('h3', {}, 'Features'), featureList,
    el('h3', {}, 'Privacy'),
    el('label', { class: 'inline' }, fields.noPrivacy, 'no privacy mapper'),
    el('label', { class: 'inline' }, fields.flagsSet, 'set privacy flags (each one set clears that kind of obfuscation):'),
    flagList,
    el('label', {}, 'linked group ID ', fields.group), groupOptions,
    el('div', { class: 'toolbar' }, submit), error, result);

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const body = requestBody(fields, boxes, ctx.now);
    result.hidden = true;
    if (body instanceof Error) {
      showError(error, body);
      return;
    }
    submit.disabled = true;
    try {
      const answer = await call('POST', '/v1/autopilot/sessions', body);
      showError(error, null);
      const s = answer.session ?? {};
      result.hidden = false;
      result.textContent = `added "${s.label}" (${s.session_state}); pairing phrase: ${s.pairing_secret_mnemonic}`;
      await onAdded();
    } catch (e) {
      showError(error, e);
    } finally {
      submit.disabled = false;
    }
  });

  async function loadFeatures() {
    try {
      const answer = await ctx.features();
      boxes = Object.values(answer.features ?? {}).map(featureBox);
      clear(featureList).append(...boxes.map((b) => b.node));
      if (!boxes.length) featureList.append(el('p', { class: 'muted' }, 'the catalogue is empty'));
    } catch (e) {
      clear(featureList).append(el('p', { class: 'error' }, `features: ${e.message}`));
    }
  }
  const loadButton = el('button', { type: 'button', id: 'add-load-features' }, 'Load the features');
  loadButton.addEventListener('click', loadFeatures);
  featureList.append(loadButton);
  let shown = false;
  return {
    node: form,
    /** Offers the groups of the listed sessions for linking. */
    groups(sessions) {
      const seen = new Set();
      clear(groupOptions);
      for (const s of sessions) {
        const hex = base64ToHex(s.group_id ?? '');
        if (!hex || seen.has(hex)) continue;
        seen.add(hex);
        groupOptions.append(el('option', { value: hex }, `${s.label || '(no label)'} · ${s.session_state}`));
      }
    },
    show() {
      if (ctx.autoLoad && !shown) loadFeatures();
      shown = true;
    },
  };
}
