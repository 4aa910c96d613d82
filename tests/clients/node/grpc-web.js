// litrpc calls over grpc-web through two real grpc-web client libraries:
//
//   improbable   @improbable-eng/grpc-web with its Node HTTP transport (what
//                litd's own UI uses; HTTP/1.1, application/grpc-web+proto),
//                messages from litd's official protos (@lightningpolar/litd-api)
//                through protobufjs;
//   connect-h1   @connectrpc/connect-node's createGrpcWebTransport over HTTP/1.1,
//   connect-h2   the same over HTTP/2; both binary, messages from the
//                descriptor set given in the plan (the mock's own protos).
//
// Usage: node grpc-web.js PLAN.json
//   PLAN = {"base_url": "https://localhost:PORT", "descriptor_set": "<path>",
//           "calls": [{"client": "improbable", "method": "litrpc.Status/SubServerStatus",
//                      "request": {}, "headers": {"macaroon": "<hex>"}}, ...]}
// The server's certificate is trusted through NODE_EXTRA_CA_CERTS.
//
// Output: one JSON line {"results": [{"client", "method", "code", "message",
// "response", "headers"}...]}; `response` is the message as proto3 JSON with
// proto field names, `headers` the response headers the library exposed.

'use strict';

const fs = require('fs');
const path = require('path');
const protobuf = require('protobufjs');
const { grpc } = require('@improbable-eng/grpc-web');
const { NodeHttpTransport } = require('@improbable-eng/grpc-web-node-http-transport');
const { createClient } = require('@connectrpc/connect');
const { createGrpcWebTransport } = require('@connectrpc/connect-node');
const { createFileRegistry, fromBinary, fromJson, toJson } = require('@bufbuild/protobuf');
const { FileDescriptorSetSchema } = require('@bufbuild/protobuf/wkt');

const plan = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));

// ------------------------------------------------------------- improbable
const protoDir = path.join(path.dirname(require.resolve('@lightningpolar/litd-api/package.json')), 'protos');
const root = new protobuf.Root();
root.resolvePath = (_origin, target) => path.join(protoDir, path.basename(target));
root.loadSync(['lit-status.proto', 'lit-autopilot.proto', 'lit-sessions.proto'].map((f) => path.join(protoDir, f)), { keepCase: true });

// improbable's client wants message classes with serializeBinary /
// deserializeBinary / toObject (google-protobuf's shape); protobufjs types
// are wrapped into that shape.
function messageClass(type) {
  return class {
    constructor(object) { this.object = object || {}; }
    serializeBinary() { return type.encode(type.fromObject(this.object)).finish(); }
    toObject() {
      return type.toObject(this.decoded, { longs: String, enums: String, bytes: String, defaults: true, arrays: true, objects: true });
    }
    static deserializeBinary(bytes) {
      const m = new this();
      m.decoded = type.decode(bytes);
      return m;
    }
  };
}

function improbableCall(call) {
  const [serviceName, methodName] = call.method.split('/');
  const service = root.lookupService(serviceName);
  const method = service.methods[methodName];
  method.resolve();
  const descriptor = {
    methodName,
    service: { serviceName },
    requestStream: false,
    responseStream: false,
    requestType: messageClass(method.resolvedRequestType),
    responseType: messageClass(method.resolvedResponseType),
  };
  return new Promise((resolve) => {
    let headers = {};
    let response = null;
    const client = grpc.client(descriptor, { host: plan.base_url, transport: NodeHttpTransport() });
    client.onHeaders((h) => { h.forEach((k, v) => { headers[k] = v.join(', '); }); });
    client.onMessage((m) => { response = m.toObject(); });
    client.onEnd((code, message) => resolve({ code, message, response, headers }));
    client.start(new grpc.Metadata(call.headers || {}));
    client.send(new descriptor.requestType(call.request));
    client.finishSend();
  });
}

// ---------------------------------------------------------------- connect
const registry = createFileRegistry(fromBinary(FileDescriptorSetSchema, fs.readFileSync(plan.descriptor_set)));

async function connectCall(call, httpVersion) {
  const [serviceName, methodName] = call.method.split('/');
  const service = registry.getService(serviceName);
  const method = service.methods.find((m) => m.name === methodName);
  const transport = createGrpcWebTransport({ baseUrl: plan.base_url, httpVersion, useBinaryFormat: true });
  const client = createClient(service, transport);
  const headers = {};
  try {
    const resp = await client[method.localName](fromJson(method.input, call.request || {}), {
      headers: call.headers || {},
      onHeader: (h) => h.forEach((v, k) => { headers[k] = v; }),
    });
    const response = toJson(method.output, resp, { alwaysEmitImplicit: true, useProtoFieldName: true });
    return { code: 0, message: '', response, headers };
  } catch (err) {
    if (err && typeof err.code === 'number' && 'rawMessage' in err) {
      return { code: err.code, message: err.rawMessage, response: null, headers };
    }
    throw err;
  }
}

async function main() {
  const results = [];
  for (const call of plan.calls) {
    let result;
    if (call.client === 'improbable') result = await improbableCall(call);
    else if (call.client === 'connect-h1') result = await connectCall(call, '1.1');
    else if (call.client === 'connect-h2') result = await connectCall(call, '2');
    else throw new Error(`unknown client ${call.client}`);
    results.push({ client: call.client, method: call.method, ...result });
  }
  process.stdout.write(JSON.stringify({ results }) + '\n');
}

main().catch((err) => {
  process.stderr.write(`grpc-web.js: ${err && err.stack ? err.stack : err}\n`);
  process.exit(1);
});
