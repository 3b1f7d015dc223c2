//! Cases, their referrals, their status history and their participants.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261122_000001_organizations::{Organizations, Professionals};
use crate::m20261122_000002_children::Children;
use crate::raw_index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Cases {
    Table,
    Id,
    Reference,
    ChildId,
    MunicipalityId,
    Status,
    RedirectedTo,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Referrals {
    Table,
    Id,
    CaseId,
    Source,
    ReceivedAt,
    Reason,
    ReferrerName,
    ReferrerOrganization,
    SubmittedById,
    CreatedAt,
}

#[derive(DeriveIden)]
enum CaseStatusChanges {
    Table,
    Id,
    CaseId,
    FromStatus,
    ToStatus,
    Reason,
    ChangedById,
    ChangedAt,
}

#[derive(DeriveIden)]
enum Participants {
    Table,
    Id,
    CaseId,
    Kind,
    Role,
    Sector,
    ProfessionalId,
    FamilyMemberId,
    ExternalName,
    ExternalEmail,
    ExternalPhone,
    ExternalOrganization,
    ActiveFrom,
    ActiveUntil,
    EndReason,
    AddedById,
    EndedById,
}

#[derive(DeriveIden)]
enum FamilyMembers {
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
    /// In one transaction on every database, SQLite included: applied whole or not at all,
    /// and committed (synced to disk) once rather than once per statement.
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Cases::Table)
                    .col(big_pk_auto(Cases::Id))
                    .col(string_uniq(Cases::Reference))
                    .col(big_integer(Cases::ChildId))
                    .col(big_integer(Cases::MunicipalityId))
                    .col(string_len(Cases::Status, 16))
                    .col(string_null(Cases::RedirectedTo))
                    .col(timestamp_with_time_zone(Cases::CreatedAt))
                    .col(timestamp_with_time_zone(Cases::UpdatedAt))
                    .foreign_key(&mut fk(
                        "fk_cases_child",
                        (Cases::Table, Cases::ChildId),
                        (Children::Table, Children::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_cases_municipality",
                        (Cases::Table, Cases::MunicipalityId),
                        (Organizations::Table, Organizations::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        raw_index(
            manager,
            "ix_cases_municipality",
            "cases",
            "municipality_id, id",
            false,
            None,
        )
        .await?;
        raw_index(manager, "ix_cases_child", "cases", "child_id", false, None).await?;
        raw_index(
            manager,
            "ix_cases_status",
            "cases",
            "status, id",
            false,
            None,
        )
        .await?;
        raw_index(
            manager,
            "ix_cases_updated",
            "cases",
            "updated_at, id",
            false,
            None,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(Referrals::Table)
                    .col(big_pk_auto(Referrals::Id))
                    .col(big_integer_uniq(Referrals::CaseId))
                    .col(string_len(Referrals::Source, 32))
                    .col(timestamp_with_time_zone(Referrals::ReceivedAt))
                    .col(text(Referrals::Reason))
                    .col(string_null(Referrals::ReferrerName))
                    .col(string_null(Referrals::ReferrerOrganization))
                    .col(big_integer(Referrals::SubmittedById))
                    .col(timestamp_with_time_zone(Referrals::CreatedAt))
                    .foreign_key(&mut fk(
                        "fk_referrals_case",
                        (Referrals::Table, Referrals::CaseId),
                        (Cases::Table, Cases::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_referrals_submitted_by",
                        (Referrals::Table, Referrals::SubmittedById),
                        (Professionals::Table, Professionals::Id),
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(CaseStatusChanges::Table)
                    .col(big_pk_auto(CaseStatusChanges::Id))
                    .col(big_integer(CaseStatusChanges::CaseId))
                    .col(string_len_null(CaseStatusChanges::FromStatus, 16))
                    .col(string_len(CaseStatusChanges::ToStatus, 16))
                    .col(text(CaseStatusChanges::Reason))
                    .col(big_integer(CaseStatusChanges::ChangedById))
                    .col(timestamp_with_time_zone(CaseStatusChanges::ChangedAt))
                    .foreign_key(&mut fk(
                        "fk_case_status_changes_case",
                        (CaseStatusChanges::Table, CaseStatusChanges::CaseId),
                        (Cases::Table, Cases::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_case_status_changes_changed_by",
                        (CaseStatusChanges::Table, CaseStatusChanges::ChangedById),
                        (Professionals::Table, Professionals::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        raw_index(
            manager,
            "ix_case_status_changes_case",
            "case_status_changes",
            "case_id, id",
            false,
            None,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(Participants::Table)
                    .col(big_pk_auto(Participants::Id))
                    .col(big_integer(Participants::CaseId))
                    .col(string_len(Participants::Kind, 32))
                    .col(string_len(Participants::Role, 32))
                    .col(string_len(Participants::Sector, 32))
                    .col(big_integer_null(Participants::ProfessionalId))
                    .col(big_integer_null(Participants::FamilyMemberId))
                    .col(string_null(Participants::ExternalName))
                    .col(string_null(Participants::ExternalEmail))
                    .col(string_null(Participants::ExternalPhone))
                    .col(string_null(Participants::ExternalOrganization))
                    .col(timestamp_with_time_zone(Participants::ActiveFrom))
                    .col(timestamp_with_time_zone_null(Participants::ActiveUntil))
                    .col(text_null(Participants::EndReason))
                    .col(big_integer(Participants::AddedById))
                    .col(big_integer_null(Participants::EndedById))
                    .foreign_key(&mut fk(
                        "fk_participants_case",
                        (Participants::Table, Participants::CaseId),
                        (Cases::Table, Cases::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_participants_professional",
                        (Participants::Table, Participants::ProfessionalId),
                        (Professionals::Table, Professionals::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_participants_family_member",
                        (Participants::Table, Participants::FamilyMemberId),
                        (FamilyMembers::Table, FamilyMembers::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_participants_added_by",
                        (Participants::Table, Participants::AddedById),
                        (Professionals::Table, Professionals::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_participants_ended_by",
                        (Participants::Table, Participants::EndedById),
                        (Professionals::Table, Professionals::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        raw_index(
            manager,
            "ix_participants_case",
            "participants",
            "case_id",
            false,
            None,
        )
        .await?;
        // Access decisions look up a professional's active participations.
        raw_index(
            manager,
            "ix_participants_active_professional",
            "participants",
            "professional_id, case_id",
            false,
            Some("active_until IS NULL"),
        )
        .await?;
        // The KIT rule: at most one active responsible contact per sector per case.
        raw_index(
            manager,
            "ux_participants_one_responsible_contact_per_sector",
            "participants",
            "case_id, sector",
            true,
            Some("role = 'RESPONSIBLE_CONTACT' AND active_until IS NULL"),
        )
        .await?;
        // Nobody holds the same role twice at the same time.
        raw_index(
            manager,
            "ux_participants_active_professional_role",
            "participants",
            "case_id, professional_id, role",
            true,
            Some("active_until IS NULL AND professional_id IS NOT NULL"),
        )
        .await?;
        raw_index(
            manager,
            "ux_participants_active_family_member",
            "participants",
            "case_id, family_member_id",
            true,
            Some("active_until IS NULL AND family_member_id IS NOT NULL"),
        )
        .await?;
        raw_index(
            manager,
            "ux_participants_active_child",
            "participants",
            "case_id",
            true,
            Some("active_until IS NULL AND kind = 'CHILD'"),
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Participants::Table.into_iden(),
            CaseStatusChanges::Table.into_iden(),
            Referrals::Table.into_iden(),
            Cases::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
