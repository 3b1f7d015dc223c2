//! Information exchange: each sector writes down what it shares about the child — a treatment
//! plan, a status note, a statement — with an optional attachment whose type is read from its
//! content, and shares it with another organization only under a consent for information
//! exchange covering both. Sharing meets that sector's `information-before-network-meeting`
//! deadline.

use crate::domain::enums::{DocumentKind, RuleEvent};
use crate::domain::validate;
use crate::entities::{document, document_share, organization};
use crate::ids::{CaseId, DocumentId, MeetingId, OrganizationId};
use crate::ops::deadlines::{self, Event};
use crate::{Error, Result};
use chrono::{DateTime, Utc};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use crate::access::ChildData;
use crate::access::change_access;
use crate::access::{self, Actor, CaseAccess};
use crate::ops::case_row::{require_meeting_of, touch};

/// The attachment types accepted, as found from the content, with their names in errors.
pub const ACCEPTED: [(&str, &str); 4] = [
    ("application/pdf", "PDF"),
    (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "DOCX",
    ),
    ("image/png", "PNG"),
    ("image/jpeg", "JPEG"),
];

/// An uploaded file.
#[derive(Clone)]
pub struct Attachment {
    /// Its name, as the uploader's computer called it.
    pub name: String,
    /// Its content.
    pub bytes: Vec<u8>,
}

/// A document to add.
#[derive(Clone)]
pub struct NewDocument {
    /// The case whose child it is about.
    pub case_id: CaseId,
    /// What it is.
    pub kind: DocumentKind,
    /// Its title.
    pub title: String,
    /// Its text.
    pub text: Option<String>,
    /// The meeting it prepares.
    pub meeting_id: Option<MeetingId>,
    /// The attachment.
    pub attachment: Option<Attachment>,
}

/// The type of `bytes`, read from the content, if it is one of [`ACCEPTED`] and no larger
/// than `max_bytes`; errors name `field`.
///
/// # Errors
/// [`Error::Validation`] for an empty file, one over the limit, or one of another type.
pub fn sniff(field: &str, bytes: &[u8], max_bytes: usize) -> Result<&'static str> {
    if bytes.is_empty() {
        return Err(Error::invalid(field, "is empty"));
    }
    if bytes.len() > max_bytes {
        return Err(Error::invalid(
            field,
            format!(
                "is {} bytes; attachments may be at most {max_bytes} bytes \
                 (KIT_DOCUMENT_MAX_BYTES)",
                bytes.len()
            ),
        ));
    }
    let found = infer::get(bytes).map(|t| t.mime_type());
    ACCEPTED
        .iter()
        .find(|(mime, _)| Some(*mime) == found)
        .map(|(mime, _)| *mime)
        .ok_or_else(|| {
            Error::invalid(
                field,
                format!(
                    "is {}; only PDF, DOCX, PNG and JPEG files are accepted (the type is read \
                     from the file's content, not its name)",
                    found.map_or_else(|| "of an unknown type".to_owned(), str::to_owned)
                ),
            )
        })
}

/// A file name safe to store and send back: its last path component, without control
/// characters, at most 200 characters.
fn file_name(raw: &str) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let clean: String = last
        .chars()
        .filter(|c| !c.is_control() && *c != '"')
        .take(200)
        .collect();
    if clean.trim().is_empty() {
        "attachment".to_owned()
    } else {
        clean.trim().to_owned()
    }
}

/// Adds a document to a case the actor takes part in (or whose intake unit they belong to),
/// written for their organization.
///
/// # Errors
/// [`Error::Validation`] naming the input field (a title, text or attachment out of bounds, no
/// text and no attachment, a meeting of another case); [`Error::Forbidden`] for someone who
/// neither takes part nor belongs to the intake unit; [`Error::Conflict`] for a closed case.
pub async fn add(
    txn: &sea_orm::DatabaseTransaction,
    actor: &Actor,
    now: DateTime<Utc>,
    cmd: NewDocument,
    max_bytes: usize,
) -> Result<document::Model> {
    let (case, access) = change_access(txn, actor, cmd.case_id, now, &[ChildData::Documents])
        .await
        .map_err(|e| e.at("caseId"))?;
    if access.roles.is_empty() && !access.intake {
        return Err(Error::forbidden(
            "only those who take part in the case, or its intake unit, add documents to it",
        ));
    }
    case.status.require_open()?;
    let title = validate::name("title", &cmd.title)?;
    let mut text = validate::optional("text", cmd.text.as_deref(), validate::document_text)?;
    if text.is_none() && cmd.attachment.is_none() && cmd.kind == DocumentKind::StatusNote {
        // A status note begins as the author's organization's template: its sections, each
        // with its guidance, to be written over.
        let template = crate::ops::templates::of(
            txn,
            actor.organization_id,
            crate::domain::enums::TemplateKind::StatusNote,
            None,
        )
        .await?;
        text = Some(crate::domain::templates::outline(&template.items));
    }
    if text.is_none() && cmd.attachment.is_none() {
        return Err(Error::invalid(
            "text",
            "give the document's text, an attachment, or both",
        ));
    }
    require_meeting_of(txn, case.id, cmd.meeting_id).await?;
    let (name, mime, size, bytes) = match cmd.attachment {
        Some(a) => {
            let mime = sniff("attachment", &a.bytes, max_bytes)?;
            let size = i64::try_from(a.bytes.len()).unwrap_or(i64::MAX);
            (
                Some(file_name(&a.name)),
                Some(mime.to_owned()),
                Some(size),
                Some(a.bytes),
            )
        }
        None => (None, None, None, None),
    };
    let row = document::ActiveModel {
        id: NotSet,
        case_id: Set(case.id),
        kind: Set(cmd.kind),
        title: Set(title),
        text: Set(text),
        author_id: Set(actor.id()),
        author_organization_id: Set(actor.organization_id),
        meeting_id: Set(cmd.meeting_id),
        attachment_name: Set(name),
        attachment_type: Set(mime),
        attachment_size: Set(size),
        attachment: Set(bytes),
        created_at: Set(now),
    }
    .insert(txn)
    .await?;
    touch(txn, case.id, now).await?;
    Ok(row)
}

/// Shares a document of the actor's organization with `organizations`, each under the
/// consent for information exchange that covers it and the author's organization; meets the
/// author's sector's `information-before-network-meeting` deadline.
///
/// # Errors
/// [`Error::NotFound`] for a document the actor may not see; [`Error::Forbidden`] for someone
/// of another organization than the author's, or — naming both organizations — when no
/// active consent for INFORMATION_EXCHANGE covers the author's organization and one of
/// `organizations`; [`Error::Validation`] for no organization, an unknown one, or the author's
/// own.
pub async fn share(
    txn: &sea_orm::DatabaseTransaction,
    actor: &Actor,
    now: DateTime<Utc>,
    id: DocumentId,
    organizations: Vec<OrganizationId>,
) -> Result<document::Model> {
    let not_found = || Error::not_found("document").at("documentId");
    // Someone who may not read the document is not told it exists.
    let (doc, _) = readable(txn, actor, id, now)
        .await
        .map_err(|_| not_found())?;
    let (case, _) = change_access(txn, actor, doc.case_id, now, &[ChildData::Documents])
        .await
        .map_err(|_| not_found())?;
    if doc.author_organization_id != actor.organization_id {
        return Err(Error::forbidden(
            "only the organization that wrote a document shares it",
        ));
    }
    case.status.require_open()?;
    let mut targets = organizations;
    targets.sort_unstable();
    targets.dedup();
    if targets.is_empty() {
        return Err(Error::invalid(
            "organizationIds",
            "name the organizations to share it with",
        ));
    }
    if targets.contains(&doc.author_organization_id) {
        return Err(Error::invalid(
            "organizationIds",
            "the document is already with the organization that wrote it",
        ));
    }
    let names = organization_names(txn, &targets, doc.author_organization_id).await?;
    let consents = access::consents_of(txn, &[case.id])
        .await?
        .remove(&case.id)
        .unwrap_or_default();
    let author = names
        .iter()
        .find(|(o, _)| *o == doc.author_organization_id)
        .map(|(_, n)| n.clone())
        .unwrap_or_default();
    let existing: Vec<OrganizationId> = document_share::Entity::find()
        .filter(document_share::Column::DocumentId.eq(doc.id))
        .all(txn)
        .await?
        .into_iter()
        .map(|s| s.organization_id)
        .collect();
    for target in targets {
        let name = names
            .iter()
            .find(|(o, _)| *o == target)
            .map(|(_, n)| n.clone())
            .ok_or_else(|| {
                Error::invalid("organizationIds", "an organization named does not exist")
            })?;
        let consent =
            access::exchange_consent(case.id, doc.author_organization_id, target, &consents, now)
                .ok_or_else(|| {
                Error::forbidden(format!(
                    "no active consent for INFORMATION_EXCHANGE covers {author} and {name}: record \
                 the family's consent (recordConsent) before sharing"
                ))
            })?;
        if existing.contains(&target) {
            continue;
        }
        document_share::ActiveModel {
            id: NotSet,
            document_id: Set(doc.id),
            organization_id: Set(target),
            consent_id: Set(consent),
            shared_by_id: Set(actor.id()),
            shared_at: Set(now),
        }
        .insert(txn)
        .await?;
    }
    // The sector has shared its information: before the meeting the document prepares, or
    // before every network meeting ahead when it prepares none.
    let sector = organization::Entity::find_by_id(doc.author_organization_id)
        .one(txn)
        .await?
        .map(|o| o.kind.sector())
        .ok_or_else(|| Error::internal("a document's organization is missing"))?;
    let mut event = Event::new(case.id, RuleEvent::InformationShared, now).sector(sector);
    if let Some(m) = doc.meeting_id {
        event = event.meeting(m, None);
    }
    deadlines::on_event(txn, now, &event).await?;
    touch(txn, case.id, now).await?;
    Ok(doc)
}

async fn organization_names<C: ConnectionTrait>(
    db: &C,
    targets: &[OrganizationId],
    author: OrganizationId,
) -> Result<Vec<(OrganizationId, String)>> {
    Ok(organization::Entity::find()
        .filter(
            organization::Column::Id.is_in(targets.iter().copied().chain(std::iter::once(author))),
        )
        .all(db)
        .await?
        .into_iter()
        .map(|o| (o.id, o.name))
        .collect())
}

/// The organizations a document is shared with.
///
/// # Errors
/// When the database fails.
pub async fn shared_with<C: ConnectionTrait>(
    db: &C,
    id: DocumentId,
) -> Result<Vec<document_share::Model>> {
    Ok(document_share::Entity::find()
        .filter(document_share::Column::DocumentId.eq(id))
        .all(db)
        .await?)
}

/// A document the actor may read at `now`, with their access to its case: their own
/// organization's, or one shared with it under a consent that still holds.
///
/// # Errors
/// [`Error::NotFound`] otherwise, as for a document that does not exist.
pub async fn readable<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: DocumentId,
    now: DateTime<Utc>,
) -> Result<(document::Model, CaseAccess)> {
    let not_found = || Error::not_found("document");
    let doc = document::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(not_found)?;
    let (_, access) = access::case_access(db, actor, doc.case_id, now)
        .await
        .map_err(|_| not_found())?;
    let shares: Vec<OrganizationId> = shared_with(db, doc.id)
        .await?
        .into_iter()
        .map(|s| s.organization_id)
        .collect();
    let consents = access::consents_of(db, &[doc.case_id])
        .await?
        .remove(&doc.case_id)
        .unwrap_or_default();
    if !access.sees_document(
        actor.organization_id,
        doc.author_organization_id,
        &shares,
        &consents,
        now,
    ) {
        return Err(not_found());
    }
    Ok((doc, access))
}

/// The documents of a case that `actor`, with `access` to it, may read, oldest first, each
/// with whom it is shared, without the bytes of their attachments: their own organization's,
/// and those shared with it while a consent for information exchange (among `consents`, the
/// case's) covers both organizations ([`CaseAccess::sees_document`]).
///
/// # Errors
/// Database errors.
pub async fn readable_of_case<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    access: &CaseAccess,
    consents: &[access::CaseConsent],
    case: CaseId,
    now: DateTime<Utc>,
) -> Result<Vec<(document::Model, Vec<document_share::Model>)>> {
    use sea_orm::{QueryOrder, QuerySelect};
    let rows: Vec<document::Model> = document::Entity::find()
        .select_only()
        .columns([
            document::Column::Id,
            document::Column::CaseId,
            document::Column::Kind,
            document::Column::Title,
            document::Column::Text,
            document::Column::AuthorId,
            document::Column::AuthorOrganizationId,
            document::Column::MeetingId,
            document::Column::AttachmentName,
            document::Column::AttachmentType,
            document::Column::AttachmentSize,
            document::Column::CreatedAt,
        ])
        .expr_as(
            sea_orm::sea_query::Expr::val(Option::<Vec<u8>>::None),
            "attachment",
        )
        .filter(document::Column::CaseId.eq(case))
        .order_by_asc(document::Column::Id)
        .into_model()
        .all(db)
        .await?;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let shares = document_share::Entity::find()
        .filter(document_share::Column::DocumentId.is_in(rows.iter().map(|d| d.id)))
        .order_by_asc(document_share::Column::Id)
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|model| {
            let shares: Vec<document_share::Model> = shares
                .iter()
                .filter(|s| s.document_id == model.id)
                .cloned()
                .collect();
            let with: Vec<OrganizationId> = shares.iter().map(|s| s.organization_id).collect();
            access
                .sees_document(
                    actor.organization_id,
                    model.author_organization_id,
                    &with,
                    consents,
                    now,
                )
                .then_some((model, shares))
        })
        .collect())
}
