import { afterEach, describe, expect, it } from '@jest/globals';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LINK_RESERVATIONS_DIR, reserveSubnet } from './link.js';

// A name no real /30 has, so the test never touches a running node's reservation.
const subnet = `test-${String(process.pid)}-${String(Date.now())}`;
const file = join(LINK_RESERVATIONS_DIR, subnet);

afterEach(() => { rmSync(file, { force: true }); });

describe('the node link reservations', () => {
  it('gives a /30 to one taker only while that taker lives', () => {
    expect(reserveSubnet(subnet)).toBe(true);
    expect(readFileSync(file, 'utf8').trim()).toBe(String(process.pid));
    expect(reserveSubnet(subnet)).toBe(false);
  });

  it('takes over the reservation of a process that is gone (a killed run)', () => {
    // pid_max itself is never a process's pid (pids stay below it): an owner that cannot be alive.
    const gone = Number(readFileSync('/proc/sys/kernel/pid_max', 'utf8').trim());
    writeFileSync(file, `${String(gone)}\n`);
    expect(reserveSubnet(subnet)).toBe(true);
    expect(readFileSync(file, 'utf8').trim()).toBe(String(process.pid));
    expect(existsSync(`${file}.stale-${String(process.pid)}`)).toBe(false);
  });
});
