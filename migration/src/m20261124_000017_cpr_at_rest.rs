//! CPR numbers encrypted at rest. `children.cpr` and `referrals.submitted_cpr` hold sealed
//! numbers (`v1:<key id>:<base64>`, see `kit_entity::infra::cpr_vault`), longer than the ten
//! digits they held; `children.cpr_hmac` holds the keyed hash a number is found by, unique per
//! child. The numbers already stored are sealed by the application at its next start, which
//! holds the key; the migration never sees it.

use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};
use sea_orm_migration::{prelude::*, schema::*};

use crate::raw_index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Children {
    Table,
    CprHmac,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Children::Table)
                    .add_column(string_len_null(Children::CprHmac, 64))
                    .to_owned(),
            )
            .await?;
        raw_index(
            manager,
            "ux_children_cpr_hmac",
            "children",
            "cpr_hmac",
            true,
            None,
        )
        .await?;
        let db = manager.get_connection();
        if db.get_database_backend() == DbBackend::Postgres {
            // SQLite does not enforce lengths.
            db.execute_unprepared(
                "ALTER TABLE children ALTER COLUMN cpr TYPE varchar(128); \
                 ALTER TABLE referrals ALTER COLUMN submitted_cpr TYPE varchar(128);",
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("DROP INDEX IF EXISTS ux_children_cpr_hmac")
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Children::Table)
                    .drop_column(Children::CprHmac)
                    .to_owned(),
            )
            .await
    }
}
