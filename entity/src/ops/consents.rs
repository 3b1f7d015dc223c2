//! Consents: recorded and withdrawn by those who manage a case, for the child of the case.

use crate::domain::calendar::local_date;
use crate::domain::consent::{Giver, may_give};
use crate::domain::enums::{ConsentPurpose, RuleEvent};
use crate::domain::validate;
use crate::entities::{child, consent, consent_organization, family_member, organization};
use crate::ids::{CaseId, ConsentId, FamilyMemberId, OrganizationId};
use crate::ops::deadlines::{self, Event};
use crate::{Error, Result};
use chrono::{DateTime, Utc};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter};

use crate::access::Actor;
use crate::access::ChildData;
use crate::access::change_access;

/// A purpose's name, as stored, and as rule filters and deadline subjects hold it.
fn purpose_name(purpose: ConsentPurpose) -> String {
    sea_orm::ActiveEnum::to_value(&purpose)
}

/// Who gives a consent.
#[derive(Debug, Clone, Copy)]
pub enum GivenBy {
    /// A family member of the child (a guardian with custody, for a child under 15).
    FamilyMember(FamilyMemberId),
    /// The young person themself (15 or over).
    YoungPerson,
}

/// A consent to record.
#[derive(Debug, Clone)]
pub struct RecordConsent {
    /// The case whose child it concerns.
    pub case_id: CaseId,
    /// Who gave it.
    pub given_by: GivenBy,
    /// The organizations it covers: at least two.
    pub organization_ids: Vec<OrganizationId>,
    /// What it allows.
    pub purpose: ConsentPurpose,
    /// From when; default now.
    pub valid_from: Option<DateTime<Utc>>,
    /// Until when; default until withdrawn.
    pub valid_until: Option<DateTime<Utc>>,
    /// The document or note it rests on.
    pub basis: String,
}

/// Records a consent for the child of a case the actor manages; returns it with the
/// organizations it covers.
///
/// # Errors
/// [`Error::Validation`] naming the input field: a giver who may not consent (the young
/// person under 15, a family member for a young person of 15 or over, a family member
/// without custody or of another child), fewer than two organizations or an unknown one, a
/// period that ends before it begins or has ended, an empty basis; [`Error::Forbidden`] and
/// [`Error::Conflict`] as for every change to a case.
pub async fn record_consent(
    txn: &DatabaseTransaction,
    actor: &Actor,
    now: DateTime<Utc>,
    cmd: RecordConsent,
) -> Result<(consent::Model, Vec<OrganizationId>)> {
    let (case, access) = change_access(txn, actor, cmd.case_id, now, &[ChildData::Consents])
        .await
        .map_err(|e| e.at("caseId"))?;
    access.require_manage()?;
    case.status.require_open()?;
    let child = child::Entity::find_by_id(case.child_id)
        .one(txn)
        .await?
        .ok_or_else(|| Error::internal("a case without its child"))?;
    let today = local_date(now);
    let giver = match cmd.given_by {
        GivenBy::YoungPerson => Giver::YoungPerson,
        GivenBy::FamilyMember(id) => {
            let member = family_member::Entity::find_by_id(id)
                .one(txn)
                .await?
                .filter(|m| m.child_id == child.id)
                .ok_or_else(|| {
                    Error::invalid(
                        "givenByFamilyMemberId",
                        "not a family member of this case's child",
                    )
                })?;
            Giver::FamilyMember {
                has_custody: member.has_custody,
            }
        }
    };
    let giver_field = match cmd.given_by {
        GivenBy::YoungPerson => "givenByYoungPerson",
        GivenBy::FamilyMember(_) => "givenByFamilyMemberId",
    };
    may_give(giver_field, giver, child.date_of_birth, today)?;
    let mut organizations = cmd.organization_ids;
    organizations.sort_unstable();
    organizations.dedup();
    if organizations.len() < 2 {
        return Err(Error::invalid(
            "organizationIds",
            "name at least two organizations: those the information may pass between",
        ));
    }
    let found = organization::Entity::find()
        .filter(organization::Column::Id.is_in(organizations.iter().copied()))
        .all(txn)
        .await?;
    if found.len() != organizations.len() {
        return Err(Error::invalid(
            "organizationIds",
            "an organization named does not exist",
        ));
    }
    let valid_from = cmd.valid_from.unwrap_or(now);
    if let Some(until) = cmd.valid_until {
        if until <= valid_from {
            return Err(Error::invalid("validUntil", "must be after validFrom"));
        }
        if until <= now {
            return Err(Error::invalid("validUntil", "has already passed"));
        }
    }
    let basis = validate::long_text("basis", &cmd.basis)?;
    let row = consent::ActiveModel {
        id: NotSet,
        case_id: Set(case.id),
        given_by_family_member_id: Set(match cmd.given_by {
            GivenBy::FamilyMember(id) => Some(id),
            GivenBy::YoungPerson => None,
        }),
        given_by_child: Set(matches!(cmd.given_by, GivenBy::YoungPerson)),
        purpose: Set(cmd.purpose),
        valid_from: Set(valid_from),
        valid_until: Set(cmd.valid_until),
        basis: Set(basis),
        recorded_by_id: Set(actor.id()),
        recorded_at: Set(now),
        withdrawn_at: Set(None),
        withdrawn_by_id: Set(None),
        withdrawal_reason: Set(None),
    }
    .insert(txn)
    .await?;
    consent_organization::Entity::insert_many(organizations.iter().map(|&organization_id| {
        consent_organization::ActiveModel {
            consent_id: Set(row.id),
            organization_id: Set(organization_id),
        }
    }))
    .exec(txn)
    .await?;
    // A consent with an end owes its renewal before it (rule `consent-expiry`); a new one
    // for the same purpose meets the earlier one's.
    let event = Event::new(case.id, RuleEvent::ConsentRecorded, now)
        .filtered(purpose_name(row.purpose))
        .consent(row.id, row.valid_until);
    deadlines::on_event(txn, now, &event).await?;
    Ok((row, organizations))
}

/// Withdraws a consent, effective at once, for a case the actor manages.
///
/// # Errors
/// [`Error::NotFound`] for a consent of a case the actor cannot see; [`Error::Conflict`] when
/// it is withdrawn already; [`Error::Validation`] for an empty reason;
/// [`Error::Forbidden`] when the actor does not manage the case.
pub async fn withdraw_consent(
    txn: &DatabaseTransaction,
    actor: &Actor,
    now: DateTime<Utc>,
    id: ConsentId,
    reason: &str,
) -> Result<consent::Model> {
    let row = consent::Entity::find_by_id(id)
        .one(txn)
        .await?
        .ok_or_else(|| Error::not_found("consent").at("consentId"))?;
    let (_, access) = change_access(txn, actor, row.case_id, now, &[ChildData::Consents])
        .await
        .map_err(|e| e.at("consentId"))?;
    access.require_manage()?;
    if let Some(at) = row.withdrawn_at {
        return Err(Error::conflict(format!(
            "this consent was withdrawn at {}",
            at.to_rfc3339()
        )));
    }
    let reason = validate::long_text("reason", reason)?;
    deadlines::withdraw_for_consent(txn, now, row.case_id, &purpose_name(row.purpose), row.id)
        .await?;
    let mut active: consent::ActiveModel = row.into();
    active.withdrawn_at = Set(Some(now));
    active.withdrawn_by_id = Set(Some(actor.id()));
    active.withdrawal_reason = Set(Some(reason));
    Ok(active.update(txn).await?)
}
