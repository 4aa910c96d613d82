// What a user writes instead of the mock: a minimal hand-written
// litrpc.Autopilot server on @grpc/grpc-js, answering AddAutopilotSession and
// ListAutopilotSessions from an in-memory array. It checks that a macaroon is
// present (not that it is valid), rejects a request without features, and
// fills every Session field with plausible values, the way a quick hand-rolled
// fake would. It is the benchmark's "grpc-js" baseline; it is not a reference.
//
// Usage: NODE_PATH=<dir with @grpc/grpc-js> node server.js
//   env CERT, KEY: PEM files (the mock's tls.cert/tls.key);
//   env LISTEN (default 127.0.0.1:0); env PROTO_DIR (default ../../../proto).
// Prints one JSON line {"listen":"127.0.0.1:PORT","pid":N} once bound.
'use strict';

const path = require('path');
const fs = require('fs');
const crypto = require('crypto');
const grpc = require('@grpc/grpc-js');
const loader = require('@grpc/proto-loader');

const protoDir = process.env.PROTO_DIR || path.join(__dirname, '..', '..', '..', 'proto');
const definition = loader.loadSync(path.join(protoDir, 'lit-autopilot.proto'), {
  keepCase: true, longs: String, enums: String, defaults: true, oneofs: true,
  includeDirs: [protoDir],
});
const litrpc = grpc.loadPackageDefinition(definition).litrpc;

const sessions = [];
const WORDS = 'abandon ability able about above absent absorb abstract absurd abuse';
const PERMISSIONS = [
  { entity: 'uri', action: '/lnrpc.Lightning/GetInfo' },
];

function fail(cb, code, details) {
  cb({ code, details });
}

function addAutopilotSession(call, cb) {
  if (call.metadata.get('macaroon').length !== 1) {
    return fail(cb, grpc.status.UNKNOWN, 'expected 1 macaroon, got 0');
  }
  const req = call.request;
  const names = Object.keys(req.features || {});
  if (names.length === 0) {
    return fail(cb, grpc.status.UNKNOWN, 'must include at least one feature');
  }
  const local = Buffer.concat([Buffer.from([2]), crypto.randomBytes(32)]);
  const remote = Buffer.concat([Buffer.from([3]), crypto.randomBytes(32)]);
  const id = local.subarray(1, 5);
  const info = {};
  const configs = {};
  for (const name of names) {
    info[name] = { rules: { 'rate-limit': { rate_limit: {
      read_limit: { iterations: 10, num_hours: 1 },
      write_limit: { iterations: 1, num_hours: 1 },
    } } } };
    configs[name] = '';
  }
  const session = {
    id,
    label: req.label,
    session_state: 'STATE_CREATED',
    session_type: 'TYPE_AUTOPILOT',
    expiry_timestamp_seconds: req.expiry_timestamp_seconds,
    mailbox_server_addr: req.mailbox_server_addr,
    dev_server: req.dev_server,
    pairing_secret: crypto.randomBytes(14),
    pairing_secret_mnemonic: WORDS,
    local_public_key: local,
    remote_public_key: remote,
    created_at: String(Math.floor(Date.now() / 1000)),
    macaroon_recipe: { permissions: PERMISSIONS, caveats: ['lnd-custom lit-mac-fw rules:{}'] },
    account_id: '',
    autopilot_feature_info: info,
    revoked_at: '0',
    group_id: id,
    feature_configs: configs,
    privacy_flags: '0',
  };
  sessions.push(session);
  cb(null, { session });
}

function listAutopilotSessions(call, cb) {
  if (call.metadata.get('macaroon').length !== 1) {
    return fail(cb, grpc.status.UNKNOWN, 'expected 1 macaroon, got 0');
  }
  cb(null, { sessions });
}

function main() {
  const cert = fs.readFileSync(process.env.CERT);
  const key = fs.readFileSync(process.env.KEY);
  const server = new grpc.Server();
  server.addService(litrpc.Autopilot.service, {
    addAutopilotSession,
    listAutopilotSessions,
  });
  const credentials = grpc.ServerCredentials.createSsl(null, [{ cert_chain: cert, private_key: key }], false);
  server.bindAsync(process.env.LISTEN || '127.0.0.1:0', credentials, (err, port) => {
    if (err) {
      process.stderr.write(`grpc-js peer: ${err.message}\n`);
      process.exit(1);
    }
    process.stdout.write(JSON.stringify({ listen: `127.0.0.1:${port}`, pid: process.pid }) + '\n');
  });
  const stop = () => server.tryShutdown(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main();
