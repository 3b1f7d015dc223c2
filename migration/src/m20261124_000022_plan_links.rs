//! The family's links to the plan: a guardian with custody or the young person (15+) gets a
//! personal, signed, expiring, revocable link to the current plan; every reading through it is
//! recorded. The e-mail that carries a link is an outbox row like any other.

use sea_orm_migration::{prelude::*, schema::*};

use crate::raw_index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum PlanLinks {
    Table,
    Id,
    CaseId,
    FamilyMemberId,
    YoungPerson,
    Email,
    Language,
    ExpiresAt,
    CreatedById,
    CreatedAt,
    RevokedAt,
    RevokedById,
}

#[derive(DeriveIden)]
enum PlanLinkReads {
    Table,
    Id,
    PlanLinkId,
    PlanVersionId,
    Format,
    ReadAt,
}

#[derive(DeriveIden)]
enum Deliveries {
    Table,
    PlanLinkId,
}

#[derive(DeriveIden)]
enum Cases {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum FamilyMembers {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Professionals {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum PlanVersions {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(PlanLinks::Table)
                    .col(big_pk_auto(PlanLinks::Id))
                    .col(big_integer(PlanLinks::CaseId))
                    .col(big_integer_null(PlanLinks::FamilyMemberId))
                    .col(boolean(PlanLinks::YoungPerson).default(false))
                    .col(string_len(PlanLinks::Email, 320))
                    .col(string_len(PlanLinks::Language, 8))
                    .col(timestamp_with_time_zone(PlanLinks::ExpiresAt))
                    .col(big_integer(PlanLinks::CreatedById))
                    .col(timestamp_with_time_zone(PlanLinks::CreatedAt))
                    .col(timestamp_with_time_zone_null(PlanLinks::RevokedAt))
                    .col(big_integer_null(PlanLinks::RevokedById))
                    .foreign_key(
                        ForeignKey::create()
                            .from(PlanLinks::Table, PlanLinks::CaseId)
                            .to(Cases::Table, Cases::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(PlanLinks::Table, PlanLinks::FamilyMemberId)
                            .to(FamilyMembers::Table, FamilyMembers::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(PlanLinks::Table, PlanLinks::CreatedById)
                            .to(Professionals::Table, Professionals::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(PlanLinks::Table, PlanLinks::RevokedById)
                            .to(Professionals::Table, Professionals::Id),
                    )
                    .to_owned(),
            )
            .await?;
        raw_index(
            manager,
            "ix_plan_links_case",
            "plan_links",
            "case_id, created_at",
            false,
            None,
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table(PlanLinkReads::Table)
                    .col(big_pk_auto(PlanLinkReads::Id))
                    .col(big_integer(PlanLinkReads::PlanLinkId))
                    .col(big_integer(PlanLinkReads::PlanVersionId))
                    .col(string_len(PlanLinkReads::Format, 8))
                    .col(timestamp_with_time_zone(PlanLinkReads::ReadAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(PlanLinkReads::Table, PlanLinkReads::PlanLinkId)
                            .to(PlanLinks::Table, PlanLinks::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(PlanLinkReads::Table, PlanLinkReads::PlanVersionId)
                            .to(PlanVersions::Table, PlanVersions::Id),
                    )
                    .to_owned(),
            )
            .await?;
        raw_index(
            manager,
            "ix_plan_link_reads_link",
            "plan_link_reads",
            "plan_link_id, read_at",
            false,
            None,
        )
        .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Deliveries::Table)
                    .add_column(big_integer_null(Deliveries::PlanLinkId))
                    .to_owned(),
            )
            .await?;
        raw_index(
            manager,
            "ux_deliveries_plan_link",
            "deliveries",
            "plan_link_id",
            true,
            Some("plan_link_id IS NOT NULL"),
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("DROP INDEX ux_deliveries_plan_link")
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Deliveries::Table)
                    .drop_column(Deliveries::PlanLinkId)
                    .to_owned(),
            )
            .await?;
        for table in [
            PlanLinkReads::Table.into_iden(),
            PlanLinks::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
