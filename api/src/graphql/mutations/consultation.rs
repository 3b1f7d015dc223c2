//! Consultation mutations: publishing offers, booking and cancelling.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use kit_entity::Result;
use kit_entity::domain::validate::time_of_day;
use kit_entity::ids::{ConsultationBookingId, ConsultationOfferId, OrganizationId, ProfessionalId};

use crate::graphql::errors::IntoGraphql;
use crate::graphql::ids::{decode, decode_renamed};
use crate::graphql::mutations::Write;
use crate::graphql::scalars::DateTime;
use kit_entity::ops::consultations::{self, Book, OfferInput};

use crate::graphql::objects::consultation::*;

/// The shape of a consultation offer.
#[derive(InputObject)]
pub struct ConsultationOfferInput {
    /// The professional of the organization who takes the consultations.
    pub host_id: ID,
    /// Its name, 1–500 characters.
    pub name: String,
    /// What it is for and who may book it.
    pub description: String,
    /// Phone, video or in person.
    pub channel: ConsultationChannel,
    /// Where, or the number to call.
    pub location: Option<String>,
    /// The weekdays it recurs on (Monday–Friday).
    pub weekdays: Vec<Weekday>,
    /// The first slot's start, HH:MM Copenhagen time, within the organization's office hours.
    pub start_time: String,
    /// The last slot ends by then, HH:MM, within the office hours.
    pub end_time: String,
    /// Each slot's length, 10–120 minutes.
    pub slot_minutes: i32,
}

impl ConsultationOfferInput {
    fn into_command(self) -> Result<OfferInput> {
        Ok(OfferInput {
            host_id: decode::<ProfessionalId>("input.hostId", &self.host_id)?,
            name: self.name,
            description: self.description,
            channel: self.channel.into(),
            location: self.location,
            weekdays: self.weekdays.into_iter().map(Into::into).collect(),
            start_minute: time_of_day("input.startTime", &self.start_time)?,
            end_minute: time_of_day("input.endTime", &self.end_time)?,
            slot_minutes: self.slot_minutes,
        })
    }
}

/// Publishes a consultation offer of your organization (administrators).
#[derive(InputObject)]
pub struct PublishConsultationOfferInput {
    /// The organization.
    pub organization_id: ID,
    /// Its shape.
    pub offer: ConsultationOfferInput,
}

/// Changes a consultation offer (administrators of its organization).
#[derive(InputObject)]
pub struct UpdateConsultationOfferInput {
    /// The offer (required).
    pub offer_id: Option<ID>,
    /// The offer, under its old name.
    #[graphql(deprecation = "Use `offerId`: inputs name their subject `<thing>Id`.")]
    pub id: Option<ID>,
    /// Its new shape; bookings made stay as they are.
    pub offer: Option<ConsultationOfferInput>,
    /// Open or close it for booking.
    pub active: Option<bool>,
}

/// Books a consultation.
#[derive(InputObject)]
pub struct BookConsultationInput {
    /// The offer.
    pub offer_id: ID,
    /// A free slot's start, as `availableSlots` lists it.
    pub starts_at: DateTime,
    /// What it is about.
    pub topic: ConsultationTopic,
    /// The concern, described without identifying the child: no name, no CPR number (a text
    /// holding one is refused).
    pub concern: String,
}

/// Cancels a consultation.
#[derive(InputObject)]
pub struct CancelConsultationInput {
    /// The booking (required).
    pub booking_id: Option<ID>,
    /// The booking, under its old name.
    #[graphql(deprecation = "Use `bookingId`: inputs name their subject `<thing>Id`.")]
    pub id: Option<ID>,
}

/// A consultation offer published or changed.
#[derive(SimpleObject)]
pub struct ConsultationOfferPayload {
    /// The offer as it is now.
    pub offer: ConsultationOffer,
}

/// A consultation booked or cancelled.
#[derive(SimpleObject)]
pub struct ConsultationBookingPayload {
    /// The booking as it is now.
    pub booking: ConsultationBooking,
}

/// Consultation mutations.
#[derive(Default)]
pub struct ConsultationMutation;

#[Object]
impl ConsultationMutation {
    /// Publishes recurring consultation slots of your organization, within its office hours;
    /// administrators of the organization.
    async fn publish_consultation_offer(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The organization and the offer.")] input: PublishConsultationOfferInput,
    ) -> async_graphql::Result<ConsultationOfferPayload> {
        let organization: OrganizationId =
            decode("input.organizationId", &input.organization_id).gql()?;
        let offer = input
            .offer
            .into_command()
            .map_err(|e| e.nested("input.offer."))
            .gql()?;
        let w = Write::begin(ctx).await.gql()?;
        let result =
            consultations::publish_offer(&w.txn, w.actor, w.now, organization, offer).await;
        let row = w.finish(result).await.gql()?;
        Ok(ConsultationOfferPayload {
            offer: ConsultationOffer(row),
        })
    }

    /// Changes a consultation offer or opens or closes it; administrators of its organization.
    async fn update_consultation_offer(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The offer and what changes.")] input: UpdateConsultationOfferInput,
    ) -> async_graphql::Result<ConsultationOfferPayload> {
        let id: ConsultationOfferId =
            decode_renamed("input.offerId", input.offer_id.as_ref(), input.id.as_ref()).gql()?;
        let offer = input
            .offer
            .map(ConsultationOfferInput::into_command)
            .transpose()
            .map_err(|e| e.nested("input.offer."))
            .gql()?;
        let w = Write::begin(ctx).await.gql()?;
        let result =
            consultations::update_offer(&w.txn, w.actor, w.now, id, offer, input.active).await;
        let row = w.finish(result).await.gql()?;
        Ok(ConsultationOfferPayload {
            offer: ConsultationOffer(row),
        })
    }

    /// Books a free slot about a concern without identifying the child; you and the host get
    /// a calendar invitation.
    async fn book_consultation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The slot and the concern.")] input: BookConsultationInput,
    ) -> async_graphql::Result<ConsultationBookingPayload> {
        let cmd = Book {
            offer_id: decode("input.offerId", &input.offer_id).gql()?,
            starts_at: input.starts_at.0,
            topic: input.topic.into(),
            concern: input.concern,
        };
        let w = Write::begin(ctx).await.gql()?;
        let result = consultations::book(&w.txn, w.actor, w.now, cmd).await;
        let row = w.finish(result).await.gql()?;
        Ok(ConsultationBookingPayload {
            booking: ConsultationBooking(row),
        })
    }

    /// Cancels a consultation: the one who booked it, the host, or an administrator of the
    /// offering organization. Both are sent a cancellation.
    async fn cancel_consultation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The booking.")] input: CancelConsultationInput,
    ) -> async_graphql::Result<ConsultationBookingPayload> {
        let id: ConsultationBookingId = decode_renamed(
            "input.bookingId",
            input.booking_id.as_ref(),
            input.id.as_ref(),
        )
        .gql()?;
        let w = Write::begin(ctx).await.gql()?;
        let result = consultations::cancel(&w.txn, w.actor, w.now, id).await;
        let row = w.finish(result).await.gql()?;
        Ok(ConsultationBookingPayload {
            booking: ConsultationBooking(row),
        })
    }
}
