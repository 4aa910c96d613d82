/// <reference types="node" />
// Types for autopilot-mock's Node helper (index.js).

export interface StartOptions {
  /** Extra `autopilot-mock serve` arguments, e.g. ['--seed', '1']. */
  args?: string[];
  /** The binary to run (default: $AUTOPILOT_MOCK_BIN, the platform package, PATH). */
  binary?: string;
  /** How long to wait for the ready line (default 30000). */
  timeoutMs?: number;
}

/** The JSON line `serve` prints once it accepts connections. */
export interface ReadyLine {
  listen: string;
  lit_dir: string;
  tls_cert: string;
  tls_key: string;
  macaroon: string;
  network: string;
  pid: number;
  [key: string]: unknown;
}

/** One litrpc call the mock received (GET /_autopilot-mock/v1/requests). */
export interface ReceivedRequest {
  seq: number;
  method: string;
  transport: string;
  [key: string]: unknown;
}

export interface RequestsFilter {
  /** A full method name, e.g. '/litrpc.Autopilot/ListAutopilotFeatures'. */
  method?: string;
  /** Only entries with a larger seq. */
  sinceSeq?: number;
}

export interface Clock {
  now: string;
  unix_nanos: string | number;
}

export class MockError extends Error {
  status?: number;
  code?: number;
}

export class Mock {
  readonly ready: ReadyLine;
  /** host:port */
  readonly address: string;
  readonly port: number;
  readonly litDir: string;
  readonly tlsCertPath: string;
  /** The PEM bytes of tls.cert. */
  readonly tlsCert: Buffer;
  readonly macaroonPath: string;
  readonly macaroonHex: string;
  readonly pid: number;
  /** Lines printed on stdout after the ready line (the verdict with --scenario). */
  readonly output: string[];
  exitCode: number | null;
  reset(): Promise<void>;
  setScript(script: object): Promise<void>;
  journal(): Promise<Array<Record<string, unknown>>>;
  requests(filter?: RequestsFilter): Promise<ReceivedRequest[]>;
  clearRequests(): Promise<void>;
  advance(seconds: number): Promise<Clock>;
  /** Stops the mock; resolves to its exit code. */
  stop(): Promise<number | null>;
  logs(): string;
}

export function start(options?: StartOptions): Promise<Mock>;
export function binaryPath(): string;
