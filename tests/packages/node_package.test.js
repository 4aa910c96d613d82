// The packed autopilot-mock npm packages, installed into a fresh project, as a
// Node developer uses them: start(), a real call with @grpc/grpc-js (litd's
// documented way, official protos) and with @lightningpolar/litd-api, and the
// mock's record of those calls. Run by tests/packages/run.sh with `node --test`
// (the clients resolve through NODE_PATH=tests/clients/node/node_modules).
'use strict';

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { test } = require('node:test');
const grpc = require('@grpc/grpc-js');
const loader = require('@grpc/proto-loader');
const { LitClient } = require('@lightningpolar/litd-api');
const autopilotMock = require('autopilot-mock');

process.env.GRPC_SSL_CIPHER_SUITES = 'HIGH+ECDSA';
const protos = path.join(path.dirname(require.resolve('@lightningpolar/litd-api/package.json')), 'protos');

function grpcJsClient(mock) {
  const def = loader.loadSync(path.join(protos, 'lit-autopilot.proto'), {
    keepCase: true, longs: String, enums: String, defaults: true, oneofs: true, includeDirs: [protos],
  });
  const creds = grpc.credentials.combineChannelCredentials(
    grpc.credentials.createSsl(mock.tlsCert),
    grpc.credentials.createFromMetadataGenerator((_, cb) => {
      const md = new grpc.Metadata();
      md.add('macaroon', mock.macaroonHex);
      cb(null, md);
    }),
  );
  return new (grpc.loadPackageDefinition(def).litrpc.Autopilot)(mock.address, creds);
}

test('the binary comes from the platform package', () => {
  delete process.env.AUTOPILOT_MOCK_BIN;
  const bin = autopilotMock.binaryPath();
  assert.match(bin, /node_modules\/@autopilot-mock\/linux-x64\/bin\/autopilot-mock$/);
  assert.ok(fs.statSync(bin).mode & 0o111, 'executable');
});

// tests/packages/run.sh sets this only for a binary without the received-calls
// journal (no `serve --requests-limit`); anywhere else these tests run.
const noJournal = process.env.AUTOPILOT_MOCK_NO_RECEIVED_JOURNAL === '1'
  && 'this autopilot-mock binary has no received-calls journal (serve --requests-limit)';

test('a grpc-js call', async (t) => {
  const mock = await autopilotMock.start({ args: ['--seed', '1'] });
  t.after(() => mock.stop());
  assert.match(mock.address, /^127\.0\.0\.1:\d+$/);
  assert.equal(mock.port, Number(mock.address.split(':')[1]));
  assert.equal(mock.tlsCertPath, path.join(mock.litDir, 'tls.cert'));
  assert.ok(mock.tlsCert.toString().startsWith('-----BEGIN CERTIFICATE-----'));
  assert.equal(fs.readFileSync(mock.macaroonPath).toString('hex'), mock.macaroonHex);

  const client = grpcJsClient(mock);
  const res = await new Promise((resolve, reject) =>
    client.listAutopilotFeatures({}, (err, r) => (err ? reject(err) : resolve(r))));
  client.close();
  assert.equal(res.features.HealthCheck.name, 'HealthCheck');
});

test('requests() records grpc-js and litd-api calls, without secrets', { skip: noJournal }, async (t) => {
  const mock = await autopilotMock.start();
  t.after(() => mock.stop());
  const client = grpcJsClient(mock);
  await new Promise((resolve, reject) =>
    client.listAutopilotFeatures({}, (err, r) => (err ? reject(err) : resolve(r))));
  client.close();
  const { autopilot } = LitClient.create({
    socket: mock.address, macaroon: mock.macaroonHex, cert: mock.tlsCert.toString('hex'),
  });
  await autopilot.listAutopilotSessions({});

  const [features] = await mock.requests({ method: '/litrpc.Autopilot/ListAutopilotFeatures' });
  assert.equal(features.method, '/litrpc.Autopilot/ListAutopilotFeatures');
  assert.equal(features.transport, 'grpc');
  assert.equal(features.credential, 'macaroon');
  assert.equal(features.auth.result, 'ok');
  assert.equal(features.response.features.HealthCheck.name, 'HealthCheck');
  const later = await mock.requests({ sinceSeq: features.seq });
  assert.deepEqual(later.map((e) => e.method), ['/litrpc.Autopilot/ListAutopilotSessions']);
  assert.ok(!JSON.stringify(await mock.requests()).includes(mock.macaroonHex.slice(0, 40)), 'no macaroon in the journal');
  await mock.clearRequests();
  assert.deepEqual(await mock.requests(), []);
});

test('litd-api: add, clock, journal, reset; stop cleans up', async (t) => {
  const mock = await autopilotMock.start();
  t.after(() => mock.stop());
  const { autopilot } = LitClient.create({
    socket: mock.address, macaroon: mock.macaroonHex, cert: mock.tlsCert.toString('hex'),
  });
  const now = Number(BigInt((await mock.advance(0)).unix_nanos) / 1000000000n);
  const added = await autopilot.addAutopilotSession({
    label: 'node', expiryTimestampSeconds: String(now + 3600),
    mailboxServerAddr: 'mailbox.terminal.lightning.today:443', features: { HealthCheck: {} },
  });
  assert.equal(added.session.sessionState, 'STATE_CREATED');
  // The stub saw litd's start-up calls (Terms, ListFeatures), then the registration.
  assert.deepEqual((await mock.journal()).map((e) => e.rpc).slice(-1), ['RegisterSession']);

  await mock.advance(7200);
  const listed = await autopilot.listAutopilotSessions({});
  // litd 0.17.2 leaves a session added in this run STATE_CREATED after its expiry.
  assert.equal(listed.sessions[0].sessionState, 'STATE_CREATED');
  await mock.reset();
  assert.equal((await autopilot.listAutopilotSessions({})).sessions.length, 0);

  await mock.setScript({ responses: { ListFeatures: [{ reply: { error: { code: 'UNAVAILABLE', message: 'down' } } }] } });
  await assert.rejects(autopilot.listAutopilotFeatures({}), /down/);

  const { litDir, pid } = mock;
  assert.equal(await mock.stop(), 0);
  assert.ok(!fs.existsSync(litDir), 'the temporary lit dir is removed');
  assert.throws(() => process.kill(pid, 0), { code: 'ESRCH' });
});

test('a start failure says why', async () => {
  await assert.rejects(
    autopilotMock.start({ args: ['--features', '/nonexistent/features.json'] }),
    (e) => e instanceof autopilotMock.MockError && /exited before it was ready/.test(e.message)
      && e.message.includes('/nonexistent/features.json'),
  );
});
