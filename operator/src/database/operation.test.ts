import { describe, expect, it } from '@jest/globals';
import type { DatabaseMigration } from '../api/novamigration.js';
import { jobFor, jobName } from './job-runner.js';
import { cliArguments, parseCliResult, planOf, scrubSecrets } from './operation.js';

const migration: DatabaseMigration = {
  apiVersion: 'novabot.io/v1alpha1',
  kind: 'NovaMigration',
  metadata: { namespace: 'nova', name: 'stage-7-database', uid: 'u-1' },
  spec: {
    database: {
      legacySchema: 'public',
      legacyLogin: 'nova_legacy',
      lockTimeout: '1s',
      retries: 5,
      contexts: [{ name: 'user', schema: 'user_service', tables: ['users'], login: 'user_service' }],
      job: { image: 'nova/user-service:1', loginSecret: { name: 'nova-migration-login', key: 'url' }, backupClaim: 'backups' },
    },
    steps: [{ backup: {} }, { moveSchema: { context: 'user' } }],
    paused: false,
    onDelete: 'restoreLegacy',
  },
};

describe('a database step for nova-schema-move', () => {
  it('names the context by its schema, with the spec\'s lock timeout and retries, and the plan as the engine reads it', () => {
    expect(cliArguments({ migration, operation: { kind: 'move', context: 'user' }, id: 'r0-move-user' }, '/b')).toEqual(['move', '--context', 'user_service', '--lock-timeout-ms', '1000', '--retries', '5']);
    expect(cliArguments({ migration, operation: { kind: 'backup' }, id: 'r0-backup' }, '/b')).toEqual(['backup', '--dir', '/b']);
    expect(cliArguments({ migration, operation: { kind: 'restore' }, id: 'r0-restore', backup: { path: '/b/x.dump', bytes: 1, sha256: 'ff' } }, '/b')).toEqual(['restore', '--file', '/b/x.dump', '--sha256', 'ff']);
    expect(planOf(migration)).toEqual({ legacySchema: 'public', legacyRole: 'nova_legacy', contexts: [{ schema: 'user_service', tables: ['users'], role: 'user_service' }] });
  });

  it('reads the CLI\'s result line: rows checked and the locks\' hold of a move, a backup\'s record, an error by name', () => {
    const move = JSON.stringify({ ok: true, moved: [{ swap: { lockedMs: 8.5 }, verification: { tables: [{ live: { rows: 10 } }, { live: { rows: 5 } }] } }] });
    expect(parseCliResult({ kind: 'move', context: 'user' }, `progress\n${move}\n`)).toEqual({ ok: true, rowsChecked: 15, lockedMs: 8.5 });
    expect(parseCliResult({ kind: 'backup' }, JSON.stringify({ ok: true, backup: { path: '/b/x', bytes: 9, sha256: 'aa' } }))).toEqual({ ok: true, backup: { path: '/b/x', bytes: 9, sha256: 'aa' } });
    expect(parseCliResult({ kind: 'move', context: 'user' }, JSON.stringify({ ok: false, error: { name: 'VerificationFailedError', message: 'users changed' } }))).toEqual({ ok: false, name: 'VerificationFailedError', message: 'users changed' });
    // A CLI that died without its line is a failed step, never a pass.
    expect(parseCliResult({ kind: 'move', context: 'user' }, 'Segmentation fault')).toMatchObject({ ok: false, name: 'NoResult' });
    expect(parseCliResult({ kind: 'backup' }, JSON.stringify({ ok: true }))).toMatchObject({ ok: false, name: 'NoResult' });
  });

  it('scrubs the login and its password from text passed on', () => {
    expect(scrubSecrets('connect postgresql://m:s3cret@h/db failed: s3cret', ['postgresql://m:s3cret@h/db', 's3cret'])).toBe('connect *** failed: ***');
  });
});

describe('the Job of a step', () => {
  it('is named per migration, run and step, within a DNS label', () => {
    expect(jobName('stage-7-database', 'r0-move-publisher')).toBe('stage-7-database-r0-move-publisher');
    const long = jobName('a'.repeat(60), 'r12-reverse-notification');
    expect(long.length).toBeLessThanOrEqual(63);
    expect(long).not.toBe(jobName('a'.repeat(60), 'r12-reverse-payment'));
  });

  it('takes the login from the Secret by reference (the operator never reads it), writes its result to the termination log, and is owned by its migration', () => {
    const job = jobFor({ migration, operation: { kind: 'backup' }, id: 'r0-backup' }, 'stage-7-database-r0-backup');
    const container = job.spec?.template.spec?.containers[0];
    expect(container?.env).toEqual([{ name: 'DATABASE_URL', valueFrom: { secretKeyRef: { name: 'nova-migration-login', key: 'url' } } }]);
    expect(container?.args?.slice(0, 3)).toEqual(['backup', '--dir', '/backups']);
    expect(container?.args?.slice(-2)).toEqual(['--result-file', '/dev/termination-log']);
    expect(job.spec?.backoffLimit).toBe(0);
    // Ten minutes unless the operator is told otherwise (NOVA_SCHEMA_MOVE_JOB_DEADLINE): a Job never holds the migration forever.
    expect(job.spec?.activeDeadlineSeconds).toBe(600);
    expect(jobFor({ migration, operation: { kind: 'backup' }, id: 'r0-backup' }, 'x', 45).spec?.activeDeadlineSeconds).toBe(45);
    expect(job.spec?.template.spec?.volumes).toEqual([{ name: 'backups', persistentVolumeClaim: { claimName: 'backups' } }]);
    expect(job.metadata?.ownerReferences).toEqual([expect.objectContaining({ kind: 'NovaMigration', name: 'stage-7-database', uid: 'u-1', controller: true })]);
    const noClaim: DatabaseMigration = { ...migration, spec: { ...migration.spec, database: { ...migration.spec.database, job: { image: 'i', loginSecret: { name: 's', key: 'url' } } } } };
    expect(() => jobFor({ migration: noClaim, operation: { kind: 'backup' }, id: 'r0-backup' }, 'x')).toThrow(/backupClaim/u);
  });
});
