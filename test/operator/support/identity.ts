/**
 * A kubeconfig for a non-admin user: a client certificate signed by the test control plane's CA
 * (the apiserver takes the CN as user name, O as groups). Interim: the kube test-bed component
 * is to export such a helper; until it does, this signs with openssl from `pkiDir`.
 */
import { KubeConfig } from '@kubernetes/client-node';
import { component } from '@nova/testbed';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function kubeConfigForUser(admin: KubeConfig, user: string, groups: readonly string[] = []): KubeConfig {
  const { pkiDir } = component('kube');
  const dir = mkdtempSync(join(tmpdir(), 'nova-identity-'));
  try {
    const key = join(dir, 'user.key');
    const csr = join(dir, 'user.csr');
    const crt = join(dir, 'user.crt');
    const subject = `${groups.map((group) => `/O=${group}`).join('')}/CN=${user}`;
    execFileSync('openssl', ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', csr, '-subj', subject], { stdio: 'ignore' });
    execFileSync('openssl', ['x509', '-req', '-in', csr, '-CA', join(pkiDir, 'ca.crt'), '-CAkey', join(pkiDir, 'ca.key'), '-CAcreateserial', '-CAserial', join(dir, 'ca.srl'), '-out', crt, '-days', '1'], { stdio: 'ignore' });
    const cluster = admin.getCurrentCluster();
    if (cluster === null) throw new Error('the admin kubeconfig has no current cluster');
    const config = new KubeConfig();
    config.loadFromOptions({
      clusters: [cluster],
      users: [{ name: user, certData: readFileSync(crt).toString('base64'), keyData: readFileSync(key).toString('base64') }],
      contexts: [{ name: user, cluster: cluster.name, user }],
      currentContext: user,
    });
    return config;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
