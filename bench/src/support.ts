/** Small helpers the benchmarks share: percentiles, timing, polling, and the objects they create. */
import { CoreV1Api, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

export const MIGRATIONS = { group: 'novabot.io', version: 'v1alpha1', plural: 'novamigrations' } as const;
export const VIRTUAL_SERVICES = { group: 'networking.istio.io', version: 'v1', plural: 'virtualservices' } as const;

/** `--name N` from the command line: a positive integer, or the fallback when absent or not one. */
export function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  const value = index < 0 ? undefined : Number(process.argv[index + 1]);
  return value !== undefined && Number.isInteger(value) && value > 0 ? value : fallback;
}

/** `--name text` from the command line, or the fallback. */
export function textOption(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index < 0 ? fallback : (process.argv[index + 1] ?? fallback);
}

export function percentile(samples: readonly number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

export async function timed(action: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await action();
  return performance.now() - start;
}

export async function until(what: string, probe: () => Promise<boolean>, intervalMs: number, timeoutMs = 600_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await probe())) {
    if (performance.now() > deadline) throw new Error(`benchmark gave up waiting for ${what}`);
    await sleep(intervalMs);
  }
}

export async function createNamespace(kubeConfig: KubeConfig, name: string): Promise<void> {
  await kubeConfig.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name } } });
}

export function virtualService(name: string): Record<string, unknown> {
  const legacy = { destination: { host: 'nova-monolith', port: { number: 8099 } } };
  return {
    apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name },
    spec: { hosts: ['bot.example.com'], http: [{ name: 'default', route: [legacy] }] },
  };
}

/** `createRoute`: when the operator writes the migration's route into the VirtualService (absent: AtStart). */
export function migration(name: string, virtualServiceName: string, pathPrefix: string, steps: readonly Record<string, unknown>[], createRoute?: 'AtStart' | 'WithFirstWeight'): Record<string, unknown> {
  return {
    apiVersion: 'novabot.io/v1alpha1', kind: 'NovaMigration', metadata: { name },
    spec: {
      route: { pathPrefix },
      legacy: { service: 'nova-monolith', port: 8099 },
      target: { service: 'new-service', port: 8100 },
      trafficProvider: { istio: createRoute === undefined ? { virtualService: virtualServiceName } : { virtualService: virtualServiceName, createRoute } },
      steps,
    },
  };
}

/** The target's weight of `route` in a VirtualService as stored (the operator writes [legacy, target]). */
export async function targetWeight(custom: CustomObjectsApi, namespace: string, name: string, route: string): Promise<number | undefined> {
  const object = (await custom.getNamespacedCustomObject({ ...VIRTUAL_SERVICES, namespace, name })) as { spec?: { http?: { name?: string; route?: { weight?: number }[] }[] } };
  return object.spec?.http?.find((entry) => entry.name === route)?.route?.[1]?.weight;
}

/**
 * Messages per second after the first second, from sorted arrival times (ms): how many arrived
 * after it, over the time from its end to the last one. The first second is each sender's ramp
 * (a burst of 30, or 30 spread over it): excluded alike for every sender.
 */
export function sustainedAfterFirstSecond(arrivals: readonly number[]): number {
  const first = arrivals[0] ?? 0;
  const last = arrivals[arrivals.length - 1] ?? 0;
  const after = arrivals.filter((at) => at > first + 1_000).length;
  return after / ((last - first - 1_000) / 1000);
}
