// Polar's litd calls beyond Autopilot through `@lightningpolar/litd-api`'s
// LitClient: sessions add/list/revoke (an admin session, as Polar's
// "LNC pairing" dialog adds), then proxy getInfo and a read-only super
// macaroon used for a second LitClient. Field names are lowerCamelCase, as
// the library loads litd's protos without keepCase.
//
//   argv[2] socket, argv[3] tls cert path, argv[4] macaroon path.
//
// Output: one JSON line {"added", "listed", "revoked", "listed_after_revoke",
// "info", "super_listed"} with bytes as standard base64. Failures go to
// stderr, exit non-zero.

'use strict';

const fs = require('fs');
const { LitClient } = require('@lightningpolar/litd-api');

const [socket, certPath, macaroonPath] = process.argv.slice(2);

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
  const cert = fs.readFileSync(certPath).toString('hex');
  const client = LitClient.create({
    socket,
    macaroon: fs.readFileSync(macaroonPath).toString('hex'),
    cert,
  });
  const expiry = Math.floor(Date.now() / 1000) + 90 * 24 * 60 * 60;
  const added = await step('addSession', client.sessions.addSession({
    label: 'Polar',
    sessionType: 'TYPE_MACAROON_ADMIN',
    expiryTimestampSeconds: String(expiry),
    mailboxServerAddr: 'mailbox.terminal.lightning.today:443',
    devServer: false,
    macaroonCustomPermissions: [],
  }));
  const listed = await step('listSessions', client.sessions.listSessions());
  const revoked = await step('revokeSession', client.sessions.revokeSession({
    localPublicKey: added.session.localPublicKey,
  }));
  const listedAfterRevoke = await step('listSessions', client.sessions.listSessions());
  const info = await step('getInfo', client.proxy.getInfo());
  const baked = await step('bakeSuperMacaroon', client.proxy.bakeSuperMacaroon({
    rootKeyIdSuffix: 0,
    readOnly: true,
  }));
  const superClient = LitClient.create({ socket, macaroon: baked.macaroon, cert });
  const superListed = await step('listSessions (super)', superClient.sessions.listSessions());
  return {
    added,
    listed,
    revoked,
    listed_after_revoke: listedAfterRevoke,
    info,
    super_listed: superListed,
  };
}

main().then(
  (out) => {
    process.stdout.write(toJson(out) + '\n');
    process.exit(0);
  },
  (err) => {
    process.stderr.write(
      `litd-api-sessions.js failed at ${err.step || '?'}: code=${err.code} ` +
      `details=${err.details || err.message}\n`);
    process.exit(1);
  });
