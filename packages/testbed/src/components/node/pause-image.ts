import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { findBinary } from '../../binaries.js';
import { repoRoot } from '../../paths.js';
import type { Stack } from '../../stack.js';
import { hostCommand } from './host-command.js';
import { NODE_BINARY_INSTALL } from './control-plane.js';

/**
 * The sandbox ("pause") image, FROM scratch with the static program scripts/setup.d/33-node.sh
 * builds from tools/pause/pause.c (no registry is reachable for registry.k8s.io/pause). Built
 * with buildah in a throwaway storage of the stack's own (vfs: a one-file image needs no overlay,
 * and a storage of its own takes no lock another test holds), written as a docker-archive, which
 * keeps the name for `ctr images import`. Returns the archive and the image's name.
 */
export async function buildPauseImage(stack: Stack): Promise<{ archive: string; name: string }> {
  const hash = createHash('sha256').update(readFileSync(join(repoRoot(), 'tools', 'pause', 'pause.c'))).digest('hex').slice(0, 12);
  const pause = findBinary({ name: `nova-pause-${hash}`, install: NODE_BINARY_INSTALL });
  const buildah = findBinary({ name: 'buildah', install: 'bash scripts/setup.sh (scripts/setup.d/15-containers.sh installs buildah)' });
  const storage = ['--root', stack.path('node', 'buildah', 'storage'), '--runroot', stack.path('node', 'buildah', 'run'), '--storage-driver', 'vfs'];
  const name = `localhost/nova/pause:${hash}`;
  const archive = join(stack.path('node', 'images'), 'pause.tar');
  const working = (await hostCommand('start the pause image', buildah, [...storage, 'from', 'scratch'])).trim();
  await hostCommand('copy the pause program', buildah, [...storage, 'copy', working, pause, '/pause']);
  await hostCommand('configure the pause image', buildah, [...storage, 'config', '--entrypoint', '["/pause"]', working]);
  await hostCommand('commit the pause image', buildah, [...storage, 'commit', '--rm', working, name]);
  await hostCommand('export the pause image', buildah, [...storage, 'push', name, `docker-archive:${archive}:${name}`]);
  return { archive, name };
}
