import { createHash } from 'node:crypto';

/**
 * Checksums exactly as Prisma's schema engine computes and compares them
 * (prisma-engines, schema-engine/connectors/sql-schema-connector/src/checksum.rs), so a history
 * written by this runner and one written by `prisma migrate deploy` are interchangeable.
 */

const CHECKSUM_LENGTH = 64;

function digest(script: string): Buffer {
  return createHash('sha256').update(script, 'utf8').digest();
}

/** sha256 of the script's UTF-8 bytes, zero-padded lower-case hex: what goes in `checksum`. */
export function migrationChecksum(script: string): string {
  return digest(script).toString('hex');
}

/** An old engine version wrote each byte without zero-padding (prisma-engines issue #1887). */
function unpaddedHex(bytes: Buffer): string {
  return [...bytes].map((byte) => byte.toString(16)).join('');
}

/**
 * Whether a script matches a recorded checksum, insensitive to LF/CRLF line endings (git may
 * rewrite them on checkout), and accepting the unpadded format of old Prisma histories.
 */
export function checksumMatches(script: string, recorded: string): boolean {
  const variants = [script, script.replaceAll('\r\n', '\n'), script.replaceAll('\n', '\r\n')];
  return variants.some((variant) => {
    const bytes = digest(variant);
    const rendered = recorded !== '' && recorded.length !== CHECKSUM_LENGTH ? unpaddedHex(bytes) : bytes.toString('hex');
    return rendered === recorded;
  });
}
