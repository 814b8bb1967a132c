import { describe, expect, it } from '@jest/globals';
import type { MigrationFile } from './migrations-dir.js';
import { findDdlOnViews, type ViewInSchema } from './view-guard.js';

const users: ViewInSchema = { name: 'users', table: 'public.users' };

function file(name: string, script: string): MigrationFile {
  return { name, script, checksum: '' };
}

describe('findDdlOnViews', () => {
  it('finds Prisma-style DDL on a view, qualified and quoted', () => {
    const pending = [
      file('1_ok', 'CREATE TABLE "user_service"."notes" ("id" INTEGER NOT NULL);'),
      file('2_alter', '-- AlterTable\nALTER TABLE "user_service"."users" ADD COLUMN "nickname" TEXT;'),
    ];
    expect(findDdlOnViews('user_service', pending, [users])).toEqual({ migration: '2_alter', view: users });
  });

  it('finds an index on the view, a foreign key to it, and an unqualified ALTER TABLE', () => {
    expect(findDdlOnViews('user_service', [file('i', 'CREATE INDEX "x" ON "user_service"."users"("created_at");')], [users])?.migration).toBe('i');
    expect(findDdlOnViews('user_service', [file('f', 'ALTER TABLE "user_service"."notes" ADD CONSTRAINT "n_fkey" FOREIGN KEY ("u") REFERENCES "user_service"."users"("telegram_id");')], [users])?.migration).toBe('f');
    expect(findDdlOnViews('user_service', [file('u', 'ALTER TABLE IF EXISTS ONLY users DROP COLUMN x;')], [users])?.migration).toBe('u');
  });

  it('lets data changes through a view, other tables, longer names and comments pass', () => {
    const pending = [
      file('d', 'UPDATE "user_service"."users" SET "language" = \'en\' WHERE "language" IS NULL;'),
      file('o', 'ALTER TABLE "user_service"."users_archive" ADD COLUMN "x" TEXT;\nALTER TABLE "other"."users" ADD COLUMN "x" TEXT;'),
      file('c', '/* ALTER TABLE "user_service"."users" was here */ CREATE TABLE "user_service"."a" ("id" INT);\n-- DROP TABLE users;'),
    ];
    expect(findDdlOnViews('user_service', pending, [users])).toBeUndefined();
  });

  it('has nothing to find when the schema has no views', () => {
    expect(findDdlOnViews('user_service', [file('2_alter', 'ALTER TABLE "user_service"."users" ADD COLUMN "n" TEXT;')], [])).toBeUndefined();
  });
});
