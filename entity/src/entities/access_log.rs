//! `access_log`: every read of a child's data and every change to it — who read or changed
//! which case's data, what, when, on what basis and through which operation. Append-only and
//! hash-chained (see `ops::access_log`): written by the API as it answers or changes, never changed.

use sea_orm::entity::prelude::*;

use crate::domain::enums::{AccessBasis, AccessKind};
use crate::domain::ids::{AccessLogEntryId, CaseId, ProfessionalId};

/// One professional's reads of one case's data in one response.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "access_log")]
pub struct Model {
    /// Key.
    #[sea_orm(primary_key)]
    pub id: AccessLogEntryId,
    /// When the data was read or changed.
    pub read_at: DateTimeUtc,
    /// READ or CHANGE.
    pub kind: AccessKind,
    /// Who read it.
    pub professional_id: ProfessionalId,
    /// Whose case.
    pub case_id: CaseId,
    /// Why they may: the basis the access decision found.
    pub basis: AccessBasis,
    /// What they read: the kinds of data, comma-separated, in a fixed order (`CHILD,CPR,…`).
    pub what: String,
    /// The GraphQL operation: its name, or its first field when it has none.
    pub operation: String,
    /// The HTTP request (or subscription connection) id, as in the server's log.
    pub request_id: String,
    /// The `x-request-id` the client sent, if any: kept beside the server's own, never in its
    /// place (a client's value proves nothing).
    pub client_request_id: Option<String>,
    /// The hash of the row before it in the chain (zeros for the first ever).
    pub prev_hash: Option<String>,
    /// SHA-256 of `prev_hash` and this row's content, hex; null only for a row written before
    /// the chain existed and not yet sealed.
    pub hash: Option<String>,
    /// Which of the log's hash chains the row belongs to: `prev_hash` is the hash of the row
    /// before it in this chain (by id).
    pub chain: i16,
}

/// No navigable relations; foreign keys are in the migrations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
