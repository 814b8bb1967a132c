export { backup, pgTool, restore, type Backup } from './backup.js';
export { locateTables, ownedSequences, stateOf, type Queryable, type RelationKind, type TablePlace, type TableState } from './catalogue.js';
export {
  moveAll,
  moveContext,
  MoveReversedError,
  prepare,
  reverseAll,
  reverseContext,
  status,
  verifyAll,
  verifyContext,
  type ContextStatus,
  type ContextVerification,
  type EngineFaults,
  type EngineOptions,
  type MoveAllReport,
  type StepReport,
  type TableStatus,
  type TableVerification,
} from './engine.js';
export { BackupError, DatabaseUnavailableError, InjectedFaultError, InvalidMovePlanError, LockNotAvailableError, SchemaMoveError, UnexpectedCatalogueError, VerificationFailedError } from './errors.js';
export { fingerprint, sameFingerprint, type Fingerprint } from './fingerprint.js';
export { checkGrants, grantTable, type Arrangement, type GrantCheck } from './grants.js';
export { checkIdentifier, contextOf, legacySchemaOf, parsePlan, STAGE_7_CONTEXTS, validatePlan, type ContextMove, type MovePlan } from './plan.js';
export { swapContext, type Direction, type SwapFaults, type SwapOptions, type SwapResult, type TableSwap } from './swap.js';
export { SteadyWriter, type SteadyWriterOptions, type WriteFailure, type WriteSample, type WriteTarget } from './steady-writer.js';
export { SAMPLE_EXTRA_TABLES, SAMPLE_LEGACY_TABLES_SQL, sampleWriteTargets } from './sample.js';
export { arrangeBefore, arrangeFleetSchemaBefore, FLEET_PLAN, FLEET_STAGE_7_CONTEXTS, fleetContextOf, type BeforeOutcome } from './fleet.js';
