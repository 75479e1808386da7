// Prisma CLI configuration. The app itself never reads this: server/db/ builds the client
// with a driver adapter (PGlite by default, PostgreSQL when DATABASE_URL is set).
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
});
