//! Consultation ("sparring") without a case: organizations' recurring weekly slots and the
//! bookings professionals make about a concern without identifying the child. A calendar
//! message about a booking is an outbox row like any other.

use sea_orm_migration::{prelude::*, schema::*};

use crate::raw_index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ConsultationOffers {
    Table,
    Id,
    OrganizationId,
    HostId,
    Name,
    Description,
    Channel,
    Location,
    Weekdays,
    StartMinute,
    EndMinute,
    SlotMinutes,
    Active,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ConsultationBookings {
    Table,
    Id,
    OfferId,
    StartsAt,
    EndsAt,
    BookedById,
    Topic,
    Concern,
    Status,
    CreatedAt,
    CancelledAt,
    CancelledById,
}

#[derive(DeriveIden)]
enum Deliveries {
    Table,
    ConsultationBookingId,
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
                    .table(ConsultationOffers::Table)
                    .col(big_pk_auto(ConsultationOffers::Id))
                    .col(big_integer(ConsultationOffers::OrganizationId))
                    .col(big_integer(ConsultationOffers::HostId))
                    .col(string_len(ConsultationOffers::Name, 200))
                    .col(text(ConsultationOffers::Description))
                    .col(string_len(ConsultationOffers::Channel, 16))
                    .col(string_len_null(ConsultationOffers::Location, 200))
                    .col(integer(ConsultationOffers::Weekdays))
                    .col(integer(ConsultationOffers::StartMinute))
                    .col(integer(ConsultationOffers::EndMinute))
                    .col(integer(ConsultationOffers::SlotMinutes))
                    .col(boolean(ConsultationOffers::Active).default(true))
                    .col(timestamp_with_time_zone(ConsultationOffers::CreatedAt))
                    .col(timestamp_with_time_zone(ConsultationOffers::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(
                                ConsultationOffers::Table,
                                ConsultationOffers::OrganizationId,
                            )
                            .to(Organizations::Table, Organizations::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(ConsultationOffers::Table, ConsultationOffers::HostId)
                            .to(Professionals::Table, Professionals::Id),
                    )
                    .to_owned(),
            )
            .await?;
        raw_index(
            manager,
            "ix_consultation_offers_organization",
            "consultation_offers",
            "organization_id, id",
            false,
            None,
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table(ConsultationBookings::Table)
                    .col(big_pk_auto(ConsultationBookings::Id))
                    .col(big_integer(ConsultationBookings::OfferId))
                    .col(timestamp_with_time_zone(ConsultationBookings::StartsAt))
                    .col(timestamp_with_time_zone(ConsultationBookings::EndsAt))
                    .col(big_integer(ConsultationBookings::BookedById))
                    .col(string_len(ConsultationBookings::Topic, 32))
                    .col(text(ConsultationBookings::Concern))
                    .col(string_len(ConsultationBookings::Status, 16))
                    .col(timestamp_with_time_zone(ConsultationBookings::CreatedAt))
                    .col(timestamp_with_time_zone_null(
                        ConsultationBookings::CancelledAt,
                    ))
                    .col(big_integer_null(ConsultationBookings::CancelledById))
                    .foreign_key(
                        ForeignKey::create()
                            .from(ConsultationBookings::Table, ConsultationBookings::OfferId)
                            .to(ConsultationOffers::Table, ConsultationOffers::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(
                                ConsultationBookings::Table,
                                ConsultationBookings::BookedById,
                            )
                            .to(Professionals::Table, Professionals::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(
                                ConsultationBookings::Table,
                                ConsultationBookings::CancelledById,
                            )
                            .to(Professionals::Table, Professionals::Id),
                    )
                    .to_owned(),
            )
            .await?;
        // One booking per slot: two professionals racing for it cannot both get it.
        raw_index(
            manager,
            "ux_consultation_bookings_slot",
            "consultation_bookings",
            "offer_id, starts_at",
            true,
            Some("status = 'BOOKED'"),
        )
        .await?;
        raw_index(
            manager,
            "ix_consultation_bookings_booker",
            "consultation_bookings",
            "booked_by_id, starts_at",
            false,
            None,
        )
        .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Deliveries::Table)
                    .add_column(big_integer_null(Deliveries::ConsultationBookingId))
                    .to_owned(),
            )
            .await?;
        raw_index(
            manager,
            "ux_deliveries_consultation",
            "deliveries",
            "consultation_booking_id, sequence, recipient",
            true,
            Some("consultation_booking_id IS NOT NULL"),
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("DROP INDEX ux_deliveries_consultation")
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Deliveries::Table)
                    .drop_column(Deliveries::ConsultationBookingId)
                    .to_owned(),
            )
            .await?;
        for table in [
            ConsultationBookings::Table.into_iden(),
            ConsultationOffers::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
