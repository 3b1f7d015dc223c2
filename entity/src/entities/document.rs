//! `documents`: what a sector shares about the child — a treatment plan, a status note, a
//! statement, a referral letter — with its text and an optional attachment (PDF, DOCX or an
//! image, its type found from its content). It stays with its author's organization until
//! shared (`document_shares`).

use sea_orm::entity::prelude::*;

use crate::domain::enums::DocumentKind;
use crate::domain::ids::{CaseId, DocumentId, MeetingId, OrganizationId, ProfessionalId};

/// One document.
#[derive(Clone, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "documents")]
pub struct Model {
    /// Key.
    #[sea_orm(primary_key)]
    pub id: DocumentId,
    /// The case whose child it is about.
    pub case_id: CaseId,
    /// What it is.
    pub kind: DocumentKind,
    /// Its title.
    pub title: String,
    /// Its text.
    #[sea_orm(column_type = "Text", nullable)]
    pub text: Option<String>,
    /// Who wrote it.
    pub author_id: ProfessionalId,
    /// The organization they wrote it for, which shares it.
    pub author_organization_id: OrganizationId,
    /// The meeting it prepares, if any.
    pub meeting_id: Option<MeetingId>,
    /// The attachment's file name, as uploaded.
    pub attachment_name: Option<String>,
    /// The attachment's type, found from its content.
    pub attachment_type: Option<String>,
    /// The attachment's size in bytes.
    pub attachment_size: Option<i64>,
    /// The attachment itself.
    #[sea_orm(column_type = "Blob", nullable)]
    pub attachment: Option<Vec<u8>>,
    /// When it was written down.
    pub created_at: DateTimeUtc,
}

impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Neither the child's data nor the attachment goes into logs.
        f.debug_struct("Document")
            .field("id", &self.id)
            .field("case_id", &self.case_id)
            .field("kind", &self.kind)
            .field("attachment_size", &self.attachment_size)
            .finish_non_exhaustive()
    }
}

/// No navigable relations; foreign keys are in the migrations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
