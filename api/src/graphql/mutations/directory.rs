//! Administration of organizations, units and professionals.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, SimpleObject};
use kit_entity::Result;
use kit_entity::domain::validate;
use kit_entity::ids::{OrganizationId, ProfessionalId, UnitId};

use crate::graphql::enums::{Language, OrganizationKind};
use crate::graphql::errors::IntoGraphql;
use crate::graphql::ids::{decode, decode_opt};
use crate::graphql::mutations::{Write, maybe};
use crate::graphql::objects::{Organization, Professional, Unit};
use kit_entity::ops::directory::{
    self, OrganizationChanges, ProfessionalFields, UpdateProfessional,
};

/// Registers an organization.
#[derive(InputObject)]
pub struct CreateOrganizationInput {
    /// Display name, 1–200 characters.
    pub name: String,
    /// What kind of organization it is; it gives its professionals the sector they act for by
    /// default.
    pub kind: OrganizationKind,
}

/// Changes an organization. Omitted fields keep their value.
#[derive(InputObject)]
pub struct UpdateOrganizationInput {
    /// The organization to change; you must administer it.
    pub organization_id: ID,
    /// New display name.
    pub name: Option<String>,
    /// New kind.
    pub kind: Option<OrganizationKind>,
    /// When meetings may start, `HH:MM` in Copenhagen time (with `officeHoursEnd`).
    pub office_hours_start: Option<String>,
    /// When meetings must end, `HH:MM` in Copenhagen time (with `officeHoursStart`).
    pub office_hours_end: Option<String>,
    /// Months between follow-up meetings in its cases, 1–24.
    pub follow_up_months: Option<i32>,
    /// Working days' notice before a scheduled meeting, 0–30; network meetings wait at least
    /// their information deadline's lead plus 3 (see `Organization.meetingNoticeDays`).
    pub meeting_notice_days: Option<i32>,
}

fn organization_changes(input: &UpdateOrganizationInput) -> Result<OrganizationChanges> {
    let office_hours = match (&input.office_hours_start, &input.office_hours_end) {
        (None, None) => None,
        (Some(start), Some(end)) => {
            let (start, end) = (
                kit_entity::domain::validate::time_of_day("input.officeHoursStart", start)?,
                kit_entity::domain::validate::time_of_day("input.officeHoursEnd", end)?,
            );
            if end <= start {
                return Err(kit_entity::Error::invalid(
                    "input.officeHoursEnd",
                    "must be after officeHoursStart",
                ));
            }
            Some((start, end))
        }
        (None, Some(_)) => {
            return Err(kit_entity::Error::invalid(
                "input.officeHoursStart",
                "give both ends of the office hours",
            ));
        }
        (Some(_), None) => {
            return Err(kit_entity::Error::invalid(
                "input.officeHoursEnd",
                "give both ends of the office hours",
            ));
        }
    };
    if input
        .follow_up_months
        .is_some_and(|m| !(1..=24).contains(&m))
    {
        return Err(kit_entity::Error::invalid(
            "input.followUpMonths",
            "must be between 1 and 24",
        ));
    }
    if input
        .meeting_notice_days
        .is_some_and(|d| !(0..=30).contains(&d))
    {
        return Err(kit_entity::Error::invalid(
            "input.meetingNoticeDays",
            "must be between 0 and 30",
        ));
    }
    Ok(OrganizationChanges {
        name: validate::optional("input.name", input.name.as_deref(), validate::name)?,
        kind: input.kind.map(Into::into),
        office_hours,
        follow_up_months: input.follow_up_months,
        meeting_notice_days: input.meeting_notice_days,
    })
}

/// The organization created or changed.
#[derive(SimpleObject)]
pub struct OrganizationPayload {
    /// The organization as it is now.
    pub organization: Organization,
}

/// Creates a unit in an organization.
#[derive(InputObject)]
pub struct CreateUnitInput {
    /// The organization the unit belongs to; you must administer it.
    pub organization_id: ID,
    /// Display name, 1–200 characters.
    pub name: String,
    /// True for the organization's single entry point (at most one per organization).
    #[graphql(default)]
    pub is_intake: bool,
}

/// Changes a unit. Omitted fields keep their value.
#[derive(InputObject)]
pub struct UpdateUnitInput {
    /// The unit to change.
    pub unit_id: ID,
    /// New display name.
    pub name: Option<String>,
    /// Whether it is the organization's intake unit.
    pub is_intake: Option<bool>,
}

/// The unit created or changed.
#[derive(SimpleObject)]
pub struct UnitPayload {
    /// The unit as it is now.
    pub unit: Unit,
}

/// Creates a professional.
#[derive(InputObject)]
pub struct CreateProfessionalInput {
    /// The unit they work in; its organization must be yours.
    pub unit_id: ID,
    /// Full name, 1–200 characters.
    pub name: String,
    /// Job title.
    pub title: String,
    /// Work e-mail address.
    pub email: String,
    /// Work phone number.
    pub phone: Option<String>,
    /// Their login subject at the identity provider (the token's `sub`). Defaults to the
    /// e-mail address in lower case.
    pub subject: Option<String>,
    /// The unit they lead, if they are a leader.
    pub leads_unit_id: Option<ID>,
    /// Administrator of the organization. Default false.
    #[graphql(default)]
    pub is_admin: bool,
    /// Language for e-mails and notifications. Default DA.
    #[graphql(default_with = "Language::Da")]
    pub language: Language,
}

/// Changes a professional. Omitted fields keep their value; `null` removes an optional one.
#[derive(InputObject)]
pub struct UpdateProfessionalInput {
    /// The professional to change; you must administer their organization.
    pub professional_id: ID,
    /// New full name.
    pub name: Option<String>,
    /// New job title.
    pub title: Option<String>,
    /// New work e-mail address.
    pub email: Option<String>,
    /// New work phone number, or null to remove it.
    pub phone: MaybeUndefined<String>,
    /// New login subject.
    pub subject: Option<String>,
    /// Move to another unit of the organization.
    pub unit_id: Option<ID>,
    /// The unit they now lead, or null when they no longer lead one.
    pub leads_unit_id: MaybeUndefined<ID>,
    /// Administrator or not.
    pub is_admin: Option<bool>,
    /// Holds the data-protection role (answers subject access requests, `subjectAccess`) or
    /// not. Nobody gives it to themselves.
    pub is_data_protection: Option<bool>,
    /// False when they leave: they can no longer log in. History keeps their name.
    pub is_active: Option<bool>,
    /// Language for e-mails and notifications.
    pub language: Option<Language>,
}

/// The professional created or changed.
#[derive(SimpleObject)]
pub struct ProfessionalPayload {
    /// The professional as they are now.
    pub professional: Professional,
}

fn opt_name(field: &str, v: Option<&str>) -> Result<Option<String>> {
    validate::optional(field, v, validate::name)
}

/// Administration mutations.
#[derive(Default)]
pub struct DirectoryMutation;

#[Object]
impl DirectoryMutation {
    /// Registers an organization. Administrators only.
    async fn create_organization(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make; see `CreateOrganizationInput`.")]
        input: CreateOrganizationInput,
    ) -> async_graphql::Result<OrganizationPayload> {
        let name = validate::name("input.name", &input.name).gql()?;
        let w = Write::begin(ctx).await.gql()?;
        let r =
            directory::create_organization(&w.txn, Some(w.actor), w.now, name, input.kind.into())
                .await;
        let organization = w.finish(r).await.gql()?;
        Ok(OrganizationPayload {
            organization: Organization(organization),
        })
    }

    /// Renames an organization or changes its kind. Its administrators only.
    async fn update_organization(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make; see `UpdateOrganizationInput`.")]
        input: UpdateOrganizationInput,
    ) -> async_graphql::Result<OrganizationPayload> {
        let id: OrganizationId = decode("input.organizationId", &input.organization_id).gql()?;
        let changes = organization_changes(&input).gql()?;
        let w = Write::begin(ctx).await.gql()?;
        let r = directory::update_organization(&w.txn, w.actor, w.now, id, changes).await;
        let organization = w.finish(r).await.gql()?;
        Ok(OrganizationPayload {
            organization: Organization(organization),
        })
    }

    /// Creates a unit. Administrators of the organization only.
    async fn create_unit(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make; see `CreateUnitInput`.")] input: CreateUnitInput,
    ) -> async_graphql::Result<UnitPayload> {
        let org: OrganizationId = decode("input.organizationId", &input.organization_id).gql()?;
        let name = validate::name("input.name", &input.name).gql()?;
        let w = Write::begin(ctx).await.gql()?;
        let r =
            directory::create_unit(&w.txn, Some(w.actor), w.now, org, name, input.is_intake).await;
        Ok(UnitPayload {
            unit: Unit(w.finish(r).await.gql()?),
        })
    }

    /// Renames a unit or changes whether it is the intake unit. Administrators of the
    /// organization only.
    async fn update_unit(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make; see `UpdateUnitInput`.")] input: UpdateUnitInput,
    ) -> async_graphql::Result<UnitPayload> {
        let id: UnitId = decode("input.unitId", &input.unit_id).gql()?;
        let name = opt_name("input.name", input.name.as_deref()).gql()?;
        let w = Write::begin(ctx).await.gql()?;
        let r = directory::update_unit(&w.txn, w.actor, w.now, id, name, input.is_intake).await;
        Ok(UnitPayload {
            unit: Unit(w.finish_directory(r).await.gql()?),
        })
    }

    /// Creates a professional. Administrators of the unit's organization only.
    async fn create_professional(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make; see `CreateProfessionalInput`.")]
        input: CreateProfessionalInput,
    ) -> async_graphql::Result<ProfessionalPayload> {
        let fields = (|| -> Result<ProfessionalFields> {
            Ok(ProfessionalFields {
                unit_id: decode("input.unitId", &input.unit_id)?,
                name: validate::name("input.name", &input.name)?,
                title: validate::short_text("input.title", &input.title)?,
                email: validate::email("input.email", &input.email)?,
                phone: validate::optional("input.phone", input.phone.as_deref(), validate::phone)?,
                subject: validate::optional(
                    "input.subject",
                    input.subject.as_deref(),
                    validate::short_text,
                )?,
                leads_unit_id: decode_opt("input.leadsUnitId", input.leads_unit_id.as_ref())?,
                is_admin: input.is_admin,
                language: input.language.into(),
            })
        })()
        .gql()?;
        let w = Write::begin(ctx).await.gql()?;
        let r = directory::create_professional(&w.txn, Some(w.actor), w.now, fields).await;
        Ok(ProfessionalPayload {
            professional: Professional(w.finish(r).await.gql()?),
        })
    }

    /// Changes a professional: details, unit, leadership, administrator rights, or marks them
    /// as having left. Administrators of their organization only.
    async fn update_professional(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make; see `UpdateProfessionalInput`.")]
        input: UpdateProfessionalInput,
    ) -> async_graphql::Result<ProfessionalPayload> {
        let id: ProfessionalId = decode("input.professionalId", &input.professional_id).gql()?;
        let cmd = (|| -> Result<UpdateProfessional> {
            Ok(UpdateProfessional {
                name: opt_name("input.name", input.name.as_deref())?,
                title: validate::optional(
                    "input.title",
                    input.title.as_deref(),
                    validate::short_text,
                )?,
                email: validate::optional("input.email", input.email.as_deref(), validate::email)?,
                phone: maybe(input.phone, |p| validate::phone("input.phone", &p))?,
                subject: validate::optional(
                    "input.subject",
                    input.subject.as_deref(),
                    validate::short_text,
                )?,
                unit_id: decode_opt("input.unitId", input.unit_id.as_ref())?,
                leads_unit_id: maybe(input.leads_unit_id, |id| decode("input.leadsUnitId", &id))?,
                is_admin: input.is_admin,
                is_data_protection: input.is_data_protection,
                is_active: input.is_active,
                language: input.language.map(Into::into),
            })
        })()
        .gql()?;
        let w = Write::begin(ctx).await.gql()?;
        let r = directory::update_professional(&w.txn, w.actor, w.now, id, cmd).await;
        Ok(ProfessionalPayload {
            professional: Professional(w.finish_directory(r).await.gql()?),
        })
    }
}
