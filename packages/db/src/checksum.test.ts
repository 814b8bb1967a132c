import { describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { checksumMatches, migrationChecksum } from './checksum.js';

describe('migration checksums (same as Prisma schema engine)', () => {
  it('is the zero-padded sha256 hex of the script', () => {
    // The value prisma-engines' own test pins for "hello".
    expect(migrationChecksum('hello')).toBe('2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824');
    expect(migrationChecksum('abcd')).toHaveLength(64);
    const sql = 'CREATE TABLE "x" ("id" INTEGER);\n';
    expect(migrationChecksum(sql)).toBe(createHash('sha256').update(Buffer.from(sql, 'utf8')).digest('hex'));
  });

  it('hashes UTF-8 bytes (non-ASCII comments change nothing in the format)', () => {
    const sql = '-- пользователи\nSELECT 1;\n';
    expect(migrationChecksum(sql)).toBe(createHash('sha256').update(Buffer.from(sql, 'utf8')).digest('hex'));
  });

  it('matches regardless of LF or CRLF line endings', () => {
    const groups = [
      ['ab\ncd\nef\ngh\rab', 'ab\r\ncd\r\nef\r\ngh\rab'],
      ['ab\ncd\nef\ngh\rab\n', 'ab\r\ncd\r\nef\r\ngh\rab\r\n'],
    ];
    for (const group of groups) {
      for (const script of group) {
        for (const other of group) {
          expect(checksumMatches(script, migrationChecksum(other))).toBe(true);
        }
      }
    }
  });

  it('does not match a different script', () => {
    expect(checksumMatches('abc', migrationChecksum('abcd'))).toBe(false);
    expect(checksumMatches('abc\n', migrationChecksum('abc'))).toBe(false);
    expect(checksumMatches('abc', '')).toBe(false);
  });

  it('accepts the unpadded checksums an old Prisma version wrote', () => {
    // A script whose digest has a byte < 0x10, so padded and unpadded forms differ.
    const script = Array.from({ length: 100 }, (_, i) => `SELECT ${i};`).find((candidate) =>
      createHash('sha256').update(candidate).digest().some((byte) => byte < 0x10),
    );
    if (script === undefined) throw new Error('no candidate script found');
    const digest = createHash('sha256').update(script).digest();
    const unpadded = [...digest].map((byte) => byte.toString(16)).join('');
    expect(unpadded.length).toBeLessThan(64);
    expect(checksumMatches(script, unpadded)).toBe(true);
    expect(checksumMatches(`${script} `, unpadded)).toBe(false);
  });
});
