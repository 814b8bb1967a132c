import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TESTBED_INFO_ENV } from '../env.js';
import { ALL_COMPONENTS, type ComponentName } from '../info.js';
import { describeTestbed, startTestbed, type Testbed } from '../testbed.js';

declare global {
  var novaTestbed: Testbed | undefined;
}

function wantedComponents(): ComponentName[] {
  const raw = process.env.NOVA_TESTBED_COMPONENTS;
  if (raw === undefined || raw.trim() === '') return [...ALL_COMPONENTS];
  const names = raw.split(',').map((name) => name.trim()).filter(Boolean);
  for (const name of names) {
    if (!ALL_COMPONENTS.includes(name as ComponentName)) {
      throw new Error(`NOVA_TESTBED_COMPONENTS names '${name}'; known components: ${ALL_COMPONENTS.join(', ')}`);
    }
  }
  return names as ComponentName[];
}

/** NOVA_TESTBED_NATS_NODES: 1 (default) or the size of a NATS cluster (3 as production runs it). */
function natsNodes(): number {
  const raw = process.env.NOVA_TESTBED_NATS_NODES;
  if (raw === undefined || raw.trim() === '') return 1;
  const nodes = Number(raw);
  if (!Number.isInteger(nodes) || nodes < 1 || nodes > 9) throw new Error(`NOVA_TESTBED_NATS_NODES must be an integer in 1..9, got '${raw}'`);
  return nodes;
}

/** Starts the real components once per jest run and hands their addresses to the workers. */
export default async function globalSetup(): Promise<void> {
  const bed = await startTestbed({ components: wantedComponents(), keep: process.env.NOVA_TESTBED_KEEP === '1', natsNodes: natsNodes() });
  globalThis.novaTestbed = bed;
  const infoPath = join(bed.info.stackDir, 'testbed.json');
  writeFileSync(infoPath, JSON.stringify(bed.info, null, 2));
  // Workers are forked after globalSetup, so they inherit this.
  process.env[TESTBED_INFO_ENV] = infoPath;
  process.stdout.write(`\n${describeTestbed(bed.info)}\n`);
}
