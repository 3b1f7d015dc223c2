//! `document_shares`: a document shared by its author's organization with another, under the
//! consent for information exchange that covered both when it was shared.

use sea_orm::entity::prelude::*;

use crate::domain::ids::{ConsentId, DocumentId, OrganizationId, ProfessionalId};

/// One share.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "document_shares")]
pub struct Model {
    /// Key.
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The document.
    pub document_id: DocumentId,
    /// The organization it was shared with.
    pub organization_id: OrganizationId,
    /// The consent it was shared under.
    pub consent_id: ConsentId,
    /// Who shared it.
    pub shared_by_id: ProfessionalId,
    /// When.
    pub shared_at: DateTimeUtc,
}

/// No navigable relations; foreign keys are in the migrations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
