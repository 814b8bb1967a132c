import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { ComponentStartError } from '../errors.js';
import { waitFor } from '../wait.js';
import { kubeRequest, type KubeCredentials } from './kube-http.js';

interface CrdDocument {
  readonly kind?: string;
  readonly metadata?: { readonly name?: string };
  readonly spec?: {
    readonly group?: string;
    readonly names?: { readonly plural?: string };
    readonly versions?: readonly { readonly name?: string; readonly served?: boolean }[];
  };
}

/** Every CustomResourceDefinition in the YAML files of `dirs` (missing folders are skipped). */
export function loadCrds(dirs: readonly string[]): CrdDocument[] {
  const crds: CrdDocument[] = [];
  for (const dir of dirs) {
    if (!existsSync(dir)) continue;
    for (const file of readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort()) {
      for (const doc of parseAllDocuments(readFileSync(join(dir, file), 'utf8'))) {
        if (doc.errors.length > 0) throw new ComponentStartError('crds', `${join(dir, file)} is not valid YAML: ${doc.errors[0]?.message ?? ''}`);
        const value = doc.toJS() as CrdDocument | null;
        if (value?.kind === 'CustomResourceDefinition') crds.push(value);
      }
    }
  }
  return crds;
}

/** Creates the CRDs (or keeps existing ones) and waits until discovery serves every version of each. */
export async function installCrds(credentials: KubeCredentials, crds: readonly CrdDocument[]): Promise<void> {
  for (const crd of crds) {
    const response = await kubeRequest(credentials, 'POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd);
    if (response.status !== 201 && response.status !== 409) {
      throw new ComponentStartError('crds', `creating CRD ${crd.metadata?.name ?? '?'} answered ${response.status}`, response.body.slice(0, 2000));
    }
  }
  const pending = crds.flatMap((crd) => (crd.spec?.versions ?? [])
    .filter((v) => v.served !== false)
    .map((v) => ({ path: `/apis/${crd.spec?.group ?? ''}/${v.name ?? ''}`, plural: crd.spec?.names?.plural ?? '' })));
  const failure = await waitFor(async () => {
    for (const { path, plural } of pending) {
      const response = await kubeRequest(credentials, 'GET', path);
      if (response.status !== 200) return false;
      const list = JSON.parse(response.body) as { resources?: { name: string }[] };
      if (!(list.resources ?? []).some((r) => r.name === plural)) return false;
    }
    return true;
  }, { timeoutMs: 60_000, intervalMs: 100 });
  if (failure !== undefined) throw new ComponentStartError('crds', `discovery did not serve the installed CRDs: ${failure}`);
}
