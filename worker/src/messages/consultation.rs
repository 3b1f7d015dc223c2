//! A consultation's invitation or cancellation, to its host or the one who booked it: the
//! offer, the time and the topic, never the concern.

use chrono::{DateTime, Utc};
use kit_entity::Result;
use kit_entity::content::ical::{AttendeeLine, EventText};
use kit_entity::content::texts::{ConsultationMail, consultation_text};
use kit_entity::domain::enums::{InviteeResponse, ItipMethod};
use kit_entity::entities::{consultation_booking, consultation_offer, delivery, professional};
use kit_entity::ids::ConsultationBookingId;
use sea_orm::EntityTrait;

use super::{Message, Rendered, calendar_mail, missing, party, sender_address};
use crate::context::Context;

/// A consultation's calendar message.
pub struct Consultation {
    booking: consultation_booking::Model,
    offer: consultation_offer::Model,
    host: professional::Model,
    booker: professional::Model,
}

impl Message for Consultation {
    type Id = ConsultationBookingId;

    async fn load(ctx: &Context, row: &delivery::Model, id: ConsultationBookingId) -> Result<Self> {
        let db = &ctx.db;
        let booking = consultation_booking::Entity::find_by_id(id)
            .one(db)
            .await?
            .ok_or_else(|| missing(row, "consultation"))?;
        let offer = consultation_offer::Entity::find_by_id(booking.offer_id)
            .one(db)
            .await?
            .ok_or_else(|| missing(row, "consultation offer"))?;
        let host = professional::Entity::find_by_id(offer.host_id)
            .one(db)
            .await?
            .ok_or_else(|| missing(row, "host"))?;
        let booker = professional::Entity::find_by_id(booking.booked_by_id)
            .one(db)
            .await?
            .ok_or_else(|| missing(row, "booker"))?;
        Ok(Self {
            booking,
            offer,
            host,
            booker,
        })
    }

    fn render(&self, ctx: &Context, row: &delivery::Model, now: DateTime<Utc>) -> Result<Rendered> {
        let Self {
            booking,
            offer,
            host,
            booker,
        } = self;
        let method = row.method.unwrap_or(ItipMethod::Request);
        let cancelled = method == ItipMethod::Cancel;
        let texts = consultation_text(
            &ConsultationMail {
                offer: &offer.name,
                starts: booking.starts_at,
                ends: booking.ends_at,
                channel: offer.channel,
                location: offer.location.as_deref(),
                topic: booking.topic,
                cancelled,
                product_url: ctx.links.public_url(),
            },
            row.language,
        );
        let attendee = |p: &professional::Model| AttendeeLine {
            party: party(p),
            required: true,
            response: InviteeResponse::Accepted,
        };
        let to_name = if row.recipient == host.email {
            &host.name
        } else {
            &booker.name
        };
        calendar_mail(
            ctx,
            row,
            to_name,
            Some((&host.name, &host.email)),
            method,
            &texts.subject,
            EventText {
                uid: format!("consultation-{}@kit", booking.id),
                sequence: row.sequence,
                stamp: now,
                starts: booking.starts_at,
                ends: booking.ends_at,
                summary: texts.summary.clone(),
                description: texts.body.clone(),
                location: offer.location.clone(),
                url: Some(ctx.links.public_url().to_owned()),
                organizer: Some(party(host)),
                sent_by: Some(sender_address(ctx)),
                attendees: vec![attendee(host), attendee(booker)],
                cancelled,
            },
        )
    }
}
