//! The family's view of the plan: personal links for the guardians with custody and the young
//! person (15+), sent by e-mail without personal data, read as a Danish HTML page or a PDF,
//! every reading recorded.
//!
//! A link is a signed token naming a `plan_links` row; the row carries its expiry and its
//! revocation, so a revoked link stops working at once although the token still verifies. The
//! page shows the *current* plan version when it is opened (a plan written after the link was
//! sent is what the family sees), with closed agenda items left out and no CPR number.

use crate::content::plan_page::{AgreementLine, ContactLine, PlanView};
use crate::domain::calendar::local_date;
use crate::domain::consent::age_on;
use crate::domain::enums::{Language, ParticipantKind, ParticipantRole, PlanFormat};
use crate::domain::validate;
use crate::entities::{
    agreement, case, child, family_member, meeting, participant, plan_agreement, plan_item,
    plan_link, plan_link_read, plan_version, professional, unit,
};
use crate::ids::{CaseId, FamilyMemberId, PlanLinkId};
use crate::ops::outbox::{self, About, Mail};
use crate::{Error, Result};
use chrono::{DateTime, TimeDelta, Utc};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction,
    EntityTrait, QueryFilter, QueryOrder,
};

use crate::access::Actor;
use crate::access::ChildData;
use crate::access::change_access;

/// How long a link works unless asked otherwise.
pub const DEFAULT_VALID_DAYS: i64 = 30;
/// The longest a link may work: a plan changes at every follow-up meeting.
pub const MAX_VALID_DAYS: i64 = 180;
/// From this age the young person gets the plan themselves.
pub const YOUNG_PERSON_AGE: i32 = 15;

/// Who a link is for.
#[derive(Debug, Clone)]
pub enum PlanRecipient {
    /// A guardian with custody, at the address on record.
    Guardian(FamilyMemberId),
    /// The young person, at the address given.
    YoungPerson {
        /// Their e-mail address.
        email: String,
        /// The language of the e-mail and page.
        language: Language,
    },
}

/// A link to send.
#[derive(Debug, Clone)]
pub struct SendPlanLink {
    /// The case whose plan it opens.
    pub case_id: CaseId,
    /// Who gets it.
    pub recipient: PlanRecipient,
    /// Days it works; [`DEFAULT_VALID_DAYS`] when `None`.
    pub valid_days: Option<i64>,
}

/// Creates a link to the case's current plan for a guardian with custody or the young person,
/// and queues the e-mail that carries it, for a case the actor manages.
///
/// # Errors
/// [`Error::Validation`] naming the input field: a case without a plan yet, a family member of
/// another child or without custody or without an e-mail address, a child under 15, an invalid
/// address, a validity outside 1–180 days; [`Error::Forbidden`] when the actor does not manage
/// the case or may not see the family's data.
pub async fn send_plan_link(
    txn: &DatabaseTransaction,
    actor: &Actor,
    now: DateTime<Utc>,
    cmd: SendPlanLink,
) -> Result<plan_link::Model> {
    let (case, access) = change_access(
        txn,
        actor,
        cmd.case_id,
        now,
        &[ChildData::Plan, ChildData::Family],
    )
    .await
    .map_err(|e| e.at("caseId"))?;
    access.require_manage()?;
    access.require_child_data()?;
    current_version(txn, case.id).await?.ok_or_else(|| {
        Error::invalid(
            "caseId",
            "the case has no plan yet: recording a held start, network, follow-up, closing or \
             hand-back meeting writes it",
        )
    })?;
    let child = child_of(txn, &case).await?;
    let (family_member_id, young_person, email, language) = match cmd.recipient {
        PlanRecipient::Guardian(id) => {
            let member = family_member::Entity::find_by_id(id)
                .one(txn)
                .await?
                .filter(|m| m.child_id == child.id)
                .ok_or_else(|| {
                    Error::invalid("familyMemberId", "not a family member of this case's child")
                })?;
            if !member.has_custody {
                return Err(Error::invalid(
                    "familyMemberId",
                    "only a guardian with custody gets the plan",
                ));
            }
            let email = member.email.clone().ok_or_else(|| {
                Error::invalid(
                    "familyMemberId",
                    "has no e-mail address: add one to the family member first",
                )
            })?;
            (Some(member.id), false, email, member.language)
        }
        PlanRecipient::YoungPerson { email, language } => {
            if age_on(child.date_of_birth, local_date(now)) < YOUNG_PERSON_AGE {
                return Err(Error::invalid(
                    "youngPerson",
                    "the child is under 15: send the plan to a guardian with custody",
                ));
            }
            let email = validate::email("email", &email)?;
            (None, true, email, language)
        }
    };
    let days = cmd.valid_days.unwrap_or(DEFAULT_VALID_DAYS);
    if !(1..=MAX_VALID_DAYS).contains(&days) {
        return Err(Error::invalid(
            "validForDays",
            format!("must be between 1 and {MAX_VALID_DAYS} days"),
        ));
    }
    let link = plan_link::ActiveModel {
        id: NotSet,
        case_id: Set(case.id),
        family_member_id: Set(family_member_id),
        young_person: Set(young_person),
        email: Set(email.clone()),
        language: Set(language),
        expires_at: Set(now + TimeDelta::days(days)),
        created_by_id: Set(actor.id()),
        created_at: Set(now),
        revoked_at: Set(None),
        revoked_by_id: Set(None),
    }
    .insert(txn)
    .await?;
    outbox::queue_mail(
        txn,
        now,
        Mail {
            about: About::PlanLink(link.id),
            sequence: 0,
            method: None,
            recipient: email,
            language,
        },
    )
    .await?;
    Ok(link)
}

/// Revokes a link at once, for a case the actor manages.
///
/// # Errors
/// [`Error::NotFound`] for a link of a case the actor cannot see; [`Error::Conflict`] when it
/// is revoked already; [`Error::Forbidden`] when the actor does not manage the case.
pub async fn revoke_plan_link(
    txn: &DatabaseTransaction,
    actor: &Actor,
    now: DateTime<Utc>,
    id: PlanLinkId,
) -> Result<plan_link::Model> {
    let link = plan_link::Entity::find_by_id(id)
        .one(txn)
        .await?
        .ok_or_else(|| Error::not_found("plan link").at("id"))?;
    let (_, access) = change_access(txn, actor, link.case_id, now, &[ChildData::Plan])
        .await
        .map_err(|e| e.at("id"))?;
    access.require_manage()?;
    if link.revoked_at.is_some() {
        return Err(Error::conflict("the link is revoked already"));
    }
    let mut active: plan_link::ActiveModel = link.into();
    active.revoked_at = Set(Some(now));
    active.revoked_by_id = Set(Some(actor.id()));
    Ok(active.update(txn).await?)
}

/// The plan as the holder of `token` may read it now, and the record of the reading.
///
/// # Errors
/// [`Error::Forbidden`] for a forged, expired or revoked link, a guardian who no longer has
/// custody, or a case without a plan.
pub async fn open(
    db: &DatabaseConnection,
    links: &crate::content::links::Links,
    token: &str,
    format: PlanFormat,
    now: DateTime<Utc>,
) -> Result<(plan_link::Model, PlanView)> {
    let id = links.verify_plan(token, now)?;
    let txn = crate::infra::db::begin_write(db).await?;
    let link = plan_link::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or_else(|| Error::forbidden("this plan link is not valid"))?;
    if link.revoked_at.is_some() {
        return Err(Error::forbidden("this plan link has been revoked"));
    }
    if now >= link.expires_at {
        return Err(Error::forbidden("this plan link has expired"));
    }
    if let Some(member) = link.family_member_id {
        let still_guardian = family_member::Entity::find_by_id(member)
            .one(&txn)
            .await?
            .is_some_and(|m| m.has_custody);
        if !still_guardian {
            return Err(Error::forbidden("this plan link is no longer valid"));
        }
    }
    let case = case::Entity::find_by_id(link.case_id)
        .one(&txn)
        .await?
        .ok_or_else(|| Error::forbidden("this plan link is not valid"))?;
    let version = current_version(&txn, case.id)
        .await?
        .ok_or_else(|| Error::forbidden("there is no plan to show"))?;
    let view = view_of(&txn, &case, &version, link.language).await?;
    plan_link_read::ActiveModel {
        id: NotSet,
        plan_link_id: Set(link.id),
        plan_version_id: Set(version.id),
        format: Set(format),
        read_at: Set(now),
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    Ok((link, view))
}

/// The case's newest plan version.
///
/// # Errors
/// Database errors.
pub async fn current_version<C: ConnectionTrait>(
    db: &C,
    case_id: CaseId,
) -> Result<Option<plan_version::Model>> {
    Ok(plan_version::Entity::find()
        .filter(plan_version::Column::CaseId.eq(case_id))
        .order_by_desc(plan_version::Column::Version)
        .one(db)
        .await?)
}

async fn child_of<C: ConnectionTrait>(db: &C, case: &case::Model) -> Result<child::Model> {
    child::Entity::find_by_id(case.child_id)
        .one(db)
        .await?
        .ok_or_else(|| Error::internal("a case without its child"))
}

/// The family's view of `version`: open items only, agreements with their status now, the
/// responsible contacts; the child by first name.
async fn view_of<C: ConnectionTrait>(
    db: &C,
    case: &case::Model,
    version: &plan_version::Model,
    language: Language,
) -> Result<PlanView> {
    let child = child_of(db, case).await?;
    let meeting = meeting::Entity::find_by_id(version.meeting_id)
        .one(db)
        .await?
        .ok_or_else(|| Error::internal("a plan version without its meeting"))?;
    let items = plan_item::Entity::find()
        .filter(plan_item::Column::PlanVersionId.eq(version.id))
        .filter(plan_item::Column::Closed.eq(false))
        .order_by_asc(plan_item::Column::Priority)
        .all(db)
        .await?;
    let of_kind = |kind| {
        items
            .iter()
            .filter(|i| i.kind == kind)
            .map(|i| i.text.clone())
            .collect::<Vec<_>>()
    };
    let agreement_ids: Vec<_> = plan_agreement::Entity::find()
        .filter(plan_agreement::Column::PlanVersionId.eq(version.id))
        .all(db)
        .await?
        .into_iter()
        .map(|r| r.agreement_id)
        .collect();
    let agreements = agreement::Entity::find()
        .filter(agreement::Column::Id.is_in(agreement_ids))
        .order_by_asc(agreement::Column::DueOn)
        .order_by_asc(agreement::Column::Id)
        .all(db)
        .await?;
    let participants = participant::Entity::find()
        .filter(participant::Column::CaseId.eq(case.id))
        .all(db)
        .await?;
    let names = Names::load(db, &participants, &child).await?;
    let agreements = agreements
        .into_iter()
        .map(|a| AgreementLine {
            owner: names.of(a.owner_id),
            description: a.description,
            due_on: a.due_on,
            status: a.status,
        })
        .collect();
    let mut contacts: Vec<ContactLine> = participants
        .iter()
        .filter(|p| p.is_active() && p.role == ParticipantRole::ResponsibleContact)
        .map(|p| ContactLine {
            sector: capitalized(p.sector.name(language)),
            name: names.of(p.id),
        })
        .collect();
    contacts.sort_by(|a, b| a.sector.cmp(&b.sector));
    Ok(PlanView {
        language,
        child_first_name: child
            .name
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .to_owned(),
        version: version.version,
        meeting: meeting.kind.name(language).to_owned(),
        written_on: local_date(version.created_at),
        child_wishes: version.child_wishes.clone(),
        family_wishes: version.family_wishes.clone(),
        challenges: of_kind(crate::domain::enums::PlanItemKind::Challenge),
        resources: of_kind(crate::domain::enums::PlanItemKind::Resource),
        agreements,
        contacts,
    })
}

fn capitalized(s: &str) -> String {
    let mut chars = s.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

/// Participants' names as the family reads them: "Name, unit" for professionals.
struct Names(std::collections::HashMap<crate::ids::ParticipantId, String>);

impl Names {
    async fn load<C: ConnectionTrait>(
        db: &C,
        participants: &[participant::Model],
        child: &child::Model,
    ) -> Result<Self> {
        let pro_ids: Vec<_> = participants
            .iter()
            .filter_map(|p| p.professional_id)
            .collect();
        let pros = professional::Entity::find()
            .filter(professional::Column::Id.is_in(pro_ids))
            .all(db)
            .await?;
        let units = unit::Entity::find()
            .filter(unit::Column::Id.is_in(pros.iter().map(|p| p.unit_id)))
            .all(db)
            .await?;
        let members = family_member::Entity::find()
            .filter(
                family_member::Column::Id
                    .is_in(participants.iter().filter_map(|p| p.family_member_id)),
            )
            .all(db)
            .await?;
        let mut names = std::collections::HashMap::new();
        for p in participants {
            let name = match p.kind {
                ParticipantKind::Professional => pros
                    .iter()
                    .find(|x| Some(x.id) == p.professional_id)
                    .map(|x| {
                        units
                            .iter()
                            .find(|u| u.id == x.unit_id)
                            .map_or_else(|| x.name.clone(), |u| format!("{}, {}", x.name, u.name))
                    }),
                ParticipantKind::FamilyMember => members
                    .iter()
                    .find(|m| Some(m.id) == p.family_member_id)
                    .map(|m| m.name.clone()),
                ParticipantKind::Child => Some(child.name.clone()),
                ParticipantKind::External => {
                    Some(match (&p.external_name, &p.external_organization) {
                        (Some(n), Some(o)) => format!("{n}, {o}"),
                        (Some(n), None) => n.clone(),
                        (None, Some(o)) => o.clone(),
                        (None, None) => String::new(),
                    })
                }
            };
            names.insert(p.id, name.unwrap_or_default());
        }
        Ok(Self(names))
    }

    fn of(&self, id: crate::ids::ParticipantId) -> String {
        self.0.get(&id).cloned().unwrap_or_default()
    }
}

// Reads: a case's links as their fields show them. The caller has decided the viewer's
// access.

/// A case's plan links, newest first.
///
/// # Errors
/// Database errors.
pub async fn links_of<C: ConnectionTrait>(db: &C, case: CaseId) -> Result<Vec<plan_link::Model>> {
    Ok(plan_link::Entity::find()
        .filter(plan_link::Column::CaseId.eq(case))
        .order_by_desc(plan_link::Column::CreatedAt)
        .order_by_desc(plan_link::Column::Id)
        .all(db)
        .await?)
}

/// When a link was opened, newest first.
///
/// # Errors
/// Database errors.
pub async fn reads_of<C: ConnectionTrait>(
    db: &C,
    link: PlanLinkId,
) -> Result<Vec<plan_link_read::Model>> {
    Ok(plan_link_read::Entity::find()
        .filter(plan_link_read::Column::PlanLinkId.eq(link))
        .order_by_desc(plan_link_read::Column::ReadAt)
        .order_by_desc(plan_link_read::Column::Id)
        .all(db)
        .await?)
}

/// The e-mail that carried a link.
///
/// # Errors
/// [`Error::Internal`] when the link has none (it is queued with the link); database errors.
pub async fn email_of<C: ConnectionTrait>(
    db: &C,
    link: PlanLinkId,
) -> Result<crate::entities::delivery::Model> {
    crate::entities::delivery::Entity::find()
        .filter(About::PlanLink(link).rows())
        .one(db)
        .await?
        .ok_or_else(|| Error::internal("a plan link without its e-mail"))
}

/// The plan version a link (or one of its reads) shows.
///
/// # Errors
/// [`Error::Internal`] when it is missing; database errors.
pub async fn version<C: ConnectionTrait>(
    db: &C,
    id: crate::ids::PlanVersionId,
) -> Result<plan_version::Model> {
    plan_version::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| Error::internal("a read of a missing plan version"))
}
