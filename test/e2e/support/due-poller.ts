/**
 * Both sides asked for due posts at the same moment, again and again: what happens during stage 4
 * when the monolith's scheduler and the publisher service each run `publish_due` (it carries no
 * chat, so Decided 13's per-chat split does not apply to it yet; docs/publisher.md, "Stage 4").
 * The publisher's per-channel leases must keep every channel sent once however the calls overlap;
 * the test counts that in the emulator and the database, this only makes the overlap happen.
 *
 * SideBus: a bus that addresses one side explicitly (`svc.<ctx>.*` or `svc.legacy.<ctx>.*`),
 * whatever the weight, as an administrator's tool would; also used for the admin's posting grants.
 */
import { connectJetStreamBus, fixedSideRouter, type NovaBus } from '@nova/bus';
import type { Side } from '@nova/platform';
import { setTimeout as sleep } from 'node:timers/promises';
import { memoryLogger, testMetrics } from '../../bus/support/nats.js';

export function connectSideBus(natsUrl: string, side: Side): Promise<NovaBus> {
  return connectJetStreamBus({ servers: [natsUrl], name: `e2e-${side}-side`, metrics: testMetrics(side), logger: memoryLogger(`e2e-${side}-side`).logger, router: fixedSideRouter(side) });
}

export interface SideTally {
  /** publish_due answers. */
  answered: number;
  /** publish_due calls that failed (a broken side, a timeout). */
  failed: number;
  /** Posts this side's publish_due reported finishing. */
  published: number;
}

export class DuePoller {
  readonly tally: Record<Side, SideTally> = { legacy: { answered: 0, failed: 0, published: 0 }, target: { answered: 0, failed: 0, published: 0 } };
  private running = true;
  private readonly loop: Promise<void>;

  /** `maxRounds` bounds the loop whatever happens (at intervalMs apart: far beyond any test). */
  constructor(private readonly buses: Record<Side, NovaBus>, intervalMs: number, maxRounds = 5_000) {
    this.loop = (async () => {
      for (let round = 0; this.running && round < maxRounds; round++) {
        await Promise.all((['legacy', 'target'] as const).map((side) => this.poll(side)));
        await sleep(intervalMs);
      }
    })();
  }

  private async poll(side: Side): Promise<void> {
    try {
      const answer = await this.buses[side].request('svc.publisher.publish_due', { limit: 0 }, { timeoutMs: 30_000 });
      this.tally[side].answered += 1;
      this.tally[side].published += answer.publishedPostIds.length;
    } catch {
      this.tally[side].failed += 1;
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }
}
