/**
 * The administrator's posting grants for stage 4's demo (`svc.publisher.grant_posting`): the
 * owners post without buying a subscription (stage 5's demo shows payments). Sent to the monolith
 * on its own subjects, whatever the publisher's weight, as an administrator's tool would before
 * the stage starts: the grant lands in publisher_service, which both sides read.
 */
import { Writable } from 'node:stream';
import { connectJetStreamBus, fixedSideRouter } from '@nova/bus';
import { createLogger, Metrics } from '@nova/platform';

const GRANT_FOR_MS = 86_400_000;

export interface Grants {
  grant(telegramId: number): Promise<void>;
  close(): Promise<void>;
}

export async function connectGrants(natsUrl: string): Promise<Grants> {
  const quiet = new Writable({ write(_chunk, _encoding, done) { done(); } });
  const bus = await connectJetStreamBus({
    servers: [natsUrl],
    name: 'nova-demo-admin',
    metrics: new Metrics({ namespace: 'demo', side: 'legacy', defaults: false }),
    logger: createLogger({ name: 'nova-demo-admin', level: 'warn', destination: quiet }),
    router: fixedSideRouter('legacy'),
  });
  return {
    async grant(telegramId) {
      await bus.request('svc.publisher.grant_posting', { telegramId: BigInt(telegramId), grantedBy: 1n, until: { seconds: BigInt(Math.floor((Date.now() + GRANT_FOR_MS) / 1000)), nanos: 0 } }, { routingKey: telegramId, timeoutMs: 15_000 });
    },
    close: () => bus.close(),
  };
}
