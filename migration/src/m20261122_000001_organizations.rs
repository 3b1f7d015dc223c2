//! Organizations, their units, and the professionals who work in them.

use sea_orm_migration::{prelude::*, schema::*};

use crate::raw_index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub(crate) enum Organizations {
    Table,
    Id,
    Name,
    Kind,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
pub(crate) enum Units {
    Table,
    Id,
    OrganizationId,
    Name,
    IsIntake,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
pub(crate) enum Professionals {
    Table,
    Id,
    Subject,
    Name,
    Title,
    Email,
    Phone,
    UnitId,
    LeadsUnitId,
    IsAdmin,
    IsActive,
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
                    .table(Organizations::Table)
                    .col(big_pk_auto(Organizations::Id))
                    .col(string(Organizations::Name))
                    .col(string_len(Organizations::Kind, 32))
                    .col(timestamp_with_time_zone(Organizations::CreatedAt))
                    .col(timestamp_with_time_zone(Organizations::UpdatedAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Units::Table)
                    .col(big_pk_auto(Units::Id))
                    .col(big_integer(Units::OrganizationId))
                    .col(string(Units::Name))
                    .col(boolean(Units::IsIntake))
                    .col(timestamp_with_time_zone(Units::CreatedAt))
                    .col(timestamp_with_time_zone(Units::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_units_organization")
                            .from(Units::Table, Units::OrganizationId)
                            .to(Organizations::Table, Organizations::Id),
                    )
                    .to_owned(),
            )
            .await?;
        raw_index(
            manager,
            "ix_units_organization",
            "units",
            "organization_id",
            false,
            None,
        )
        .await?;
        // One single entry point per organization.
        raw_index(
            manager,
            "ux_units_one_intake_per_organization",
            "units",
            "organization_id",
            true,
            Some("is_intake"),
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(Professionals::Table)
                    .col(big_pk_auto(Professionals::Id))
                    .col(string_uniq(Professionals::Subject))
                    .col(string(Professionals::Name))
                    .col(string(Professionals::Title))
                    .col(string(Professionals::Email))
                    .col(string_null(Professionals::Phone))
                    .col(big_integer(Professionals::UnitId))
                    .col(big_integer_null(Professionals::LeadsUnitId))
                    .col(boolean(Professionals::IsAdmin))
                    .col(boolean(Professionals::IsActive))
                    .col(string_len(Professionals::Language, 8))
                    .col(timestamp_with_time_zone(Professionals::CreatedAt))
                    .col(timestamp_with_time_zone(Professionals::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_professionals_unit")
                            .from(Professionals::Table, Professionals::UnitId)
                            .to(Units::Table, Units::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_professionals_leads_unit")
                            .from(Professionals::Table, Professionals::LeadsUnitId)
                            .to(Units::Table, Units::Id),
                    )
                    .to_owned(),
            )
            .await?;
        raw_index(
            manager,
            "ix_professionals_unit",
            "professionals",
            "unit_id",
            false,
            None,
        )
        .await?;
        raw_index(
            manager,
            "ix_professionals_leads_unit",
            "professionals",
            "leads_unit_id",
            false,
            Some("leads_unit_id IS NOT NULL"),
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Professionals::Table.into_iden(),
            Units::Table.into_iden(),
            Organizations::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
