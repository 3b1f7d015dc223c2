//! Standard templates (seeds 000/001: "vejledninger og standardiserede skabeloner"): per
//! organization, the agenda of each meeting kind (items in priority order, which are closed),
//! the status note and the plan — each an ordered list of items kept as JSON, replacing the
//! product's default for that organization. Agenda items gain the guidance they came with and
//! their own minutes; an agreement names the agenda item it was agreed under.

use sea_orm_migration::{prelude::*, schema::*};

use crate::raw_index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Templates {
    Table,
    Id,
    OrganizationId,
    Kind,
    MeetingKind,
    Version,
    Items,
    UpdatedById,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum AgendaItems {
    Table,
    Guidance,
    Minutes,
}

#[derive(DeriveIden)]
enum Agreements {
    Table,
    AgendaItemId,
}

#[derive(DeriveIden)]
enum Organizations {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Professionals {
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
                    .table(Templates::Table)
                    .col(big_pk_auto(Templates::Id))
                    .col(big_integer(Templates::OrganizationId))
                    .col(string_len(Templates::Kind, 16))
                    .col(string_len_null(Templates::MeetingKind, 16))
                    .col(integer(Templates::Version))
                    .col(text(Templates::Items))
                    .col(big_integer(Templates::UpdatedById))
                    .col(timestamp_with_time_zone(Templates::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Templates::Table, Templates::OrganizationId)
                            .to(Organizations::Table, Organizations::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Templates::Table, Templates::UpdatedById)
                            .to(Professionals::Table, Professionals::Id),
                    )
                    .to_owned(),
            )
            .await?;
        // One template per organization and agenda kind, and one status note and plan each.
        raw_index(
            manager,
            "ux_templates_agenda",
            "templates",
            "organization_id, meeting_kind",
            true,
            Some("kind = 'AGENDA'"),
        )
        .await?;
        raw_index(
            manager,
            "ux_templates_document",
            "templates",
            "organization_id, kind",
            true,
            Some("kind <> 'AGENDA'"),
        )
        .await?;
        for column in [AgendaItems::Guidance, AgendaItems::Minutes] {
            manager
                .alter_table(
                    Table::alter()
                        .table(AgendaItems::Table)
                        .add_column(text_null(column))
                        .to_owned(),
                )
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Agreements::Table)
                    .add_column(big_integer_null(Agreements::AgendaItemId))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Agreements::Table)
                    .drop_column(Agreements::AgendaItemId)
                    .to_owned(),
            )
            .await?;
        for column in [AgendaItems::Guidance, AgendaItems::Minutes] {
            manager
                .alter_table(
                    Table::alter()
                        .table(AgendaItems::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .drop_table(Table::drop().table(Templates::Table).to_owned())
            .await
    }
}
