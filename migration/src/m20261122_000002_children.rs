//! Children and their family members.

use sea_orm_migration::{prelude::*, schema::*};

use crate::raw_index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub(crate) enum Children {
    Table,
    Id,
    Name,
    NameSearch,
    DateOfBirth,
    Cpr,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum FamilyMembers {
    Table,
    Id,
    ChildId,
    Name,
    Relation,
    HasCustody,
    Email,
    Phone,
    Language,
    CreatedAt,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// In one transaction on every database, SQLite included: applied whole or not at all,
    /// and committed (synced to disk) once rather than once per statement.
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Children::Table)
                    .col(big_pk_auto(Children::Id))
                    .col(string(Children::Name))
                    .col(string(Children::NameSearch))
                    .col(date(Children::DateOfBirth))
                    .col(string_len_null(Children::Cpr, 10).unique_key())
                    .col(timestamp_with_time_zone(Children::CreatedAt))
                    .col(timestamp_with_time_zone(Children::UpdatedAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(FamilyMembers::Table)
                    .col(big_pk_auto(FamilyMembers::Id))
                    .col(big_integer(FamilyMembers::ChildId))
                    .col(string(FamilyMembers::Name))
                    .col(string_len(FamilyMembers::Relation, 32))
                    .col(boolean(FamilyMembers::HasCustody))
                    .col(string_null(FamilyMembers::Email))
                    .col(string_null(FamilyMembers::Phone))
                    .col(string_len(FamilyMembers::Language, 8))
                    .col(timestamp_with_time_zone(FamilyMembers::CreatedAt))
                    .col(timestamp_with_time_zone(FamilyMembers::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_family_members_child")
                            .from(FamilyMembers::Table, FamilyMembers::ChildId)
                            .to(Children::Table, Children::Id),
                    )
                    .to_owned(),
            )
            .await?;
        raw_index(
            manager,
            "ix_family_members_child",
            "family_members",
            "child_id",
            false,
            None,
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(FamilyMembers::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Children::Table).to_owned())
            .await
    }
}
