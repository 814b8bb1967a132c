/**
 * The engine's fault hook for tests that run the CLI as a process (the operator's tests): a test
 * cannot hand a function to another process, so it names the fault in an environment variable the
 * operator's process runner passes on to the CLI only when it has it itself (never set in a cluster).
 *
 * NOVA_SCHEMA_MOVE_TEST_TAMPER='{"schema":"publisher_service","sql":"UPDATE ..."}' runs that SQL
 * inside the move swap of that context, between its two fingerprints, on the swap's own
 * connection: a row changed behind the verifier's back, as test/schema-move/crash-safety.test.ts
 * does in-process. The verification then fails and the context is reversed.
 */
import type { EngineOptions } from './engine.js';

export const TAMPER_VARIABLE = 'NOVA_SCHEMA_MOVE_TEST_TAMPER';

export function testFaultsFromEnv(env: Readonly<Record<string, string | undefined>>): Pick<EngineOptions, 'faults'> {
  const text = env[TAMPER_VARIABLE];
  if (text === undefined || text === '') return {};
  const { schema, sql } = JSON.parse(text) as { schema?: unknown; sql?: unknown };
  if (typeof schema !== 'string' || typeof sql !== 'string') throw new Error(`${TAMPER_VARIABLE} must be {"schema": "...", "sql": "..."}`);
  return {
    faults: {
      insideSwap: async (db, context, direction) => {
        if (context === schema && direction === 'move') await db.query(sql);
      },
    },
  };
}
