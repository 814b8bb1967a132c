/**
 * `@nova/fleet` starts the whole fleet from its builds, the publisher and payment services
 * included, with the payment providers played by the emulators: every process becomes ready on
 * the routed bus, and both payments contexts (the payment service and the monolith) took the
 * providers' credentials (a forged callback is refused as not authentic, not as "provider not
 * configured"). What stages 4 and 5 will be rehearsed on.
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { fleetAddresses, startFleet, type RunningFleet } from '@nova/fleet';
import { CryptoBotEmulator, PlategaEmulator } from '@nova/payment-emulators';
import { World } from './support/world.js';

jest.setTimeout(240_000);

let world: World;
let cryptobot: CryptoBotEmulator;
let platega: PlategaEmulator;
let fleet: RunningFleet | undefined;

beforeAll(async () => {
  world = await World.create('fleet');
  cryptobot = await CryptoBotEmulator.start();
  platega = await PlategaEmulator.start();
  const addresses = await fleetAddresses();
  fleet = await startFleet(world.stack, {
    natsUrl: world.nats.url,
    databaseUrl: world.databaseUrl,
    telegramApiRoot: world.emulator.apiRoot,
    publicUrl: `http://${addresses['webhook-gateway']}`,
    secrets: { mainBotToken: world.secrets.mainBotToken, encryptionKey: world.secrets.encryptionKey, webhookSecret: world.secrets.webhookSecret },
    payments: {
      cryptobot: { apiRoot: cryptobot.apiRoot, token: cryptobot.token },
      platega: { apiRoot: platega.apiRoot, merchantId: platega.merchantId, secret: platega.secret },
    },
    routing: 'kv',
    namespace: 'fleet-test',
  }, { addresses });
});

afterAll(async () => {
  await fleet?.stop();
  await cryptobot.stop();
  await platega.stop();
  await world.close();
});

describe('the fleet on one machine', () => {
  it('starts all six deployables ready, the publisher and payment services included', async () => {
    if (fleet === undefined) throw new Error('the fleet did not start');
    expect(fleet.all.map((running) => running.deployable)).toEqual(['nova-monolith', 'webhook-gateway', 'user-service', 'bot-service', 'publisher-service', 'payment-service']);
    for (const running of fleet.all) expect((await fetch(`${running.url}/readyz`)).status).toBe(200);
  });

  it('gives both payments contexts the providers: a forged callback is unauthenticated (401), not unknown (404)', async () => {
    if (fleet === undefined) throw new Error('the fleet did not start');
    for (const running of [fleet['payment-service'], fleet['nova-monolith']]) {
      const forged = await fetch(`${running.url}/payments/platega/callback`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json', 'x-merchantid': platega.merchantId, 'x-secret': 'guess' } });
      expect(forged.status).toBe(401);
      for (const secret of [cryptobot.token, platega.secret]) expect(running.logText()).not.toContain(secret);
    }
  });
});
