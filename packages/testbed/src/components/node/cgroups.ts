import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * The kubelet's cgroup root (`cgroupRoot`), one per node component, in every cgroup hierarchy
 * of the machine (these machines run cgroup v1, `cgroupDriver: cgroupfs`). The kubelet refuses a
 * root that does not exist, and would otherwise put its pods under the machine's top cgroup
 * beside everyone else's. Removed at stop, deepest first, once the processes in it are gone.
 */
export function cgroupHierarchies(): string[] {
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8').split('\n');
  const hierarchies: string[] = [];
  for (const line of mounts) {
    const [, fsPart] = line.split(' - ');
    // cgroup2 too: on this hybrid layout the kubelet's runc library also makes the root in `unified`.
    if (fsPart?.startsWith('cgroup ') !== true && fsPart?.startsWith('cgroup2 ') !== true) continue;
    const mountPoint = line.split(' ')[4];
    if (mountPoint !== undefined) hierarchies.push(mountPoint);
  }
  return hierarchies;
}

/** The node component's cgroup root for a stack folder (`nova-testbed-<suffix>`): the reaper finds it by name. */
export function nodeCgroupName(stackDir: string): string {
  return `nova-node-${basename(stackDir).replace(/^nova-testbed-/u, '')}`;
}

/**
 * One pass of removal, for the reaper of a killed run's stack: whatever is still busy (a process
 * not yet gone after its SIGKILL) stays, and the next run's reaper tries again.
 */
export function removeStaleCgroupRoot(name: string): void {
  for (const hierarchy of cgroupHierarchies()) {
    const dir = join(hierarchy, name);
    if (existsSync(dir)) removeTree(dir);
  }
}

export function createCgroupRoot(name: string): void {
  for (const hierarchy of cgroupHierarchies()) {
    const dir = join(hierarchy, name);
    mkdirSync(dir, { recursive: true });
    // A v1 cpuset cgroup starts with no CPUs and no memory nodes: no task could join it.
    if (existsSync(join(hierarchy, 'cpuset.cpus'))) {
      for (const file of ['cpuset.cpus', 'cpuset.mems']) copyFileSync(join(hierarchy, file), join(dir, file));
    }
  }
}

function removeTree(dir: string): boolean {
  let removed = true;
  for (const entry of readdirSync(dir)) {
    const child = join(dir, entry);
    if (statSync(child).isDirectory()) removed = removeTree(child) && removed;
  }
  try {
    rmdirSync(dir);
  } catch {
    removed = false;
  }
  return removed;
}

/**
 * Removes the cgroup root in every hierarchy. A cgroup whose last task just died can refuse
 * rmdir (EBUSY) for a moment, so it retries, at most 50 times 100 ms apart; what is still there
 * after that is named in the error.
 */
export async function removeCgroupRoot(name: string): Promise<void> {
  let left: string[] = [];
  for (let attempt = 0; attempt < 50; attempt++) {
    left = cgroupHierarchies().map((hierarchy) => join(hierarchy, name)).filter((dir) => existsSync(dir) && !removeTree(dir));
    if (left.length === 0) return;
    await sleep(100);
  }
  throw new Error(`node component: cgroups still in use after stop: ${left.join(', ')}`);
}
