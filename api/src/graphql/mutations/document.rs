//! Adding a document and sharing it.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject, Upload};
use kit_entity::ids::{CaseId, DocumentId, MeetingId, OrganizationId};
use kit_entity::{Error, Result};

use crate::graphql::context::{ContextExt, load_required};
use crate::graphql::enums::DocumentKind;
use crate::graphql::errors::IntoGraphql;
use crate::graphql::ids::{decode, decode_opt};
use crate::graphql::mutations::Write;
use crate::graphql::objects::document::*;
use crate::graphql::read::{read, read_case};
use kit_entity::access::ChildData;
use kit_entity::ops::documents::{self, Attachment, NewDocument};

/// Adds a document. Send it as a GraphQL multipart request when it has an attachment.
#[derive(InputObject)]
pub struct AddDocumentInput {
    /// The case whose child it is about.
    pub case_id: ID,
    /// What it is.
    pub kind: DocumentKind,
    /// Its title, 1–200 characters.
    pub title: String,
    /// Its text, 1–100,000 characters. Give the text, an attachment or both — except for a
    /// STATUS_NOTE, which without either begins as your organization's status-note template
    /// (`Organization.templates`).
    pub text: Option<String>,
    /// The meeting it prepares (a network meeting, say).
    pub meeting_id: Option<ID>,
    /// A PDF, DOCX, PNG or JPEG file (its type is read from its content), at most
    /// `KIT_DOCUMENT_MAX_BYTES`.
    pub attachment: Option<Upload>,
}

/// Shares a document with other organizations.
#[derive(InputObject)]
pub struct ShareDocumentInput {
    /// The document, written by your organization.
    pub document_id: ID,
    /// The organizations to share it with; each needs an active consent for
    /// INFORMATION_EXCHANGE covering it and your organization.
    pub organization_ids: Vec<ID>,
}

/// A document added or shared.
#[derive(SimpleObject)]
pub struct DocumentPayload {
    /// The document as it is now.
    pub document: Document,
}

/// Document mutations.
#[derive(Default)]
pub struct DocumentMutation;

#[Object]
impl DocumentMutation {
    /// Adds a document to a case you take part in, written for your organization. It is
    /// shared with no one else until you share it.
    async fn add_document(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The document.")] input: AddDocumentInput,
    ) -> async_graphql::Result<DocumentPayload> {
        let max = ctx.state().config.document_max_bytes;
        let attachment = match &input.attachment {
            Some(upload) => {
                let value = upload.value(ctx)?;
                let name = value.filename.clone();
                let mut bytes = Vec::new();
                // One byte more than the limit is enough to refuse the file.
                std::io::Read::read_to_end(
                    &mut std::io::Read::take(value.into_read(), max as u64 + 1),
                    &mut bytes,
                )
                .map_err(Error::internal)
                .gql()?;
                Some(Attachment { name, bytes })
            }
            None => None,
        };
        let cmd = NewDocument {
            case_id: decode::<CaseId>("input.caseId", &input.case_id).gql()?,
            kind: input.kind.into(),
            title: input.title,
            text: input.text,
            meeting_id: decode_opt::<MeetingId>("input.meetingId", input.meeting_id.as_ref())
                .gql()?,
            attachment,
        };
        let w = Write::begin(ctx).await.gql()?;
        let result = documents::add(&w.txn, w.actor, w.now, cmd, max).await;
        let mut model = w.finish(result).await.gql()?;
        model.attachment = None;
        let case = load_required(ctx, model.case_id).await.gql()?;
        read(ctx, &case, ChildData::Documents).await.gql()?;
        Ok(DocumentPayload {
            document: Document {
                model,
                shares: Vec::new(),
            },
        })
    }

    /// Shares a document of your organization with other organizations, each under the
    /// family's consent for INFORMATION_EXCHANGE covering both (FORBIDDEN naming the two
    /// organizations otherwise). Sharing meets your sector's
    /// `information-before-network-meeting` deadline — for the meeting the document
    /// prepares, or every one ahead.
    async fn share_document(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The share.")] input: ShareDocumentInput,
    ) -> async_graphql::Result<DocumentPayload> {
        let id: DocumentId = decode("input.documentId", &input.document_id).gql()?;
        let organizations = input
            .organization_ids
            .iter()
            .enumerate()
            .map(|(i, id)| decode::<OrganizationId>(&format!("input.organizationIds.{i}"), id))
            .collect::<Result<Vec<_>>>()
            .gql()?;
        let w = Write::begin(ctx).await.gql()?;
        let result = documents::share(&w.txn, w.actor, w.now, id, organizations).await;
        w.finish(result).await.gql()?;
        let document = Document::find(
            &ctx.state().db,
            ctx.actor().gql()?,
            id,
            ctx.state().clock.now(),
        )
        .await
        .gql()?;
        read_case(ctx, document.case_id(), ChildData::Documents)
            .await
            .gql()?;
        Ok(DocumentPayload { document })
    }
}
