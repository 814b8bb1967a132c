import { readFileSync } from 'node:fs';
import { request } from 'node:https';

/** Credentials of a client certificate against the test control plane. */
export interface KubeCredentials {
  readonly server: string;
  readonly caFile: string;
  readonly certFile: string;
  readonly keyFile: string;
}

export interface KubeResponse {
  readonly status: number;
  readonly body: string;
}

/**
 * One HTTPS request to the apiserver with a client certificate. The test bed needs only a
 * handful of calls (health, CRD create, discovery), so it does not pull in a Kubernetes client.
 */
export function kubeRequest(credentials: KubeCredentials, method: string, path: string, body?: unknown): Promise<KubeResponse> {
  const url = new URL(path, credentials.server);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method,
      ca: readFileSync(credentials.caFile),
      cert: readFileSync(credentials.certFile),
      key: readFileSync(credentials.keyFile),
      headers: payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
      timeout: 10_000,
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => { chunks.push(chunk); });
      res.on('end', () => { resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }); });
      res.on('error', reject);
    });
    req.on('timeout', () => { req.destroy(new Error(`${method} ${path}: no answer in 10 s`)); });
    req.on('error', reject);
    req.end(payload);
  });
}
