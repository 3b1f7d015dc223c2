//! Who takes part in a case: adding, ending, the one responsible contact per sector and the
//! one intervention lead per case.

use crate::domain::enums::{ParticipantKind, ParticipantRole, RuleEvent, Sector};
use crate::entities::{case, family_member, organization, participant, professional, unit};
use crate::ids::{CaseId, FamilyMemberId, ParticipantId, ProfessionalId};
use crate::{Error, Result};
use chrono::{DateTime, Utc};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter};

use crate::ops::deadlines::{self, Event};

use crate::access::Actor;
use crate::access::ChildData;
use crate::access::change_access;
use crate::ops::case_row::touch;

const ONE_CONTACT_PER_SECTOR: &str = "the case already has an active responsible contact for this sector; use assignResponsibleContact to replace them";
const ONE_INTERVENTION_LEAD: &str =
    "the case already has an active intervention lead; use assignInterventionLead to replace them";

/// An external actor outside the product's organizations.
#[derive(Debug, Clone)]
pub struct ExternalActor {
    /// Their name as the case's participants know it.
    pub name: String,
    /// E-mail address.
    pub email: Option<String>,
    /// Phone number.
    pub phone: Option<String>,
    /// Their organization, as free text.
    pub organization: Option<String>,
}

/// Who is to take part.
#[derive(Debug, Clone)]
pub enum Person {
    /// A professional.
    Professional(ProfessionalId),
    /// A family member of the case's child.
    FamilyMember(FamilyMemberId),
    /// The case's child.
    Child,
    /// An external actor.
    External(ExternalActor),
}

/// Adds a participant to a case.
#[derive(Debug, Clone)]
pub struct AddParticipant {
    /// The case they join.
    pub case_id: CaseId,
    /// Their role.
    pub role: ParticipantRole,
    /// Who they are.
    pub person: Person,
    /// The sector they act for; defaults from the person.
    pub sector: Option<Sector>,
}

/// The sector a professional acts for by default: their organization's.
async fn sector_of(txn: &DatabaseTransaction, p: &professional::Model) -> Result<Sector> {
    let unit = unit::Entity::find_by_id(p.unit_id)
        .one(txn)
        .await?
        .ok_or_else(|| Error::internal("a professional's unit is missing"))?;
    let org = organization::Entity::find_by_id(unit.organization_id)
        .one(txn)
        .await?
        .ok_or_else(|| Error::internal("a unit's organization is missing"))?;
    Ok(org.kind.sector())
}

async fn active_professional(
    txn: &DatabaseTransaction,
    id: ProfessionalId,
    field: &str,
) -> Result<professional::Model> {
    professional::Entity::find_by_id(id)
        .one(txn)
        .await?
        .filter(|p| p.is_active)
        .ok_or_else(|| Error::invalid(field, "no active professional has this id"))
}

async fn open_managed_case(
    txn: &DatabaseTransaction,
    actor: &Actor,
    case_id: CaseId,
    now: DateTime<Utc>,
) -> Result<case::Model> {
    let (case, access) = change_access(txn, actor, case_id, now, &[ChildData::Participants])
        .await
        .map_err(|e| e.at("caseId"))?;
    access.require_manage()?;
    case.status.require_open()?;
    Ok(case)
}

/// Adds a participant.
///
/// # Errors
/// [`Error::Validation`] when the role does not fit the person or a referenced person does
/// not exist; [`Error::Conflict`] for a second active responsible contact in a sector or the
/// same person in the same role twice.
pub async fn add(
    txn: &DatabaseTransaction,
    actor: &Actor,
    now: DateTime<Utc>,
    cmd: AddParticipant,
) -> Result<participant::Model> {
    let case = open_managed_case(txn, actor, cmd.case_id, now).await?;
    let kind = match &cmd.person {
        Person::Professional(_) => ParticipantKind::Professional,
        Person::FamilyMember(_) => ParticipantKind::FamilyMember,
        Person::Child => ParticipantKind::Child,
        Person::External(_) => ParticipantKind::External,
    };
    if cmd.role.person_kind() != kind {
        return Err(Error::invalid(
            "role",
            format!(
                "the role {:?} must be held by a {:?}, not a {kind:?}",
                cmd.role,
                cmd.role.person_kind()
            ),
        ));
    }
    let mut row = participant::ActiveModel {
        case_id: Set(case.id),
        kind: Set(kind),
        role: Set(cmd.role),
        active_from: Set(now),
        added_by_id: Set(actor.id()),
        ..Default::default()
    };
    let sector = match cmd.person {
        Person::Professional(id) => {
            let p = active_professional(txn, id, "professionalId").await?;
            row.professional_id = Set(Some(p.id));
            match cmd.sector {
                Some(s) => s,
                None => sector_of(txn, &p).await?,
            }
        }
        Person::FamilyMember(id) => {
            let member = family_member::Entity::find_by_id(id)
                .one(txn)
                .await?
                .filter(|m| m.child_id == case.child_id)
                .ok_or_else(|| {
                    Error::invalid(
                        "familyMemberId",
                        "no family member of this case's child has this id",
                    )
                })?;
            row.family_member_id = Set(Some(member.id));
            cmd.sector.unwrap_or(Sector::Family)
        }
        Person::Child => cmd.sector.unwrap_or(Sector::Family),
        Person::External(ext) => {
            row.external_name = Set(Some(ext.name));
            row.external_email = Set(ext.email);
            row.external_phone = Set(ext.phone);
            row.external_organization = Set(ext.organization);
            cmd.sector.unwrap_or(Sector::Other)
        }
    };
    if cmd.role == ParticipantRole::ResponsibleContact && sector == Sector::Family {
        return Err(Error::invalid(
            "sector",
            "a responsible contact acts for a professional sector, not FAMILY",
        ));
    }
    row.sector = Set(sector);
    if cmd.role == ParticipantRole::ResponsibleContact
        && current_contact(txn, case.id, sector).await?.is_some()
    {
        return Err(Error::conflict(ONE_CONTACT_PER_SECTOR));
    }
    if cmd.role == ParticipantRole::InterventionLead && current_lead(txn, case.id).await?.is_some()
    {
        return Err(Error::conflict(ONE_INTERVENTION_LEAD));
    }
    let inserted = row.insert(txn).await.map_err(|e| {
        Error::from(e)
            .unique_as_conflict(
                &crate::domain::unique::ONE_CONTACT_PER_SECTOR,
                ONE_CONTACT_PER_SECTOR,
            )
            .unique_as_conflict(
                &crate::domain::unique::ONE_INTERVENTION_LEAD,
                ONE_INTERVENTION_LEAD,
            )
            .unique_as_conflict(
                &crate::domain::unique::ONE_ROLE_AT_A_TIME,
                "this person already takes part in the case in this role",
            )
    })?;
    touch(txn, case.id, now).await?;
    if inserted.role == ParticipantRole::ResponsibleContact {
        crate::ops::meetings::contact_joined(txn, now, case.id, inserted.id).await?;
        contact_assigned(txn, now, case.id, inserted.sector).await?;
    }
    if inserted.role == ParticipantRole::InterventionLead {
        lead_assigned(txn, now, case.id).await?;
    }
    Ok(inserted)
}

async fn current_lead(
    txn: &DatabaseTransaction,
    case_id: CaseId,
) -> Result<Option<participant::Model>> {
    Ok(participant::Entity::find()
        .filter(participant::Column::CaseId.eq(case_id))
        .filter(participant::Column::Role.eq(ParticipantRole::InterventionLead))
        .filter(participant::Column::ActiveUntil.is_null())
        .one(txn)
        .await?)
}

async fn current_contact(
    txn: &DatabaseTransaction,
    case_id: CaseId,
    sector: Sector,
) -> Result<Option<participant::Model>> {
    Ok(participant::Entity::find()
        .filter(participant::Column::CaseId.eq(case_id))
        .filter(participant::Column::Sector.eq(sector))
        .filter(participant::Column::Role.eq(ParticipantRole::ResponsibleContact))
        .filter(participant::Column::ActiveUntil.is_null())
        .one(txn)
        .await?)
}

/// Ends an active participation if it is still active; false if someone else ended it first.
async fn end_period(
    txn: &DatabaseTransaction,
    id: ParticipantId,
    actor: &Actor,
    now: DateTime<Utc>,
    reason: &str,
) -> Result<bool> {
    let ended = participant::Entity::update_many()
        .col_expr(participant::Column::ActiveUntil, Expr::value(Some(now)))
        .col_expr(
            participant::Column::EndReason,
            Expr::value(Some(reason.to_owned())),
        )
        .col_expr(
            participant::Column::EndedById,
            Expr::value(Some(actor.id())),
        )
        .filter(participant::Column::Id.eq(id))
        .filter(participant::Column::ActiveUntil.is_null())
        .exec(txn)
        .await?;
    Ok(ended.rows_affected == 1)
}

/// Ends a participation; the row stays as history.
///
/// # Errors
/// [`Error::NotFound`] for an unknown or invisible participation; [`Error::Conflict`] when it
/// has already ended.
pub async fn end(
    txn: &DatabaseTransaction,
    actor: &Actor,
    now: DateTime<Utc>,
    participant_id: ParticipantId,
    reason: String,
) -> Result<participant::Model> {
    let not_found = || Error::not_found("participant").at("participantId");
    let row = participant::Entity::find_by_id(participant_id)
        .one(txn)
        .await?
        .ok_or_else(not_found)?;
    let (case, access) = change_access(txn, actor, row.case_id, now, &[ChildData::Participants])
        .await
        .map_err(|_| not_found())?;
    access.require_manage()?;
    case.status.require_open()?;
    if !end_period(txn, row.id, actor, now, &reason).await? {
        return Err(Error::conflict("this participation has already ended"));
    }
    touch(txn, case.id, now).await?;
    // They leave the meetings ahead; one they organized goes to another responsible contact.
    crate::ops::meetings::participant_left(txn, now, case.id, row.id, None).await?;
    // Alerts meant for them go to whoever is responsible now (or the intake unit).
    deadlines::refresh_responsible(txn, now, case.id).await?;
    Ok(participant::Model {
        active_until: Some(now),
        end_reason: Some(reason),
        ended_by_id: Some(actor.id()),
        ..row
    })
}

/// The result of assigning a responsible contact.
#[derive(Debug, Clone)]
pub struct Assigned {
    /// The active responsible contact now.
    pub contact: participant::Model,
    /// The contact they replaced, with their period ended.
    pub replaced: Option<participant::Model>,
}

/// Makes `professional_id` the responsible contact of `sector` (default: their
/// organization's), ending the current contact's period. Assigning the current contact again
/// changes nothing.
///
/// # Errors
/// [`Error::Conflict`] when another assignment for the same sector committed first.
pub async fn assign_responsible_contact(
    txn: &DatabaseTransaction,
    actor: &Actor,
    now: DateTime<Utc>,
    case_id: CaseId,
    professional_id: ProfessionalId,
    sector: Option<Sector>,
) -> Result<Assigned> {
    let case = open_managed_case(txn, actor, case_id, now).await?;
    let p = active_professional(txn, professional_id, "professionalId").await?;
    let sector = match sector {
        Some(s) => s,
        None => sector_of(txn, &p).await?,
    };
    if sector == Sector::Family {
        return Err(Error::invalid(
            "sector",
            "a responsible contact acts for a professional sector, not FAMILY",
        ));
    }
    let current = current_contact(txn, case.id, sector).await?;
    let holder = OneHolder {
        role: ParticipantRole::ResponsibleContact,
        what: "responsible contact",
        sector,
        unique: &[(
            &crate::domain::unique::ONE_CONTACT_PER_SECTOR,
            "another responsible contact was assigned to this sector at the same time; reload and try again",
        )],
    };
    let Holders {
        holder: contact,
        replaced,
        changed,
    } = replace_holder(txn, actor, now, case.id, &p, current, &holder).await?;
    if !changed {
        return Ok(Assigned { contact, replaced });
    }
    crate::ops::meetings::contact_joined(txn, now, case.id, contact.id).await?;
    contact_assigned(txn, now, case.id, sector).await?;
    Ok(Assigned { contact, replaced })
}

/// A sector has its responsible contact: the deadline owed for that is met, and alerts
/// follow the new contact.
async fn contact_assigned(
    txn: &DatabaseTransaction,
    now: DateTime<Utc>,
    case_id: CaseId,
    sector: Sector,
) -> Result<()> {
    deadlines::on_event(
        txn,
        now,
        &Event::new(case_id, RuleEvent::ContactAssigned, now).sector(sector),
    )
    .await
}

/// A role one professional holds at a time: a sector's responsible contact, a case's
/// intervention lead.
struct OneHolder {
    role: ParticipantRole,
    /// The role in words, for the replaced holder's end reason.
    what: &'static str,
    sector: Sector,
    /// The unique indexes a racing change may trip, and the conflict each is answered with.
    unique: &'static [(&'static crate::domain::unique::UniqueIndex, &'static str)],
}

/// The holder after [`replace_holder`], the one replaced, and whether anything changed.
struct Holders {
    holder: participant::Model,
    replaced: Option<participant::Model>,
    changed: bool,
}

/// Makes `p` the holder of `holder.role` in place of `current`: ends the current holder's
/// period (a racing change that ended it first is a conflict), inserts the new holder and hands
/// the meetings ahead over to them. Nothing changes when `p` holds it already.
async fn replace_holder(
    txn: &DatabaseTransaction,
    actor: &Actor,
    now: DateTime<Utc>,
    case_id: CaseId,
    p: &professional::Model,
    current: Option<participant::Model>,
    holder: &OneHolder,
) -> Result<Holders> {
    if let Some(current) = &current
        && current.professional_id == Some(p.id)
    {
        return Ok(Holders {
            holder: current.clone(),
            replaced: None,
            changed: false,
        });
    }
    let replaced = match current {
        Some(current) => {
            let reason = format!("Replaced as {} by {}", holder.what, p.name);
            if !end_period(txn, current.id, actor, now, &reason).await? {
                return Err(Error::conflict(holder.unique[0].1));
            }
            Some(participant::Model {
                active_until: Some(now),
                end_reason: Some(reason),
                ended_by_id: Some(actor.id()),
                ..current
            })
        }
        None => None,
    };
    let inserted = participant::ActiveModel {
        case_id: Set(case_id),
        kind: Set(ParticipantKind::Professional),
        role: Set(holder.role),
        sector: Set(holder.sector),
        professional_id: Set(Some(p.id)),
        active_from: Set(now),
        added_by_id: Set(actor.id()),
        ..Default::default()
    }
    .insert(txn)
    .await
    .map_err(|e| {
        holder
            .unique
            .iter()
            .fold(Error::from(e), |e, (index, conflict)| {
                e.unique_as_conflict(index, conflict)
            })
    })?;
    touch(txn, case_id, now).await?;
    if let Some(replaced) = &replaced {
        crate::ops::meetings::participant_left(txn, now, case_id, replaced.id, Some(inserted.id))
            .await?;
    }
    Ok(Holders {
        holder: inserted,
        replaced,
        changed: true,
    })
}

/// The result of appointing an intervention lead.
#[derive(Debug, Clone)]
pub struct Appointed {
    /// The active intervention lead now.
    pub lead: participant::Model,
    /// The lead they replaced, with their period ended.
    pub replaced: Option<participant::Model>,
}

/// Makes `professional_id` the case's intervention lead (seed 003: "Udpegning af
/// indsatsansvarlig"), the one who answers for the actions of the child's pathway, ending the
/// current lead's period: one active lead per case. The replaced lead's invitations to the
/// meetings ahead pass to the new one. Appointing the current lead again changes nothing.
///
/// # Errors
/// [`Error::Conflict`] when another appointment committed first.
pub async fn assign_intervention_lead(
    txn: &DatabaseTransaction,
    actor: &Actor,
    now: DateTime<Utc>,
    case_id: CaseId,
    professional_id: ProfessionalId,
) -> Result<Appointed> {
    let case = open_managed_case(txn, actor, case_id, now).await?;
    let p = active_professional(txn, professional_id, "professionalId").await?;
    let sector = sector_of(txn, &p).await?;
    let current = current_lead(txn, case.id).await?;
    let holder = OneHolder {
        role: ParticipantRole::InterventionLead,
        what: "intervention lead",
        sector,
        unique: &[
            (
                &crate::domain::unique::ONE_INTERVENTION_LEAD,
                "another intervention lead was appointed at the same time; reload and try again",
            ),
            (
                &crate::domain::unique::ONE_ROLE_AT_A_TIME,
                "this person already takes part in the case as intervention lead",
            ),
        ],
    };
    let Holders {
        holder: lead,
        replaced,
        changed,
    } = replace_holder(txn, actor, now, case.id, &p, current, &holder).await?;
    if !changed {
        return Ok(Appointed { lead, replaced });
    }
    lead_assigned(txn, now, case.id).await?;
    Ok(Appointed { lead, replaced })
}

/// The case has its intervention lead: the deadline owed for appointing one is met, and
/// alerts for the lead follow the new one.
async fn lead_assigned(
    txn: &DatabaseTransaction,
    now: DateTime<Utc>,
    case_id: CaseId,
) -> Result<()> {
    deadlines::on_event(
        txn,
        now,
        &Event::new(case_id, RuleEvent::InterventionLeadAssigned, now),
    )
    .await
}
