//! `idempotency_keys`: the `Idempotency-Key` of a mutation request, with what it answered, so
//! that a retry gets the first result instead of a second change. Kept for a day.

use sea_orm::entity::prelude::*;

use crate::domain::ids::{IdempotencyKeyId, ProfessionalId};

/// One key.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "idempotency_keys")]
pub struct Model {
    /// Key.
    #[sea_orm(primary_key)]
    pub id: IdempotencyKeyId,
    /// Whose key it is: keys are per professional.
    pub professional_id: ProfessionalId,
    /// The key the client sent.
    pub idem_key: String,
    /// A hash of the request (document, operation, variables): the same key with another
    /// request is refused.
    pub request_hash: String,
    /// The JSON answer, once known; null while the first request is still in flight.
    pub response: Option<String>,
    /// The reads of children's data the answer carried, as JSON, to log again on a replay.
    pub reads: Option<String>,
    /// When it was recorded (in the mutation's transaction).
    pub created_at: DateTimeUtc,
}

/// No navigable relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
