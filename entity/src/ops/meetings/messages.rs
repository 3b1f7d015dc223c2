//! The outbox rows of a meeting's messages — one per (meeting, SEQUENCE, invitee) — and the
//! address each goes to.

use crate::domain::enums::{ItipMethod, Language, ParticipantKind};
use crate::entities::{family_member, meeting, meeting_invitee, participant, professional};
use crate::{Error, Result};
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, EntityTrait};

use crate::ops::outbox;

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
        outbox::queue_mail(
            db,
            now,
            outbox::Mail {
                about: outbox::About::Invitation(invitee.id),
                sequence: meeting.sequence,
                method: Some(method),
                recipient: email,
                language: r.language,
            },
        )
        .await?;
    }
    Ok(())
}
