/**
 * The Nova fleet as local processes from their builds, through `@nova/fleet` (the one place that
 * knows each deployable's environment), scraped by the local Prometheus.
 *
 * Stage 1: the legacy monolith in its `jetstream` mode (its own webhook handler writes to the
 * TELEGRAM stream too, so both sides of the split feed one stream and each chat keeps its order)
 * and the new webhook gateway. Stage 2: the whole fleet on the routed bus (`NOVA_ROUTING=kv`):
 * the monolith, the gateway, the user service and the bot service, every chat's users-context
 * requests sent to one side by the operator's weight. Stage 5 runs that whole fleet too (the
 * publisher and payment services included), the payment service on its own database login;
 * stage 6 adds the notification service (FleetSettings.notifications).
 */
import { deployableEnv, startDeployable, startFleet, type Deployable, type FleetAddresses, type FleetSettings, type RunningDeployable } from '@nova/fleet';
import { addScrapeTarget, type PrometheusInfo, type Stack } from '@nova/testbed';

export async function startStageFleet(stack: Stack, stage: 1 | 2, settings: FleetSettings, addresses: FleetAddresses, prometheus: PrometheusInfo): Promise<RunningDeployable[]> {
  let running: RunningDeployable[];
  if (stage === 1) {
    const start = (deployable: Deployable): Promise<RunningDeployable> => startDeployable(stack, deployable, deployableEnv(deployable, settings), { address: addresses[deployable] });
    const monolith = await start('nova-monolith');
    running = [monolith, await start('webhook-gateway')];
  } else {
    running = [...(await startFleet(stack, settings, { addresses })).all];
  }
  for (const deployable of running) addScrapeTarget(prometheus, deployable.name, deployable.address, { job: deployable.deployable });
  return running;
}
