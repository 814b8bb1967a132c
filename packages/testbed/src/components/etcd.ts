import { findBinary } from '../binaries.js';
import { freePort } from '../ports.js';
import { SupervisedProcess } from '../process.js';
import type { Stack } from '../stack.js';
import { httpOk } from '../wait.js';

export interface EtcdInstance {
  readonly url: string;
  readonly version: string;
}

/** A single-member etcd (Debian's etcd-server) on loopback, data in the stack folder. */
export async function startEtcd(stack: Stack): Promise<EtcdInstance> {
  const binary = findBinary({ name: 'etcd', candidates: ['/usr/bin/etcd'], install: 'sudo apt-get install -y etcd-server (or: bash scripts/setup.sh)' });
  const url = `http://127.0.0.1:${await freePort()}`;
  const peerUrl = `http://127.0.0.1:${await freePort()}`;
  await SupervisedProcess.start(stack, {
    name: 'etcd',
    command: binary,
    args: [
      `--data-dir=${stack.path('etcd')}`,
      `--listen-client-urls=${url}`, `--advertise-client-urls=${url}`,
      `--listen-peer-urls=${peerUrl}`, `--initial-advertise-peer-urls=${peerUrl}`,
      `--initial-cluster=default=${peerUrl}`,
      // Throwaway data: no need for write-ahead durability or periodic snapshots.
      '--snapshot-count=100000',
    ],
    ready: () => httpOk(`${url}/health`),
    readyTimeoutMs: 30_000,
  });
  const response = await fetch(`${url}/version`);
  const { etcdserver } = (await response.json()) as { etcdserver?: string };
  return { url, version: etcdserver ?? 'unknown' };
}
