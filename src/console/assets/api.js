// The console's only way out: fetch() to the admin API and litd's REST
// routes on this origin, with the credential the person logged in with.
// Errors carry litd's text (the REST `{code, message}` body's message).

export const ADMIN = '/_autopilot-mock/v1';
const STORE_KEY = 'autopilot-mock-console-credential';

// gRPC code names, for showing `{code}` next to litd's message.
const CODE_NAMES = ['OK', 'Canceled', 'Unknown', 'InvalidArgument', 'DeadlineExceeded',
  'NotFound', 'AlreadyExists', 'PermissionDenied', 'ResourceExhausted', 'FailedPrecondition',
  'Aborted', 'OutOfRange', 'Unimplemented', 'Internal', 'Unavailable', 'DataLoss',
  'Unauthenticated'];

export function codeName(code) {
  return CODE_NAMES[code] ?? `code ${code}`;
}

/** An answer that was not a success: `message` is litd's text. */
export class ApiError extends Error {
  constructor(message, code, httpStatus) {
    super(message);
    this.code = code;
    this.httpStatus = httpStatus;
  }
}

let credential = null; // {kind: 'password'|'macaroon', name, value}

function base64OfUtf8(text) {
  let binary = '';
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** litd's UI sends `Basic base64(pw:pw)`. */
export function passwordCredential(password) {
  return { kind: 'password', name: 'authorization', value: `Basic ${base64OfUtf8(`${password}:${password}`)}` };
}

/** A macaroon's hex, as REST clients send it. */
export function macaroonCredential(hex) {
  return { kind: 'macaroon', name: 'Grpc-Metadata-Macaroon', value: hex.replace(/\s+/g, '') };
}

export function useCredential(c) {
  credential = c;
  sessionStorage.setItem(STORE_KEY, JSON.stringify(c));
}

export function storedCredential() {
  try {
    const c = JSON.parse(sessionStorage.getItem(STORE_KEY) ?? 'null');
    return c && typeof c.name === 'string' && typeof c.value === 'string' ? c : null;
  } catch {
    return null;
  }
}

export function forgetCredential() {
  credential = null;
  sessionStorage.removeItem(STORE_KEY);
}

export function credentialKind() {
  return credential?.kind ?? null;
}

/** One call; resolves to the parsed JSON body, rejects with ApiError. */
export async function call(method, path, body) {
  const headers = {};
  if (credential) headers[credential.name] = credential.value;
  const init = { method, headers, cache: 'no-store' };
  if (body !== undefined) {
    headers['content-type'] = 'application/json';
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch (e) {
    throw new ApiError(`the mock did not answer: ${e.message}`, 14, 0);
  }
  const text = await response.text();
  let json = null;
  try {
    json = text === '' ? {} : JSON.parse(text);
  } catch {
    json = null;
  }
  if (!response.ok) {
    if (json && typeof json.message === 'string') {
      throw new ApiError(json.message, json.code, response.status);
    }
    throw new ApiError(`HTTP ${response.status}: ${text.trim()}`, 2, response.status);
  }
  if (json === null) throw new ApiError(`not JSON: ${text.slice(0, 200)}`, 13, response.status);
  return json;
}

export const admin = (method, path, body) => call(method, ADMIN + path, body);
