//! A meeting's invitation, update or cancellation to one invitee: the meeting's kind, the case
//! reference, the time and place, the organizer, links to answer, and which sectors have
//! shared information — never the child's name.

use chrono::{DateTime, TimeDelta, Utc};
use kit_entity::content::ical::{AttendeeLine, EventText, Party};
use kit_entity::content::texts::{Invitation as Text, invitation};
use kit_entity::domain::enums::{DeliveryStatus, ItipMethod, Sector};
use kit_entity::entities::{case, delivery, meeting, meeting_invitee, participant};
use kit_entity::ids::InviteeId;
use kit_entity::ops::meetings::{Recipient, active_invitees, recipient};
use kit_entity::ops::outbox::About;
use kit_entity::{Error, Result};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

use super::{Message, Rendered, calendar_mail, missing, sender_address};
use crate::context::Context;

/// A meeting's calendar message to one invitee.
pub struct Invitation {
    meeting: meeting::Model,
    case: case::Model,
    invitee: meeting_invitee::Model,
    to: Recipient,
    organizer: Option<Recipient>,
    attendees: Vec<AttendeeLine>,
    earlier_sent: bool,
    shared: Vec<Sector>,
}

impl Message for Invitation {
    type Id = InviteeId;

    async fn load(ctx: &Context, row: &delivery::Model, id: InviteeId) -> Result<Self> {
        let db = &ctx.db;
        let invitee = meeting_invitee::Entity::find_by_id(id)
            .one(db)
            .await?
            .ok_or_else(|| missing(row, "invitee"))?;
        let meeting = meeting::Entity::find_by_id(invitee.meeting_id)
            .one(db)
            .await?
            .ok_or_else(|| missing(row, "meeting"))?;
        let case = case::Entity::find_by_id(meeting.case_id)
            .one(db)
            .await?
            .ok_or_else(|| missing(row, "case"))?;
        let person = participant::Entity::find_by_id(invitee.participant_id)
            .one(db)
            .await?
            .ok_or_else(|| missing(row, "participant"))?;
        let to = recipient(db, &person).await?;
        let organizer = match meeting.organizer_id {
            Some(id) => match participant::Entity::find_by_id(id).one(db).await? {
                Some(p) => Some(recipient(db, &p).await?),
                None => None,
            },
            None => None,
        };
        let mut attendees = Vec::new();
        for i in active_invitees(db, meeting.id).await? {
            if let Some(p) = participant::Entity::find_by_id(i.participant_id)
                .one(db)
                .await?
            {
                let r = recipient(db, &p).await?;
                if let Some(email) = r.email {
                    attendees.push(AttendeeLine {
                        party: Party {
                            name: r.name,
                            email,
                        },
                        required: i.required,
                        response: i.response,
                    });
                }
            }
        }
        let earlier_sent = delivery::Entity::find()
            .filter(About::Invitation(invitee.id).rows())
            .filter(delivery::Column::Status.eq(DeliveryStatus::Sent))
            .count(db)
            .await?
            > 0;
        let shared = kit_entity::ops::meetings::shared_sectors(db, meeting.id).await?;
        Ok(Self {
            meeting,
            case,
            invitee,
            to,
            organizer,
            attendees,
            earlier_sent,
            shared,
        })
    }

    fn render(&self, ctx: &Context, row: &delivery::Model, now: DateTime<Utc>) -> Result<Rendered> {
        let Self {
            meeting,
            case,
            invitee,
            to,
            organizer,
            attendees,
            earlier_sent,
            shared,
        } = self;
        let method = row.method.ok_or_else(|| {
            Error::internal(format!(
                "delivery {}: a calendar message without a method",
                row.id
            ))
        })?;
        let (Some(starts), Some(ends)) = (meeting.starts_at, meeting.ends_at) else {
            return Err(Error::internal(format!(
                "meeting {} has no time",
                meeting.id
            )));
        };
        let mut attendees = attendees.clone();
        if method == ItipMethod::Cancel && invitee.removed_at.is_some() {
            // The removed invitee is told about their own removal.
            attendees.push(AttendeeLine {
                party: Party {
                    name: to.name.clone(),
                    email: row.recipient.clone(),
                },
                required: invitee.required,
                response: invitee.response,
            });
        }
        let answers = if method == ItipMethod::Request {
            let token =
                ctx.links
                    .answer_token(invitee.id, row.sequence, ends + TimeDelta::days(30))?;
            Some(ctx.links.answer_links(&token))
        } else {
            None
        };
        let product_url = to.professional.then(|| ctx.links.public_url().to_owned());
        let organizer_name = organizer
            .as_ref()
            .map(|o| o.name.clone())
            .unwrap_or_default();
        let texts = invitation(
            &Text {
                method,
                update: *earlier_sent || row.sequence > 0,
                kind: meeting.kind,
                reference: &case.reference,
                starts,
                ends,
                location: meeting.location.as_deref(),
                video_url: meeting.video_url.as_deref(),
                organizer: &organizer_name,
                answers: answers.as_ref(),
                product_url: product_url.as_deref(),
                shared,
            },
            row.language,
        );
        let reply_to = organizer
            .as_ref()
            .and_then(|o| o.email.as_deref().map(|e| (o.name.as_str(), e)));
        calendar_mail(
            ctx,
            row,
            &to.name,
            reply_to,
            method,
            &texts.subject,
            EventText {
                uid: meeting.uid.clone(),
                sequence: row.sequence,
                stamp: now,
                starts,
                ends,
                summary: texts.summary.clone(),
                description: texts.body.clone(),
                location: meeting
                    .location
                    .clone()
                    .or_else(|| meeting.video_url.clone()),
                url: product_url,
                organizer: organizer.as_ref().and_then(|o| {
                    o.email.clone().map(|email| Party {
                        name: o.name.clone(),
                        email,
                    })
                }),
                sent_by: Some(sender_address(ctx)),
                attendees,
                cancelled: method == ItipMethod::Cancel,
            },
        )
    }
}
