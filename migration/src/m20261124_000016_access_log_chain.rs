//! The access log becomes tamper-evident and append-only. Each row gets its kind (`READ` of a
//! child's data, or `CHANGE` to it) and a hash chained to the row before it
//! (`hash = SHA-256(prev_hash ‖ the row)`), so that an edited, removed or reordered row breaks
//! the chain where it is. Rows written before the chain existed are sealed, in order, when the
//! application next starts. Old rows leave only by a retention prune, which removes a prefix of
//! the chain and records the last removed hash in `audit_prunes` — itself chained — so the
//! rest still verifies. On PostgreSQL a trigger refuses UPDATE, DELETE and TRUNCATE on both
//! tables, except the sealing of unsealed rows and a prune, each of which announces itself
//! with a transaction-local setting.

use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum AccessLog {
    Table,
    Kind,
    PrevHash,
    Hash,
}

#[derive(DeriveIden)]
enum AuditPrunes {
    Table,
    Id,
    PrunedAt,
    ThroughId,
    ThroughHash,
    Rows,
    RetentionDays,
    PrunedBy,
    PrevHash,
    Hash,
}

const GUARD: &str = r"
CREATE OR REPLACE FUNCTION kit_audit_append_only() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' AND TG_TABLE_NAME = 'access_log'
     AND current_setting('kit.audit_prune', true) = 'on' THEN
    RETURN OLD;
  END IF;
  IF TG_OP = 'UPDATE' AND TG_TABLE_NAME = 'access_log' AND OLD.hash IS NULL
     AND current_setting('kit.audit_seal', true) = 'on' THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'insufficient_privilege';
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER access_log_append_only BEFORE UPDATE OR DELETE ON access_log
  FOR EACH ROW EXECUTE FUNCTION kit_audit_append_only();
CREATE TRIGGER access_log_no_truncate BEFORE TRUNCATE ON access_log
  FOR EACH STATEMENT EXECUTE FUNCTION kit_audit_append_only();
CREATE TRIGGER audit_prunes_append_only BEFORE UPDATE OR DELETE ON audit_prunes
  FOR EACH ROW EXECUTE FUNCTION kit_audit_append_only();
CREATE TRIGGER audit_prunes_no_truncate BEFORE TRUNCATE ON audit_prunes
  FOR EACH STATEMENT EXECUTE FUNCTION kit_audit_append_only();
";

const UNGUARD: &str = r"
DROP TRIGGER IF EXISTS access_log_append_only ON access_log;
DROP TRIGGER IF EXISTS access_log_no_truncate ON access_log;
DROP TRIGGER IF EXISTS audit_prunes_append_only ON audit_prunes;
DROP TRIGGER IF EXISTS audit_prunes_no_truncate ON audit_prunes;
DROP FUNCTION IF EXISTS kit_audit_append_only();
";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(AccessLog::Table)
                    .add_column(string_len(AccessLog::Kind, 8).default("READ"))
                    .to_owned(),
            )
            .await?;
        for column in [AccessLog::PrevHash, AccessLog::Hash] {
            manager
                .alter_table(
                    Table::alter()
                        .table(AccessLog::Table)
                        .add_column(string_len_null(column, 64))
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(AuditPrunes::Table)
                    .col(big_pk_auto(AuditPrunes::Id))
                    .col(timestamp_with_time_zone(AuditPrunes::PrunedAt))
                    .col(big_integer(AuditPrunes::ThroughId))
                    .col(string_len(AuditPrunes::ThroughHash, 64))
                    .col(big_integer(AuditPrunes::Rows))
                    .col(integer(AuditPrunes::RetentionDays))
                    .col(string_len(AuditPrunes::PrunedBy, 200))
                    .col(string_len(AuditPrunes::PrevHash, 64))
                    .col(string_len(AuditPrunes::Hash, 64))
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        if db.get_database_backend() == DbBackend::Postgres {
            db.execute_unprepared(GUARD).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        if db.get_database_backend() == DbBackend::Postgres {
            db.execute_unprepared(UNGUARD).await?;
        }
        manager
            .drop_table(Table::drop().table(AuditPrunes::Table).to_owned())
            .await?;
        for column in [AccessLog::Hash, AccessLog::PrevHash, AccessLog::Kind] {
            manager
                .alter_table(
                    Table::alter()
                        .table(AccessLog::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
