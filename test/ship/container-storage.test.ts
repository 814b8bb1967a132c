/**
 * The test containers' storage opens whatever run root its podman database was made with: a cache
 * from before the run root became one per storage root has the old shared one recorded, and podman
 * refused every command on it (CI's warm cache failed the images test so). Real podman, a storage
 * of the test's own; no image is needed, since the database is all that differs.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { findBinary } from '@nova/testbed';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from './support/command.js';
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
