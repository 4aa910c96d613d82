// Small DOM and formatting helpers (no framework).

/** `el('td', {class: 'x'}, 'text', child)`; attributes starting `on` are listeners. */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else if (key === 'text') node.textContent = value;
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

export function clear(node) {
  while (node.firstChild) node.firstChild.remove();
  return node;
}

/** Shows an error (litd's text) or hides the element for `null`. */
export function showError(node, error) {
  if (!error) {
    node.hidden = true;
    node.textContent = '';
    return;
  }
  node.hidden = false;
  node.textContent = error.message ?? String(error);
}

export function pretty(value) {
  return JSON.stringify(value, null, 2);
}

export function compact(value) {
  return JSON.stringify(value);
}

export function utc(unixSeconds) {
  const n = Number(unixSeconds);
  if (!Number.isFinite(n) || n === 0) return '–';
  const d = new Date(n * 1000);
  return Number.isNaN(d.getTime()) ? String(unixSeconds) : d.toISOString().replace('.000Z', 'Z');
}

/** `1d 2h 3m 4s`, for a (signed) number of seconds. */
export function duration(seconds) {
  let s = Math.abs(Math.trunc(seconds));
  const parts = [];
  for (const [unit, size] of [['d', 86400], ['h', 3600], ['m', 60]]) {
    if (s >= size) {
      parts.push(`${Math.trunc(s / size)}${unit}`);
      s %= size;
    }
  }
  if (s || parts.length === 0) parts.push(`${s}s`);
  return parts.join(' ');
}

/** Time from the mock clock's `now` to `unixSeconds`. */
export function untilText(unixSeconds, nowSeconds) {
  if (nowSeconds === null) return '';
  const left = Number(unixSeconds) - nowSeconds;
  return left >= 0 ? `in ${duration(left)}` : `${duration(left)} ago`;
}

export function base64ToHex(b64) {
  try {
    return Array.from(atob(b64), (c) => c.charCodeAt(0).toString(16).padStart(2, '0')).join('');
  } catch {
    return b64;
  }
}

export function hexToBase64(hex) {
  const clean = hex.trim();
  if (clean.length % 2 !== 0 || /[^0-9a-fA-F]/.test(clean)) return null;
  let binary = '';
  for (let i = 0; i < clean.length; i += 2) binary += String.fromCharCode(parseInt(clean.slice(i, i + 2), 16));
  return btoa(binary);
}

/** grpc-gateway reads bytes path parameters as URL-safe base64 too. */
export function urlSafe(b64) {
  return b64.replaceAll('+', '-').replaceAll('/', '_');
}

export function utf8Base64(text) {
  let binary = '';
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}

export const PRIVACY_FLAGS = ['ClearPubkeys', 'ClearAmounts', 'ClearChanIDs', 'ClearTimeStamps',
  'ClearChanInitiator', 'ClearHTLCs', 'ClearClosingTxIds', 'ClearNetworkAddresses'];

/** litd's text form of a privacy-flag set (`ClearPubkeys|ClearAmounts`). */
export function privacyText(flags) {
  let value;
  try {
    value = BigInt(flags ?? 0);
  } catch {
    return String(flags);
  }
  if (value === 0n) return 'full privacy';
  const names = PRIVACY_FLAGS.filter((_, bit) => (value >> BigInt(bit)) & 1n);
  const known = (1n << BigInt(PRIVACY_FLAGS.length)) - 1n;
  if (value & ~known) names.push(`unknown bits 0x${(value & ~known).toString(16)}`);
  return names.join('|');
}

/** A table from a header row and rows of cells. */
export function table(headers, rows, attrs = {}) {
  return el('table', attrs,
    el('thead', {}, el('tr', {}, headers.map((h) => el('th', {}, h)))),
    el('tbody', {}, rows));
}
