//! A coordination committee meeting's invitation to a member: the time, the place, and the
//! agenda's case references — never a child's name.

use chrono::{DateTime, Utc};
use kit_entity::content::ical::{AttendeeLine, EventText};
use kit_entity::content::texts::{CommitteeMail, committee_text};
use kit_entity::domain::enums::{InviteeResponse, ItipMethod};
use kit_entity::entities::{
    case, committee_agenda_item, committee_meeting, committee_member, delivery, professional,
};
use kit_entity::ids::CommitteeMeetingId;
use kit_entity::{Error, Result};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use super::{Message, Rendered, calendar_mail, missing, party, sender_address};
use crate::context::Context;

/// A committee meeting's calendar message.
pub struct Committee {
    meeting: committee_meeting::Model,
    references: Vec<String>,
    members: Vec<professional::Model>,
    answers: Vec<committee_member::Model>,
}

impl Message for Committee {
    type Id = CommitteeMeetingId;

    async fn load(ctx: &Context, row: &delivery::Model, id: CommitteeMeetingId) -> Result<Self> {
        let db = &ctx.db;
        let meeting = committee_meeting::Entity::find_by_id(id)
            .one(db)
            .await?
            .ok_or_else(|| missing(row, "committee meeting"))?;
        let items = committee_agenda_item::Entity::find()
            .filter(committee_agenda_item::Column::CommitteeMeetingId.eq(id))
            .order_by_asc(committee_agenda_item::Column::Position)
            .all(db)
            .await?;
        let cases = case::Entity::find()
            .filter(case::Column::Id.is_in(items.iter().map(|i| i.case_id)))
            .all(db)
            .await?;
        let references = items
            .iter()
            .filter_map(|i| {
                cases
                    .iter()
                    .find(|c| c.id == i.case_id)
                    .map(|c| c.reference.clone())
            })
            .collect();
        let answers = committee_member::Entity::find()
            .filter(committee_member::Column::CommitteeMeetingId.eq(id))
            .all(db)
            .await?;
        let members = professional::Entity::find()
            .filter(professional::Column::Id.is_in(answers.iter().map(|m| m.professional_id)))
            .all(db)
            .await?;
        Ok(Self {
            meeting,
            references,
            members,
            answers,
        })
    }

    fn render(&self, ctx: &Context, row: &delivery::Model, now: DateTime<Utc>) -> Result<Rendered> {
        let Self {
            meeting,
            references,
            members,
            answers,
        } = self;
        let organizer = members
            .iter()
            .find(|m| m.id == meeting.organizer_id)
            .ok_or_else(|| {
                Error::internal(format!("delivery {}: its organizer is missing", row.id))
            })?;
        let method = row.method.unwrap_or(ItipMethod::Request);
        let cancelled = method == ItipMethod::Cancel;
        // A member's own links to answer, valid until a month after the meeting.
        let links = match members
            .iter()
            .find(|m| m.email.eq_ignore_ascii_case(&row.recipient))
            .and_then(|p| answers.iter().find(|a| a.professional_id == p.id))
        {
            Some(member) if !cancelled => {
                let token = ctx.links.committee_answer_token(
                    member.id,
                    row.sequence,
                    meeting.ends_at + chrono::TimeDelta::days(30),
                )?;
                Some(ctx.links.committee_answer_links(&token))
            }
            _ => None,
        };
        let texts = committee_text(
            &CommitteeMail {
                starts: meeting.starts_at,
                ends: meeting.ends_at,
                location: meeting.location.as_deref(),
                references,
                cancelled,
                product_url: ctx.links.public_url(),
                answers: links.as_ref(),
            },
            row.language,
        );
        let to_name = members
            .iter()
            .find(|m| m.email == row.recipient)
            .map_or("", |m| m.name.as_str());
        calendar_mail(
            ctx,
            row,
            to_name,
            Some((&organizer.name, &organizer.email)),
            method,
            &texts.subject,
            EventText {
                uid: format!("committee-{}@kit", meeting.id),
                sequence: row.sequence,
                stamp: now,
                starts: meeting.starts_at,
                ends: meeting.ends_at,
                summary: texts.summary.clone(),
                description: texts.body.clone(),
                location: meeting.location.clone(),
                url: Some(ctx.links.public_url().to_owned()),
                organizer: Some(party(organizer)),
                sent_by: Some(sender_address(ctx)),
                attendees: members
                    .iter()
                    .map(|m| AttendeeLine {
                        party: party(m),
                        required: true,
                        response: answers
                            .iter()
                            .find(|a| a.professional_id == m.id)
                            .map_or(InviteeResponse::NeedsAction, |a| a.response),
                    })
                    .collect(),
                cancelled,
            },
        )
    }
}
