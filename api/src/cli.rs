//! Command-line operations beside serving: bootstrap the first administrator and issue local
//! tokens.

use chrono::TimeDelta;
use kit_entity::entities::professional;
use kit_entity::{Error, Result};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::db::begin_write;
use crate::state::AppState;
use kit_entity::ops::directory;
pub use kit_entity::ops::directory::{AdminCreated, NewAdmin};

/// Creates the organization, unit and administrator as needed, in one transaction
/// ([`directory::bootstrap_admin`]). Running it again with the same subject makes sure that
/// professional is an active administrator.
///
/// # Errors
/// [`Error::Validation`] for malformed names or e-mail; database errors.
pub async fn create_admin(state: &AppState, input: NewAdmin) -> Result<AdminCreated> {
    let txn = begin_write(&state.db).await?;
    let created = directory::bootstrap_admin(&txn, state.clock.now(), input).await?;
    txn.commit().await?;
    Ok(created)
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
