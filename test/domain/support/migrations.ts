import { readdirSync } from 'node:fs';

/** Migration folder names in the order Prisma applies them. */
export function migrationNames(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}
