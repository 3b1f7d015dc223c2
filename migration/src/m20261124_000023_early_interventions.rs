//! The early-intervention catalogue (Kalundborg's model): a municipality's preventive offers
//! with purpose, provider unit, target ages, cadence and capacity; their cohorts with start
//! days and seats; and the waiting list of cases for each offer, from placement through a
//! seat offered to enrollment, decline or withdrawal. A case waits on one offer once at a
//! time (a partial unique index over the open statuses).
//!
//! Also the default rule `seat-offer-answer`: a seat offered is answered by the day the
//! offer names; the municipal responsible contact is reminded two working days ahead and
//! alerted when it passes, the leader three working days later.

use sea_orm_migration::{prelude::*, schema::*};

use crate::raw_index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum EarlyInterventionOffers {
    Table,
    Id,
    MunicipalityId,
    ProviderUnitId,
    Name,
    Purpose,
    MinAge,
    MaxAge,
    Cadence,
    Sessions,
    WeeksBetweenCohorts,
    SeatsPerCohort,
    SharingRequiresConsent,
    IsActive,
    CreatedById,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum EarlyInterventionCohorts {
    Table,
    Id,
    OfferId,
    StartsOn,
    Seats,
    CreatedById,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum WaitingEntries {
    Table,
    Id,
    OfferId,
    CaseId,
    Status,
    PlacedAt,
    PlacedById,
    CohortId,
    OfferedAt,
    OfferedById,
    AnswerBy,
    AnsweredAt,
    WithdrawnAt,
    WithdrawReason,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Organizations {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Units {
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
enum DeadlineRules {
    Table,
    OrganizationId,
    Code,
    Version,
    NameDa,
    NameEn,
    Description,
    StartEvent,
    StartFilter,
    Anchor,
    OffsetValue,
    OffsetUnit,
    MetByEvent,
    MetByFilter,
    PerSector,
    AlertTo,
    AlertSector,
    Reminders,
    EscalateAfterWorkingDays,
    CreatedAt,
}

const CODE: &str = "seat-offer-answer";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(EarlyInterventionOffers::Table)
                    .col(big_pk_auto(EarlyInterventionOffers::Id))
                    .col(big_integer(EarlyInterventionOffers::MunicipalityId))
                    .col(big_integer(EarlyInterventionOffers::ProviderUnitId))
                    .col(string_len(EarlyInterventionOffers::Name, 200))
                    .col(text(EarlyInterventionOffers::Purpose))
                    .col(integer(EarlyInterventionOffers::MinAge))
                    .col(integer(EarlyInterventionOffers::MaxAge))
                    .col(string_len(EarlyInterventionOffers::Cadence, 200))
                    .col(integer_null(EarlyInterventionOffers::Sessions))
                    .col(integer_null(EarlyInterventionOffers::WeeksBetweenCohorts))
                    .col(integer(EarlyInterventionOffers::SeatsPerCohort))
                    .col(boolean(EarlyInterventionOffers::SharingRequiresConsent).default(false))
                    .col(boolean(EarlyInterventionOffers::IsActive).default(true))
                    .col(big_integer(EarlyInterventionOffers::CreatedById))
                    .col(timestamp_with_time_zone(EarlyInterventionOffers::CreatedAt))
                    .col(timestamp_with_time_zone(EarlyInterventionOffers::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(
                                EarlyInterventionOffers::Table,
                                EarlyInterventionOffers::MunicipalityId,
                            )
                            .to(Organizations::Table, Organizations::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(
                                EarlyInterventionOffers::Table,
                                EarlyInterventionOffers::ProviderUnitId,
                            )
                            .to(Units::Table, Units::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(
                                EarlyInterventionOffers::Table,
                                EarlyInterventionOffers::CreatedById,
                            )
                            .to(Professionals::Table, Professionals::Id),
                    )
                    .to_owned(),
            )
            .await?;
        raw_index(
            manager,
            "ix_early_intervention_offers_municipality",
            "early_intervention_offers",
            "municipality_id, id",
            false,
            None,
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table(EarlyInterventionCohorts::Table)
                    .col(big_pk_auto(EarlyInterventionCohorts::Id))
                    .col(big_integer(EarlyInterventionCohorts::OfferId))
                    .col(date(EarlyInterventionCohorts::StartsOn))
                    .col(integer(EarlyInterventionCohorts::Seats))
                    .col(big_integer(EarlyInterventionCohorts::CreatedById))
                    .col(timestamp_with_time_zone(
                        EarlyInterventionCohorts::CreatedAt,
                    ))
                    .col(timestamp_with_time_zone(
                        EarlyInterventionCohorts::UpdatedAt,
                    ))
                    .foreign_key(
                        ForeignKey::create()
                            .from(
                                EarlyInterventionCohorts::Table,
                                EarlyInterventionCohorts::OfferId,
                            )
                            .to(EarlyInterventionOffers::Table, EarlyInterventionOffers::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(
                                EarlyInterventionCohorts::Table,
                                EarlyInterventionCohorts::CreatedById,
                            )
                            .to(Professionals::Table, Professionals::Id),
                    )
                    .to_owned(),
            )
            .await?;
        raw_index(
            manager,
            "ix_early_intervention_cohorts_offer",
            "early_intervention_cohorts",
            "offer_id, starts_on",
            false,
            None,
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table(WaitingEntries::Table)
                    .col(big_pk_auto(WaitingEntries::Id))
                    .col(big_integer(WaitingEntries::OfferId))
                    .col(big_integer(WaitingEntries::CaseId))
                    .col(string_len(WaitingEntries::Status, 16))
                    .col(timestamp_with_time_zone(WaitingEntries::PlacedAt))
                    .col(big_integer(WaitingEntries::PlacedById))
                    .col(big_integer_null(WaitingEntries::CohortId))
                    .col(timestamp_with_time_zone_null(WaitingEntries::OfferedAt))
                    .col(big_integer_null(WaitingEntries::OfferedById))
                    .col(date_null(WaitingEntries::AnswerBy))
                    .col(timestamp_with_time_zone_null(WaitingEntries::AnsweredAt))
                    .col(timestamp_with_time_zone_null(WaitingEntries::WithdrawnAt))
                    .col(text_null(WaitingEntries::WithdrawReason))
                    .col(timestamp_with_time_zone(WaitingEntries::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(WaitingEntries::Table, WaitingEntries::OfferId)
                            .to(EarlyInterventionOffers::Table, EarlyInterventionOffers::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(WaitingEntries::Table, WaitingEntries::CaseId)
                            .to(Cases::Table, Cases::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(WaitingEntries::Table, WaitingEntries::CohortId)
                            .to(
                                EarlyInterventionCohorts::Table,
                                EarlyInterventionCohorts::Id,
                            ),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(WaitingEntries::Table, WaitingEntries::PlacedById)
                            .to(Professionals::Table, Professionals::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(WaitingEntries::Table, WaitingEntries::OfferedById)
                            .to(Professionals::Table, Professionals::Id),
                    )
                    .to_owned(),
            )
            .await?;
        // The queue of an offer, in order.
        raw_index(
            manager,
            "ix_waiting_entries_queue",
            "waiting_entries",
            "offer_id, status, placed_at, id",
            false,
            None,
        )
        .await?;
        raw_index(
            manager,
            "ix_waiting_entries_case",
            "waiting_entries",
            "case_id",
            false,
            None,
        )
        .await?;
        raw_index(
            manager,
            "ix_waiting_entries_cohort",
            "waiting_entries",
            "cohort_id, status",
            false,
            None,
        )
        .await?;
        // A case waits on an offer once at a time.
        raw_index(
            manager,
            "ux_waiting_entries_open",
            "waiting_entries",
            "offer_id, case_id",
            true,
            Some("status IN ('WAITING', 'OFFERED')"),
        )
        .await?;
        let now =
            sea_orm_migration::sea_orm::prelude::DateTimeUtc::from(std::time::SystemTime::now());
        let insert = Query::insert()
            .into_table(DeadlineRules::Table)
            .columns([
                DeadlineRules::Code,
                DeadlineRules::Version,
                DeadlineRules::NameDa,
                DeadlineRules::NameEn,
                DeadlineRules::Description,
                DeadlineRules::StartEvent,
                DeadlineRules::StartFilter,
                DeadlineRules::Anchor,
                DeadlineRules::OffsetValue,
                DeadlineRules::OffsetUnit,
                DeadlineRules::MetByEvent,
                DeadlineRules::MetByFilter,
                DeadlineRules::PerSector,
                DeadlineRules::AlertTo,
                DeadlineRules::AlertSector,
                DeadlineRules::Reminders,
                DeadlineRules::EscalateAfterWorkingDays,
                DeadlineRules::CreatedAt,
            ])
            .values_panic([
                CODE.into(),
                1.into(),
                "Familien svarer på tilbuddet om en plads".into(),
                "The family answers the seat offered".into(),
                "A seat of an early intervention's cohort is held for the child until the day the \
                 offer names: the responsible contact hears the family's answer and records it \
                 (accepted or declined), so the seat goes to the next in line when it is not taken."
                    .into(),
                "SEAT_OFFERED".into(),
                Option::<String>::None.into(),
                "SEAT_ANSWER_BY".into(),
                0.into(),
                "CALENDAR_DAYS".into(),
                "SEAT_ANSWERED".into(),
                Option::<String>::None.into(),
                false.into(),
                "RESPONSIBLE_CONTACT".into(),
                Some("MUNICIPALITY").into(),
                r#"[{"value":2,"unit":"WORKING_DAYS"}]"#.into(),
                Some(3).into(),
                now.into(),
            ])
            .to_owned();
        manager.exec_stmt(insert).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let delete = Query::delete()
            .from_table(DeadlineRules::Table)
            .and_where(Expr::col(DeadlineRules::Code).eq(CODE))
            .and_where(Expr::col(DeadlineRules::OrganizationId).is_null())
            .to_owned();
        manager.exec_stmt(delete).await?;
        for table in [
            WaitingEntries::Table.into_iden(),
            EarlyInterventionCohorts::Table.into_iden(),
            EarlyInterventionOffers::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
