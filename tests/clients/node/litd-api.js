// The four `litrpc.Autopilot` RPCs through the `@lightningpolar/litd-api`
// client library, used the way its README shows: `LitClient.create` with the
// socket, the macaroon as hex and the TLS certificate (PEM file bytes) as hex.
// That library loads litd's official protos without keepCase, so every field
// name is lowerCamelCase.
//
//   socket         argv[2] or $LIT_GRPC_HOST, else 'localhost:8443'
//   tls cert path  argv[3] or $LIT_TLS_CERT,  else LIT_DIR/tls.cert
//   macaroon path  argv[4] or $LIT_MACAROON,  else LIT_DIR/regtest/lit.macaroon
// where LIT_DIR is $LIT_DIR, else ~/.autopilot-mock (the mock's default lit dir).
//
// Output: exactly one JSON line on stdout,
//   {"client", "request_expiry", "features", "added", "listed", "revoked", "listed_after_revoke"}
// with bytes fields as standard base64. Failures go to stderr, exit non-zero.

'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const { LitClient } = require('@lightningpolar/litd-api');

const litDir = process.env.LIT_DIR || path.join(os.homedir(), '.autopilot-mock');
const socket = process.argv[2] || process.env.LIT_GRPC_HOST || 'localhost:8443';
const certPath = process.argv[3] || process.env.LIT_TLS_CERT || path.join(litDir, 'tls.cert');
const macaroonPath = process.argv[4] || process.env.LIT_MACAROON ||
  path.join(litDir, 'regtest', 'lit.macaroon');

function toJson(value) {
  return JSON.stringify(value, function(key, v) {
    const raw = this[key];
    return Buffer.isBuffer(raw) ? raw.toString('base64') : v;
  });
}

async function step(name, promise) {
  try {
    return await promise;
  } catch (err) {
    err.step = name;
    throw err;
  }
}

async function main() {
  const client = LitClient.create({
    socket,
    macaroon: fs.readFileSync(macaroonPath).toString('hex'),
    cert: fs.readFileSync(certPath).toString('hex'),
  });
  const autopilot = client.autopilot;

  const features = await step('listAutopilotFeatures', autopilot.listAutopilotFeatures());

  const expiry = Math.floor(Date.now() / 1000) + 24 * 60 * 60;
  const added = await step('addAutopilotSession', autopilot.addAutopilotSession({
    label: 'litd-api.js',
    expiryTimestampSeconds: String(expiry),
    mailboxServerAddr: 'mailbox.terminal.lightning.today:443',
    features: {
      HealthCheck: {
        rules: {
          rules: {
            'rate-limit': {
              rateLimit: {
                readLimit: { iterations: 20, numHours: 1 },
                writeLimit: { iterations: 2, numHours: 1 },
              },
            },
          },
        },
        config: Buffer.from('{}'),
      },
    },
  }));
  const listed = await step('listAutopilotSessions', autopilot.listAutopilotSessions());
  const revoked = await step('revokeAutopilotSession', autopilot.revokeAutopilotSession({
    localPublicKey: added.session.localPublicKey,
  }));
  const listedAfterRevoke = await step('listAutopilotSessions', autopilot.listAutopilotSessions());

  return {
    client: 'litd-api.js',
    request_expiry: String(expiry),
    features,
    added,
    listed,
    revoked,
    listed_after_revoke: listedAfterRevoke,
  };
}

main().then(
  (out) => {
    process.stdout.write(toJson(out) + '\n');
    // The library keeps its channels open; nothing else is pending.
    process.exit(0);
  },
  (err) => {
    process.stderr.write(
      `litd-api.js failed at ${err.step || '?'}: code=${err.code} ` +
      `details=${err.details || err.message}\n`);
    process.exit(1);
  });
