/**
 * The names and records of routing on the bus (ARCHITECTURE.md, Decided 11): the operator writes
 * the weight of a context into a NATS KV bucket, every process watches it and says what it
 * applied, and legacy and target handlers listen on distinct subjects. Operator and bus both
 * import this file, so writer and readers cannot drift apart.
 *
 *   nova_routing          key <context>            RoutingRecord (the operator writes, compare-and-set)
 *   nova_routing_applied  key <context>.<process>  AppliedRecord (each process, every heartbeat; TTL)
 *
 * The records are JSON, not protobuf: they are state an SRE reads with `nats kv get` during a
 * canary, and they never travel as events or requests (Decided 5 covers those).
 */
import { CONTEXTS, type ContextName } from './subjects.js';

export const ROUTING_BUCKET = 'nova_routing';
export const ROUTING_APPLIED_BUCKET = 'nova_routing_applied';

/** Revisions nova_routing keeps per context: the recent weights, for people and tests to audit. */
export const ROUTING_HISTORY = 64;
/**
 * An applied record lives this long after its last write (the applied bucket's max age): a process
 * that stopped or lost NATS stops counting after at most this long.
 */
export const APPLIED_TTL_MS = 15_000;
/** How often a process rewrites its applied records; well under the TTL so a live process never lapses. */
export const APPLIED_HEARTBEAT_MS = 5_000;

export type RoutingSide = 'legacy' | 'target';

/** A routing record, an applied record or a side subject that does not follow the rules here. */
export class RoutingRecordError extends Error {
  override readonly name = 'RoutingRecordError';
  constructor(message: string, readonly what: string) {
    super(`${what}: ${message}`);
  }
}

/** The migration that owns a context's weight. */
export interface RoutingOwner {
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
}

/** The value of key `<context>` in nova_routing. */
export interface RoutingRecord {
  /** Percent of the context's chats handled by the target (0–100). */
  readonly weight: number;
  /**
   * The migration's status.weightFence when this weight was written: it grows with every change
   * of the desired weight. A writer whose fence is lower than the stored one is stale (an old
   * leader, a second operator) and is refused, even when it read the key's newest revision.
   */
  readonly fence: number;
  readonly owner: RoutingOwner;
  /** The owner was deleted (its finalizer ran): the weight stays, and the next migration may claim the key. */
  readonly released: boolean;
  /** When it was written (ISO 8601), for people reading the bucket. */
  readonly writtenAt: string;
}

/** The value of key `<context>.<process>` in nova_routing_applied. */
export interface AppliedRecord {
  readonly process: string;
  readonly side: RoutingSide;
  /** The nova_routing revision of the context's key this process routes by. */
  readonly revision: number;
  readonly weight: number;
  readonly at: string;
  /**
   * Whether this process handles the context (serves its requests or consumes its updates or
   * events), not only routes to it. Absent in records of processes older than the field: unknown.
   * The operator's analysis fails a check when no live process of the target handles the context.
   */
  readonly handles?: boolean;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function object(bytes: Uint8Array | string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(typeof bytes === 'string' ? bytes : decoder.decode(bytes));
  } catch {
    throw new RoutingRecordError('is not JSON', what);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new RoutingRecordError('is not a JSON object', what);
  return value as Record<string, unknown>;
}

function integer(record: Record<string, unknown>, field: string, what: string, max = Number.MAX_SAFE_INTEGER): number {
  const value = record[field];
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0 || value > max) {
    throw new RoutingRecordError(`${field} must be an integer from 0 to ${String(max)}, got ${value === undefined ? 'nothing' : JSON.stringify(value)}`, what);
  }
  return value;
}

function text(record: Record<string, unknown>, field: string, what: string): string {
  const value = record[field];
  if (typeof value !== 'string') throw new RoutingRecordError(`${field} must be a string`, what);
  return value;
}

export function isContextName(value: string): value is ContextName {
  return (CONTEXTS as readonly string[]).includes(value);
}

export function checkRoutingWeight(weight: number, what = 'weight'): number {
  if (!Number.isInteger(weight) || weight < 0 || weight > 100) throw new RoutingRecordError(`must be an integer from 0 to 100, got ${String(weight)}`, what);
  return weight;
}

export function parseRoutingRecord(bytes: Uint8Array | string, what = 'routing record'): RoutingRecord {
  const record = object(bytes, what);
  const owner = record.owner;
  if (typeof owner !== 'object' || owner === null || Array.isArray(owner)) throw new RoutingRecordError('owner must be an object', what);
  const ownerFields = owner as Record<string, unknown>;
  if (typeof record.released !== 'boolean') throw new RoutingRecordError('released must be true or false', what);
  return {
    weight: integer(record, 'weight', what, 100),
    fence: integer(record, 'fence', what),
    owner: { namespace: text(ownerFields, 'namespace', what), name: text(ownerFields, 'name', what), uid: text(ownerFields, 'uid', what) },
    released: record.released,
    writtenAt: text(record, 'writtenAt', what),
  };
}

export function encodeRoutingRecord(record: RoutingRecord): Uint8Array {
  checkRoutingWeight(record.weight);
  return encoder.encode(JSON.stringify(record));
}

export function parseAppliedRecord(bytes: Uint8Array | string, what = 'applied record'): AppliedRecord {
  const record = object(bytes, what);
  const side = record.side;
  if (side !== 'legacy' && side !== 'target') throw new RoutingRecordError('side must be legacy or target', what);
  return {
    process: text(record, 'process', what),
    side,
    revision: integer(record, 'revision', what),
    weight: integer(record, 'weight', what, 100),
    at: text(record, 'at', what),
    ...(record.handles === undefined ? {} : { handles: flag(record, 'handles', what) }),
  };
}

function flag(record: Record<string, unknown>, field: string, what: string): boolean {
  const value = record[field];
  if (typeof value !== 'boolean') throw new RoutingRecordError(`${field} must be true or false`, what);
  return value;
}

export function encodeAppliedRecord(record: AppliedRecord): Uint8Array {
  return encoder.encode(JSON.stringify(record));
}

/** A KV key token: what NATS allows in a key, nothing that could split it into more tokens. */
export function processToken(name: string): string {
  const token = name.replace(/[^A-Za-z0-9_-]/gu, '_').slice(0, 200);
  if (token === '') throw new RoutingRecordError('must contain a letter or digit', `process name "${name}"`);
  return token;
}

export function appliedKey(context: ContextName, process: string): string {
  return `${context}.${processToken(process)}`;
}

/** Every applied key of one context, for a KV watch or listing. */
export function appliedFilter(context: ContextName): string {
  return `${context}.*`;
}

/**
 * Side subjects. The target side listens on the contract subjects; the legacy side on marked
 * ones, so each side's subscriptions and stream consumers receive only what was addressed to it:
 *
 *   requests  svc.<context>.<method>        legacy: svc.legacy.<context>.<method>
 *   updates   telegram.update.<bot>.<chat>  legacy: telegram.legacy.<bot>.<chat>   (stream TELEGRAM)
 *
 * Filters with wildcards map the same way. Events (nova.<context>.<event>) keep their subject on
 * both sides: the side of an event is decided per consuming context (see the bus's routing).
 * Updates keep four tokens on both sides so the stream's partition transform covers both.
 */
const LEGACY = 'legacy';

// String prefixes rather than split/join: this runs for every message a process sends or receives.
const SVC = 'svc.';
const SVC_LEGACY = `svc.${LEGACY}.`;
const UPDATES = 'telegram.update.';
const UPDATES_LEGACY = `telegram.${LEGACY}.`;

export function sideSubject(subject: string, side: RoutingSide): string {
  if (side === 'target') return subject;
  if (subject.startsWith(SVC) && !subject.startsWith(SVC_LEGACY)) return SVC_LEGACY + subject.slice(SVC.length);
  if (subject.startsWith(UPDATES)) return UPDATES_LEGACY + subject.slice(UPDATES.length);
  return subject;
}

/** The contract subject of a subject a message arrived on (the inverse of sideSubject). */
export function contractSubjectOf(address: string): string {
  if (address.startsWith(SVC_LEGACY)) return SVC + address.slice(SVC_LEGACY.length);
  if (address.startsWith(UPDATES_LEGACY)) return UPDATES + address.slice(UPDATES_LEGACY.length);
  return address;
}
