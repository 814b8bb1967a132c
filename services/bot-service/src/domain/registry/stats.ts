import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { BotStatsResponseSchema, type BotStatsRequest, type BotStatsResponse } from '@nova/contracts';
import type { HandlerContext } from '@nova/domain';
import type { RegistryDeps } from './deps.js';

/** svc.bot.stats: the child bots connected now and how many of them are blocked, from one snapshot. */
export async function botStats(deps: Pick<RegistryDeps, 'db' | 'clock'>, _request: BotStatsRequest, _ctx: HandlerContext): Promise<BotStatsResponse> {
  const asOf = deps.clock();
  const [total, blocked] = await deps.db.$transaction(
    [deps.db.bot.count(), deps.db.bot.count({ where: { blockedAt: { not: null } } })],
    { isolationLevel: 'RepeatableRead' },
  );
  return create(BotStatsResponseSchema, { totalBots: BigInt(total), blockedBots: BigInt(blocked), asOf: timestampFromDate(asOf) });
}
