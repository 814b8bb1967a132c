/**
 * The nginx configuration the operator owns for one migration, rendered as text. nginx wants
 * the split (`split_clients`, `upstream`) at http level and the route (`location`) at server
 * level, and an include file is spliced in at one place, so a migration owns a pair of files:
 *
 *   <confDir>/nova-<namespace>-<name>.upstream.conf   included in http {}:   include <confDir>/*.upstream.conf;
 *   <confDir>/nova-<namespace>-<name>.location.conf   included in server {}: include <confDir>/*.location.conf;
 *
 * Nothing else in the nginx configuration is touched, so migrations on other paths (other file
 * pairs) and the rest of the config move independently.
 *
 * The split is per request (`split_clients` on `$request_id`, a random id per request): one
 * chat's updates can land on both sides. Keeping a Telegram chat on one side during a canary is
 * the bus-level `nats` provider's job (ARCHITECTURE.md, Decided 11), not this one's.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { InvalidProviderConfigError } from './errors.js';
import { httpRoute, type ProviderMigration, type ServiceRef, type WeightReading } from './provider.js';

/** The one plain nginx this operator drives. */
export interface NginxInstanceOptions {
  /** The nginx executable. */
  readonly binary: string;
  /** The main configuration file (`nginx -c`), which includes the two globs above. */
  readonly configFile: string;
  /** nginx's prefix (`nginx -p`), when the configuration uses relative paths. */
  readonly prefix?: string;
  /** nginx's pid file: when given, reloads are confirmed by watching the master's workers. */
  readonly pidFile?: string;
  /** The folder the operator writes its include files to; it owns only files named `nova-*.conf` there. */
  readonly confDir: string;
}

export interface MigrationFiles {
  readonly upstream: string;
  readonly location: string;
}

export function migrationFiles(confDir: string, migration: Pick<ProviderMigration, 'namespace' | 'name'>): MigrationFiles {
  const base = join(confDir, `nova-${migration.namespace}-${migration.name}`);
  return { upstream: `${base}.upstream.conf`, location: `${base}.location.conf` };
}

/**
 * The longest variable name nginx's default `variables_hash_bucket_size` (64) takes: a longer one
 * fails `nginx -t` with "could not build variables_hash" (checked on nginx 1.22: 46 passes, 47
 * fails), and the id names the split_clients variable.
 */
export const NGINX_ID_MAX = 46;

/**
 * A readable nginx identifier, made unique by a hash since `-` and `.` both map to `_`; the
 * readable part is cut so the whole fits NGINX_ID_MAX (ids that fit are as they always were).
 */
export function nginxId(migration: Pick<ProviderMigration, 'namespace' | 'name'>): string {
  const hash = createHash('sha256').update(`${migration.namespace}/${migration.name}`).digest('hex').slice(0, 8);
  const readable = `${migration.namespace}_${migration.name}`.replaceAll(/[^A-Za-z0-9]/gu, '_');
  return `nova_${readable.slice(0, NGINX_ID_MAX - 'nova_'.length - hash.length - 1)}_${hash}`;
}

const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])$/u;
// Characters that could end a directive or start a block ({ } ; " ' space $ \) are refused, so a
// value can never inject configuration.
const PATH = /^\/[A-Za-z0-9._~%!*+,=:@/-]*$/u;

function checkServer(migration: ProviderMigration, side: string, ref: ServiceRef): string {
  if (!HOST.test(ref.service)) throw new InvalidProviderConfigError(migration, `${side} service "${ref.service}" is not a host name or address nginx can use`);
  if (!Number.isInteger(ref.port) || ref.port < 1 || ref.port > 65_535) throw new InvalidProviderConfigError(migration, `${side} port ${String(ref.port)} is out of range`);
  return `${ref.service}:${String(ref.port)}`;
}

const WEIGHT_LINE = /^# nova-weight: (\d{1,3})$/mu;

/**
 * The http-level file: two upstreams and the per-request split between them. `includeTarget`
 * false leaves the target out entirely (finalize to legacy), so a target that no longer resolves
 * cannot break `nginx -t`.
 */
export function renderUpstream(migration: ProviderMigration, weight: number, includeTarget = true): string {
  const id = nginxId(migration);
  const legacy = checkServer(migration, 'legacy', migration.legacy);
  const target = includeTarget ? checkServer(migration, 'target', migration.target) : undefined;
  const effective = target === undefined ? 0 : weight;
  const split =
    effective === 0 ? [`    *   ${id}_legacy;`]
    : effective === 100 ? [`    *   ${id}_target;`]
    : [`    ${String(effective)}%   ${id}_target;`, `    *   ${id}_legacy;`];
  return [
    header(migration),
    `# nova-weight: ${String(effective)}`,
    `split_clients "\${request_id}" $${id} {`,
    ...split,
    '}',
    `upstream ${id}_legacy {`,
    `    server ${legacy};`,
    '    keepalive 16;',
    '}',
    ...(target === undefined ? [] : [`upstream ${id}_target {`, `    server ${target};`, '    keepalive 16;', '}']),
    '',
  ].join('\n');
}

/** The server-level file: the migration's path, proxied to whichever upstream the split chose. */
export function renderLocation(migration: ProviderMigration): string {
  const { pathPrefix } = httpRoute(migration);
  if (!PATH.test(pathPrefix)) {
    throw new InvalidProviderConfigError(migration, `path prefix "${pathPrefix}" has characters nginx configuration cannot carry safely`);
  }
  const id = nginxId(migration);
  return [
    header(migration),
    // ^~ : a prefix match that regex locations elsewhere in the server cannot take over.
    `location ^~ ${pathPrefix} {`,
    `    proxy_pass http://$${id};`,
    '    proxy_http_version 1.1;',
    '    proxy_set_header Connection "";',
    '    proxy_set_header Host $host;',
    '    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;',
    '    proxy_set_header X-Forwarded-Proto $scheme;',
    '    proxy_set_header X-Request-Id $request_id;',
    '}',
    '',
  ].join('\n');
}

function header(migration: ProviderMigration): string {
  const { host: routeHost } = httpRoute(migration);
  const host = routeHost === undefined ? '' : ` (host ${routeHost} is the including server block's business)`;
  return `# Managed by nova-operator for NovaMigration ${migration.namespace}/${migration.name}${host}. Do not edit: it is rewritten.`;
}

/**
 * The split an upstream file holds, read from its `split_clients` lines (a hand edit counts), or
 * undefined when the file is not one the operator wrote for this migration. `exact` is false when
 * the split is not what the operator last wrote (the `# nova-weight` line).
 */
export function parseUpstreamWeight(text: string, migration: Pick<ProviderMigration, 'namespace' | 'name'>): WeightReading | undefined {
  const id = nginxId(migration);
  const written = WEIGHT_LINE.exec(text)?.[1];
  const block = new RegExp(`split_clients\\s+"\\$\\{request_id\\}"\\s+\\$${id}\\s*\\{([^}]*)\\}`, 'u').exec(text)?.[1];
  if (written === undefined || block === undefined) return undefined;
  let percentTotal = 0;
  let target = 0;
  let starIsTarget = false;
  for (const line of block.split(';')) {
    const [share, upstream] = line.trim().split(/\s+/u);
    if (share === undefined || upstream === undefined) continue;
    if (share === '*') {
      starIsTarget = upstream === `${id}_target`;
      continue;
    }
    const percent = Number(share.replace(/%$/u, ''));
    percentTotal += percent;
    if (upstream === `${id}_target`) target += percent;
  }
  const weight = Math.round(target + (starIsTarget ? 100 - percentTotal : 0));
  return { weight, exact: weight === Number(written) && Number.isInteger(target) };
}
