//! The outbox rows of a meeting's messages — one per (meeting, SEQUENCE, invitee) — and the
//! address each goes to.

use crate::domain::enums::{DeliveryStatus, ItipMethod, Language, ParticipantKind};
use crate::entities::{
    delivery, family_member, meeting, meeting_invitee, participant, professional,
};
use crate::{Error, Result};
use chrono::{DateTime, Utc};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use crate::ops::outbox::{self, SendDelivery};

/// Someone a message can be written to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient {
    /// Display name.
    pub name: String,
    /// Address, when they have one.
    pub email: Option<String>,
    /// Language to write in.
    pub language: Language,
    /// True for professionals: their messages link into the product.
    pub professional: bool,
}

/// Who a participant is, for mail. The child has no address of their own here: meetings
/// reach a child through the guardians.
///
/// # Errors
/// When the database fails.
pub async fn recipient<C: ConnectionTrait>(db: &C, p: &participant::Model) -> Result<Recipient> {
    Ok(match p.kind {
        ParticipantKind::Professional => {
            let pro = match p.professional_id {
                Some(id) => professional::Entity::find_by_id(id).one(db).await?,
                None => None,
            }
            .ok_or_else(|| {
                Error::internal("a professional participant's professional is missing")
            })?;
            Recipient {
                name: pro.name,
                email: Some(pro.email),
                language: pro.language,
                professional: true,
            }
        }
        ParticipantKind::FamilyMember => {
            let member = match p.family_member_id {
                Some(id) => family_member::Entity::find_by_id(id).one(db).await?,
                None => None,
            }
            .ok_or_else(|| Error::internal("a family participant's family member is missing"))?;
            Recipient {
                name: member.name,
                email: member.email,
                language: member.language,
                professional: false,
            }
        }
        ParticipantKind::External => Recipient {
            name: p.external_name.clone().unwrap_or_default(),
            email: p.external_email.clone(),
            language: Language::Da,
            professional: false,
        },
        ParticipantKind::Child => Recipient {
            name: String::new(),
            email: None,
            language: Language::Da,
            professional: false,
        },
    })
}

/// Writes an outbox row per invitee who has an address, for the meeting at its current
/// SEQUENCE, and a job to send each. A row that exists already is left alone.
pub(crate) async fn queue_deliveries<C: ConnectionTrait>(
    db: &C,
    now: DateTime<Utc>,
    meeting: &meeting::Model,
    method: ItipMethod,
    invitees: &[meeting_invitee::Model],
) -> Result<()> {
    for invitee in invitees {
        let Some(p) = participant::Entity::find_by_id(invitee.participant_id)
            .one(db)
            .await?
        else {
            continue;
        };
        let r = recipient(db, &p).await?;
        let Some(email) = r.email else { continue };
        let message_id = format!(
            "<meeting-{}.{}.{}.{}@kit>",
            meeting.id,
            meeting.sequence,
            invitee.id,
            uuid::Uuid::new_v4().simple()
        );
        let inserted = delivery::Entity::insert(delivery::ActiveModel {
            id: NotSet,
            meeting_id: Set(Some(meeting.id)),
            notification_id: Set(None),
            plan_link_id: Set(None),
            consultation_booking_id: Set(None),
            committee_meeting_id: Set(None),
            invitee_id: Set(Some(invitee.id)),
            sequence: Set(meeting.sequence),
            method: Set(Some(method)),
            recipient: Set(email),
            language: Set(r.language),
            status: Set(DeliveryStatus::Pending),
            attempts: Set(0),
            last_error: Set(None),
            next_attempt_at: Set(now),
            claimed_until: Set(None),
            sent_at: Set(None),
            message_id: Set(message_id),
            created_at: Set(now),
            updated_at: Set(now),
        })
        .on_conflict(
            OnConflict::columns([
                delivery::Column::MeetingId,
                delivery::Column::Sequence,
                delivery::Column::InviteeId,
            ])
            .do_nothing()
            .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
        if inserted == 1
            && let Some(row) = delivery::Entity::find()
                .filter(delivery::Column::MeetingId.eq(meeting.id))
                .filter(delivery::Column::Sequence.eq(meeting.sequence))
                .filter(delivery::Column::InviteeId.eq(invitee.id))
                .one(db)
                .await?
        {
            outbox::enqueue(
                db,
                &SendDelivery {
                    delivery_id: row.id,
                },
                None,
            )
            .await?;
        }
    }
    Ok(())
}
