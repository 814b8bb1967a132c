import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { findBinary } from '../binaries.js';
import type { PrometheusInfo } from '../info.js';
import { freePort } from '../ports.js';
import { SupervisedProcess } from '../process.js';
import type { Stack } from '../stack.js';
import { httpOk } from '../wait.js';

const SCRAPE_INTERVAL_SECONDS = 1;

/** Prometheus answered a query with an error (a bad expression, or not ready). */
export class PrometheusQueryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PrometheusQueryError';
  }
}

/** One number from the Prometheus at `url` (0 when the query has no series; a refused query throws). */
export async function prometheusNumber(url: string, query: string): Promise<number> {
  const response = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(query)}`);
  const body = (await response.json()) as { status?: string; error?: string; data?: { result?: { value?: [number, string] }[] } };
  if (body.status !== 'success') throw new PrometheusQueryError(`Prometheus refused ${query}: ${body.error ?? response.statusText}`);
  return Number(body.data?.result?.[0]?.value?.[1] ?? 0);
}

/** Prometheus scraping whatever targets tests drop into its file_sd folder, every second. */
export async function startPrometheus(stack: Stack): Promise<PrometheusInfo> {
  const binary = findBinary({ name: 'prometheus', candidates: ['/usr/bin/prometheus'], install: 'sudo apt-get install -y prometheus (or: bash scripts/setup.sh)' });
  const dir = stack.path('prometheus');
  const fileSdDir = stack.path('prometheus', 'targets');
  const configFile = join(dir, 'prometheus.yml');
  const interval = `${SCRAPE_INTERVAL_SECONDS}s`;
  writeFileSync(configFile, stringify({
    global: { scrape_interval: interval, evaluation_interval: interval },
    scrape_configs: [{
      job_name: 'testbed',
      file_sd_configs: [{ files: [join(fileSdDir, '*.json')], refresh_interval: interval }],
    }],
  }));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  await SupervisedProcess.start(stack, {
    name: 'prometheus',
    command: binary,
    args: [`--config.file=${configFile}`, `--storage.tsdb.path=${stack.path('prometheus', 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`, '--web.enable-lifecycle'],
    ready: () => httpOk(`${url}/-/ready`),
    readyTimeoutMs: 60_000,
  });
  const buildInfo = (await (await fetch(`${url}/api/v1/status/buildinfo`)).json()) as { data?: { version?: string } };
  return { url, fileSdDir, scrapeIntervalSeconds: SCRAPE_INTERVAL_SECONDS, version: buildInfo.data?.version ?? 'unknown' };
}

/**
 * Makes Prometheus scrape `target` (host:port) under the job `testbed`, with `labels` on every
 * series. Written atomically, so Prometheus never reads half a file.
 */
export function addScrapeTarget(prometheus: PrometheusInfo, name: string, target: string, labels: Readonly<Record<string, string>> = {}): void {
  const file = join(prometheus.fileSdDir, `${name}.json`);
  writeFileSync(`${file}.tmp`, JSON.stringify([{ targets: [target], labels }]));
  renameSync(`${file}.tmp`, file);
}
