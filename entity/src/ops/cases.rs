//! Referral, intake and closing: the case status machine applied to the database.

use crate::cpr::Cpr;
use crate::domain::enums::{
    ChildMatchDecision, FamilyRelation, Language, OrganizationKind, ParticipantKind,
    ParticipantRole, ReferralSource, RuleEvent,
};
use crate::domain::status::{CaseStatus, IntakeDecision};
use crate::entities::{
    case, case_status_change, child, family_member, organization, participant, referral, unit,
};
use crate::ids::{CaseId, OrganizationId};
use crate::{Error, Result};
use chrono::{DateTime, Datelike, Utc};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseTransaction, EntityTrait, PaginatorTrait, QueryFilter,
};

use crate::ops::deadlines::{self, Event};

use crate::access::Actor;
use crate::access::ChildData;
use crate::access::change_access;
use crate::cpr::vault::CprVault;

/// A new child, as given in a referral.
#[derive(Debug, Clone)]
pub struct NewChild {
    /// Full name.
    pub name: String,
    /// Date of birth; checked against the CPR number when both are given.
    pub date_of_birth: chrono::NaiveDate,
    /// CPR number, if known.
    pub cpr: Option<Cpr>,
}

/// A family member to record.
#[derive(Debug, Clone)]
pub struct NewFamilyMember {
    /// Full name.
    pub name: String,
    /// Relation to the child.
    pub relation: FamilyRelation,
    /// Holds custody.
    pub has_custody: bool,
    /// E-mail address.
    pub email: Option<String>,
    /// Phone number.
    pub phone: Option<String>,
    /// Preferred language.
    pub language: Language,
}

/// A referral to a municipality's single entry point.
#[derive(Debug, Clone)]
pub struct SubmitReferral {
    /// The receiving municipality.
    pub municipality_id: OrganizationId,
    /// The child or young person referred.
    pub child: NewChild,
    /// Guardians and other family members to record.
    pub family: Vec<NewFamilyMember>,
    /// Where the referral came from.
    pub source: ReferralSource,
    /// When it was received; defaults to now.
    pub received_at: Option<DateTime<Utc>>,
    /// The reason for referral.
    pub reason: String,
    /// The referring person.
    pub referrer_name: Option<String>,
    /// The referring organization.
    pub referrer_organization: Option<String>,
}

/// Registers a referral: records the child as the referrer gave it, opens a case in REFERRED,
/// records the referral and the first history entry. A referral never tells its referrer
/// whom a CPR number belongs to: when the number is registered for a child already known,
/// the referral's child is a record of its own (without the number) and the intake unit
/// decides whether it is the same child ([`decide_child_match`]). A referring professional
/// outside the intake unit becomes a participant, so they can follow what they referred.
///
/// # Errors
/// [`Error::Validation`] for an unknown municipality or one without an intake unit, or a
/// receipt time in the future.
pub async fn submit_referral(
    txn: &DatabaseTransaction,
    actor: &Actor,
    vault: &CprVault,
    now: DateTime<Utc>,
    cmd: SubmitReferral,
) -> Result<case::Model> {
    let municipality = organization::Entity::find_by_id(cmd.municipality_id)
        .one(txn)
        .await?
        .filter(|o| o.kind == OrganizationKind::Municipality)
        .ok_or_else(|| Error::invalid("municipalityId", "no municipality has this id"))?;
    let has_intake = unit::Entity::find()
        .filter(unit::Column::OrganizationId.eq(municipality.id))
        .filter(unit::Column::IsIntake.eq(true))
        .count(txn)
        .await?
        > 0;
    if !has_intake {
        return Err(Error::invalid(
            "municipalityId",
            "this municipality has no intake unit to receive referrals",
        ));
    }
    let received_at = cmd.received_at.unwrap_or(now);
    if received_at > now {
        return Err(Error::invalid("receivedAt", "must not be in the future"));
    }

    let (child, known) = referred_child(txn, vault, &cmd.child, now).await?;
    add_family(txn, &child, &cmd.family, now).await?;

    let inserted = case::ActiveModel {
        id: NotSet,
        reference: Set(format!("pending-{}", uuid::Uuid::new_v4())),
        child_id: Set(child.id),
        municipality_id: Set(municipality.id),
        status: Set(CaseStatus::Referred),
        redirected_to: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(txn)
    .await?;
    let mut opened: case::ActiveModel = inserted.clone().into();
    opened.reference = Set(case::reference_for(
        now.with_timezone(&chrono_tz::Europe::Copenhagen).year(),
        inserted.id,
    ));
    let case = opened.update(txn).await?;

    referral::ActiveModel {
        id: NotSet,
        case_id: Set(case.id),
        source: Set(cmd.source),
        received_at: Set(received_at),
        reason: Set(cmd.reason),
        referrer_name: Set(cmd.referrer_name),
        referrer_organization: Set(cmd.referrer_organization),
        submitted_by_id: Set(actor.id()),
        submitted_cpr: Set(match (&known, &cmd.child.cpr) {
            (Some(_), Some(cpr)) => Some(vault.seal(cpr.as_digits())?),
            _ => None,
        }),
        match_child_id: Set(known.as_ref().map(|k| k.id)),
        match_name_differs: Set(known
            .as_ref()
            .map(|k| child::search_key(&k.name) != child::search_key(&cmd.child.name))),
        match_birth_date_differs: Set(known
            .as_ref()
            .map(|k| k.date_of_birth != cmd.child.date_of_birth)),
        match_decision: Set(None),
        match_decided_at: Set(None),
        match_decided_by_id: Set(None),
        created_at: Set(now),
    }
    .insert(txn)
    .await?;
    record_change(
        txn,
        &case,
        None,
        CaseStatus::Referred,
        "Referral received",
        actor,
        now,
    )
    .await?;
    // The time limits owed from the referral run from when it was received.
    deadlines::on_event(
        txn,
        now,
        &Event::new(case.id, RuleEvent::ReferralReceived, received_at),
    )
    .await?;

    if actor.intake_for != Some(municipality.id) {
        let sector = organization::Entity::find_by_id(actor.organization_id)
            .one(txn)
            .await?
            .map(|o| o.kind.sector())
            .ok_or_else(|| Error::internal("the actor's organization is missing"))?;
        participant::ActiveModel {
            case_id: Set(case.id),
            kind: Set(ParticipantKind::Professional),
            role: Set(ParticipantRole::Professional),
            sector: Set(sector),
            professional_id: Set(Some(actor.id())),
            active_from: Set(now),
            added_by_id: Set(actor.id()),
            ..Default::default()
        }
        .insert(txn)
        .await?;
    }
    // The referral is the first change to the child's data in this case, logged with it.
    change_access(
        txn,
        actor,
        case.id,
        now,
        &[ChildData::Child, ChildData::Family, ChildData::Referral],
    )
    .await?;
    Ok(case)
}

/// The child of a new referral, as the referrer gave it, and the child already known by its
/// CPR number, if any. A known number is not stored on the new record (numbers are unique),
/// and the known record is never returned to the referrer: the intake unit decides.
async fn referred_child(
    txn: &DatabaseTransaction,
    vault: &CprVault,
    new: &NewChild,
    now: DateTime<Utc>,
) -> Result<(child::Model, Option<child::Model>)> {
    let known = match &new.cpr {
        Some(cpr) => {
            child::Entity::find()
                .filter(child::Column::CprHmac.is_in(vault.lookups(cpr.as_digits())))
                .one(txn)
                .await?
        }
        None => None,
    };
    let stored = match (&known, &new.cpr) {
        (None, Some(cpr)) => Some((vault.seal(cpr.as_digits())?, vault.lookup(cpr.as_digits()))),
        _ => None,
    };
    let created = child::ActiveModel {
        id: NotSet,
        name_search: Set(child::search_key(&new.name)),
        name: Set(new.name.clone()),
        date_of_birth: Set(new.date_of_birth),
        cpr: Set(stored.as_ref().map(|(sealed, _)| sealed.clone())),
        cpr_hmac: Set(stored.map(|(_, lookup)| lookup)),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(txn)
    .await?;
    Ok((created, known))
}

/// The intake unit decides whether a referred child is the child already known by the CPR
/// number the referral gave. The same child: the case follows the known child's record, the
/// family members the referrer gave join it (one record per person, by name), and the
/// referral's own record is removed. Another child: the referral's record stays, without
/// that number. Decided while the case is in REFERRED or IN_INTAKE, once.
///
/// # Errors
/// [`Error::NotFound`] for a case the actor may not see, [`Error::Forbidden`] for someone
/// outside the intake unit, [`Error::Conflict`] when there is nothing open to decide or the
/// case has passed intake.
pub async fn decide_child_match(
    txn: &DatabaseTransaction,
    actor: &Actor,
    now: DateTime<Utc>,
    case_id: CaseId,
    same_child: bool,
) -> Result<case::Model> {
    let (case, access) = change_access(
        txn,
        actor,
        case_id,
        now,
        &[ChildData::Child, ChildData::Referral],
    )
    .await?;
    access.require_intake()?;
    if !matches!(case.status, CaseStatus::Referred | CaseStatus::InIntake) {
        return Err(Error::conflict(format!(
            "a child match is decided before the intake decision; this case is {}",
            case.status.as_str()
        )));
    }
    let found = referral::Entity::find()
        .filter(referral::Column::CaseId.eq(case.id))
        .one(txn)
        .await?
        .ok_or_else(|| Error::internal("a case's referral is missing"))?;
    let (Some(known_id), None) = (found.match_child_id, found.match_decision) else {
        return Err(Error::conflict(
            "this referral has no open question of whether its child is already known",
        ));
    };
    let decision = if same_child {
        ChildMatchDecision::SameChild
    } else {
        ChildMatchDecision::DifferentChild
    };
    let mut decided: referral::ActiveModel = found.into();
    decided.match_decision = Set(Some(decision));
    decided.match_decided_at = Set(Some(now));
    decided.match_decided_by_id = Set(Some(actor.id()));
    decided.update(txn).await?;
    if !same_child {
        return Ok(case);
    }
    let referred = case.child_id;
    // The family the referrer gave joins the known child's, one record per person.
    let known_family = family_member::Entity::find()
        .filter(family_member::Column::ChildId.eq(known_id))
        .all(txn)
        .await?;
    for member in family_member::Entity::find()
        .filter(family_member::Column::ChildId.eq(referred))
        .all(txn)
        .await?
    {
        let key = child::search_key(&member.name);
        match known_family
            .iter()
            .find(|k| child::search_key(&k.name) == key)
        {
            Some(same) => {
                participant::Entity::update_many()
                    .col_expr(
                        participant::Column::FamilyMemberId,
                        Expr::value(Some(same.id)),
                    )
                    .filter(participant::Column::FamilyMemberId.eq(member.id))
                    .exec(txn)
                    .await?;
                family_member::Entity::delete_by_id(member.id)
                    .exec(txn)
                    .await?;
            }
            None => {
                family_member::Entity::update_many()
                    .col_expr(family_member::Column::ChildId, Expr::value(known_id))
                    .col_expr(family_member::Column::UpdatedAt, Expr::value(now))
                    .filter(family_member::Column::Id.eq(member.id))
                    .exec(txn)
                    .await?;
            }
        }
    }
    case::Entity::update_many()
        .col_expr(case::Column::ChildId, Expr::value(known_id))
        .col_expr(case::Column::UpdatedAt, Expr::value(now))
        .filter(case::Column::Id.eq(case.id))
        .exec(txn)
        .await?;
    let others = case::Entity::find()
        .filter(case::Column::ChildId.eq(referred))
        .count(txn)
        .await?;
    if others == 0 {
        child::Entity::delete_by_id(referred).exec(txn).await?;
    }
    Ok(case::Model {
        child_id: known_id,
        updated_at: now,
        ..case
    })
}

/// Records family members of `child`, skipping anyone already recorded under the same name.
///
/// # Errors
/// When the database fails.
pub async fn add_family(
    txn: &DatabaseTransaction,
    child: &child::Model,
    family: &[NewFamilyMember],
    now: DateTime<Utc>,
) -> Result<Vec<family_member::Model>> {
    let existing = family_member::Entity::find()
        .filter(family_member::Column::ChildId.eq(child.id))
        .all(txn)
        .await?;
    let mut added = Vec::new();
    for member in family {
        let key = child::search_key(&member.name);
        if existing.iter().any(|e| child::search_key(&e.name) == key) {
            continue;
        }
        added.push(
            family_member::ActiveModel {
                id: NotSet,
                child_id: Set(child.id),
                name: Set(member.name.clone()),
                relation: Set(member.relation),
                has_custody: Set(member.has_custody),
                email: Set(member.email.clone()),
                phone: Set(member.phone.clone()),
                language: Set(member.language),
                created_at: Set(now),
                updated_at: Set(now),
            }
            .insert(txn)
            .await?,
        );
    }
    Ok(added)
}

async fn record_change(
    txn: &DatabaseTransaction,
    case: &case::Model,
    from: Option<CaseStatus>,
    to: CaseStatus,
    reason: &str,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<()> {
    case_status_change::ActiveModel {
        id: NotSet,
        case_id: Set(case.id),
        from_status: Set(from),
        to_status: Set(to),
        reason: Set(reason.to_owned()),
        changed_by_id: Set(actor.id()),
        changed_at: Set(now),
    }
    .insert(txn)
    .await?;
    Ok(())
}

/// Moves `case` from its current status to `to`, guarding against a concurrent change: the
/// update only applies if the status is still the one read.
async fn transition(
    txn: &DatabaseTransaction,
    actor: &Actor,
    now: DateTime<Utc>,
    case: case::Model,
    to: CaseStatus,
    reason: &str,
    redirected_to: Option<String>,
) -> Result<case::Model> {
    let from = case.status;
    from.transition(to)?;
    let updated = case::Entity::update_many()
        .col_expr(case::Column::Status, Expr::value(to))
        .col_expr(case::Column::UpdatedAt, Expr::value(now))
        .col_expr(
            case::Column::RedirectedTo,
            Expr::value(redirected_to.clone()),
        )
        .filter(case::Column::Id.eq(case.id))
        .filter(case::Column::Status.eq(from))
        .exec(txn)
        .await?;
    if updated.rows_affected != 1 {
        return Err(Error::conflict(
            "the case's status was changed by someone else meanwhile; reload and try again",
        ));
    }
    record_change(txn, &case, Some(from), to, reason, actor, now).await?;
    Ok(case::Model {
        status: to,
        updated_at: now,
        redirected_to,
        ..case
    })
}

/// REFERRED → IN_INTAKE, by the municipality's intake unit.
///
/// # Errors
/// [`Error::NotFound`], [`Error::Forbidden`] outside the intake unit, [`Error::Conflict`] from
/// any status but REFERRED.
pub async fn start_intake(
    txn: &DatabaseTransaction,
    actor: &Actor,
    now: DateTime<Utc>,
    case_id: CaseId,
    note: Option<String>,
) -> Result<case::Model> {
    let (case, access) = change_access(txn, actor, case_id, now, &[ChildData::History]).await?;
    access.require_intake()?;
    let reason = note.unwrap_or_else(|| "Intake started".to_owned());
    let started = transition(txn, actor, now, case, CaseStatus::InIntake, &reason, None).await?;
    deadlines::on_event(
        txn,
        now,
        &Event::new(started.id, RuleEvent::IntakeStarted, now),
    )
    .await?;
    Ok(started)
}

/// The coordination committee's decision: IN_INTAKE → ACTIVE, REDIRECTED or REJECTED.
///
/// # Errors
/// [`Error::NotFound`], [`Error::Forbidden`] outside the intake unit, [`Error::Conflict`] from
/// any status but IN_INTAKE, [`Error::Validation`] when a redirect does not say where to.
pub async fn decide_intake(
    txn: &DatabaseTransaction,
    actor: &Actor,
    now: DateTime<Utc>,
    case_id: CaseId,
    decision: IntakeDecision,
    reason: String,
    redirected_to: Option<String>,
) -> Result<case::Model> {
    let (case, access) = change_access(txn, actor, case_id, now, &[ChildData::History]).await?;
    access.require_intake()?;
    if decision == IntakeDecision::Accept {
        let open_match = referral::Entity::find()
            .filter(referral::Column::CaseId.eq(case.id))
            .filter(referral::Column::MatchChildId.is_not_null())
            .filter(referral::Column::MatchDecision.is_null())
            .count(txn)
            .await?;
        if open_match > 0 {
            return Err(Error::conflict(
                "the referral's CPR number is registered for a child already known: decide \
                 whether it is the same child (decideChildMatch) before accepting",
            ));
        }
    }
    match (decision, &redirected_to) {
        (IntakeDecision::Redirect, None) => {
            return Err(Error::invalid(
                "redirectedTo",
                "a redirect must say where the child is redirected to",
            ));
        }
        (IntakeDecision::Accept | IntakeDecision::Reject, Some(_)) => {
            return Err(Error::invalid(
                "redirectedTo",
                "only a REDIRECT decision takes a redirect target",
            ));
        }
        _ => {}
    }
    let decided = transition(
        txn,
        actor,
        now,
        case,
        decision.target(),
        &reason,
        redirected_to,
    )
    .await?;
    deadlines::on_event(
        txn,
        now,
        &Event::new(decided.id, RuleEvent::IntakeDecided, now),
    )
    .await?;
    if decided.status == CaseStatus::Active {
        // The pathway starts: its time limits run from now, and those owed at ages 16, 17½
        // and 18 from the date of birth.
        deadlines::on_event(
            txn,
            now,
            &Event::new(decided.id, RuleEvent::IntakeAccepted, now),
        )
        .await?;
        deadlines::on_event(txn, now, &Event::new(decided.id, RuleEvent::ChildAge, now)).await?;
    } else {
        deadlines::withdraw_for_case(txn, now, decided.id).await?;
    }
    crate::ops::referral_decisions::tell_referrer(txn, actor, now, &decided, &reason).await?;
    if decided.status == CaseStatus::Active {
        // The worker plans the start and transition meetings.
        crate::ops::outbox::enqueue(
            txn,
            &crate::ops::outbox::PathwayEvent::CaseActivated {
                case_id: decided.id,
            },
            None,
        )
        .await?;
    }
    Ok(decided)
}

/// ACTIVE → CLOSED, by someone who manages the case.
///
/// # Errors
/// [`Error::NotFound`], [`Error::Forbidden`], [`Error::Conflict`] from any status but ACTIVE.
pub async fn close_case(
    txn: &DatabaseTransaction,
    actor: &Actor,
    now: DateTime<Utc>,
    case_id: CaseId,
    reason: String,
) -> Result<case::Model> {
    let (case, access) = change_access(txn, actor, case_id, now, &[ChildData::History]).await?;
    access.require_manage()?;
    let closed = transition(txn, actor, now, case, CaseStatus::Closed, &reason, None).await?;
    // Nothing more is owed on a closed pathway.
    deadlines::withdraw_for_case(txn, now, closed.id).await?;
    // Meetings still ahead are called off; their invitees get a cancellation.
    for upcoming in crate::entities::meeting::Entity::find()
        .filter(crate::entities::meeting::Column::CaseId.eq(closed.id))
        .filter(crate::entities::meeting::Column::Status.is_in([
            crate::domain::enums::MeetingStatus::Planned,
            crate::domain::enums::MeetingStatus::Scheduled,
        ]))
        .all(txn)
        .await?
    {
        crate::ops::meetings::cancel(txn, now, upcoming, format!("The case was closed: {reason}"))
            .await?;
    }
    Ok(closed)
}

/// The referrals waiting in a municipality's inbox (their case REFERRED or IN_INTAKE), for a
/// page: for its intake unit only.
///
/// # Errors
/// [`Error::Forbidden`] for anyone but the municipality's intake unit.
pub fn inbox_of(
    actor: &crate::access::Actor,
    municipality: OrganizationId,
) -> Result<sea_orm::Select<referral::Entity>> {
    if actor.intake_for != Some(municipality) {
        return Err(Error::forbidden(
            "only the municipality's intake unit works its inbox",
        ));
    }
    let waiting = sea_orm::sea_query::Query::select()
        .column(case::Column::Id)
        .from(case::Entity)
        .and_where(case::Column::MunicipalityId.eq(municipality))
        .and_where(case::Column::Status.is_in([CaseStatus::Referred, CaseStatus::InIntake]))
        .to_owned();
    Ok(referral::Entity::find().filter(referral::Column::CaseId.in_subquery(waiting)))
}
