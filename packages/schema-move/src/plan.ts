/**
 * The move plan: which tables each context's schema takes, and which logins must reach them. Data,
 * not code: the engine moves whatever the plan lists (the operator hands it the plan of its stage).
 */
import { InvalidMovePlanError } from './errors.js';

export interface ContextMove {
  /** The context's schema, e.g. `user_service`. */
  readonly schema: string;
  /** The legacy tables it takes over, by their names in the legacy schema. */
  readonly tables: readonly string[];
  /** The context's own login: DML on its schema's objects, nothing in the legacy schema. */
  readonly role?: string;
}

export interface MovePlan {
  /** Where the legacy tables live before the move; `public` unless said otherwise. */
  readonly legacySchema?: string;
  /** The legacy code's login: DML on the legacy schema's tables, then on its compatibility views. */
  readonly legacyRole?: string;
  /** In the order of the move; a reverse runs them newest first. */
  readonly contexts: readonly ContextMove[];
}

/** The plan's stage 7 (docs/database-split.md): table names and schemas, without logins. */
export const STAGE_7_CONTEXTS: readonly ContextMove[] = [
  { schema: 'user_service', tables: ['users'] },
  { schema: 'bot_service', tables: ['user_bots'] },
  { schema: 'publisher_service', tables: ['posts', 'published_posts', 'stories'] },
  { schema: 'payment_service', tables: ['payments', 'purchases'] },
];

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/** Every name the engine writes into SQL passes this first: plain lower-case identifiers need no quoting. */
export function checkIdentifier(value: string, what: string): string {
  if (!IDENTIFIER.test(value)) throw new InvalidMovePlanError(`${what} "${value}" must match ${IDENTIFIER.source}`, '');
  return value;
}

export function legacySchemaOf(plan: MovePlan): string {
  return plan.legacySchema ?? 'public';
}

/** Checks every name, and that no table or schema appears twice; returns the plan unchanged. */
export function validatePlan(plan: MovePlan): MovePlan {
  const legacy = checkIdentifier(legacySchemaOf(plan), 'legacy schema');
  if (plan.legacyRole !== undefined) checkIdentifier(plan.legacyRole, 'legacy role');
  if (plan.contexts.length === 0) throw new InvalidMovePlanError('the plan moves no context', '');
  const schemas = new Set<string>();
  const tables = new Set<string>();
  for (const context of plan.contexts) {
    checkIdentifier(context.schema, 'schema');
    if (context.schema === legacy) throw new InvalidMovePlanError(`context ${context.schema} is the legacy schema itself`, context.schema);
    if (schemas.has(context.schema)) throw new InvalidMovePlanError(`context ${context.schema} is listed twice`, context.schema);
    schemas.add(context.schema);
    if (context.role !== undefined) checkIdentifier(context.role, 'role');
    if (context.tables.length === 0) throw new InvalidMovePlanError(`context ${context.schema} lists no table`, context.schema);
    for (const table of context.tables) {
      checkIdentifier(table, 'table');
      if (tables.has(table)) throw new InvalidMovePlanError(`table ${table} is listed twice`, context.schema);
      tables.add(table);
    }
  }
  return plan;
}

/** Reads a plan from JSON text (the CLI's `--plan` file), validated. */
export function parsePlan(text: string): MovePlan {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InvalidMovePlanError('the plan is not JSON', '', { cause: error });
  }
  const record = value as Partial<MovePlan> | null;
  if (record === null || typeof record !== 'object' || !Array.isArray(record.contexts)) throw new InvalidMovePlanError('the plan needs a "contexts" array', '');
  for (const context of record.contexts as unknown[]) {
    const c = context as Partial<ContextMove> | null;
    if (c === null || typeof c !== 'object' || typeof c.schema !== 'string' || !Array.isArray(c.tables) || !c.tables.every((t) => typeof t === 'string')) {
      throw new InvalidMovePlanError('each context needs "schema" (text) and "tables" (text array)', '');
    }
  }
  return validatePlan(record as MovePlan);
}

export function contextOf(plan: MovePlan, schema: string): ContextMove {
  const context = plan.contexts.find((c) => c.schema === schema);
  if (!context) throw new InvalidMovePlanError(`the plan has no context ${schema}`, schema);
  return context;
}
