//! Command-line operations beside serving: bootstrap the first administrator and issue local
//! tokens.

use chrono::TimeDelta;
use kit_entity::domain::enums::{Language, OrganizationKind};
use kit_entity::domain::validate;
use kit_entity::entities::{organization, professional, unit};
use kit_entity::{Error, Result};
use sea_orm::ActiveValue::Set;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter};

use crate::db::begin_write;
use crate::state::AppState;
use kit_entity::ops::directory::{self, ProfessionalFields};

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

/// Creates the organization, unit and administrator as needed, in one transaction. Running
/// it again with the same subject makes sure that professional is an active administrator.
///
/// # Errors
/// [`Error::Validation`] for malformed names or e-mail; database errors.
pub async fn create_admin(state: &AppState, input: NewAdmin) -> Result<AdminCreated> {
    let org_name = validate::name("--organization", &input.organization)?;
    let unit_name = validate::name("--unit", &input.unit)?;
    let name = validate::name("--name", &input.name)?;
    let email = validate::email("--email", &input.email)?;
    let title = validate::short_text("--title", &input.title)?;
    let subject =
        kit_entity::domain::validate::login_subject(input.subject.as_deref().unwrap_or(&email));
    let now = state.clock.now();
    let txn = begin_write(&state.db).await?;

    if let Some(existing) = professional::Entity::find()
        .filter(professional::Column::Subject.eq(&subject))
        .one(&txn)
        .await?
    {
        let mut row: professional::ActiveModel = existing.into();
        row.is_admin = Set(true);
        row.is_active = Set(true);
        row.updated_at = Set(now);
        let professional = row.update(&txn).await?;
        txn.commit().await?;
        return Ok(AdminCreated {
            professional,
            existed: true,
        });
    }

    let org = match organization::Entity::find()
        .filter(organization::Column::Name.eq(&org_name))
        .one(&txn)
        .await?
    {
        Some(org) => org,
        None => directory::create_organization(&txn, None, now, org_name, input.kind).await?,
    };
    let unit = match unit::Entity::find()
        .filter(unit::Column::OrganizationId.eq(org.id))
        .filter(unit::Column::Name.eq(&unit_name))
        .one(&txn)
        .await?
    {
        Some(unit) => unit,
        None => directory::create_unit(&txn, None, now, org.id, unit_name, false).await?,
    };
    let professional = directory::create_professional(
        &txn,
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
    txn.commit().await?;
    Ok(AdminCreated {
        professional,
        existed: false,
    })
}

/// Issues a local token for the active professional with `subject`.
///
/// # Errors
/// [`Error::NotFound`] when there is no such active professional; [`Error::Forbidden`] when
/// local tokens are disabled.
pub async fn token_for(state: &AppState, subject: &str, ttl: TimeDelta) -> Result<String> {
    professional::Entity::find()
        .filter(
            professional::Column::Subject.eq(kit_entity::domain::validate::login_subject(subject)),
        )
        .filter(professional::Column::IsActive.eq(true))
        .one(&state.db)
        .await?
        .ok_or_else(|| Error::not_found("professional"))?;
    state.auth.issue_local(subject, state.clock.now(), ttl)
}
