import { readFileSync } from 'node:fs';
import type { ComponentName, TestbedInfo } from './info.js';

/** Set by jest's globalSetup: the path of the JSON file describing the running test bed. */
export const TESTBED_INFO_ENV = 'NOVA_TESTBED_INFO';

let cached: TestbedInfo | undefined;

/** The test bed started for this run (inside jest workers). */
export function testbed(): TestbedInfo {
  if (cached) return cached;
  const path = process.env[TESTBED_INFO_ENV];
  if (path === undefined) throw new Error(`${TESTBED_INFO_ENV} is not set: run the tests through jest (npm test), whose globalSetup starts the test bed`);
  cached = JSON.parse(readFileSync(path, 'utf8')) as TestbedInfo;
  return cached;
}

/** A component of the running test bed, or a clear error if this run did not start it. */
export function component<K extends ComponentName>(name: K): NonNullable<TestbedInfo[K]> {
  const value = testbed()[name];
  if (value === undefined) throw new Error(`the test bed of this run did not start '${name}' (NOVA_TESTBED_COMPONENTS limits them)`);
  return value;
}
