//! Information-exchange documents: what each sector shares about the child early in the
//! pathway and before network meetings — a treatment plan, a status note, a statement, a
//! referral letter — with text and an optional attachment kept in the database. A document
//! stays with its author's organization until it is shared with another, which takes a consent
//! for information exchange covering both; each share is a row.

use sea_orm_migration::{prelude::*, schema::*};

use crate::raw_index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Documents {
    Table,
    Id,
    CaseId,
    Kind,
    Title,
    Text,
    AuthorId,
    AuthorOrganizationId,
    MeetingId,
    AttachmentName,
    AttachmentType,
    AttachmentSize,
    Attachment,
    CreatedAt,
}

#[derive(DeriveIden)]
enum DocumentShares {
    Table,
    Id,
    DocumentId,
    OrganizationId,
    ConsentId,
    SharedById,
    SharedAt,
}

#[derive(DeriveIden)]
enum Cases {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Professionals {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Organizations {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Meetings {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Consents {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Documents::Table)
                    .col(big_pk_auto(Documents::Id))
                    .col(big_integer(Documents::CaseId))
                    .col(string_len(Documents::Kind, 32))
                    .col(string_len(Documents::Title, 200))
                    .col(text_null(Documents::Text))
                    .col(big_integer(Documents::AuthorId))
                    .col(big_integer(Documents::AuthorOrganizationId))
                    .col(big_integer_null(Documents::MeetingId))
                    .col(string_len_null(Documents::AttachmentName, 200))
                    .col(string_len_null(Documents::AttachmentType, 100))
                    .col(big_integer_null(Documents::AttachmentSize))
                    .col(blob_null(Documents::Attachment))
                    .col(timestamp_with_time_zone(Documents::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Documents::Table, Documents::CaseId)
                            .to(Cases::Table, Cases::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Documents::Table, Documents::AuthorId)
                            .to(Professionals::Table, Professionals::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Documents::Table, Documents::AuthorOrganizationId)
                            .to(Organizations::Table, Organizations::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Documents::Table, Documents::MeetingId)
                            .to(Meetings::Table, Meetings::Id),
                    )
                    .to_owned(),
            )
            .await?;
        raw_index(
            manager,
            "ix_documents_case",
            "documents",
            "case_id, id",
            false,
            None,
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table(DocumentShares::Table)
                    .col(big_pk_auto(DocumentShares::Id))
                    .col(big_integer(DocumentShares::DocumentId))
                    .col(big_integer(DocumentShares::OrganizationId))
                    .col(big_integer(DocumentShares::ConsentId))
                    .col(big_integer(DocumentShares::SharedById))
                    .col(timestamp_with_time_zone(DocumentShares::SharedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(DocumentShares::Table, DocumentShares::DocumentId)
                            .to(Documents::Table, Documents::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(DocumentShares::Table, DocumentShares::OrganizationId)
                            .to(Organizations::Table, Organizations::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(DocumentShares::Table, DocumentShares::ConsentId)
                            .to(Consents::Table, Consents::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(DocumentShares::Table, DocumentShares::SharedById)
                            .to(Professionals::Table, Professionals::Id),
                    )
                    .to_owned(),
            )
            .await?;
        raw_index(
            manager,
            "ux_document_shares",
            "document_shares",
            "document_id, organization_id",
            true,
            None,
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(DocumentShares::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Documents::Table).to_owned())
            .await
    }
}
