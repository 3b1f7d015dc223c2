//! Every change to a case's meetings and deadlines is announced to live subscribers
//! (`caseChanged`), whoever makes it — an API process, the worker scheduling a meeting or
//! sweeping a deadline past due, the command line, an operator's SQL — by triggers on the two
//! tables, so that no write path can forget to.
//!
//! PostgreSQL: the trigger sends `NOTIFY kit_case_changes` with `<case id>:<MEETING|DEADLINE>:
//! <row id>`, heard by every API process after the change commits, in commit order. SQLite (one
//! writer; the worker runs in the API's process, or beside it on the same file): the trigger
//! appends to `case_changes`, which every API process reads on by id.
//!
//! A deadline counts as changed when its status, due time or responsible person does — not
//! when the sweeper only moves its next reminder.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

const SQLITE_UP: &[&str] = &[
    "CREATE TABLE case_changes (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        case_id BIGINT NOT NULL,
        what VARCHAR(16) NOT NULL,
        subject_id BIGINT NOT NULL
    )",
    "CREATE TRIGGER meetings_inserted AFTER INSERT ON meetings BEGIN
        INSERT INTO case_changes (case_id, what, subject_id) VALUES (NEW.case_id, 'MEETING', NEW.id);
    END",
    "CREATE TRIGGER meetings_updated AFTER UPDATE ON meetings BEGIN
        INSERT INTO case_changes (case_id, what, subject_id) VALUES (NEW.case_id, 'MEETING', NEW.id);
    END",
    "CREATE TRIGGER deadlines_inserted AFTER INSERT ON deadlines BEGIN
        INSERT INTO case_changes (case_id, what, subject_id) VALUES (NEW.case_id, 'DEADLINE', NEW.id);
    END",
    "CREATE TRIGGER deadlines_updated AFTER UPDATE OF status, due_at, responsible_id ON deadlines BEGIN
        INSERT INTO case_changes (case_id, what, subject_id) VALUES (NEW.case_id, 'DEADLINE', NEW.id);
    END",
];

const SQLITE_DOWN: &[&str] = &[
    "DROP TRIGGER IF EXISTS meetings_inserted",
    "DROP TRIGGER IF EXISTS meetings_updated",
    "DROP TRIGGER IF EXISTS deadlines_inserted",
    "DROP TRIGGER IF EXISTS deadlines_updated",
    "DROP TABLE IF EXISTS case_changes",
];

const POSTGRES_UP: &[&str] = &[
    "CREATE FUNCTION kit_case_changed() RETURNS trigger LANGUAGE plpgsql AS $$
     BEGIN
       PERFORM pg_notify('kit_case_changes', NEW.case_id || ':' || TG_ARGV[0] || ':' || NEW.id);
       RETURN NULL;
     END $$",
    "CREATE TRIGGER meetings_changed AFTER INSERT OR UPDATE ON meetings
     FOR EACH ROW EXECUTE FUNCTION kit_case_changed('MEETING')",
    "CREATE TRIGGER deadlines_inserted AFTER INSERT ON deadlines
     FOR EACH ROW EXECUTE FUNCTION kit_case_changed('DEADLINE')",
    "CREATE TRIGGER deadlines_updated AFTER UPDATE OF status, due_at, responsible_id ON deadlines
     FOR EACH ROW EXECUTE FUNCTION kit_case_changed('DEADLINE')",
];

const POSTGRES_DOWN: &[&str] = &[
    "DROP TRIGGER IF EXISTS meetings_changed ON meetings",
    "DROP TRIGGER IF EXISTS deadlines_inserted ON deadlines",
    "DROP TRIGGER IF EXISTS deadlines_updated ON deadlines",
    "DROP FUNCTION IF EXISTS kit_case_changed()",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let statements = match db.get_database_backend() {
            DbBackend::Postgres => POSTGRES_UP,
            _ => SQLITE_UP,
        };
        for statement in statements {
            db.execute_unprepared(statement).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let statements = match db.get_database_backend() {
            DbBackend::Postgres => POSTGRES_DOWN,
            _ => SQLITE_DOWN,
        };
        for statement in statements {
            db.execute_unprepared(statement).await?;
        }
        Ok(())
    }
}
