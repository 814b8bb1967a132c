/**
 * Issue 21: a deployable started while NATS is down used to exit (start failed, exit 1), which in
 * Kubernetes is CrashLoopBackOff with growing delays. Now it stays up: /healthz 200, /readyz 503
 * with the reason, and it connects as soon as NATS is there. Checked on a real process of the fleet
 * (the routing fixture: runService + connectRoutedBus, as every deployable's main) against the test
 * bed's real nats-server, started on the very port the process was pointed at, after the process.
 */
import { afterAll, expect, it, jest } from '@jest/globals';
import { freePort, startNats, Stack } from '@nova/testbed';
import { runFixture, type Child } from '../bus/support/processes.js';
import { readyz, type Readyz } from './support/readyz.js';
import { startBusProcess, until, type BusProcess } from '../routing/support/fleet.js';

jest.setTimeout(60_000);

const FIXTURE = 'test/routing/fixtures/side-process.ts';
const stack = Stack.create();
const children: Child[] = [];
let caller: BusProcess | undefined;

afterAll(async () => {
  await caller?.bus.close();
  for (const child of children) if (child.process.exitCode === null && child.process.signalCode === null) child.process.kill('SIGKILL');
  await stack.stop();
});

async function startSide(natsPort: number, name: string, credentials = ''): Promise<{ child: Child; httpPort: number }> {
  const httpPort = await freePort();
  const child = runFixture(FIXTURE, {
    NOVA_NATS_URL: `nats://${credentials}127.0.0.1:${String(natsPort)}`, NOVA_HTTP_ADDRESS: `127.0.0.1:${String(httpPort)}`, FIXTURE_SIDE: 'legacy', FIXTURE_NAME: name, NOVA_NAMESPACE: 'test',
  });
  children.push(child);
  return { child, httpPort };
}

/** Waits for /readyz 503 naming the NATS address it waits for; fails at once if the process exits. */
async function waitingForNats(child: Child, httpPort: number, natsPort: number): Promise<Readyz> {
  let last: Readyz | undefined;
  await until(`/readyz 503 waiting for NATS; output: ${child.output()}`, async () => {
    if (child.process.exitCode !== null) throw new Error(`the process exited (${String(child.process.exitCode)}) instead of waiting for NATS: ${child.output()}`);
    last = await readyz(httpPort);
    return last?.status === 503 && (last.reasons?.starting ?? '').includes(`waiting for NATS at 127.0.0.1:${String(natsPort)}`);
  }, 30_000);
  if (last === undefined) throw new Error('unreachable');
  return last;
}

it('waits for NATS with /readyz 503 and the reason, then becomes ready and serves as soon as nats-server is up', async () => {
  const natsPort = await freePort();
  const { child, httpPort } = await startSide(natsPort, 'waits-for-nats');

  const waiting = await waitingForNats(child, httpPort, natsPort);
  expect(waiting.reasons?.starting).toMatch(/^starting: waiting for NATS at 127\.0\.0\.1:\d+: /u);
  expect((await fetch(`http://127.0.0.1:${String(httpPort)}/healthz`)).status).toBe(200);
  // Its own paths are not served half-started.
  expect((await fetch(`http://127.0.0.1:${String(httpPort)}/anything`)).status).toBe(503);

  const nats = await startNats(stack, { port: natsPort });
  await until(`/readyz 200 once NATS is up; output: ${child.output()}`, async () => (await readyz(httpPort))?.status === 200, 30_000);

  caller = await startBusProcess(nats.url, 'caller', 'target');
  const reply = await caller.bus.request('svc.user.get', { telegramId: 7n }, { routingKey: 7 });
  expect(reply.user?.firstName).toBe('legacy');

  // One line for the whole outage (the reason did not change), then one when NATS was reachable.
  const lines = child.output().split('\n').filter((line) => line.includes('NATS'));
  expect(lines.filter((line) => line.includes('waiting for NATS'))).toHaveLength(1);
  expect(lines.filter((line) => line.includes('NATS reachable'))).toHaveLength(1);
  expect(child.process.exitCode).toBeNull();
});

it('stopped while it waits for NATS, exits 0 (a graceful stop, not a failed start); the reason never shows the URL\'s password', async () => {
  const natsPort = await freePort();
  const { child, httpPort } = await startSide(natsPort, 'stopped-while-waiting', 'nova:hunter2-nats-password@');
  const waiting = await waitingForNats(child, httpPort, natsPort);
  expect(JSON.stringify(waiting)).not.toContain('hunter2');
  child.process.kill('SIGTERM');
  expect(await child.exited).toEqual({ code: 0, signal: null });
  expect(child.output()).toContain('waiting for NATS');
  expect(child.output()).not.toContain('hunter2');
});
