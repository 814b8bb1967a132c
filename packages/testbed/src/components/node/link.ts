import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hostCommand, inNetns } from './host-command.js';

/**
 * The one wire between the machine and a node's network namespace: a veth pair on a /30 of
 * 198.18.0.0/15 (RFC 2544's benchmarking range, which no real network here uses). The host end
 * carries the control plane's address (the apiserver binds it; pods reach it there), the node
 * end is the node's InternalIP. Everything else of the node's network (the pods' bridge, their
 * addresses, kube-proxy's iptables rules, forwarding) lives inside the namespace and vanishes
 * with it: the machine's own routes, iptables and sysctls are never touched.
 */
export interface NodeLink {
  /** The host end's name (nv + 8 hex digits: unique, within IFNAMSIZ). */
  readonly hostInterface: string;
  readonly hostAddress: string;
  readonly nodeAddress: string;
}

/** Reservations of /30s by any process on this machine, so two test beds never pick the same one. */
export const LINK_RESERVATIONS_DIR = join(tmpdir(), 'nova-node-links');

function ownerAlive(file: string): boolean {
  const pid = Number(readFileSync(file, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes the /30's reservation. One whose process is gone (a killed run: its link went with its
 * namespace) is taken over, renamed away first so two takers cannot both win.
 */
export function reserveSubnet(subnet: string): boolean {
  mkdirSync(LINK_RESERVATIONS_DIR, { recursive: true });
  const file = join(LINK_RESERVATIONS_DIR, subnet);
  const create = (): boolean => {
    try {
      writeFileSync(file, `${String(process.pid)}\n`, { flag: 'wx' });
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw error;
    }
  };
  if (create()) return true;
  try {
    if (ownerAlive(file)) return false;
    const stale = `${file}.stale-${String(process.pid)}`;
    renameSync(file, stale);
    rmSync(stale, { force: true });
  } catch {
    return false; // another process took it over first, or released it
  }
  return create();
}

/** A /30 no interface of the machine uses and no other test bed reserved: [base of x.y, x.y+1, x.y+2]. */
async function chooseSubnet(): Promise<{ subnet: string; host: string; node: string }> {
  const inUse = await hostCommand('list the machine addresses', 'ip', ['-o', '-4', 'addr', 'show']);
  for (let attempt = 0; attempt < 200; attempt++) {
    const third = 18 + Math.floor(Math.random() * 2);
    const fourth = Math.floor(Math.random() * 256);
    const last = 4 * Math.floor(Math.random() * 64);
    const prefix = `198.${String(third)}.${String(fourth)}.`;
    const host = `${prefix}${String(last + 1)}`;
    const node = `${prefix}${String(last + 2)}`;
    if (inUse.includes(` ${host}/`) || inUse.includes(` ${node}/`)) continue;
    const subnet = `${prefix}${String(last)}`;
    if (reserveSubnet(subnet)) return { subnet, host, node };
  }
  throw new Error('node component: no free /30 in 198.18.0.0/15 after 200 tries');
}

/**
 * Creates the veth pair into the namespace `netnsPath` belongs to (`namespacePid` holds it) and
 * addresses both ends. The returned `remove` deletes the host end (the pair goes with it) and the
 * reservation; the namespace ending removes the pair too, so a killed run leaves no interface.
 */
export async function createNodeLink(namespacePid: number, netnsPath: string, name: string): Promise<{ link: NodeLink; remove: () => Promise<void> }> {
  const { subnet, host, node } = await chooseSubnet();
  const hostInterface = `nv${name}`;
  const release = (): void => { rmSync(join(LINK_RESERVATIONS_DIR, subnet), { force: true }); };
  const remove = async (): Promise<void> => {
    try {
      await hostCommand('remove the node link', 'ip', ['link', 'del', hostInterface]);
    } catch {
      // Already gone with the namespace: the kernel deletes both ends of a pair together.
    }
    release();
  };
  try {
    await hostCommand('create the node link', 'ip', ['link', 'add', hostInterface, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', String(namespacePid)]);
    await hostCommand('address the host end', 'ip', ['addr', 'add', `${host}/30`, 'dev', hostInterface]);
    await hostCommand('bring the host end up', 'ip', ['link', 'set', hostInterface, 'up']);
    await inNetns(netnsPath, 'address the node end', 'ip', ['addr', 'add', `${node}/30`, 'dev', 'eth0']);
    await inNetns(netnsPath, 'bring the node end up', 'ip', ['link', 'set', 'eth0', 'up']);
  } catch (error) {
    await remove();
    throw error;
  }
  return { link: { hostInterface, hostAddress: host, nodeAddress: node }, remove };
}
