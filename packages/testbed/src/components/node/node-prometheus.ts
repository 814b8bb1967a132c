/**
 * A Prometheus that scrapes the release's pods: the test bed's Prometheus binary run inside the
 * node's namespaces (the pods' addresses exist only there), listening on the node's address, where
 * the operator's pod and the test both reach it. It keeps what the chart's ServiceMonitor selects:
 * the endpoints of the Services labelled part-of nova, their `http` port, /metrics, honor_labels
 * (the processes export `namespace` themselves).
 *
 * Discovery: Debian's Prometheus (2.42+ds) is built without `kubernetes_sd_configs` ("field
 * kubernetes_sd_configs not found"), so the test process serves Prometheus's HTTP service
 * discovery (`http_sd_configs`) from the apiserver's Services and EndpointSlices, answering each
 * of Prometheus's polls from a fresh list: the same objects kubernetes_sd's role `endpoints` reads.
 * Used by test/cluster and `npm run demo -- --cluster`.
 */
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { findBinary } from '../../binaries.js';
import { freePort } from '../../ports.js';
import { SupervisedProcess } from '../../process.js';
import { prometheusNumber } from '../prometheus.js';
import type { Stack } from '../../stack.js';
import { httpOk } from '../../wait.js';
import { kubeRequest, type KubeCredentials } from '../kube-http.js';
import { adminCredentials } from './control-plane.js';
import type { NodeCluster } from './node.js';

export interface NodePrometheus {
  /** http://<node address>:<port>: the analysis' `prometheus.address`, and the test's. */
  readonly url: string;
  /** One number (0 when the query has no series); a refused query throws. */
  number(query: string): Promise<number>;
}

interface TargetGroup {
  readonly targets: string[];
  readonly labels: Record<string, string>;
}

interface ServiceList {
  readonly items: readonly { readonly metadata?: { readonly name?: string } }[];
}

interface EndpointSliceList {
  readonly items: readonly {
    readonly metadata?: { readonly labels?: Readonly<Record<string, string>> };
    readonly ports?: readonly { readonly name?: string; readonly port?: number }[];
    readonly endpoints?: readonly { readonly addresses: readonly string[]; readonly conditions?: { readonly ready?: boolean }; readonly targetRef?: { readonly name?: string } }[];
  }[];
}

export class NodePrometheusError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NodePrometheusError';
  }
}

async function list<T>(admin: KubeCredentials, path: string): Promise<T> {
  const response = await kubeRequest(admin, 'GET', path);
  if (response.status !== 200) throw new NodePrometheusError(`GET ${path} answered ${String(response.status)}: ${response.body.slice(0, 300)}`);
  return JSON.parse(response.body) as T;
}

/** The ready endpoints' `http` ports of the Services labelled part-of nova in `namespace`, one group per pod. */
async function discover(admin: KubeCredentials, namespace: string): Promise<TargetGroup[]> {
  const [services, slices] = await Promise.all([
    list<ServiceList>(admin, `/api/v1/namespaces/${namespace}/services?labelSelector=${encodeURIComponent('app.kubernetes.io/part-of=nova')}`),
    list<EndpointSliceList>(admin, `/apis/discovery.k8s.io/v1/namespaces/${namespace}/endpointslices`),
  ]);
  const names = new Set(services.items.map((service) => service.metadata?.name));
  const groups: TargetGroup[] = [];
  for (const slice of slices.items) {
    const service = slice.metadata?.labels?.['kubernetes.io/service-name'];
    const port = slice.ports?.find((p) => p.name === 'http')?.port;
    if (service === undefined || !names.has(service) || port === undefined) continue;
    for (const endpoint of slice.endpoints ?? []) {
      if (endpoint.conditions?.ready !== true) continue;
      groups.push({ targets: endpoint.addresses.map((address) => `${address}:${String(port)}`), labels: { pod: endpoint.targetRef?.name ?? '', service } });
    }
  }
  return groups;
}

/** Serves the discovery on `address` (the node's link's host end, which Prometheus in the node reaches); closed with the stack. */
async function serveDiscovery(stack: Stack, node: NodeCluster, namespace: string): Promise<string> {
  const admin = adminCredentials(node.info.kube);
  const server = createServer((request, response) => {
    discover(admin, namespace).then((groups) => {
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(groups));
    }, (error: unknown) => {
      // Prometheus keeps the last good targets on a failed poll.
      response.writeHead(503).end(String(error));
    });
  });
  const port = await freePort();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, node.info.hostAddress, resolve);
  });
  stack.afterStop(() => new Promise<void>((resolve) => { server.close(() => { resolve(); }); server.closeAllConnections(); }));
  return `http://${node.info.hostAddress}:${String(port)}/targets`;
}

export async function startNodePrometheus(stack: Stack, node: NodeCluster, namespace: string): Promise<NodePrometheus> {
  const binary = findBinary({ name: 'prometheus', candidates: ['/usr/bin/prometheus'], install: 'sudo apt-get install -y prometheus (or: bash scripts/setup.sh)' });
  const discoveryUrl = await serveDiscovery(stack, node, namespace);
  const dir = stack.path('node-prometheus');
  const configFile = join(dir, 'prometheus.yml');
  writeFileSync(configFile, stringify({
    global: { scrape_interval: '1s', evaluation_interval: '1s' },
    scrape_configs: [{
      job_name: 'nova',
      honor_labels: true,
      metrics_path: '/metrics',
      http_sd_configs: [{ url: discoveryUrl, refresh_interval: '2s' }],
    }],
  }));
  const port = await freePort();
  const url = `http://${node.info.nodeAddress}:${String(port)}`;
  await SupervisedProcess.start(stack, {
    name: 'node-prometheus',
    ...node.commandInNode(binary, [`--config.file=${configFile}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=${node.info.nodeAddress}:${String(port)}`]),
    ready: () => httpOk(`${url}/-/ready`),
    readyTimeoutMs: 60_000,
  });
  return {
    url,
    number: (query) => prometheusNumber(url, query),
  };
}
