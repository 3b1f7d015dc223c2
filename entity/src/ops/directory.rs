//! Organizations, units and professionals, managed by organization administrators.
//!
//! Any administrator may register a new organization (the operator's administrators set up
//! the 29 municipalities and the region); everything inside an organization — its name, its
//! units, its professionals — is managed only by that organization's own administrators.

use crate::domain::enums::{AccessChangeKind, Language, OrganizationKind};
use crate::domain::validate;
use crate::entities::{access_change, organization, professional, unit};
use crate::ids::{OrganizationId, ProfessionalId, UnitId};
use crate::{Error, Result};
use chrono::{DateTime, Utc};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter,
};

use crate::access::Actor;

/// Office hours of a new organization, in minutes after midnight: 08:00–16:00.
pub const DEFAULT_OFFICE_HOURS: (i32, i32) = (8 * 60, 16 * 60);
/// Months between follow-up meetings of a new organization's cases.
pub const DEFAULT_FOLLOW_UP_MONTHS: i32 = 3;
/// Working days' notice before meetings of a new organization's cases.
pub const DEFAULT_NOTICE_DAYS: i32 = 5;

fn require_admin(actor: &Actor) -> Result<()> {
    if actor.professional.is_admin {
        Ok(())
    } else {
        Err(Error::forbidden("only an administrator may do this"))
    }
}

/// Registers an organization. The actor is `None` only when bootstrapping from the command
/// line.
///
/// # Errors
/// [`Error::Forbidden`] for a non-administrator.
pub async fn create_organization<C: ConnectionTrait>(
    txn: &C,
    actor: Option<&Actor>,
    now: DateTime<Utc>,
    name: String,
    kind: OrganizationKind,
) -> Result<organization::Model> {
    if let Some(actor) = actor {
        require_admin(actor)?;
    }
    Ok(organization::ActiveModel {
        id: NotSet,
        name: Set(name),
        kind: Set(kind),
        office_hours_start_minute: Set(DEFAULT_OFFICE_HOURS.0),
        office_hours_end_minute: Set(DEFAULT_OFFICE_HOURS.1),
        follow_up_months: Set(DEFAULT_FOLLOW_UP_MONTHS),
        meeting_notice_days: Set(DEFAULT_NOTICE_DAYS),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(txn)
    .await?)
}

/// Changes to an organization; `None` keeps a value.
#[derive(Debug, Clone, Default)]
pub struct OrganizationChanges {
    /// New name.
    pub name: Option<String>,
    /// New kind.
    pub kind: Option<OrganizationKind>,
    /// New office hours, minutes after midnight.
    pub office_hours: Option<(i32, i32)>,
    /// New follow-up cadence in months.
    pub follow_up_months: Option<i32>,
    /// New minimum notice in working days.
    pub meeting_notice_days: Option<i32>,
}

/// Changes an organization's name, kind or meeting settings.
///
/// # Errors
/// [`Error::NotFound`], or [`Error::Forbidden`] for anyone but its administrators.
pub async fn update_organization<C: ConnectionTrait>(
    txn: &C,
    actor: &Actor,
    now: DateTime<Utc>,
    id: OrganizationId,
    changes: OrganizationChanges,
) -> Result<organization::Model> {
    let OrganizationChanges {
        name,
        kind,
        office_hours,
        follow_up_months,
        meeting_notice_days,
    } = changes;
    let org = organization::Entity::find_by_id(id)
        .one(txn)
        .await?
        .ok_or_else(|| Error::not_found("organization").at("organizationId"))?;
    actor.require_admin_of(org.id)?;
    let mut row: organization::ActiveModel = org.into();
    if let Some(name) = name {
        row.name = Set(name);
    }
    if let Some(kind) = kind {
        row.kind = Set(kind);
    }
    if let Some((start, end)) = office_hours {
        row.office_hours_start_minute = Set(start);
        row.office_hours_end_minute = Set(end);
    }
    if let Some(months) = follow_up_months {
        row.follow_up_months = Set(months);
    }
    if let Some(days) = meeting_notice_days {
        row.meeting_notice_days = Set(days);
    }
    row.updated_at = Set(now);
    Ok(row.update(txn).await?)
}

const ONE_INTAKE: &str = "the organization already has an intake unit";

/// Creates a unit in an organization.
///
/// # Errors
/// [`Error::Validation`] for an unknown organization, [`Error::Forbidden`] for anyone but its
/// administrators, [`Error::Conflict`] for a second intake unit.
pub async fn create_unit<C: ConnectionTrait>(
    txn: &C,
    actor: Option<&Actor>,
    now: DateTime<Utc>,
    organization_id: OrganizationId,
    name: String,
    is_intake: bool,
) -> Result<unit::Model> {
    let org = organization::Entity::find_by_id(organization_id)
        .one(txn)
        .await?
        .ok_or_else(|| Error::invalid("organizationId", "no organization has this id"))?;
    if let Some(actor) = actor {
        actor.require_admin_of(org.id)?;
    }
    let created = unit::ActiveModel {
        id: NotSet,
        organization_id: Set(org.id),
        name: Set(name),
        is_intake: Set(is_intake),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(txn)
    .await
    .map_err(|e| {
        Error::from(e).unique_as_conflict(&crate::domain::unique::ONE_INTAKE_UNIT, ONE_INTAKE)
    })?;
    if is_intake {
        record(
            txn,
            now,
            actor,
            Change::intake(org.id, created.id, None, true),
        )
        .await?;
    }
    Ok(created)
}

/// Renames a unit or changes whether it is the intake unit.
///
/// # Errors
/// As [`create_unit`].
pub async fn update_unit<C: ConnectionTrait>(
    txn: &C,
    actor: &Actor,
    now: DateTime<Utc>,
    id: UnitId,
    name: Option<String>,
    is_intake: Option<bool>,
) -> Result<unit::Model> {
    let found = unit::Entity::find_by_id(id)
        .one(txn)
        .await?
        .ok_or_else(|| Error::not_found("unit").at("unitId"))?;
    actor.require_admin_of(found.organization_id)?;
    let intake_change = is_intake.filter(|after| *after != found.is_intake);
    if intake_change.is_some()
        && (actor.professional.unit_id == found.id
            || actor.professional.leads_unit_id == Some(found.id))
    {
        return Err(Error::forbidden(
            "nobody changes whether their own unit is the intake unit: that would change what \
             they themselves may see; another administrator must do it",
        ));
    }
    let (organization, before) = (found.organization_id, found.is_intake);
    let mut row: unit::ActiveModel = found.into();
    if let Some(name) = name {
        row.name = Set(name);
    }
    if let Some(is_intake) = is_intake {
        row.is_intake = Set(is_intake);
    }
    row.updated_at = Set(now);
    let updated = row.update(txn).await.map_err(|e| {
        Error::from(e).unique_as_conflict(&crate::domain::unique::ONE_INTAKE_UNIT, ONE_INTAKE)
    })?;
    if let Some(after) = intake_change {
        record(
            txn,
            now,
            Some(actor),
            Change::intake(organization, id, Some(before), after),
        )
        .await?;
    }
    Ok(updated)
}

/// One change to need-to-know, as recorded.
struct Change {
    organization: OrganizationId,
    kind: AccessChangeKind,
    professional: Option<ProfessionalId>,
    unit: Option<UnitId>,
    before: Option<UnitId>,
    after: Option<UnitId>,
    flag_before: Option<bool>,
    flag_after: Option<bool>,
}

impl Change {
    fn intake(
        organization: OrganizationId,
        unit: UnitId,
        before: Option<bool>,
        after: bool,
    ) -> Self {
        Self {
            organization,
            kind: AccessChangeKind::UnitIsIntake,
            professional: None,
            unit: Some(unit),
            before: None,
            after: None,
            flag_before: before,
            flag_after: Some(after),
        }
    }

    fn of_professional(
        organization: OrganizationId,
        kind: AccessChangeKind,
        professional: ProfessionalId,
        before: Option<UnitId>,
        after: Option<UnitId>,
    ) -> Self {
        Self {
            organization,
            kind,
            professional: Some(professional),
            unit: None,
            before,
            after,
            flag_before: None,
            flag_after: None,
        }
    }
}

/// Records a change to need-to-know in the change's own transaction.
async fn record<C: ConnectionTrait>(
    txn: &C,
    now: DateTime<Utc>,
    actor: Option<&Actor>,
    change: Change,
) -> Result<()> {
    access_change::ActiveModel {
        id: NotSet,
        organization_id: Set(change.organization),
        changed_at: Set(now),
        changed_by_id: Set(actor.map(Actor::id)),
        kind: Set(change.kind),
        professional_id: Set(change.professional),
        unit_id: Set(change.unit),
        unit_before_id: Set(change.before),
        unit_after_id: Set(change.after),
        flag_before: Set(change.flag_before),
        flag_after: Set(change.flag_after),
    }
    .insert(txn)
    .await?;
    Ok(())
}

/// A professional's details.
#[derive(Debug, Clone)]
pub struct ProfessionalFields {
    /// Full name.
    pub name: String,
    /// Job title.
    pub title: String,
    /// Work e-mail.
    pub email: String,
    /// Work phone.
    pub phone: Option<String>,
    /// The identity provider's subject; defaults to the e-mail address.
    pub subject: Option<String>,
    /// Their unit.
    pub unit_id: UnitId,
    /// The unit they lead.
    pub leads_unit_id: Option<UnitId>,
    /// Administrator of their organization.
    pub is_admin: bool,
    /// Language for e-mails.
    pub language: Language,
}

async fn unit_in(txn: &impl ConnectionTrait, id: UnitId, field: &str) -> Result<unit::Model> {
    unit::Entity::find_by_id(id)
        .one(txn)
        .await?
        .ok_or_else(|| Error::invalid(field, "no unit has this id"))
}

async fn check_units(
    txn: &impl ConnectionTrait,
    actor: Option<&Actor>,
    unit_id: UnitId,
    leads: Option<UnitId>,
) -> Result<OrganizationId> {
    let unit = unit_in(txn, unit_id, "unitId").await?;
    if let Some(actor) = actor {
        actor.require_admin_of(unit.organization_id)?;
    }
    if let Some(led) = leads {
        let led = unit_in(txn, led, "leadsUnitId").await?;
        if led.organization_id != unit.organization_id {
            return Err(Error::invalid(
                "leadsUnitId",
                "a leader leads a unit of their own organization",
            ));
        }
    }
    Ok(unit.organization_id)
}

const SUBJECT_TAKEN: &str = "another professional already has this login subject";

/// Creates a professional.
///
/// # Errors
/// [`Error::Validation`] for unknown units, [`Error::Forbidden`] outside the actor's
/// organization, [`Error::Conflict`] when the subject is taken.
pub async fn create_professional<C: ConnectionTrait>(
    txn: &C,
    actor: Option<&Actor>,
    now: DateTime<Utc>,
    fields: ProfessionalFields,
) -> Result<professional::Model> {
    let organization = check_units(txn, actor, fields.unit_id, fields.leads_unit_id).await?;
    let created = professional::ActiveModel {
        id: NotSet,
        subject: Set(validate::login_subject(
            fields.subject.as_deref().unwrap_or(&fields.email),
        )),
        name: Set(fields.name),
        title: Set(fields.title),
        email: Set(fields.email),
        phone: Set(fields.phone),
        unit_id: Set(fields.unit_id),
        leads_unit_id: Set(fields.leads_unit_id),
        is_admin: Set(fields.is_admin),
        is_data_protection: Set(false),
        is_active: Set(true),
        language: Set(fields.language),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(txn)
    .await
    .map_err(|e| {
        Error::from(e)
            .unique_as_conflict(&crate::domain::unique::PROFESSIONAL_SUBJECT, SUBJECT_TAKEN)
    })?;
    record(
        txn,
        now,
        actor,
        Change::of_professional(
            organization,
            AccessChangeKind::MemberOfUnit,
            created.id,
            None,
            Some(created.unit_id),
        ),
    )
    .await?;
    if created.leads_unit_id.is_some() {
        record(
            txn,
            now,
            actor,
            Change::of_professional(
                organization,
                AccessChangeKind::LeadsUnit,
                created.id,
                None,
                created.leads_unit_id,
            ),
        )
        .await?;
    }
    Ok(created)
}

/// Changes to a professional; `Some(None)` removes an optional value.
#[derive(Debug, Clone, Default)]
pub struct UpdateProfessional {
    /// New name.
    pub name: Option<String>,
    /// New title.
    pub title: Option<String>,
    /// New e-mail.
    pub email: Option<String>,
    /// New or removed phone.
    pub phone: Option<Option<String>>,
    /// New login subject.
    pub subject: Option<String>,
    /// Moved to another unit of the organization.
    pub unit_id: Option<UnitId>,
    /// Now leads this unit, or no longer leads one.
    pub leads_unit_id: Option<Option<UnitId>>,
    /// Administrator or not.
    pub is_admin: Option<bool>,
    /// Holds the data-protection role or not.
    pub is_data_protection: Option<bool>,
    /// Still working here; false blocks their login.
    pub is_active: Option<bool>,
    /// Language for e-mails.
    pub language: Option<Language>,
}

/// Updates a professional.
///
/// # Errors
/// As [`create_professional`]; [`Error::Conflict`] when an administrator would remove their
/// own administrator rights or deactivate themselves.
pub async fn update_professional<C: ConnectionTrait>(
    txn: &C,
    actor: &Actor,
    now: DateTime<Utc>,
    id: ProfessionalId,
    cmd: UpdateProfessional,
) -> Result<professional::Model> {
    let found = professional::Entity::find_by_id(id)
        .one(txn)
        .await?
        .ok_or_else(|| Error::not_found("professional").at("professionalId"))?;
    let unit = unit_in(txn, found.unit_id, "professionalId").await?;
    actor.require_admin_of(unit.organization_id)?;
    if found.id == actor.id() && (cmd.is_admin == Some(false) || cmd.is_active == Some(false)) {
        return Err(Error::conflict(
            "administrators cannot remove their own rights or deactivate themselves",
        ));
    }
    if found.id == actor.id() && cmd.is_data_protection == Some(true) {
        return Err(Error::forbidden(
            "nobody gives themselves the data-protection role: it reads every look at a              child's data; another administrator must do it",
        ));
    }
    let unit_id = cmd.unit_id.unwrap_or(found.unit_id);
    let leads = cmd.leads_unit_id.unwrap_or(found.leads_unit_id);
    let moves = unit_id != found.unit_id;
    let leads_other = leads != found.leads_unit_id;
    if found.id == actor.id() && (moves || leads_other) {
        return Err(Error::forbidden(
            "nobody changes their own unit or leadership: that would change what they \
             themselves may see; another administrator must do it",
        ));
    }
    let organization = check_units(txn, Some(actor), unit_id, leads).await?;
    let (before_unit, before_leads) = (found.unit_id, found.leads_unit_id);
    let mut row: professional::ActiveModel = found.into();
    row.unit_id = Set(unit_id);
    row.leads_unit_id = Set(leads);
    if let Some(v) = cmd.name {
        row.name = Set(v);
    }
    if let Some(v) = cmd.title {
        row.title = Set(v);
    }
    if let Some(v) = cmd.email {
        row.email = Set(v);
    }
    if let Some(v) = cmd.phone {
        row.phone = Set(v);
    }
    if let Some(v) = cmd.subject {
        row.subject = Set(validate::login_subject(&v));
    }
    if let Some(v) = cmd.is_admin {
        row.is_admin = Set(v);
    }
    if let Some(v) = cmd.is_data_protection {
        row.is_data_protection = Set(v);
    }
    if let Some(v) = cmd.is_active {
        row.is_active = Set(v);
    }
    if let Some(v) = cmd.language {
        row.language = Set(v);
    }
    row.updated_at = Set(now);
    let updated = row.update(txn).await.map_err(|e| {
        Error::from(e)
            .unique_as_conflict(&crate::domain::unique::PROFESSIONAL_SUBJECT, SUBJECT_TAKEN)
    })?;
    if moves {
        record(
            txn,
            now,
            Some(actor),
            Change::of_professional(
                organization,
                AccessChangeKind::MemberOfUnit,
                id,
                Some(before_unit),
                Some(unit_id),
            ),
        )
        .await?;
    }
    if leads_other {
        record(
            txn,
            now,
            Some(actor),
            Change::of_professional(
                organization,
                AccessChangeKind::LeadsUnit,
                id,
                before_leads,
                leads,
            ),
        )
        .await?;
    }
    Ok(updated)
}

/// Who the first administrator is and where they work.
#[derive(Debug, Clone)]
pub struct NewAdmin {
    /// The organization; created if no organization has this name.
    pub organization: String,
    /// Its kind, when it is created.
    pub kind: OrganizationKind,
    /// The unit; created in the organization if it has no unit of this name.
    pub unit: String,
    /// The administrator's name.
    pub name: String,
    /// Their e-mail address.
    pub email: String,
    /// Their job title.
    pub title: String,
    /// Their login subject; defaults to the e-mail address.
    pub subject: Option<String>,
}

/// What bootstrapping did.
#[derive(Debug, Clone)]
pub struct AdminCreated {
    /// The administrator.
    pub professional: professional::Model,
    /// True when an existing professional with the subject was made administrator instead.
    pub existed: bool,
}

/// Creates the organization, unit and administrator as needed, in the caller's transaction. Running
/// it again with the same subject makes sure that professional is an active administrator.
///
/// # Errors
/// [`Error::Validation`] for malformed names or e-mail; database errors.
pub async fn bootstrap_admin(
    txn: &DatabaseTransaction,
    now: DateTime<Utc>,
    input: NewAdmin,
) -> Result<AdminCreated> {
    let org_name = validate::name("--organization", &input.organization)?;
    let unit_name = validate::name("--unit", &input.unit)?;
    let name = validate::name("--name", &input.name)?;
    let email = validate::email("--email", &input.email)?;
    let title = validate::short_text("--title", &input.title)?;
    let subject =
        crate::domain::validate::login_subject(input.subject.as_deref().unwrap_or(&email));

    if let Some(existing) = professional::Entity::find()
        .filter(professional::Column::Subject.eq(&subject))
        .one(txn)
        .await?
    {
        let mut row: professional::ActiveModel = existing.into();
        row.is_admin = Set(true);
        row.is_active = Set(true);
        row.updated_at = Set(now);
        let professional = row.update(txn).await?;
        return Ok(AdminCreated {
            professional,
            existed: true,
        });
    }

    let org = match organization::Entity::find()
        .filter(organization::Column::Name.eq(&org_name))
        .one(txn)
        .await?
    {
        Some(org) => org,
        None => create_organization(txn, None, now, org_name, input.kind).await?,
    };
    let unit = match unit::Entity::find()
        .filter(unit::Column::OrganizationId.eq(org.id))
        .filter(unit::Column::Name.eq(&unit_name))
        .one(txn)
        .await?
    {
        Some(unit) => unit,
        None => create_unit(txn, None, now, org.id, unit_name, false).await?,
    };
    let professional = create_professional(
        txn,
        None,
        now,
        ProfessionalFields {
            name,
            title,
            email,
            phone: None,
            subject: Some(subject),
            unit_id: unit.id,
            leads_unit_id: None,
            is_admin: true,
            language: Language::Da,
        },
    )
    .await?;
    Ok(AdminCreated {
        professional,
        existed: false,
    })
}

/// True while a professional exists and has not left: a live subscription ends when its
/// viewer is deactivated.
///
/// # Errors
/// Database errors.
pub async fn is_active<C: ConnectionTrait>(db: &C, id: ProfessionalId) -> Result<bool> {
    Ok(professional::Entity::find_by_id(id)
        .one(db)
        .await?
        .is_some_and(|p| p.is_active))
}
