/** A binary the test bed needs is not installed; `install` is the exact command that installs it. */
export class MissingBinaryError extends Error {
  constructor(
    readonly binary: string,
    readonly install: string,
  ) {
    super(`${binary} is not installed. Install it with:\n  ${install}\n(or run: npm run setup)`);
    this.name = 'MissingBinaryError';
  }
}

/** A component did not become ready; carries the tail of its log so the cause is visible. */
export class ComponentStartError extends Error {
  constructor(
    readonly component: string,
    reason: string,
    readonly logTail = '',
  ) {
    super(`${component} did not start: ${reason}${logTail ? `\n--- last lines of its log ---\n${logTail}` : ''}`);
    this.name = 'ComponentStartError';
  }
}

/**
 * A host command the node component needs (ip, nsenter, ctr, buildah...) failed; carries the
 * command line and its stderr. The test bed's own secrets never go on these command lines.
 */
export class NodeSetupError extends Error {
  constructor(
    readonly step: string,
    readonly command: string,
    readonly stderr: string,
  ) {
    super(`node component: ${step} failed (${command})${stderr ? `:\n${stderr.trim()}` : ''}`);
    this.name = 'NodeSetupError';
  }
}
