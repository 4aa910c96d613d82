// litd's documented Node.js gRPC sample for the `litrpc.Autopilot` service
// (Lightning Terminal API reference, "Javascript" code samples), driven
// through the four Autopilot RPCs. Only the sample's placeholders are
// parameterised:
//
//   GRPC_HOST      argv[2] or $LIT_GRPC_HOST, else 'localhost:8443' (as in the sample)
//   TLS_PATH       argv[3] or $LIT_TLS_CERT,  else LIT_DIR/tls.cert
//   MACAROON_PATH  argv[4] or $LIT_MACAROON,  else LIT_DIR/regtest/lit.macaroon
//   scenario       argv[5] or $LIT_SCENARIO,  else 'flow' (or 'no-macaroon')
// where LIT_DIR is $LIT_DIR, else ~/.autopilot-mock (the mock's default lit dir).
// An empty argument counts as absent.
//
// The proto is litd's official `lit-autopilot.proto`, as shipped by the
// installed `@lightningpolar/litd-api` package.
//
// Output: exactly one JSON line on stdout. Bytes fields are written as
// standard base64 (as proto3 JSON does); everything else is what grpc-js and
// proto-loader hand back with the sample's loader options.
//   flow:        {"client", "request_expiry", "features", "added", "listed", "revoked",
//                 "listed_after_revoke"}
//   no-macaroon: {"client", "error": {"code", "details"}}
// Any unexpected failure goes to stderr and exits non-zero.

'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

const LIT_DIR = process.env.LIT_DIR || path.join(os.homedir(), '.autopilot-mock');
const GRPC_HOST = process.argv[2] || process.env.LIT_GRPC_HOST || 'localhost:8443';
const TLS_PATH = process.argv[3] || process.env.LIT_TLS_CERT || path.join(LIT_DIR, 'tls.cert');
const MACAROON_PATH = process.argv[4] || process.env.LIT_MACAROON ||
  path.join(LIT_DIR, 'regtest', 'lit.macaroon');
const SCENARIO = process.argv[5] || process.env.LIT_SCENARIO || 'flow';

const OFFICIAL_PROTOS = path.join(
  path.dirname(require.resolve('@lightningpolar/litd-api/package.json')), 'protos');

const loaderOptions = {
  keepCase: true,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
};
const packageDefinition = protoLoader.loadSync(
  path.join(OFFICIAL_PROTOS, 'lit-autopilot.proto'), loaderOptions);
const litrpc = grpc.loadPackageDefinition(packageDefinition).litrpc;

process.env.GRPC_SSL_CIPHER_SUITES = 'HIGH+ECDSA';
const tlsCert = fs.readFileSync(TLS_PATH);
const sslCreds = grpc.credentials.createSsl(tlsCert);
const macaroon = fs.readFileSync(MACAROON_PATH).toString('hex');
const macaroonCreds = grpc.credentials.createFromMetadataGenerator(function(args, callback) {
  let metadata = new grpc.Metadata();
  metadata.add('macaroon', macaroon);
  callback(null, metadata);
});
let creds = grpc.credentials.combineChannelCredentials(sslCreds, macaroonCreds);

// Promise wrapper around the sample's callback style, naming the step that failed.
function call(client, method, request) {
  return new Promise((resolve, reject) => {
    client[method](request, function(err, response) {
      if (err) {
        err.step = method;
        reject(err);
      } else {
        resolve(response);
      }
    });
  });
}

// JSON with Buffers as standard base64 (Buffer#toJSON runs before a replacer,
// so look at the holder's raw value).
function toJson(value) {
  return JSON.stringify(value, function(key, v) {
    const raw = this[key];
    return Buffer.isBuffer(raw) ? raw.toString('base64') : v;
  });
}

async function flow() {
  let client = new litrpc.Autopilot(GRPC_HOST, creds);

  const features = await call(client, 'listAutopilotFeatures', {});

  const expiry = Math.floor(Date.now() / 1000) + 24 * 60 * 60;
  let request = {
    label: 'litd-sample.js',
    expiry_timestamp_seconds: String(expiry),
    mailbox_server_addr: 'mailbox.terminal.lightning.today:443',
    dev_server: false,
    features: {
      HealthCheck: {
        rules: {
          rules: {
            'rate-limit': {
              rate_limit: {
                read_limit: { iterations: 20, num_hours: 1 },
                write_limit: { iterations: 2, num_hours: 1 },
              },
            },
          },
        },
        config: Buffer.from('{}'),
      },
    },
    no_privacy_mapper: false,
  };
  const added = await call(client, 'addAutopilotSession', request);
  const listed = await call(client, 'listAutopilotSessions', {});
  const revoked = await call(client, 'revokeAutopilotSession', {
    local_public_key: added.session.local_public_key,
  });
  const listedAfterRevoke = await call(client, 'listAutopilotSessions', {});
  client.close();

  return {
    client: 'litd-sample.js',
    request_expiry: String(expiry),
    features,
    added,
    listed,
    revoked,
    listed_after_revoke: listedAfterRevoke,
  };
}

// The same sample with the channel credentials only: no macaroon metadata.
async function noMacaroon() {
  let client = new litrpc.Autopilot(GRPC_HOST, sslCreds);
  try {
    const response = await call(client, 'listAutopilotFeatures', {});
    throw new Error('call without a macaroon succeeded: ' + toJson(response));
  } catch (err) {
    if (err.code === undefined) {
      throw err;
    }
    return { client: 'litd-sample.js', error: { code: err.code, details: err.details } };
  } finally {
    client.close();
  }
}

const scenarios = { flow, 'no-macaroon': noMacaroon };
if (!scenarios[SCENARIO]) {
  process.stderr.write(`unknown scenario ${SCENARIO}\n`);
  process.exit(2);
}

scenarios[SCENARIO]().then(
  (out) => {
    process.stdout.write(toJson(out) + '\n');
  },
  (err) => {
    process.stderr.write(
      `litd-sample.js ${SCENARIO} failed at ${err.step || '?'}: ` +
      `code=${err.code} details=${err.details || err.message}\n`);
    process.exit(1);
  });
