//! Information-exchange documents: added with an optional attachment (GraphQL multipart
//! request), shared under consent, listed on the case, downloaded through an authenticated URL
//! that checks access and logs the read.

use async_graphql::{Context, ID, Object, SimpleObject};
use kit_entity::Result;
use kit_entity::entities::{document, document_share};
use kit_entity::ids::{CaseId, DocumentId};

use crate::graphql::context::{ContextExt, load, load_required, load_shared};
use crate::graphql::enums::DocumentKind;
use crate::graphql::errors::IntoGraphql;
use crate::graphql::ids::NodeId;
use crate::graphql::loaders::ConsentsOf;
use crate::graphql::objects::case::Case;
use crate::graphql::objects::directory::{Organization, Professional};
use crate::graphql::objects::meeting::Meeting;
use crate::graphql::read::read_case;
use crate::graphql::scalars::DateTime;
use kit_entity::access::ChildData;
use kit_entity::ops::documents;

/// GraphQL `Document` over `document::Model` (without its attachment's bytes) and its
/// shares, described on its `#[Object]` impl.
pub struct Document {
    pub(crate) model: document::Model,
    pub(crate) shares: Vec<document_share::Model>,
}

/// What a sector shares about the child: a treatment plan, a status note, a statement, a
/// referral letter. It stays with the organization that wrote it until shared with another,
/// which takes the family's consent for information exchange covering both.
#[Object]
impl Document {
    /// Global id of the document: opaque, stable, and accepted by `node(id:)`.
    pub async fn id(&self) -> ID {
        self.model.id.to_global()
    }

    /// The case whose child it is about.
    async fn case(&self, ctx: &Context<'_>) -> async_graphql::Result<Case> {
        load_required(ctx, self.model.case_id).await.map(Case).gql()
    }

    /// What it is.
    async fn kind(&self) -> DocumentKind {
        self.model.kind.into()
    }

    /// Its title.
    async fn title(&self) -> &str {
        &self.model.title
    }

    /// Its text.
    async fn text(&self) -> Option<&str> {
        self.model.text.as_deref()
    }

    /// Who wrote it.
    async fn author(&self, ctx: &Context<'_>) -> async_graphql::Result<Professional> {
        load_required(ctx, self.model.author_id)
            .await
            .map(Professional)
            .gql()
    }

    /// The organization it was written for, which shares it.
    async fn author_organization(&self, ctx: &Context<'_>) -> async_graphql::Result<Organization> {
        load_required(ctx, self.model.author_organization_id)
            .await
            .map(Organization)
            .gql()
    }

    /// The meeting it prepares.
    async fn meeting(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Meeting>> {
        match self.model.meeting_id {
            Some(id) => Ok(load(ctx, id).await.gql()?.map(Meeting)),
            None => Ok(None),
        }
    }

    /// The attachment, if any: its name, type (read from its content) and size, and where to
    /// download it.
    async fn attachment(&self, ctx: &Context<'_>) -> Option<DocumentAttachment> {
        let (Some(name), Some(content_type), Some(size)) = (
            self.model.attachment_name.clone(),
            self.model.attachment_type.clone(),
            self.model.attachment_size,
        ) else {
            return None;
        };
        Some(DocumentAttachment {
            name,
            content_type,
            size: i32::try_from(size).unwrap_or(i32::MAX),
            download_url: download_url(ctx.state().links.public_url(), self.model.id),
        })
    }

    /// The organizations it was shared with, oldest first.
    async fn shared_with(&self) -> Vec<DocumentShare> {
        self.shares.iter().cloned().map(DocumentShare).collect()
    }

    /// When it was written down.
    async fn created_at(&self) -> DateTime {
        self.model.created_at.into()
    }
}

impl Document {
    /// The document `id` as `actor` may read it (`kit_entity::ops::documents::readable`),
    /// with whom it is shared; its attachment is fetched by its download link.
    ///
    /// # Errors
    /// `NOT_FOUND` when it does not exist or the viewer may not read it; database errors.
    pub async fn find(
        db: &sea_orm::DatabaseConnection,
        actor: &kit_entity::access::Actor,
        id: DocumentId,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<Self> {
        let (mut model, _) = documents::readable(db, actor, id, now).await?;
        model.attachment = None;
        let shares = documents::shared_with(db, id).await?;
        Ok(Self { model, shares })
    }

    /// The case whose child it is about.
    #[must_use]
    pub const fn case_id(&self) -> CaseId {
        self.model.case_id
    }
}

/// Where a document's attachment is downloaded: `GET` with the same bearer token as
/// `/graphql`.
#[must_use]
pub fn download_url(public_url: &str, id: DocumentId) -> String {
    format!(
        "{}/documents/{}/attachment",
        public_url.trim_end_matches('/'),
        id.to_global().0
    )
}

/// A document's attachment.
#[derive(SimpleObject)]
pub struct DocumentAttachment {
    /// Its file name, as uploaded.
    pub name: String,
    /// Its type, read from its content: `application/pdf`, the DOCX type, `image/png` or
    /// `image/jpeg`.
    pub content_type: String,
    /// Its size in bytes.
    pub size: i32,
    /// Where to download it: `GET` with your bearer token. Every download is logged.
    pub download_url: String,
}

/// GraphQL `DocumentShare` over `document_share::Model`.
pub struct DocumentShare(document_share::Model);

/// A document shared with an organization.
#[Object]
impl DocumentShare {
    /// The organization it was shared with.
    async fn organization(&self, ctx: &Context<'_>) -> async_graphql::Result<Organization> {
        load_required(ctx, self.0.organization_id)
            .await
            .map(Organization)
            .gql()
    }

    /// The consent for information exchange it was shared under.
    async fn consent_id(&self) -> ID {
        self.0.consent_id.to_global()
    }

    /// Who shared it.
    async fn shared_by(&self, ctx: &Context<'_>) -> async_graphql::Result<Professional> {
        load_required(ctx, self.0.shared_by_id)
            .await
            .map(Professional)
            .gql()
    }

    /// When.
    async fn shared_at(&self) -> DateTime {
        self.0.shared_at.into()
    }
}

/// The documents of a case the viewer may read, oldest first: their own organization's, and
/// those shared with it while a consent for information exchange covers both organizations.
///
/// # Errors
/// Database errors.
pub async fn of_case(ctx: &Context<'_>, case_id: CaseId) -> Result<Vec<Document>> {
    let db = &ctx.state().db;
    let actor = ctx.actor()?;
    let access = read_case(ctx, case_id, ChildData::Documents).await?;
    let consents = load_shared(ctx, ConsentsOf(case_id)).await?;
    let consents: &[kit_entity::access::CaseConsent] =
        consents.as_deref().map_or(&[], Vec::as_slice);
    let rows = documents::readable_of_case(
        db,
        actor,
        &access,
        consents,
        case_id,
        ctx.state().clock.now(),
    )
    .await?;
    Ok(rows
        .into_iter()
        .map(|(model, shares)| Document { model, shares })
        .collect())
}
