-- Dalel on PostgreSQL: the application role and the append-only custody ledger.
--
-- Run as the database owner after migrations (psql -v ON_ERROR_STOP=1 -f postgres-roles.sql
-- DBNAME), then give the role a password out of band:  ALTER ROLE dalel_app PASSWORD '...';
-- and point DALEL_DATABASE_URL at dalel_app, never at the owner.
--
-- The API and workers may read and append ledger rows but never change or remove one:
-- the role has no UPDATE, DELETE or TRUNCATE on ledger tables. As a second line, triggers
-- refuse UPDATE, DELETE and TRUNCATE on them for every role, the owner included; an
-- administrator who really must repair a table has to drop a trigger first, visibly.
--
-- Evidence rows are never deleted either: a purge after retention deletes the bytes in
-- object storage and keeps the item and blob rows as a tombstone (through the one purge
-- service function), so the role has no DELETE or TRUNCATE on items, blobs and the
-- retention tables, and triggers refuse DELETE and TRUNCATE of items and blobs to all.
-- Safe to run again (idempotent).

DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'dalel_app') THEN
        CREATE ROLE dalel_app LOGIN;
    END IF;
END
$$;

GRANT USAGE ON SCHEMA public TO dalel_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO dalel_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO dalel_app;

-- Ledger tables: read and append only.
REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER
    ON ledger_entry, ledger_node, ledger_key, checkpoint, cosignature, checkpoint_timestamp, release
    FROM dalel_app;
GRANT SELECT, INSERT
    ON ledger_entry, ledger_node, ledger_key, checkpoint, cosignature, checkpoint_timestamp, release
    TO dalel_app;
REVOKE UPDATE, DELETE, TRUNCATE
    ON ledger_entry, ledger_node, ledger_key, checkpoint, cosignature, checkpoint_timestamp, release
    FROM PUBLIC;

CREATE OR REPLACE FUNCTION dalel_ledger_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'custody ledger table % is append-only (% refused)', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['ledger_entry', 'ledger_node', 'ledger_key', 'checkpoint',
                             'cosignature', 'checkpoint_timestamp', 'release']
    LOOP
        EXECUTE format('DROP TRIGGER IF EXISTS %I ON %I', t || '_append_only', t);
        EXECUTE format('CREATE TRIGGER %I BEFORE UPDATE OR DELETE ON %I FOR EACH ROW '
                       'EXECUTE FUNCTION dalel_ledger_append_only()', t || '_append_only', t);
        EXECUTE format('DROP TRIGGER IF EXISTS %I ON %I', t || '_no_truncate', t);
        EXECUTE format('CREATE TRIGGER %I BEFORE TRUNCATE ON %I FOR EACH STATEMENT '
                       'EXECUTE FUNCTION dalel_ledger_append_only()', t || '_no_truncate', t);
    END LOOP;
END
$$;

-- Evidence and retention rows: read, insert, update; never deleted.
REVOKE DELETE, TRUNCATE
    ON item, blob, item_retention, case_retention, legal_hold, purge_request, purge_item,
       retention_config, object_lock
    FROM dalel_app;
REVOKE DELETE, TRUNCATE ON item, blob FROM PUBLIC;

CREATE OR REPLACE FUNCTION dalel_evidence_kept() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'evidence table % keeps its rows: a purge deletes bytes, not rows (% refused)',
        TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['item', 'blob']
    LOOP
        EXECUTE format('DROP TRIGGER IF EXISTS %I ON %I', t || '_kept', t);
        -- Per statement: even a DELETE that matches no row is refused.
        EXECUTE format('CREATE TRIGGER %I BEFORE DELETE ON %I FOR EACH STATEMENT '
                       'EXECUTE FUNCTION dalel_evidence_kept()', t || '_kept', t);
        EXECUTE format('DROP TRIGGER IF EXISTS %I ON %I', t || '_no_truncate', t);
        EXECUTE format('CREATE TRIGGER %I BEFORE TRUNCATE ON %I FOR EACH STATEMENT '
                       'EXECUTE FUNCTION dalel_evidence_kept()', t || '_no_truncate', t);
    END LOOP;
END
$$;
