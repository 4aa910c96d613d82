'use strict';
// Start autopilot-mock, a test double of litd's litrpc.Autopilot service, from Node.
//
//   const mock = await require('autopilot-mock').start({ args: ['--seed', '1'] });
//   ... your client against mock.address with mock.tlsCert and mock.macaroonHex ...
//   await mock.stop();
//
// The binary: options.binary, else $AUTOPILOT_MOCK_BIN, else the per-platform
// package in optionalDependencies (@autopilot-mock/<platform>-<arch>), else PATH.

const { spawn } = require('child_process');
const fs = require('fs');
const https = require('https');
const os = require('os');
const path = require('path');
const readline = require('readline');

const ADMIN = '/_autopilot-mock/v1';
const EXE = process.platform === 'win32' ? 'autopilot-mock.exe' : 'autopilot-mock';

function isExecutable(file) {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** Where the binary comes from (see the order above). */
function binaryPath() {
  if (process.env.AUTOPILOT_MOCK_BIN) return process.env.AUTOPILOT_MOCK_BIN;
  const platformPackage = `@autopilot-mock/${process.platform}-${process.arch}`;
  try {
    const file = require.resolve(`${platformPackage}/bin/${EXE}`);
    if (isExecutable(file)) return file;
  } catch {
    // not installed for this platform: fall through to PATH
  }
  for (const dir of (process.env.PATH || '').split(path.delimiter)) {
    if (dir && isExecutable(path.join(dir, EXE))) return path.join(dir, EXE);
  }
  throw new Error(
    `autopilot-mock binary not found: set AUTOPILOT_MOCK_BIN, install ${platformPackage} ` +
      `(an optional dependency of autopilot-mock), or put ${EXE} on PATH`,
  );
}

class MockError extends Error {
  constructor(message, status, code) {
    super(message);
    this.name = 'MockError';
    this.status = status;
    this.code = code;
  }
}

const hasFlag = (args, flag) => args.some((a) => a === flag || a.startsWith(`${flag}=`));

class Mock {
  constructor(child, ready, ownedDir, lines, logPath) {
    this._child = child;
    this._ownedDir = ownedDir;
    this._lines = lines;
    this._logPath = logPath;
    this._exit = new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
      else child.once('exit', (code) => resolve(code));
    });
    this.ready = ready;
    this.address = ready.listen;
    this.port = Number(this.address.slice(this.address.lastIndexOf(':') + 1));
    this.litDir = ready.lit_dir;
    this.tlsCertPath = ready.tls_cert;
    this.macaroonPath = ready.macaroon;
    this.pid = child.pid;
    this.tlsCert = fs.readFileSync(this.tlsCertPath);
    this.macaroonHex = fs.readFileSync(this.macaroonPath).toString('hex');
    /** Lines printed on stdout after the ready line (the verdict with --scenario). */
    this.output = lines.rest;
    this.exitCode = null;
  }

  _admin(method, route, body) {
    const host = this.address.slice(0, this.address.lastIndexOf(':')).replace(/^\[|\]$/g, '');
    const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const headers = { 'Grpc-Metadata-Macaroon': this.macaroonHex };
    if (data) Object.assign(headers, { 'Content-Type': 'application/json', 'Content-Length': data.length });
    return new Promise((resolve, reject) => {
      const req = https.request(
        { host, port: this.port, method, path: ADMIN + route, headers, ca: this.tlsCert, timeout: 30000 },
        (res) => {
          const chunks = [];
          res.on('data', (c) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed = null;
            try {
              parsed = text.trim() ? JSON.parse(text) : null;
            } catch {
              parsed = null;
            }
            if (res.statusCode >= 300) {
              const message = parsed && parsed.message !== undefined ? parsed.message : text;
              reject(new MockError(`${method} ${ADMIN}${route}: HTTP ${res.statusCode}: ${message}`,
                res.statusCode, parsed && parsed.code));
            } else {
              resolve(parsed);
            }
          });
        },
      );
      req.on('timeout', () => req.destroy(new MockError(`${method} ${ADMIN}${route}: timed out`)));
      req.on('error', reject);
      req.end(data);
    });
  }

  /** The admin API's POST reset: no sessions, privacy maps or actions; the stub's clients and journal forgotten, its start-up script restored. */
  async reset() {
    await this._admin('POST', '/reset');
  }

  /** Replaces the remote stub's script. */
  async setScript(script) {
    await this._admin('PUT', '/script', script);
  }

  /** The calls the mock's remote stub received, oldest first. */
  async journal() {
    return (await this._admin('GET', '/journal')).entries;
  }

  /** The litrpc calls the mock received, oldest first. */
  async requests(filter = {}) {
    const query = new URLSearchParams();
    if (filter.method !== undefined) query.set('method', filter.method);
    if (filter.sinceSeq !== undefined) query.set('since_seq', String(filter.sinceSeq));
    const qs = query.toString();
    return (await this._admin('GET', `/requests${qs ? `?${qs}` : ''}`)).entries;
  }

  async clearRequests() {
    await this._admin('DELETE', '/requests');
  }

  /** Moves the mock's clock forward; sessions past their expiry are revoked at once. */
  async advance(seconds) {
    const body = Number.isInteger(seconds)
      ? { advance_seconds: seconds }
      : { advance_nanos: Math.round(seconds * 1e9) };
    return this._admin('POST', '/clock', body);
  }

  /** SIGTERM, waits for the exit (in-flight calls finish), removes a temporary lit dir. */
  async stop() {
    if (this._child.exitCode === null && this._child.signalCode === null) this._child.kill('SIGTERM');
    const timer = setTimeout(() => this._child.kill('SIGKILL'), 30000);
    this.exitCode = await this._exit;
    clearTimeout(timer);
    await this._lines.closed;
    if (this._ownedDir) {
      fs.rmSync(this._ownedDir, { recursive: true, force: true });
      this._ownedDir = null;
    }
    process.removeListener('exit', this._onExit);
    return this.exitCode;
  }

  /** What the mock wrote on stderr so far. */
  logs() {
    try {
      return fs.readFileSync(this._logPath, 'utf8');
    } catch {
      return '';
    }
  }
}

/**
 * Starts `autopilot-mock serve` and resolves once it printed its ready line.
 * Without --listen it listens on 127.0.0.1:<free port>; without --lit-dir it
 * uses a temporary directory, removed by stop().
 */
function start(options = {}) {
  const args = (options.args || []).map(String);
  const timeoutMs = options.timeoutMs === undefined ? 30000 : options.timeoutMs;
  let exe;
  try {
    exe = options.binary || binaryPath();
  } catch (e) {
    return Promise.reject(e);
  }
  const ownedDir = fs.mkdtempSync(path.join(os.tmpdir(), 'autopilot-mock-'));
  const cmd = ['serve'];
  if (!hasFlag(args, '--listen')) cmd.push('--listen', '127.0.0.1:0');
  if (!hasFlag(args, '--lit-dir')) cmd.push('--lit-dir', path.join(ownedDir, 'lit'));
  cmd.push(...args);
  const logPath = path.join(ownedDir, 'mock.log');
  const logFd = fs.openSync(logPath, 'w');
  const child = spawn(exe, cmd, { stdio: ['ignore', 'pipe', logFd] });
  fs.closeSync(logFd);
  // A mock the test forgot to stop must not keep the test runner alive: the
  // child and its stdout do not hold the event loop (the process 'exit' hook
  // below ends the mock).
  child.unref();
  if (child.stdout.unref) child.stdout.unref();

  return new Promise((resolve, reject) => {
    const lines = { rest: [], closed: null };
    let ready = null;
    let settled = false;
    const rl = readline.createInterface({ input: child.stdout });
    lines.closed = new Promise((done) => rl.once('close', done));
    const fail = (why) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      const finish = () => {
        let stderr = '';
        try {
          stderr = fs.readFileSync(logPath, 'utf8').trim();
        } catch {
          stderr = '';
        }
        fs.rmSync(ownedDir, { recursive: true, force: true });
        reject(new MockError(`autopilot-mock serve ${why} (exit ${child.exitCode}): ${stderr}`));
      };
      if (child.exitCode !== null || child.signalCode !== null) finish();
      else child.once('exit', finish);
    };
    const timer = setTimeout(() => fail(`printed no ready line within ${timeoutMs} ms`), timeoutMs);
    child.once('error', (e) => fail(`could not be run from ${exe}: ${e.message}`));
    child.once('exit', () => {
      if (ready === null) fail('exited before it was ready');
    });
    rl.on('line', (line) => {
      if (ready !== null) {
        lines.rest.push(line);
        return;
      }
      try {
        ready = JSON.parse(line);
      } catch (e) {
        fail(`gave an unexpected ready line ${JSON.stringify(line)} (${e.message})`);
        return;
      }
      settled = true;
      clearTimeout(timer);
      try {
        const mock = new Mock(child, ready, ownedDir, lines, logPath);
        // A test runner that exits without stop() must not leave the mock behind.
        mock._onExit = () => child.kill('SIGTERM');
        process.once('exit', mock._onExit);
        resolve(mock);
      } catch (e) {
        child.kill('SIGKILL');
        fs.rmSync(ownedDir, { recursive: true, force: true });
        reject(new MockError(`autopilot-mock serve gave an unusable ready line: ${e.message}`));
      }
    });
  });
}

module.exports = { start, binaryPath, Mock, MockError };
