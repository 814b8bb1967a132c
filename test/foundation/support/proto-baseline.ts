/**
 * What `buf breaking` compares proto/ against: the commit proto/ last was before this change.
 *
 * - On a branch: the merge base with main (what the branch changed, whatever it holds).
 * - On main itself (HEAD is on main's history): the previous commit, HEAD~1.
 * - `NOVA_CONTRACTS_BASE=<revision>` names another one (a CI whose target branch is not main).
 *
 * The working tree's proto/ is compared, so an uncommitted change counts too. CI clones are often
 * shallow (one commit, one branch): the commits needed are then fetched from the remote, the
 * history made whole (`git fetch --unshallow`) and main fetched if the clone has no ref of it.
 * When that cannot be done (HistoryUnavailableError) the check is skipped with the reason in its
 * name and a warning, as it is where no earlier proto/ can exist (not a git checkout, or HEAD is
 * the repository's first commit): a CI whose checkout has no history must not fail every change
 * for it, and must not look as if it checked the contracts either. The committed image
 * proto/baseline.binpb is checked in every checkout all the same (buf.test.ts).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

export interface Baseline {
  readonly commit: string;
  /** How it was chosen, for the test's message: "merge base with refs/heads/main", "HEAD~1". */
  readonly description: string;
}

export class BaselineError extends Error {
  override readonly name: string = 'BaselineError';
}

/** A shallow clone whose earlier commits cannot be fetched (no remote, or the remote unreachable). */
export class HistoryUnavailableError extends BaselineError {
  override readonly name = 'HistoryUnavailableError';
}

interface GitRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Commits in throwaway repositories need an author; nothing from the user's git config must sign or hook them. */
const GIT_ENV = {
  GIT_AUTHOR_NAME: 'nova-test', GIT_AUTHOR_EMAIL: 'nova-test@example.invalid',
  GIT_COMMITTER_NAME: 'nova-test', GIT_COMMITTER_EMAIL: 'nova-test@example.invalid',
  GIT_TERMINAL_PROMPT: '0',
};

export function git(repo: string, args: readonly string[]): GitRun {
  const result = spawnSync('git', ['-c', 'commit.gpgsign=false', '-c', 'core.hooksPath=/dev/null', ...args], { cwd: repo, encoding: 'utf8', env: { ...process.env, ...GIT_ENV }, timeout: 120_000 });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout.trim(), stderr: result.stderr.trim() };
}

function gitOk(repo: string, args: readonly string[]): string {
  const run = git(repo, args);
  if (run.status !== 0) throw new BaselineError(`git ${args.join(' ')} failed (${String(run.status)}): ${run.stderr}`);
  return run.stdout;
}

function exists(repo: string, revision: string): boolean {
  return git(repo, ['rev-parse', '--verify', '--quiet', `${revision}^{commit}`]).status === 0;
}

function shallow(repo: string): boolean {
  return gitOk(repo, ['rev-parse', '--is-shallow-repository']) === 'true';
}

function remote(repo: string): string | undefined {
  const remotes = gitOk(repo, ['remote']).split('\n').filter(Boolean);
  return remotes.includes('origin') ? 'origin' : remotes[0];
}

/** Why no comparison can be made at all (decided without the network), or undefined when one can. */
export function skipReason(repo: string, base?: string): string | undefined {
  if (git(repo, ['rev-parse', '--is-inside-work-tree']).stdout !== 'true') return `${repo} is not a git checkout: there is no earlier proto/ to compare with`;
  if (!exists(repo, 'HEAD')) return 'the repository has no commit yet';
  if (base !== undefined && base !== '') return undefined;
  // A root commit that is not a shallow boundary: there is no earlier version anywhere.
  const parents = gitOk(repo, ['rev-list', '--parents', '-n', '1', 'HEAD']).split(' ').slice(1);
  if (parents.length === 0 && !shallow(repo)) return 'HEAD is a first commit (no parent): there is no earlier proto/ to compare with';
  return undefined;
}

const MAIN_REFS = ['refs/heads/main', 'refs/remotes/origin/main'];

function mainRef(repo: string): string | undefined {
  return MAIN_REFS.find((ref) => exists(repo, ref));
}

/** Makes a shallow clone whole, and fetches main when there is no ref of it. */
function completeHistory(repo: string): void {
  const name = remote(repo);
  if (shallow(repo)) {
    if (name === undefined) throw new HistoryUnavailableError('a shallow clone without a remote: the commits before HEAD cannot be fetched (clone with full history, e.g. fetch-depth: 0)');
    const fetched = git(repo, ['fetch', '--quiet', '--no-tags', '--unshallow', name]);
    if (fetched.status !== 0) throw new HistoryUnavailableError(`a shallow clone whose remote ${name} could not be fetched (${fetched.stderr}): clone with full history, e.g. fetch-depth: 0`);
  }
  if (mainRef(repo) === undefined && name !== undefined) {
    // A single-branch clone of a branch: main is on the remote, if anywhere.
    const fetched = git(repo, ['fetch', '--quiet', '--no-tags', name, `+refs/heads/main:refs/remotes/${name}/main`]);
    if (fetched.status !== 0 && !/couldn't find remote ref/iu.test(fetched.stderr)) throw new BaselineError(`fetching main from ${name} failed: ${fetched.stderr}`);
  }
}

/** The baseline of `repo`'s HEAD; `base` (NOVA_CONTRACTS_BASE) names it instead. Fetches what a shallow clone lacks. */
export function resolveBaseline(repo: string, base?: string): Baseline {
  completeHistory(repo);
  if (base !== undefined && base !== '') {
    if (!exists(repo, base)) throw new BaselineError(`NOVA_CONTRACTS_BASE=${base} is not a commit here`);
    return { commit: gitOk(repo, ['rev-parse', `${base}^{commit}`]), description: `NOVA_CONTRACTS_BASE=${base}` };
  }
  const head = gitOk(repo, ['rev-parse', 'HEAD']);
  const main = mainRef(repo);
  if (main !== undefined) {
    const base = git(repo, ['merge-base', 'HEAD', main]);
    if (base.status !== 0) throw new BaselineError(`HEAD and ${main} have no common commit: nothing to compare proto/ with`);
    if (base.stdout !== head) return { commit: base.stdout, description: `merge base with ${main}` };
  }
  if (!exists(repo, 'HEAD~1')) throw new BaselineError('HEAD is on main and has no parent: there is no previous commit to compare proto/ with');
  return { commit: gitOk(repo, ['rev-parse', 'HEAD~1']), description: main === undefined ? 'HEAD~1 (no main here)' : `HEAD~1 (HEAD is on ${main})` };
}

/** Writes proto/ as it was at `commit` into `dir`/proto; throws when the commit had none. */
export function checkoutProto(repo: string, commit: string, dir: string): string {
  mkdirSync(dir, { recursive: true });
  const archive = spawnSync('git', ['archive', '--format=tar', commit, 'proto'], { cwd: repo, maxBuffer: 256 * 1024 * 1024 });
  if (archive.error) throw archive.error;
  if (archive.status !== 0) throw new BaselineError(`commit ${commit} has no proto/: ${archive.stderr.toString().trim()}`);
  const untar = spawnSync('tar', ['-x', '-C', dir], { input: archive.stdout });
  if (untar.error) throw untar.error;
  if (untar.status !== 0) throw new BaselineError(`tar failed: ${untar.stderr.toString().trim()}`);
  return join(dir, 'proto');
}
