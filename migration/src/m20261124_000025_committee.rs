//! The single entry point's coordination committee: meetings of a municipality with their
//! members and an agenda of referrals, and the decision recorded on each. Invitations to a
//! committee meeting are outbox rows like any other.

use sea_orm_migration::{prelude::*, schema::*};

use crate::raw_index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum CommitteeMeetings {
    Table,
    Id,
    MunicipalityId,
    StartsAt,
    EndsAt,
    Location,
    OrganizerId,
    Status,
    Sequence,
    CreatedAt,
}

#[derive(DeriveIden)]
enum CommitteeMembers {
    Table,
    Id,
    CommitteeMeetingId,
    ProfessionalId,
}

#[derive(DeriveIden)]
enum CommitteeAgendaItems {
    Table,
    Id,
    CommitteeMeetingId,
    CaseId,
    Position,
    Decision,
    Reason,
    OfferId,
    DecidedAt,
    DecidedById,
}

#[derive(DeriveIden)]
enum Deliveries {
    Table,
    CommitteeMeetingId,
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

#[derive(DeriveIden)]
enum Cases {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum EarlyInterventionOffers {
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
                    .table(CommitteeMeetings::Table)
                    .col(big_pk_auto(CommitteeMeetings::Id))
                    .col(big_integer(CommitteeMeetings::MunicipalityId))
                    .col(timestamp_with_time_zone(CommitteeMeetings::StartsAt))
                    .col(timestamp_with_time_zone(CommitteeMeetings::EndsAt))
                    .col(string_len_null(CommitteeMeetings::Location, 500))
                    .col(big_integer(CommitteeMeetings::OrganizerId))
                    .col(string_len(CommitteeMeetings::Status, 16).default("SCHEDULED"))
                    .col(integer(CommitteeMeetings::Sequence).default(0))
                    .col(timestamp_with_time_zone(CommitteeMeetings::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(CommitteeMeetings::Table, CommitteeMeetings::MunicipalityId)
                            .to(Organizations::Table, Organizations::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(CommitteeMeetings::Table, CommitteeMeetings::OrganizerId)
                            .to(Professionals::Table, Professionals::Id),
                    )
                    .to_owned(),
            )
            .await?;
        raw_index(
            manager,
            "ix_committee_meetings_municipality",
            "committee_meetings",
            "municipality_id, starts_at",
            false,
            None,
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table(CommitteeMembers::Table)
                    .col(big_pk_auto(CommitteeMembers::Id))
                    .col(big_integer(CommitteeMembers::CommitteeMeetingId))
                    .col(big_integer(CommitteeMembers::ProfessionalId))
                    .foreign_key(
                        ForeignKey::create()
                            .from(
                                CommitteeMembers::Table,
                                CommitteeMembers::CommitteeMeetingId,
                            )
                            .to(CommitteeMeetings::Table, CommitteeMeetings::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(CommitteeMembers::Table, CommitteeMembers::ProfessionalId)
                            .to(Professionals::Table, Professionals::Id),
                    )
                    .to_owned(),
            )
            .await?;
        raw_index(
            manager,
            "ux_committee_members",
            "committee_members",
            "committee_meeting_id, professional_id",
            true,
            None,
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table(CommitteeAgendaItems::Table)
                    .col(big_pk_auto(CommitteeAgendaItems::Id))
                    .col(big_integer(CommitteeAgendaItems::CommitteeMeetingId))
                    .col(big_integer(CommitteeAgendaItems::CaseId))
                    .col(integer(CommitteeAgendaItems::Position))
                    .col(string_len_null(CommitteeAgendaItems::Decision, 16))
                    .col(text_null(CommitteeAgendaItems::Reason))
                    .col(big_integer_null(CommitteeAgendaItems::OfferId))
                    .col(timestamp_with_time_zone_null(
                        CommitteeAgendaItems::DecidedAt,
                    ))
                    .col(big_integer_null(CommitteeAgendaItems::DecidedById))
                    .foreign_key(
                        ForeignKey::create()
                            .from(
                                CommitteeAgendaItems::Table,
                                CommitteeAgendaItems::CommitteeMeetingId,
                            )
                            .to(CommitteeMeetings::Table, CommitteeMeetings::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(CommitteeAgendaItems::Table, CommitteeAgendaItems::CaseId)
                            .to(Cases::Table, Cases::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(CommitteeAgendaItems::Table, CommitteeAgendaItems::OfferId)
                            .to(EarlyInterventionOffers::Table, EarlyInterventionOffers::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(
                                CommitteeAgendaItems::Table,
                                CommitteeAgendaItems::DecidedById,
                            )
                            .to(Professionals::Table, Professionals::Id),
                    )
                    .to_owned(),
            )
            .await?;
        raw_index(
            manager,
            "ux_committee_agenda_items",
            "committee_agenda_items",
            "committee_meeting_id, case_id",
            true,
            None,
        )
        .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Deliveries::Table)
                    .add_column(big_integer_null(Deliveries::CommitteeMeetingId))
                    .to_owned(),
            )
            .await?;
        raw_index(
            manager,
            "ux_deliveries_committee",
            "deliveries",
            "committee_meeting_id, sequence, recipient",
            true,
            Some("committee_meeting_id IS NOT NULL"),
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("DROP INDEX ux_deliveries_committee")
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Deliveries::Table)
                    .drop_column(Deliveries::CommitteeMeetingId)
                    .to_owned(),
            )
            .await?;
        for table in [
            CommitteeAgendaItems::Table.into_iden(),
            CommitteeMembers::Table.into_iden(),
            CommitteeMeetings::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
