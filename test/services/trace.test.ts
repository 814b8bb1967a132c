/**
 * Decided 6, seen in Jaeger: ONE trace runs from the Telegram webhook's HTTP request at the
 * gateway, through JetStream, into the bot service's handling of the update (and its request to
 * the user service), down to the Telegram sendMessage the update caused; three processes, each
 * exporting its own spans over OTLP.
 */
import { afterAll, beforeAll, expect, it, jest } from '@jest/globals';
import { texts } from '@nova/bot-service/domain';
import { component } from '@nova/testbed';
import { randomBytes } from 'node:crypto';
import { ANNA, say } from './support/script.js';
import { eventually } from './support/until.js';
import { World } from './support/world.js';

jest.setTimeout(300_000);

interface JaegerSpan {
  readonly traceID: string;
  readonly spanID: string;
  readonly operationName: string;
  readonly processID: string;
  readonly references: readonly { readonly refType: string; readonly spanID: string }[];
  readonly tags: readonly { readonly key: string; readonly value: unknown }[];
}
interface JaegerTrace {
  readonly traceID: string;
  readonly spans: readonly JaegerSpan[];
  readonly processes: Readonly<Record<string, { readonly serviceName: string }>>;
}

const suffix = randomBytes(4).toString('hex');
let world: World;

beforeAll(async () => {
  world = await World.create('svc_trace', { tracingSuffix: suffix });
  await world.startFleet();
});

afterAll(async () => {
  await world.close();
});

async function tracesOf(service: string): Promise<JaegerTrace[]> {
  const response = await fetch(`${component('jaeger').queryUrl}/api/traces?service=${encodeURIComponent(service)}&limit=100&lookback=1h`);
  if (!response.ok) return [];
  return ((await response.json()) as { data: JaegerTrace[] | null }).data ?? [];
}

function serviceOf(trace: JaegerTrace, span: JaegerSpan): string | undefined {
  return trace.processes[span.processID]?.serviceName;
}

/** The chain of parents of `span`, nearest first. */
function ancestors(trace: JaegerTrace, span: JaegerSpan): JaegerSpan[] {
  const byId = new Map(trace.spans.map((candidate) => [candidate.spanID, candidate]));
  const chain: JaegerSpan[] = [];
  let current: JaegerSpan | undefined = span;
  while (current !== undefined) {
    const parentId: string | undefined = current.references.find((ref) => ref.refType === 'CHILD_OF')?.spanID;
    current = parentId === undefined ? undefined : byId.get(parentId);
    if (current !== undefined) chain.push(current);
  }
  return chain;
}

it('finds one trace: webhook HTTP (gateway) → JetStream → bot service handler → Telegram sendMessage', async () => {
  expect((await say(world.emulator, world.mainBot, ANNA, '/start')).text).toBe(texts('ru').welcome('Анна', true));
  const gatewayName = `webhook-gateway-${suffix}`;
  const botsName = `bot-service-${suffix}`;
  const usersName = `user-service-${suffix}`;

  const { trace, send } = await eventually('Jaeger holds the whole trace', async () => {
    for (const candidate of await tracesOf(gatewayName)) {
      const sendMessage = candidate.spans.find((span) => span.operationName === 'telegram.sendMessage' && serviceOf(candidate, span) === botsName);
      const services = new Set(candidate.spans.map((span) => serviceOf(candidate, span)));
      // Each process exports in batches: the handler's span (it ends after the reply is sent and
      // the update acked) can reach Jaeger a batch after the sendMessage span under it.
      const reachesTheWebhook = sendMessage !== undefined && ancestors(candidate, sendMessage).some((span) => span.operationName === 'POST /webhook/');
      if (sendMessage !== undefined && reachesTheWebhook && services.has(usersName)) return { trace: candidate, send: sendMessage };
    }
    return undefined;
  }, 60_000, 500);

  expect(new Set(trace.spans.map((span) => span.traceID))).toEqual(new Set([trace.traceID]));
  // From the Telegram call up to the webhook request, across the three processes.
  const chain = ancestors(trace, send).map((span) => `${serviceOf(trace, span) ?? '?'}: ${span.operationName}`);
  expect(chain).toEqual([
    `${botsName}: process telegram.update.{id}.{id}`,
    `${gatewayName}: send telegram.update.{id}.{id}`,
    `${gatewayName}: POST /webhook/`,
  ]);
  // The user registration the update caused is in the same trace, under the bot service's handler.
  const upsert = trace.spans.find((span) => span.operationName === 'process svc.user.upsert' && serviceOf(trace, span) === usersName);
  expect(upsert).toBeDefined();
  expect(ancestors(trace, upsert ?? send).map((span) => span.operationName)).toContain('process telegram.update.{id}.{id}');
  const tags = (span: JaegerSpan): Record<string, unknown> => Object.fromEntries(span.tags.map((tag) => [tag.key, tag.value]));
  expect(tags(send)).toMatchObject({ 'rpc.method': 'sendMessage', 'telegram.bot.id': String(world.mainBot.id), 'telegram.chat.id': String(ANNA.id) });
  const root = trace.spans.find((span) => span.operationName === 'POST /webhook/');
  expect(tags(root ?? send)).toMatchObject({ 'http.route': '/webhook/', 'http.response.status_code': 200, 'telegram.bot.id': String(world.mainBot.id) });
  expect(JSON.stringify(trace)).not.toContain(world.mainBot.token);
  expect(JSON.stringify(trace)).not.toContain(world.secrets.webhookSecret);
});
