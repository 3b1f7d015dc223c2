//! The access log: every read of a child's data is written down — who, which case, what, when,
//! on what basis and through which operation — before the data leaves the server; every change
//! to it is written in the changing transaction ([`record_change`]). Both go through
//! `kit_entity::ops::access_log`, which chains each row to the one before by its hash.
//!
//! Resolvers that return a case's data note the read in the request's [`Reads`]
//! (`graphql::read`), with the basis the one access decision found. When the operation
//! has run, `graphql::executor` hands the request's reads to the [`LogWriter`] and
//! waits until they are committed; if they cannot be written, the response is replaced by an
//! INTERNAL error, so no data is served unlogged. Subscriptions are logged per event.
//!
//! The writer commits the reads of requests that wait together in one transaction (group
//! commit: one fsync, and one turn of the chain's lock, for all of them).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex, PoisonError};

use async_graphql::futures_util::stream::{BoxStream, StreamExt};
use async_graphql::parser::types::{ExecutableDocument, OperationDefinition, Selection};
use async_graphql::{Request, Response, ServerError};
use chrono::{DateTime, Utc};
use kit_entity::SharedClock;
use kit_entity::domain::enums::{AccessBasis, AccessKind};
use kit_entity::ids::{CaseId, ProfessionalId};
use kit_entity::ops::access_log as chain;
use sea_orm::DatabaseConnection;
use tokio::sync::{Semaphore, mpsc, oneshot};

use kit_entity::access::CaseAccess;

pub use kit_entity::access::ChildData;

#[derive(Debug)]
struct Entry {
    professional: ProfessionalId,
    basis: AccessBasis,
    what: BTreeSet<ChildData>,
}

/// The reads of one operation (or one subscription event) not yet written.
#[derive(Debug, Default)]
pub struct Reads {
    pending: Mutex<BTreeMap<CaseId, Entry>>,
}

impl Reads {
    /// Notes that `professional` read `what` of the case `access` is for.
    pub fn note(&self, professional: ProfessionalId, access: &CaseAccess, what: ChildData) {
        let mut reads = self.pending.lock().unwrap_or_else(PoisonError::into_inner);
        reads
            .entry(access.case_id)
            .or_insert_with(|| Entry {
                professional,
                basis: access.basis,
                what: BTreeSet::new(),
            })
            .what
            .insert(what);
    }

    /// The rows to write, leaving nothing behind.
    fn take(
        &self,
        read_at: DateTime<Utc>,
        operation: &str,
        request_id: &str,
        client_request_id: Option<&str>,
    ) -> Vec<Row> {
        let reads =
            std::mem::take(&mut *self.pending.lock().unwrap_or_else(PoisonError::into_inner));
        reads
            .into_iter()
            .map(|(case_id, e)| Row {
                at: read_at,
                kind: AccessKind::Read,
                professional_id: e.professional,
                case_id,
                basis: e.basis,
                what: e
                    .what
                    .iter()
                    .map(|w| w.as_str())
                    .collect::<Vec<_>>()
                    .join(","),
                operation: operation.chars().take(200).collect(),
                request_id: request_id.chars().take(64).collect(),
                client_request_id: client_request_id.map(|c| c.chars().take(64).collect()),
            })
            .collect()
    }
}

type Row = chain::Entry;
type Batch = (Vec<Row>, oneshot::Sender<Result<(), Arc<sea_orm::DbErr>>>);

/// Writes access-log rows, committing those of all waiting requests in one transaction.
#[derive(Clone, Debug)]
pub struct LogWriter {
    queue: mpsc::Sender<Batch>,
}

impl LogWriter {
    /// Starts the writer on `db`; it stops when the last clone is dropped. One commit is in
    /// flight at a time — appends to the chain serialize on its lock anyway — and everyone
    /// who arrives meanwhile joins the next.
    #[must_use]
    pub fn start(db: DatabaseConnection) -> Self {
        let (queue, mut rx) = mpsc::channel::<Batch>(4096);
        let commits = Arc::new(Semaphore::new(1));
        tokio::spawn(async move {
            while let Some(first) = rx.recv().await {
                let Ok(permit) = Arc::clone(&commits).acquire_owned().await else {
                    break;
                };
                // Everyone who arrived while waiting for the permit commits together.
                let mut batches = vec![first];
                while batches.len() < 1024 {
                    match rx.try_recv() {
                        Ok(more) => batches.push(more),
                        Err(_) => break,
                    }
                }
                let db = db.clone();
                tokio::spawn(async move {
                    let rows: Vec<Row> = batches
                        .iter_mut()
                        .flat_map(|(rows, _)| std::mem::take(rows))
                        .collect();
                    // Shared with every waiter, its cause intact: a database that went away is
                    // answered as unavailable, not as an internal error.
                    let result = write(&db, rows).await.map_err(Arc::new);
                    drop(permit);
                    if let Err(e) = &result {
                        tracing::error!(error = %e, "the access log could not be written");
                    }
                    for (_, done) in batches {
                        let _ = done.send(result.clone());
                    }
                });
            }
        });
        Self { queue }
    }

    /// Writes `rows` and waits until they are committed.
    ///
    /// # Errors
    /// [`kit_entity::Error::Db`] when the database refuses them; an internal error when the
    /// writer has stopped.
    pub async fn write(&self, rows: Vec<Row>) -> kit_entity::Result<()> {
        if rows.is_empty() {
            return Ok(());
        }
        let stopped = || kit_entity::Error::internal("the access log writer has stopped");
        let (done, committed) = oneshot::channel();
        self.queue.send((rows, done)).await.map_err(|_| stopped())?;
        committed
            .await
            .map_err(|_| stopped())?
            .map_err(|e| kit_entity::Error::shared_db(&e))
    }
}

async fn write(db: &DatabaseConnection, rows: Vec<Row>) -> Result<(), sea_orm::DbErr> {
    // Appended to the chain under its lock, in one transaction.
    let txn = kit_entity::infra::db::begin_write(db).await?;
    chain::append(&txn, rows).await?;
    txn.commit().await
}

/// The id of the request (or subscription connection) the reads belong to: the server's own.
#[derive(Clone, Debug)]
pub struct RequestId(pub String);

/// Where and when the access log is written; [`AccessLogging::request`] starts the log of
/// one request.
#[derive(Clone)]
pub struct AccessLogging {
    /// Where entries go: batched and written before the response leaves.
    pub writer: LogWriter,
    /// The clock stamping the reads.
    pub clock: SharedClock,
}

impl AccessLogging {
    /// The log of one request (or one subscription) running the operation `name` of
    /// `document` (the only one when no name is given).
    #[must_use]
    pub fn request(&self, document: &ExecutableDocument, name: Option<&str>) -> RequestLog {
        RequestLog {
            writer: self.writer.clone(),
            clock: self.clock.clone(),
            reads: Arc::new(Reads::default()),
            operation: describe(document, name),
        }
    }
}

/// What one request reads, and how its operation is named, until it is written.
pub struct RequestLog {
    writer: LogWriter,
    clock: SharedClock,
    reads: Arc<Reads>,
    /// How the log names the operation.
    operation: String,
}

/// The operation of `document` that `name` selects (the only one when no name is given), with
/// its name; `None` when the name selects none.
#[must_use]
pub fn select_operation<'d>(
    document: &'d ExecutableDocument,
    name: Option<&str>,
) -> Option<(Option<&'d str>, &'d OperationDefinition)> {
    document
        .operations
        .iter()
        .find(|(n, _)| name.is_none_or(|wanted| n.is_some_and(|n| n.as_str() == wanted)))
        .map(|(n, op)| (n.map(|n| n.as_str()), &op.node))
}

/// How an operation is named in the log: `name(field, field)` with its root fields, so that an
/// anonymous operation still says what it asked for.
fn describe(document: &ExecutableDocument, name: Option<&str>) -> String {
    let Some((found, op)) = select_operation(document, name) else {
        return name.unwrap_or("anonymous").to_owned();
    };
    let fields: Vec<String> = op
        .selection_set
        .node
        .items
        .iter()
        .map(|item| match &item.node {
            Selection::Field(f) => f.node.name.node.to_string(),
            Selection::FragmentSpread(f) => format!("...{}", f.node.fragment_name.node),
            Selection::InlineFragment(_) => "...".to_owned(),
        })
        .collect();
    format!("{}({})", found.unwrap_or("anonymous"), fields.join(","))
}

/// Writes what `reads` holds; on failure the response is replaced, since the data it carries
/// would leave unlogged.
async fn flush(
    writer: &LogWriter,
    clock: &SharedClock,
    reads: &Reads,
    operation: &str,
    request_id: &str,
    client_request_id: Option<&str>,
    response: Response,
) -> Response {
    let rows = reads.take(clock.now(), operation, request_id, client_request_id);
    match writer.write(rows).await {
        Ok(()) => response,
        Err(e) => {
            tracing::warn!(
                operation,
                "response withheld: its reads could not be logged"
            );
            // Answered as any error is: UNAVAILABLE (503, Retry-After) when the database went
            // away, INTERNAL otherwise.
            let answer = crate::graphql::errors::Answer::to(&e);
            let mut error = ServerError::new(answer.message, None);
            error
                .extensions
                .get_or_insert_with(Default::default)
                .set("code", answer.code);
            Response::from_errors(vec![error])
        }
    }
}

impl RequestLog {
    /// The origin the changes of this request are logged under.
    #[must_use]
    pub fn origin(&self, request_id: &str, client_request_id: Option<&str>) -> chain::Origin {
        chain::Origin {
            operation: self.operation.chars().take(200).collect(),
            request_id: request_id.chars().take(64).collect(),
            client_request_id: client_request_id.map(|c| c.chars().take(64).collect()),
        }
    }

    /// Gives the request its [`Reads`], where resolvers note what they serve.
    #[must_use]
    pub fn prepare(&self, request: Request) -> Request {
        request.data(Arc::clone(&self.reads))
    }

    /// Writes the reads of the executed operation before `response` may leave.
    pub async fn executed(
        &self,
        request_id: &str,
        client_request_id: Option<&str>,
        response: Response,
    ) -> Response {
        flush(
            &self.writer,
            &self.clock,
            &self.reads,
            &self.operation,
            request_id,
            client_request_id,
            response,
        )
        .await
    }

    /// Writes the reads of each event of a subscription before it leaves.
    pub fn events<'s>(
        self,
        request_id: String,
        events: BoxStream<'s, Response>,
    ) -> BoxStream<'s, Response> {
        let this = Arc::new(self);
        events
            .then(move |response| {
                let (this, request_id) = (Arc::clone(&this), request_id.clone());
                async move {
                    flush(
                        &this.writer,
                        &this.clock,
                        &this.reads,
                        &this.operation,
                        &request_id,
                        None,
                        response,
                    )
                    .await
                }
            })
            .boxed()
    }
}
