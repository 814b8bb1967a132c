// Read by the Prisma CLI when run from this folder (prisma migrate deploy, prisma studio).
// DATABASE_URL carries ?schema=admin_panel, so _prisma_migrations lands in this service's schema.
import { defineConfig, env } from 'prisma/config';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: env('DATABASE_URL') },
});
