//! Login subjects are stored in lower case, so one login can never exist twice in different
//! case (`EVA.WINTHER@RM.EXAMPLE` beside `eva.winther@rm.example`): with the unique index on
//! `subject`, that makes them unique regardless of case. Tokens are matched the same way.
//!
//! Two existing professionals whose subjects differ only in case stop the migration with
//! both named; an administrator changes one of them first.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, Statement};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// In one transaction on every database, SQLite included: applied whole or not at all.
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let backend = db.get_database_backend();
        let rows = db
            .query_all_raw(Statement::from_string(
                backend,
                "SELECT id, subject FROM professionals ORDER BY id",
            ))
            .await?;
        let mut seen: std::collections::HashMap<String, (i64, String)> =
            std::collections::HashMap::new();
        let mut changes = Vec::new();
        for row in rows {
            let id: i64 = row.try_get("", "id")?;
            let subject: String = row.try_get("", "subject")?;
            let normal = subject.trim().to_lowercase();
            if let Some((other, theirs)) = seen.get(&normal) {
                return Err(DbErr::Migration(format!(
                    "professionals {other} ({theirs}) and {id} ({subject}) have the same login \
                     subject in different case; change one of them, then migrate again"
                )));
            }
            seen.insert(normal.clone(), (id, subject.clone()));
            if normal != subject {
                changes.push((id, normal));
            }
        }
        for (id, subject) in changes {
            db.execute_raw(Statement::from_sql_and_values(
                backend,
                match backend {
                    sea_orm_migration::sea_orm::DbBackend::Postgres => {
                        "UPDATE professionals SET subject = $1 WHERE id = $2"
                    }
                    _ => "UPDATE professionals SET subject = ? WHERE id = ?",
                },
                [subject.into(), id.into()],
            ))
            .await?;
        }
        Ok(())
    }

    async fn down(&self, _manager: &SchemaManager) -> Result<(), DbErr> {
        // The original case is not kept; lower-case subjects work with the earlier version.
        Ok(())
    }
}
