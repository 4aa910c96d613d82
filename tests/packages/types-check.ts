// Type-checked (tsc --noEmit --strict) against the packed autopilot-mock's
// index.d.ts by tests/packages/run.sh: every documented member, and a misuse
// the types must refuse. Never run.
import { binaryPath, Mock, MockError, ReceivedRequest, ReadyLine, start } from 'autopilot-mock';

export async function everyMember(): Promise<void> {
  const mock: Mock = await start({ args: ['--seed', '1'], timeoutMs: 10000, binary: binaryPath() });
  const address: string = mock.address;
  const port: number = mock.port;
  const litDir: string = mock.litDir;
  const certPath: string = mock.tlsCertPath;
  const cert: Buffer = mock.tlsCert;
  const macaroonPath: string = mock.macaroonPath;
  const macaroonHex: string = mock.macaroonHex;
  const ready: ReadyLine = mock.ready;
  await mock.reset();
  await mock.setScript({ responses: {} });
  const journal: Array<Record<string, unknown>> = await mock.journal();
  const received: ReceivedRequest[] = await mock.requests({ method: '/litrpc.Autopilot/ListAutopilotFeatures', sinceSeq: 0 });
  const seq: number = received[0].seq;
  const now: string = (await mock.advance(60)).now;
  const code: number | null = await mock.stop();
  const logs: string = mock.logs();
  void [address, port, litDir, certPath, cert, macaroonPath, macaroonHex, ready.listen, journal, seq, now, code, logs];
  try {
    // @ts-expect-error serve arguments are strings
    await start({ args: [1] });
  } catch (e) {
    if (e instanceof MockError) void e.status;
  }
}
