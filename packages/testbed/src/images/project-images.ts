/**
 * The project's images as test/ship/images.test.ts builds them (`localhost/nova/<deployable>:test`
 * in the project's image storage, FROM the local Node 24 bases), and handed to a one-node
 * cluster's containerd: what test/cluster and `npm run demo -- --cluster` run in pods.
 */
import { join } from 'node:path';
import type { NodeCluster } from '../components/node/node.js';
import { repoRoot } from '../paths.js';
import type { Stack } from '../stack.js';
import { BUILD_BASE, buildBaseImages, RUNTIME_BASE } from './base-images.js';
import { buildah, buildImage } from './buildah.js';
import { discoverDeployables } from './deployables.js';

/** A deployable's image as test/ship/images.test.ts builds it into the project's storage. */
export function projectImage(deployable: string): string {
  return `localhost/nova/${deployable}:test`;
}

export class ProjectImageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProjectImageError';
  }
}

/** Which of these deployables' images the storage does not hold. */
export async function missingProjectImages(deployables: readonly string[]): Promise<string[]> {
  const listed = new Set((await buildah(['images', '--format', '{{.Name}}:{{.Tag}}'])).split('\n'));
  return deployables.filter((deployable) => !listed.has(projectImage(deployable)));
}

/**
 * Builds these deployables' images the way test/ship/images.test.ts does (the local bases first,
 * then the Dockerfile per workspace), one after the other: the build stage (`npm ci` and `tsc -b`
 * of the whole monorepo) is shared through the layer cache, so the first takes minutes and the
 * others reuse it. `progress` hears each one as it starts.
 */
export async function buildProjectImages(deployables: readonly string[], progress: (deployable: string) => void = () => undefined): Promise<void> {
  if (deployables.length === 0) return;
  const known = new Map(discoverDeployables().map((deployable) => [deployable.name, deployable]));
  const unknown = deployables.filter((name) => !known.has(name));
  if (unknown.length > 0) throw new ProjectImageError(`no workspace deploys ${unknown.join(', ')} (a deployable's package.json has "nova": { "deployable", "port" })`);
  await buildBaseImages();
  for (const name of deployables) {
    const deployable = known.get(name);
    if (deployable === undefined) continue;
    progress(name);
    await buildImage({
      tag: projectImage(name),
      containerfile: join(repoRoot(), 'Dockerfile'),
      context: repoRoot(),
      buildArgs: { NODE_IMAGE: RUNTIME_BASE, BUILD_IMAGE: BUILD_BASE, WORKSPACE: deployable.workspace, DEPLOYABLE: deployable.name, PORT: String(deployable.port) },
    });
  }
}

/**
 * Exports each image from the project's storage (`buildah push … docker-archive:`, which keeps the
 * name) and imports it into the node's containerd, two at a time (export and import are mostly
 * disk work; more at once only queue on the two cores). Fails naming the test that builds them
 * when one is missing (test/ship's job in `npm test`; the demo builds them first).
 */
export async function importProjectImages(stack: Stack, node: NodeCluster, deployables: readonly string[]): Promise<void> {
  const missing = await missingProjectImages(deployables);
  if (missing.length > 0) {
    throw new ProjectImageError(`${missing.map(projectImage).join(', ')} not in the build storage: run test/ship/images.test.ts first (it builds every deployable's image)`);
  }
  const queue = [...deployables];
  const worker = async (): Promise<void> => {
    for (let deployable = queue.shift(); deployable !== undefined; deployable = queue.shift()) {
      const image = projectImage(deployable);
      const archive = join(stack.path('images'), `${deployable}.tar`);
      await buildah(['push', image, `docker-archive:${archive}:${image}`]);
      await node.importImage(archive, image);
    }
  };
  await Promise.all([worker(), worker()]);
}
