//! The access log at a region's scale.
//!
//! - **Several chains.** Each row belongs to one of a few hash chains (`chain`); an append
//!   takes whichever chain no other transaction holds (`audit_chain_heads`, one row per chain
//!   with its head hash, locked `FOR UPDATE SKIP LOCKED`), so appends from several processes
//!   no longer wait on one lock. Existing rows are chain 0.
//! - **Checkpoints.** `audit_checkpoints` records, per chain, the head a verification reached
//!   (the row, its time and hash); chained itself, append-only, exportable for an outside
//!   witness. `audit verify --since` starts from them.
//! - **Months (PostgreSQL).** `access_log` is partitioned by month of `read_at` (UTC);
//!   `kit_access_log_months(from, to)` creates the months in a range that are missing (a
//!   default partition takes the rows of a month without one), and retention detaches and
//!   drops whole months. PostgreSQL 15 has no identity column on a
//!   partitioned table: the id comes from the sequence `access_log_id_seq`. The rows are
//!   copied over in id order.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

const COLUMNS: &str = "id, read_at, professional_id, case_id, basis, what, operation, request_id, \
     client_request_id, kind, prev_hash, hash";

/// Creates the months of the log between two times that do not exist yet (UTC months), under
/// a lock so that two processes do not race; returns how many it created.
const MONTHS_FUNCTION: &str = r"
CREATE OR REPLACE FUNCTION kit_access_log_months(from_at timestamptz, to_at timestamptz)
RETURNS integer AS $$
DECLARE
  month timestamp := date_trunc('month', from_at AT TIME ZONE 'UTC');
  name text;
  made integer := 0;
BEGIN
  PERFORM pg_advisory_xact_lock(5497240015235026756);
  WHILE month <= to_at AT TIME ZONE 'UTC' LOOP
    name := 'access_log_' || to_char(month, 'YYYY_MM');
    -- A month whose rows went to the default partition (its table was missing when they
    -- came) stays there: the table cannot be made over them.
    IF to_regclass(name) IS NULL AND NOT EXISTS (
         SELECT 1 FROM access_log_default
         WHERE read_at >= (month AT TIME ZONE 'UTC')
           AND read_at < ((month + interval '1 month') AT TIME ZONE 'UTC')) THEN
      EXECUTE format(
        'CREATE TABLE %I PARTITION OF access_log FOR VALUES FROM (%L) TO (%L)',
        name, (month AT TIME ZONE 'UTC'), ((month + interval '1 month') AT TIME ZONE 'UTC'));
      made := made + 1;
    END IF;
    month := month + interval '1 month';
  END LOOP;
  RETURN made;
END
$$ LANGUAGE plpgsql;
";

/// The rows still to be sealed (none but after an upgrade from before the chain), found at
/// every start without reading the log.
const UNSEALED_INDEX: &str =
    "CREATE INDEX ix_access_log_unsealed ON access_log (id) WHERE hash IS NULL";

/// The guard's exceptions (a prune's delete, the sealing of unsealed rows) named the table;
/// a row trigger on a partition sees the partition's name.
const GUARD_FUNCTION: &str = r"
CREATE OR REPLACE FUNCTION kit_audit_append_only() RETURNS trigger AS $$
DECLARE
  log boolean := TG_TABLE_NAME = 'access_log' OR TG_TABLE_NAME LIKE 'access\_log\_%';
BEGIN
  IF TG_OP = 'DELETE' AND log AND current_setting('kit.audit_prune', true) = 'on' THEN
    RETURN OLD;
  END IF;
  IF TG_OP = 'UPDATE' AND log AND OLD.hash IS NULL
     AND current_setting('kit.audit_seal', true) = 'on' THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'insufficient_privilege';
END
$$ LANGUAGE plpgsql;
";

const GUARD_LOG: &str = r"
CREATE TRIGGER access_log_append_only BEFORE UPDATE OR DELETE ON access_log
  FOR EACH ROW EXECUTE FUNCTION kit_audit_append_only();
CREATE TRIGGER access_log_no_truncate BEFORE TRUNCATE ON access_log
  FOR EACH STATEMENT EXECUTE FUNCTION kit_audit_append_only();
";

const GUARD_CHECKPOINTS: &str = r"
CREATE TRIGGER audit_checkpoints_append_only BEFORE UPDATE OR DELETE ON audit_checkpoints
  FOR EACH ROW EXECUTE FUNCTION kit_audit_append_only();
CREATE TRIGGER audit_checkpoints_no_truncate BEFORE TRUNCATE ON audit_checkpoints
  FOR EACH STATEMENT EXECUTE FUNCTION kit_audit_append_only();
";

fn checkpoints_table(postgres: bool) -> String {
    let (pk, time, int) = if postgres {
        ("bigserial PRIMARY KEY", "timestamptz", "bigint")
    } else {
        (
            "integer NOT NULL PRIMARY KEY AUTOINCREMENT",
            "timestamp_with_timezone_text",
            "integer",
        )
    };
    format!(
        "CREATE TABLE audit_checkpoints (
            id {pk},
            made_at {time} NOT NULL,
            chain smallint NOT NULL,
            through_id {int} NOT NULL,
            through_at {time} NOT NULL,
            head_hash varchar(64) NOT NULL,
            rows {int} NOT NULL,
            made_by varchar(200) NOT NULL,
            prev_hash varchar(64) NOT NULL,
            hash varchar(64) NOT NULL
        )"
    )
}

fn heads_table(postgres: bool) -> String {
    let time = if postgres {
        "timestamptz"
    } else {
        "timestamp_with_timezone_text"
    };
    format!(
        "CREATE TABLE audit_chain_heads (
            chain smallint NOT NULL PRIMARY KEY,
            hash varchar(64) NOT NULL,
            at {time} NULL
        )"
    )
}

/// Chain 0 continues from the log as it is: its last row, else the last prune's anchor.
fn first_head() -> String {
    format!(
        "INSERT INTO audit_chain_heads (chain, hash, at) VALUES (0,
            COALESCE(
                (SELECT hash FROM access_log WHERE hash IS NOT NULL ORDER BY id DESC LIMIT 1),
                (SELECT through_hash FROM audit_prunes ORDER BY id DESC LIMIT 1),
                '{GENESIS}'),
            (SELECT read_at FROM access_log WHERE hash IS NOT NULL ORDER BY id DESC LIMIT 1))"
    )
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let postgres = db.get_database_backend() == DbBackend::Postgres;
        db.execute_unprepared(&heads_table(postgres)).await?;
        db.execute_unprepared(&first_head()).await?;
        db.execute_unprepared(&checkpoints_table(postgres)).await?;
        db.execute_unprepared(
            "CREATE INDEX ix_audit_checkpoints_chain ON audit_checkpoints (chain, through_id)",
        )
        .await?;
        db.execute_unprepared(
            "ALTER TABLE audit_prunes ADD COLUMN chain smallint NOT NULL DEFAULT 0",
        )
        .await?;
        if !postgres {
            db.execute_unprepared(
                "ALTER TABLE access_log ADD COLUMN chain smallint NOT NULL DEFAULT 0",
            )
            .await?;
            db.execute_unprepared("CREATE INDEX ix_access_log_chain ON access_log (chain, id)")
                .await?;
            db.execute_unprepared(UNSEALED_INDEX).await?;
            return Ok(());
        }
        for statement in [
            "ALTER TABLE access_log RENAME TO access_log_unpartitioned",
            "DROP TRIGGER access_log_append_only ON access_log_unpartitioned",
            "DROP TRIGGER access_log_no_truncate ON access_log_unpartitioned",
            "DROP INDEX ix_access_log_case",
            "DROP INDEX ix_access_log_professional",
            "ALTER TABLE access_log_unpartitioned ALTER COLUMN id DROP IDENTITY",
            "CREATE SEQUENCE access_log_id_seq",
            "SELECT setval('access_log_id_seq', \
                COALESCE((SELECT max(id) FROM access_log_unpartitioned), 0) + 1, false)",
            "CREATE TABLE access_log (
                id bigint NOT NULL DEFAULT nextval('access_log_id_seq'),
                read_at timestamptz NOT NULL,
                professional_id bigint NOT NULL,
                case_id bigint NOT NULL,
                basis varchar(16) NOT NULL,
                what varchar(200) NOT NULL,
                operation varchar(200) NOT NULL,
                request_id varchar(64) NOT NULL,
                client_request_id varchar(64) NULL,
                kind varchar(8) NOT NULL DEFAULT 'READ',
                prev_hash varchar(64) NULL,
                hash varchar(64) NULL,
                chain smallint NOT NULL DEFAULT 0,
                PRIMARY KEY (id, read_at)
            ) PARTITION BY RANGE (read_at)",
            "ALTER SEQUENCE access_log_id_seq OWNED BY access_log.id",
            // Rows of a month whose table is missing (a clock far ahead, the worker down for
            // months) land here rather than fail the request that read a child's data.
            "CREATE TABLE access_log_default PARTITION OF access_log DEFAULT",
            MONTHS_FUNCTION,
            "SELECT kit_access_log_months(
                COALESCE((SELECT min(read_at) FROM access_log_unpartitioned), now()),
                now() + interval '2 months')",
        ] {
            db.execute_unprepared(statement).await?;
        }
        db.execute_unprepared(&format!(
            "INSERT INTO access_log ({COLUMNS}, chain) \
             SELECT {COLUMNS}, 0 FROM access_log_unpartitioned ORDER BY id"
        ))
        .await?;
        for statement in [
            "DROP TABLE access_log_unpartitioned",
            "CREATE INDEX ix_access_log_case ON access_log (case_id, id)",
            "CREATE INDEX ix_access_log_professional ON access_log (professional_id, id)",
            "CREATE INDEX ix_access_log_chain ON access_log (chain, id)",
            UNSEALED_INDEX,
            GUARD_FUNCTION,
            GUARD_LOG,
            GUARD_CHECKPOINTS,
        ] {
            db.execute_unprepared(statement).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let postgres = db.get_database_backend() == DbBackend::Postgres;
        if postgres {
            for statement in [
                "DROP TRIGGER access_log_append_only ON access_log",
                "DROP TRIGGER access_log_no_truncate ON access_log",
                "ALTER TABLE access_log RENAME TO access_log_partitioned",
                "DROP INDEX ix_access_log_case",
                "DROP INDEX ix_access_log_professional",
                "DROP INDEX ix_access_log_chain",
                "DROP INDEX ix_access_log_unsealed",
                "CREATE TABLE access_log (
                    id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
                    read_at timestamptz NOT NULL,
                    professional_id bigint NOT NULL,
                    case_id bigint NOT NULL,
                    basis varchar(16) NOT NULL,
                    what varchar(200) NOT NULL,
                    operation varchar(200) NOT NULL,
                    request_id varchar(64) NOT NULL,
                    client_request_id varchar(64) NULL,
                    kind varchar(8) NOT NULL DEFAULT 'READ',
                    prev_hash varchar(64) NULL,
                    hash varchar(64) NULL
                )",
            ] {
                db.execute_unprepared(statement).await?;
            }
            db.execute_unprepared(&format!(
                "INSERT INTO access_log ({COLUMNS}) \
                 SELECT {COLUMNS} FROM access_log_partitioned ORDER BY id"
            ))
            .await?;
            for statement in [
                "SELECT setval(pg_get_serial_sequence('access_log', 'id'), \
                    COALESCE((SELECT max(id) FROM access_log), 0) + 1, false)",
                "DROP TABLE access_log_partitioned",
                "DROP FUNCTION kit_access_log_months(timestamptz, timestamptz)",
                "CREATE INDEX ix_access_log_case ON access_log (case_id, id)",
                "CREATE INDEX ix_access_log_professional ON access_log (professional_id, id)",
                GUARD_LOG,
            ] {
                db.execute_unprepared(statement).await?;
            }
        } else {
            db.execute_unprepared("DROP INDEX ix_access_log_chain")
                .await?;
            db.execute_unprepared("DROP INDEX ix_access_log_unsealed")
                .await?;
            db.execute_unprepared("ALTER TABLE access_log DROP COLUMN chain")
                .await?;
        }
        db.execute_unprepared("ALTER TABLE audit_prunes DROP COLUMN chain")
            .await?;
        db.execute_unprepared("DROP TABLE audit_checkpoints")
            .await?;
        db.execute_unprepared("DROP TABLE audit_chain_heads")
            .await?;
        Ok(())
    }
}
