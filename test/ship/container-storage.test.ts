/**
 * The test containers' storage opens whatever run root its podman database was made with: a cache
 * from before the run root became one per storage root has the old shared one recorded, and podman
 * refused every command on it (CI's warm cache failed the images test so). Real podman, a storage
 * of the test's own; no image is needed, since the database is all that differs.
 *
 * And a build leaves no working container behind in the storage kept between runs: real buildah,
 * FROM scratch and COPY only (no RUN, so no runtime), the Dockerfile's shape that leaked.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { buildah, buildImage, findBinary, run } from '@nova/testbed';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { adoptStorage } from './support/containers.js';

const scratch = mkdtempSync(join(tmpdir(), 'nova-storage-'));
const root = join(scratch, 'storage');
const before = join(scratch, 'run-shared');
const now = join(scratch, 'run-own');

function podmanPs(runRoot: string): ReturnType<typeof run> {
  const podman = findBinary({ name: 'podman', install: 'bash scripts/setup.sh' });
  return run(podman, ['--root', root, '--runroot', runRoot, '--storage-driver', process.env.NOVA_CONTAINERS_STORAGE_DRIVER ?? 'overlay', 'ps', '--all', '--quiet']);
}

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

describe('the test containers\' storage', () => {
  it('adopts a database another run root created, and leaves a matching one alone', async () => {
    expect((await podmanPs(before)).code).toBe(0);
    const refused = await podmanPs(now);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('database configuration mismatch');

    await adoptStorage({ root, runRoot: now });
    expect(await podmanPs(now)).toMatchObject({ code: 0 });

    await adoptStorage({ root, runRoot: now });
    expect(await podmanPs(now)).toMatchObject({ code: 0 });
  });
});

describe('an image build', () => {
  it('leaves no working container, even a --target build answered from the layer cache', async () => {
    const storage = { root: join(scratch, 'build-storage'), runRoot: join(scratch, 'build-run') };
    const context = join(scratch, 'context');
    mkdirSync(context);
    writeFileSync(join(context, 'file'), 'nova\n');
    writeFileSync(join(context, 'Base'), 'FROM scratch\nCOPY file /file\n');
    // A stage with nothing but its FROM, copied from by a later --target stage (the Dockerfile's pg-client and schema-move).
    writeFileSync(join(context, 'Containerfile'), [
      'FROM localhost/nova-storage-base:1 AS client',
      'FROM localhost/nova-storage-base:1 AS runtime',
      'COPY file /copied',
      'FROM runtime AS extra',
      'COPY --from=client /file /from-client',
      'FROM runtime',
      '',
    ].join('\n'));
    const containers = async (): Promise<string[]> => (await buildah(['containers', '--quiet'], undefined, storage)).split('\n').filter((line) => line !== '');

    await buildImage({ tag: 'localhost/nova-storage-base:1', containerfile: join(context, 'Base'), context, storage });
    for (let build = 0; build < 2; build++) {
      await buildImage({ tag: 'localhost/nova-storage-extra:1', containerfile: join(context, 'Containerfile'), context, target: 'extra', storage });
      expect(await containers()).toEqual([]);
    }
  });
});
