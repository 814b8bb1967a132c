/**
 * The contracts are checked by buf itself (the binary @bufbuild/buf ships in npm), not by a
 * re-implementation: lint and format pass on proto/, lint and breaking do fail when they should,
 * proto/ is compatible with the committed baseline image (proto/baseline.binpb, checked in any
 * checkout, with or without history, and kept equal to proto/ by each contract change) and with
 * proto/ before this change (the merge base with main on a branch, the previous commit on main;
 * shallow CI clones fetch what they lack), and the generated TypeScript in packages/contracts is
 * what buf generates from proto/ now.
 */
import { describe, expect, it, beforeAll, afterAll } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkoutProto, git, HistoryUnavailableError, resolveBaseline, skipReason, type Baseline } from './support/proto-baseline.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const bin = (name: string): string => join(root, 'node_modules', '.bin', name);
/** The contracts as last changed on purpose, committed as a buf image (scripts/contracts-baseline.sh). */
const BASELINE_IMAGE = 'proto/baseline.binpb';

interface Run {
  readonly status: number | null;
  readonly output: string;
}

function buf(args: readonly string[], cwd = root): Run {
  const result = spawnSync(bin('buf'), args, {
    cwd,
    encoding: 'utf8',
    // protoc-gen-es is a node script: the repository's Node 24 must be first on PATH.
    env: { ...process.env, PATH: `${join(root, 'node_modules', '.bin')}:${process.env.PATH ?? ''}` },
  });
  if (result.error) throw result.error;
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

/** Rule ids in `buf lint|breaking --error-format=json` output (one JSON object per line). */
function ruleIds(output: string): string[] {
  return output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => (JSON.parse(line) as { type: string }).type);
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
    .sort();
}

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'nova-buf-'));
});
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('buf lint and format', () => {
  it('proto/ passes buf lint (STANDARD)', () => {
    const run = buf(['lint', 'proto']);
    expect(run).toEqual({ status: 0, output: '' });
  });

  it('proto/ is buf-formatted', () => {
    const run = buf(['format', '-d', '--exit-code', 'proto']);
    expect(run).toEqual({ status: 0, output: '' });
  });

  it('lint fails on a proto that breaks the STANDARD rules', () => {
    const bad = join(work, 'bad');
    // The project's own config and a good file beside the bad one: only the bad one may fail.
    cpSync(join(root, 'proto', 'buf.yaml'), join(bad, 'buf.yaml'));
    cpSync(join(root, 'proto', 'nova', 'v1', 'errors.proto'), join(bad, 'nova', 'v1', 'errors.proto'));
    writeFileSync(
      join(bad, 'nova', 'v1', 'bad.proto'),
      ['syntax = "proto3";', 'package nova.v1;', 'message bad_event { int32 BadField = 1; }', 'enum Color { RED = 0; }', ''].join('\n'),
    );
    const run = buf(['lint', '--error-format=json', '.'], bad);
    expect(run.status).not.toBe(0);
    expect(ruleIds(run.output)).toEqual(
      expect.arrayContaining(['MESSAGE_PASCAL_CASE', 'FIELD_LOWER_SNAKE_CASE', 'ENUM_VALUE_PREFIX', 'ENUM_ZERO_VALUE_SUFFIX']),
    );
  });
});

describe('buf breaking', () => {
  it('detects a removed field against a copy of proto/ taken as the release', () => {
    const release = join(work, 'release');
    const next = join(work, 'next');
    cpSync(join(root, 'proto'), release, { recursive: true });
    cpSync(join(root, 'proto'), next, { recursive: true });
    const file = join(next, 'nova', 'v1', 'telegram.proto');
    const source = readFileSync(file, 'utf8');
    const without = source.replace(/^\s*string kind = 7;\n/m, '');
    expect(without).not.toBe(source);
    writeFileSync(file, without);

    const unchanged = buf(['breaking', 'proto', '--against', release]);
    expect(unchanged).toEqual({ status: 0, output: '' });

    const broken = buf(['breaking', '--error-format=json', next, '--against', release]);
    expect(broken.status).not.toBe(0);
    expect(ruleIds(broken.output)).toContain('FIELD_NO_DELETE');
  });

  // The check every checkout can make, a shallow CI clone without history or a copy outside git
  // too: proto/ against the committed image of the contracts (scripts/contracts-baseline.sh).
  it(`proto/ is compatible with the committed baseline (${BASELINE_IMAGE})`, () => {
    expect(breakingAgainstCommittedBaseline(root)).toEqual({ status: 0, rules: [] });
  });

  it(`${BASELINE_IMAGE} is proto/ as it is now: a contract change updates it (npm run contracts:baseline)`, () => {
    const now = join(work, 'now.binpb');
    expect(buf(['build', 'proto', '--exclude-source-info', '-o', now])).toEqual({ status: 0, output: '' });
    // Compared as bytes: buf writes the same image for the same proto/ (its files and fields in order).
    expect(readFileSync(join(root, BASELINE_IMAGE)).equals(readFileSync(now))).toBe(true);
  });

  it('a field removed in a copy of the repository outside git fails against the committed baseline', () => {
    const copy = join(work, 'copy-outside-git');
    cpSync(join(root, 'proto'), join(copy, 'proto'), { recursive: true });
    expect(skipReason(copy)).toMatch(/is not a git checkout/u);
    expect(breakingAgainstCommittedBaseline(copy)).toEqual({ status: 0, rules: [] });
    removeKind(join(copy, 'proto'));
    expect(breakingAgainstCommittedBaseline(copy)).toEqual({ status: 100, rules: ['FIELD_NO_DELETE'] });
  });

  it('npm run contracts:baseline moves the baseline for a compatible change and refuses a breaking one', () => {
    const copy = join(work, 'copy-for-the-script');
    cpSync(join(root, 'proto'), join(copy, 'proto'), { recursive: true });
    const image = join(copy, BASELINE_IMAGE);
    const script = (): number | null => spawnSync('bash', [join(root, 'scripts', 'contracts-baseline.sh'), copy], { encoding: 'utf8' }).status;
    addField(join(copy, 'proto'));
    expect(script()).toBe(0);
    expect(breakingAgainstCommittedBaseline(copy)).toEqual({ status: 0, rules: [] });
    const moved = readFileSync(image);
    expect(moved.equals(readFileSync(join(root, BASELINE_IMAGE)))).toBe(false);
    removeKind(join(copy, 'proto'));
    expect(script()).toBe(1);
    expect(readFileSync(image).equals(moved)).toBe(true);
    expect(breakingAgainstCommittedBaseline(copy)).toEqual({ status: 100, rules: ['FIELD_NO_DELETE'] });
  });

  // The check against history: a change that breaks the contracts since the branch left main (or
  // since the previous commit on main) fails here, even when it moved the committed baseline too.
  // Where there is no history to compare with, the committed baseline above was still checked.
  const base = process.env.NOVA_CONTRACTS_BASE;
  const baseline = baselineOrSkip(root, base);
  if (typeof baseline === 'string') {
    console.warn(`buf breaking was NOT run against the previous proto/ (only against ${BASELINE_IMAGE}): ${baseline}`);
    it.skip(`proto/ is compatible with proto/ before this change: skipped (${BASELINE_IMAGE} was checked), ${baseline}`, () => undefined);
  } else {
    it(`proto/ is compatible with proto/ before this change (${baseline.description})`, () => {
      const before = checkoutProto(root, baseline.commit, join(work, 'baseline'));
      const run = buf(['breaking', 'proto', '--against', before]);
      expect({ against: baseline.description, ...run }).toEqual({ against: baseline.description, status: 0, output: '' });
    });
  }
});

/** `buf breaking` of `repo`'s proto/ against the baseline image committed in it. */
function breakingAgainstCommittedBaseline(repo: string): { status: number | null; rules: string[] } {
  const run = buf(['breaking', '--error-format=json', 'proto', '--against', BASELINE_IMAGE], repo);
  return { status: run.status, rules: ruleIds(run.output) };
}

/** Removes field 7 (`kind`) of the Telegram update envelope from the proto/ at `proto`: a breaking change. */
function removeKind(proto: string): void {
  const file = join(proto, 'nova', 'v1', 'telegram.proto');
  const source = readFileSync(file, 'utf8');
  const without = source.replace(/^\s*string kind = 7;\n/m, '');
  expect(without).not.toBe(source);
  writeFileSync(file, without);
}

/** Adds a field to the Telegram update envelope of the proto/ at `proto`: a compatible change. */
function addField(proto: string): void {
  const file = join(proto, 'nova', 'v1', 'telegram.proto');
  writeFileSync(file, readFileSync(file, 'utf8').replace(/^(\s*)string kind = 7;\n/m, '$1string kind = 7;\n$1string added_on_main = 90;\n'));
}

/** The baseline to compare with, or why there is none (a clone without reachable history included). */
function baselineOrSkip(repo: string, base: string | undefined): Baseline | string {
  const skip = skipReason(repo, base);
  if (skip !== undefined) return skip;
  try {
    return resolveBaseline(repo, base);
  } catch (error) {
    if (error instanceof HistoryUnavailableError) return error.message;
    throw error;
  }
}

/**
 * The baseline as CI finds it, in a repository of this test's own: a bare "origin" whose main holds
 * proto/ as it is now, and clones of it as CI makes them (one commit deep, one branch).
 */
describe('buf breaking against the baseline of a CI clone', () => {
  let origin: string;
  let clones = 0;

  /** Commits `edit` on `branch` (created from main when new) and pushes it to origin. */
  function commitOnOrigin(branch: string, edit: (proto: string) => void): void {
    const dir = join(work, `edit-${String(++clones)}`);
    expect(git(work, ['clone', '--quiet', origin, dir]).status).toBe(0);
    expect(git(dir, ['checkout', '--quiet', '-B', branch, git(dir, ['rev-parse', '--verify', '--quiet', `origin/${branch}`]).status === 0 ? `origin/${branch}` : 'origin/main']).status).toBe(0);
    edit(join(dir, 'proto'));
    expect(git(dir, ['add', '--all']).status).toBe(0);
    expect(git(dir, ['commit', '--quiet', '-m', `edit ${branch}`]).status).toBe(0);
    expect(git(dir, ['push', '--quiet', 'origin', branch]).status).toBe(0);
  }

  /** A CI checkout of `branch`: `git clone --depth 1 --branch <branch>` (so single-branch too). */
  function ciClone(branch: string): string {
    const dir = join(work, `ci-${String(++clones)}`);
    const run = git(work, ['clone', '--quiet', '--depth', '1', '--branch', branch, `file://${origin}`, dir]);
    expect(run).toMatchObject({ status: 0 });
    expect(git(dir, ['rev-parse', '--is-shallow-repository']).stdout).toBe('true');
    return dir;
  }

  /** What the compatibility test above does, in `clone`. */
  function check(clone: string): { against: string; status: number | null; rules: string[] } {
    const baseline = resolveBaseline(clone);
    const before = checkoutProto(clone, baseline.commit, join(work, `baseline-${String(++clones)}`));
    const run = buf(['breaking', '--error-format=json', 'proto', '--against', before], clone);
    return { against: baseline.description, status: run.status, rules: ruleIds(run.output) };
  }


  beforeAll(() => {
    const seed = join(work, 'seed');
    origin = join(work, 'origin.git');
    expect(git(work, ['init', '--quiet', '--initial-branch=main', seed]).status).toBe(0);
    cpSync(join(root, 'proto'), join(seed, 'proto'), { recursive: true });
    expect(git(seed, ['add', 'proto']).status).toBe(0);
    expect(git(seed, ['commit', '--quiet', '-m', 'proto as it is now']).status).toBe(0);
    expect(git(work, ['clone', '--quiet', '--bare', seed, origin]).status).toBe(0);
    // Branches from that commit; main then moves on with a compatible change the branches lack.
    commitOnOrigin('removes-kind', removeKind);
    commitOnOrigin('behind-main', (proto) => { writeFileSync(join(proto, 'README.md'), 'a change outside the .proto files\n'); });
    commitOnOrigin('main', addField);
  });

  it('on a branch, a field removed since the merge base with main fails, though the clone had one commit and no main', () => {
    expect(check(ciClone('removes-kind'))).toEqual({ against: 'merge base with refs/remotes/origin/main', status: 100, rules: ['FIELD_NO_DELETE'] });
  });

  it('a branch behind main passes: it is compared with the merge base, not with main\'s newer proto/', () => {
    expect(check(ciClone('behind-main'))).toEqual({ against: 'merge base with refs/remotes/origin/main', status: 0, rules: [] });
  });

  it('on main, the last commit is compared with the one before it: a compatible change passes, a removed field fails', () => {
    expect(check(ciClone('main'))).toEqual({ against: 'HEAD~1 (HEAD is on refs/heads/main)', status: 0, rules: [] });
    commitOnOrigin('main', removeKind);
    expect(check(ciClone('main'))).toEqual({ against: 'HEAD~1 (HEAD is on refs/heads/main)', status: 100, rules: ['FIELD_NO_DELETE'] });
  });

  it('is skipped only where no earlier proto/ exists, and says why; the committed baseline is checked there still', () => {
    expect(skipReason(join(work, 'seed'))).toBe('HEAD is a first commit (no parent): there is no earlier proto/ to compare with');
    expect(skipReason(work)).toMatch(/is not a git checkout/u);
    // A shallow clone's boundary commit has no parent here, but it has one on the remote.
    expect(skipReason(ciClone('main'))).toBeUndefined();
    // A shallow clone whose remote is gone cannot be compared: skipped with the reason, not failed.
    const orphan = ciClone('main');
    expect(git(orphan, ['remote', 'set-url', 'origin', `file://${join(work, 'no-such-origin.git')}`]).status).toBe(0);
    expect(baselineOrSkip(orphan, undefined)).toMatch(/^a shallow clone whose remote origin could not be fetched/u);
    // The committed baseline image is still checked in such a clone: a field removed in a commit of
    // its own (the branch removes-kind) fails against it.
    const orphanBranch = ciClone('removes-kind');
    expect(git(orphanBranch, ['remote', 'set-url', 'origin', `file://${join(work, 'no-such-origin.git')}`]).status).toBe(0);
    expect(baselineOrSkip(orphanBranch, undefined)).toMatch(/^a shallow clone whose remote origin could not be fetched/u);
    expect(breakingAgainstCommittedBaseline(orphanBranch)).toEqual({ status: 100, rules: ['FIELD_NO_DELETE'] });
  });
});

describe('buf generate', () => {
  it('packages/contracts/src/gen is what buf generates from proto/ now', () => {
    const out = join(work, 'gen');
    const template = join(work, 'buf.gen.yaml');
    writeFileSync(
      template,
      readFileSync(join(root, 'proto', 'buf.gen.yaml'), 'utf8')
        .replace('local: node_modules/.bin/protoc-gen-es', `local: ${bin('protoc-gen-es')}`)
        .replace('out: packages/contracts/src/gen', `out: ${out}`),
    );
    const run = buf(['generate', 'proto', '--template', template]);
    expect(run).toEqual({ status: 0, output: '' });
    const committed = join(root, 'packages', 'contracts', 'src', 'gen');
    expect(filesUnder(out)).toEqual(filesUnder(committed));
    for (const file of filesUnder(out)) {
      expect({ file, text: readFileSync(join(committed, file), 'utf8') }).toEqual({ file, text: readFileSync(join(out, file), 'utf8') });
    }
  });
});
