//! Consents: a guardian's (or a young person's own) consent to share information about the
//! child between named organizations, for a purpose, from a date until a date or until it is
//! withdrawn. A withdrawn consent stays, with who withdrew it and when: what was allowed when
//! is part of the record.

use sea_orm_migration::{prelude::*, schema::*};

use crate::raw_index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Consents {
    Table,
    Id,
    CaseId,
    GivenByFamilyMemberId,
    GivenByChild,
    Purpose,
    ValidFrom,
    ValidUntil,
    Basis,
    RecordedById,
    RecordedAt,
    WithdrawnAt,
    WithdrawnById,
    WithdrawalReason,
}

#[derive(DeriveIden)]
enum ConsentOrganizations {
    Table,
    ConsentId,
    OrganizationId,
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
enum Organizations {
    Table,
    Id,
}

fn fk(
    name: &str,
    from: (impl IntoIden, impl IntoIden),
    to: (impl IntoIden, impl IntoIden),
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(from.0, from.1)
        .to(to.0, to.1)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// In one transaction on every database, SQLite included: applied whole or not at all.
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Consents::Table)
                    .col(big_pk_auto(Consents::Id))
                    .col(big_integer(Consents::CaseId))
                    .col(big_integer_null(Consents::GivenByFamilyMemberId))
                    .col(boolean(Consents::GivenByChild))
                    .col(string_len(Consents::Purpose, 32))
                    .col(timestamp_with_time_zone(Consents::ValidFrom))
                    .col(timestamp_with_time_zone_null(Consents::ValidUntil))
                    .col(text(Consents::Basis))
                    .col(big_integer(Consents::RecordedById))
                    .col(timestamp_with_time_zone(Consents::RecordedAt))
                    .col(timestamp_with_time_zone_null(Consents::WithdrawnAt))
                    .col(big_integer_null(Consents::WithdrawnById))
                    .col(text_null(Consents::WithdrawalReason))
                    .foreign_key(&mut fk(
                        "fk_consents_case",
                        (Consents::Table, Consents::CaseId),
                        (Cases::Table, Cases::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_consents_given_by",
                        (Consents::Table, Consents::GivenByFamilyMemberId),
                        (FamilyMembers::Table, FamilyMembers::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_consents_recorded_by",
                        (Consents::Table, Consents::RecordedById),
                        (Professionals::Table, Professionals::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_consents_withdrawn_by",
                        (Consents::Table, Consents::WithdrawnById),
                        (Professionals::Table, Professionals::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        raw_index(
            manager,
            "ix_consents_case",
            "consents",
            "case_id, id",
            false,
            None,
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table(ConsentOrganizations::Table)
                    .col(big_integer(ConsentOrganizations::ConsentId))
                    .col(big_integer(ConsentOrganizations::OrganizationId))
                    .primary_key(
                        Index::create()
                            .col(ConsentOrganizations::ConsentId)
                            .col(ConsentOrganizations::OrganizationId),
                    )
                    .foreign_key(&mut fk(
                        "fk_consent_organizations_consent",
                        (ConsentOrganizations::Table, ConsentOrganizations::ConsentId),
                        (Consents::Table, Consents::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_consent_organizations_organization",
                        (
                            ConsentOrganizations::Table,
                            ConsentOrganizations::OrganizationId,
                        ),
                        (Organizations::Table, Organizations::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ConsentOrganizations::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Consents::Table).to_owned())
            .await
    }
}
