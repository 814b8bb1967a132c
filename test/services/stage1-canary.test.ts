/**
 * Stage 1 as the operator runs it: an HTTP split (nginx, round robin) sends Telegram's webhook
 * calls half to the webhook gateway, half to the monolith. The monolith runs in jetstream mode:
 * its webhook appends to stream TELEGRAM like the gateway does, and it consumes the stream as
 * the only processor of updates (the bot service is not deployed yet). So one chat's updates keep
 * the order Telegram sent them in whichever side took each, and a Telegram retry that lands on
 * the other side is the same msgID: stored once.
 */
import { afterAll, beforeAll, expect, it, jest } from '@jest/globals';
import { BotKeyring } from '@nova/bot-service/domain';
import { freePort, startNginx } from '@nova/testbed';
import { BORIS, onboardingScript } from './support/script.js';
import { expectNoSecretsInLogs, secretsOfRun } from './support/secrets.js';
import { sample, type RunningService } from './support/services.js';
import { until } from './support/until.js';
import { World } from './support/world.js';

jest.setTimeout(300_000);

let world: World;
let gateway: RunningService;
let monolith: RunningService;

beforeAll(async () => {
  world = await World.create('svc_stage1');
  const gatewayAddress = `127.0.0.1:${String(await freePort())}`;
  const monolithAddress = `127.0.0.1:${String(await freePort())}`;
  const nginx = await startNginx(world.stack, 'stage1', `
  upstream webhooks {
    server ${gatewayAddress};
    server ${monolithAddress};
  }
  server {
    listen 127.0.0.1:{{PORT}};
    location = /healthz { return 200 'ok'; }
    location /webhook/ { proxy_pass http://webhooks; }
  }`, '/healthz');
  const env = world.baseEnv(nginx.url);
  [gateway, monolith] = await Promise.all([
    world.start('webhook-gateway', { NOVA_NATS_URL: world.nats.url, NOVA_WEBHOOK_SECRET: world.secrets.webhookSecret, NOVA_MAIN_BOT_ID: String(world.mainBot.id) }, gatewayAddress),
    world.start('monolith', { ...env, NOVA_MONOLITH_UPDATES: 'jetstream' }, monolithAddress),
  ]);
});

afterAll(async () => {
  await world.close();
});

it('holds the conversation with the webhooks split between the gateway and the monolith', async () => {
  const { child } = await onboardingScript(world.emulator, world.mainBot);
  const served = async (service: RunningService, side: string): Promise<number> =>
    sample(await service.metrics(), 'nova_http_server_requests_total', { side, route: '/webhook/', code: '200' }) ?? 0;
  expect(await served(gateway, 'target')).toBeGreaterThanOrEqual(2);
  expect(await served(monolith, 'legacy')).toBeGreaterThanOrEqual(2);
  expect(await world.streamMessages('TELEGRAM')).toBe(5);

  // Telegram retries an update (it got no answer in time): the retry reaches the other side.
  const update = JSON.stringify({ update_id: 777, message: { message_id: 777, date: 1_700_000_000, chat: { id: BORIS.id, type: 'private', first_name: BORIS.first_name }, from: { id: BORIS.id, is_bot: false, first_name: BORIS.first_name }, text: 'again?' } });
  const secret = BotKeyring.fromBase64(world.secrets.encryptionKey).webhookSecret(BigInt(child.id), child.token);
  const toBoris = (): number => world.emulator.calls((call) => call.ok && call.botId === child.id && Number(call.params.chat_id) === BORIS.id).length;
  const before = toBoris();
  for (const side of [gateway, monolith]) {
    const response = await fetch(`${side.url}/webhook/bot/${String(child.id)}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': secret }, body: update });
    expect(response.status).toBe(200);
  }
  expect(await world.streamMessages('TELEGRAM')).toBe(6);
  await until('Boris got one answer', () => toBoris() === before + 1);
  expectNoSecretsInLogs([gateway, monolith], secretsOfRun(world.secrets, [child]));
});
