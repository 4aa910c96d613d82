// grpc-js + proto-loader (litd's Node sample's loader options) over litd's
// official lit-autopilot.proto: add an autopilot session for a feature the
// catalogue gives no rules, then list it. protobufjs reads a map entry
// without its value field as `null`, so the listed feature's `rules` is
// only `{}` when the server writes map entries whole, as litd's grpc-go does.
//
//   node feature-without-rules.js HOST:PORT TLS_CERT MACAROON FEATURE
//
// Output: one JSON line {"added": <feature info>, "listed": <feature info>,
// "rule_count": n}, where <feature info> is the session's
// autopilot_feature_info[FEATURE] as grpc-js hands it back.

'use strict';

const fs = require('fs');
const path = require('path');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

const [host, certPath, macaroonPath, feature] = process.argv.slice(2);
const protos = path.join(
  path.dirname(require.resolve('@lightningpolar/litd-api/package.json')), 'protos');
const definition = protoLoader.loadSync(path.join(protos, 'lit-autopilot.proto'), {
  keepCase: true, longs: String, enums: String, defaults: true, oneofs: true,
});
const litrpc = grpc.loadPackageDefinition(definition).litrpc;
const macaroon = fs.readFileSync(macaroonPath).toString('hex');
const creds = grpc.credentials.combineChannelCredentials(
  grpc.credentials.createSsl(fs.readFileSync(certPath)),
  grpc.credentials.createFromMetadataGenerator((_args, callback) => {
    const metadata = new grpc.Metadata();
    metadata.add('macaroon', macaroon);
    callback(null, metadata);
  }));
const client = new litrpc.Autopilot(host, creds);

function call(method, request) {
  return new Promise((resolve, reject) => {
    client[method](request, (err, response) => (err ? reject(err) : resolve(response)));
  });
}

async function main() {
  const added = await call('addAutopilotSession', {
    label: 'no rules',
    expiry_timestamp_seconds: String(Math.floor(Date.now() / 1000) + 3600),
    mailbox_server_addr: 'mailbox.terminal.lightning.today:443',
    features: { [feature]: { rules: { rules: {} }, config: Buffer.from('{}') } },
  });
  const listed = await call('listAutopilotSessions', {});
  const info = listed.sessions[0].autopilot_feature_info[feature];
  // What a client does with it: count the rules.
  const ruleCount = Object.keys(info.rules).length;
  client.close();
  console.log(JSON.stringify({
    added: added.session.autopilot_feature_info[feature],
    listed: info,
    rule_count: ruleCount,
  }));
}

main().catch((err) => {
  console.error(err.stack || String(err));
  client.close();
  process.exit(1);
});
