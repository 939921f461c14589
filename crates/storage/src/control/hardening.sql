-- What PostgreSQL lets every role (PUBLIC) do in a database that a tenant's role must not do in
-- Kontor's: take advisory locks (which Kontor uses to serialise provisioning and to choose the
-- instance that sends alerts: a tenant holding one would stop both), read statistics (row
-- counts, scans, sizes and activity of every table and session: what other tenants hold and
-- do), and create large objects. Table names in pg_class stay visible to every role (catalogs
-- are shared by design); the row estimates and page counts next to them do not.
--
-- The functions and views belong to the bootstrap superuser, so only a superuser can run this.
-- Kontor runs it when its admin connection is a superuser; otherwise `kontor tenant
-- hardening-sql` prints it for one (docs/cloud.md). It is idempotent and only touches the
-- database it runs in. {ROLES}: Kontor's own roles, which keep what they use (the control role
-- for alert leadership and the replication check, a non-superuser admin role for provisioning).
-- pg_read_all_stats (and so pg_monitor) keeps the statistics, for monitoring tools.
DO $kontor$
DECLARE
    target text;
    kept text;
BEGIN
    FOR target IN
        SELECT format('pg_catalog.%I(%s)', p.proname, pg_catalog.pg_get_function_identity_arguments(p.oid))
          FROM pg_catalog.pg_proc p
         WHERE p.pronamespace = 'pg_catalog'::regnamespace
           AND (p.proname LIKE 'pg\_advisory\_%' OR p.proname LIKE 'pg\_try\_advisory\_%')
    LOOP
        EXECUTE format('REVOKE EXECUTE ON FUNCTION %s FROM PUBLIC', target);
        EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO {ROLES}', target);
    END LOOP;

    FOR target IN
        SELECT format('pg_catalog.%I(%s)', p.proname, pg_catalog.pg_get_function_identity_arguments(p.oid))
          FROM pg_catalog.pg_proc p
         WHERE p.pronamespace = 'pg_catalog'::regnamespace
           AND (p.proname LIKE 'pg\_stat\_get\_%'
                OR p.proname IN ('pg_relation_size', 'pg_total_relation_size', 'pg_table_size',
                                 'pg_indexes_size', 'pg_database_size', 'pg_tablespace_size',
                                 'pg_lock_status'))
    LOOP
        EXECUTE format('REVOKE EXECUTE ON FUNCTION %s FROM PUBLIC', target);
        EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO pg_read_all_stats, {ROLES}', target);
    END LOOP;

    FOR target IN
        SELECT format('pg_catalog.%I', c.relname)
          FROM pg_catalog.pg_class c
         WHERE c.relnamespace = 'pg_catalog'::regnamespace AND c.relkind = 'v'
           AND (c.relname LIKE 'pg\_stat\_%' OR c.relname LIKE 'pg\_statio\_%' OR c.relname = 'pg_locks')
    LOOP
        EXECUTE format('REVOKE SELECT ON %s FROM PUBLIC', target);
        EXECUTE format('GRANT SELECT ON %s TO pg_read_all_stats, {ROLES}', target);
    END LOOP;

    SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum)
      INTO kept
      FROM pg_catalog.pg_attribute a
     WHERE a.attrelid = 'pg_catalog.pg_class'::regclass AND a.attnum > 0 AND NOT a.attisdropped
       AND a.attname NOT IN ('reltuples', 'relpages', 'relallvisible', 'relallfrozen');
    REVOKE SELECT ON pg_catalog.pg_class FROM PUBLIC;
    EXECUTE format('GRANT SELECT (%s) ON pg_catalog.pg_class TO PUBLIC', kept);
    GRANT SELECT ON pg_catalog.pg_class TO pg_read_all_stats, {ROLES};

    REVOKE EXECUTE ON FUNCTION pg_catalog.lo_creat(integer), pg_catalog.lo_create(oid),
        pg_catalog.lo_from_bytea(oid, bytea), pg_catalog.lo_import(text),
        pg_catalog.lo_import(text, oid), pg_catalog.lo_export(oid, text) FROM PUBLIC;
END
$kontor$;
