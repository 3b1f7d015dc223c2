//! How an operation runs: parsed once, checked against the cost limit before anything else
//! happens, executed, its reads written to the access log before the response may leave, and
//! every error given its code.
//!
//! This is done around the schema, not inside it as a schema extension: async-graphql runs
//! every field of every response through the extension chain as soon as a schema has one
//! extension — even one that overrides no per-field hook — which cost a fifth of the CPU of
//! a caseload page. HTTP (`http::graphql`) and subscriptions (`http::ws`, through the
//! [`Executor`] implementation) both go through [`Guarded`], so neither path can skip a step.

use std::sync::Arc;

use async_graphql::futures_util::stream::{self, BoxStream, StreamExt};
use async_graphql::parser::parse_query;
use async_graphql::parser::types::{ExecutableDocument, OperationType};
use async_graphql::registry::Registry;
use async_graphql::{Data, Executor, Request, Response, ServerError};

use crate::access_log::{AccessLogging, RequestId, RequestLog, select_operation};
use crate::graphql::complete::complete;
use crate::graphql::cost::{CostLimits, check, check_strings};
use crate::graphql::errors::{code_errors, code_parse_error};
use crate::graphql::persisted::Persisted;
use crate::graphql::{KitSchema, registry};
use crate::memo::Memo;
use kit_entity::infra::metrics::{self, METRICS};
use tracing::Instrument as _;

/// How a coded response ended, for the metrics: `failed` when any error is the server's
/// (a database outage, a timeout, an internal error), `partial` when data came with errors,
/// `refused` when no data came.
fn outcome(response: &Response) -> metrics::Outcome {
    if response.errors.is_empty() {
        return metrics::Outcome::ok;
    }
    let servers = response.errors.iter().any(|e| {
        e.extensions
            .as_ref()
            .and_then(|ext| ext.get("code"))
            .is_some_and(|code| {
                matches!(
                    code,
                    async_graphql::Value::String(c)
                        if matches!(c.as_str(), "INTERNAL" | "UNAVAILABLE" | "TIMEOUT" | "OVERLOADED")
                )
            })
    });
    if servers {
        metrics::Outcome::failed
    } else if matches!(response.data, async_graphql::Value::Null) {
        metrics::Outcome::refused
    } else {
        metrics::Outcome::partial
    }
}

fn operation_type(kind: Option<OperationType>) -> metrics::OperationType {
    match kind {
        Some(OperationType::Mutation) => metrics::OperationType::mutation,
        Some(OperationType::Subscription) => metrics::OperationType::subscription,
        _ => metrics::OperationType::query,
    }
}

/// An open subscription, counted in `kit_graphql_subscriptions_open` while it lasts.
struct OpenSubscription;

impl OpenSubscription {
    fn new() -> Self {
        METRICS.subscriptions_open.inc();
        Self
    }
}

impl Drop for OpenSubscription {
    fn drop(&mut self) {
        METRICS.subscriptions_open.dec();
    }
}

/// The schema with what every operation goes through around it.
#[derive(Clone)]
pub struct Guarded {
    schema: KitSchema,
    inner: Arc<Inner>,
    /// The id the access log gives the reads of a subscription connection's operations.
    connection: Option<RequestId>,
}

struct Inner {
    /// The schema's types, for the cost check.
    registry: Registry,
    /// Documents named by their hash, and the allow-list.
    persisted: Arc<Persisted>,
    limits: CostLimits,
    logging: AccessLogging,
    parsed: Parsed,
}

/// Documents already parsed, by their exact text: front ends send the same few operations
/// all day, and parsing one again cost a tenth of a trivial request — a copy of the parsed
/// document is a fraction of that. Only documents that parsed are kept; every check after
/// parsing (cost, strings, the operation to run) is made again for each request, with its
/// variables. At most [`Parsed::MAX_ENTRIES`] documents of at most [`Parsed::MAX_LEN`]
/// bytes are kept; past that, the memory starts afresh.
struct Parsed(Memo<Arc<ExecutableDocument>>);

impl Parsed {
    const MAX_ENTRIES: usize = 1024;
    const MAX_LEN: usize = 16 * 1024;

    fn new() -> Self {
        Self(Memo::new(Self::MAX_ENTRIES, Self::MAX_LEN))
    }

    fn parse(&self, query: &str) -> async_graphql::parser::Result<Arc<ExecutableDocument>> {
        if let Some(document) = self.0.get(query) {
            return Ok(document);
        }
        let document = Arc::new(parse_query(query)?);
        self.0.keep(query, Arc::clone(&document));
        Ok(document)
    }
}

/// An operation that was parsed and passed the checks, ready to run.
pub struct Prepared {
    request: Request,
    log: RequestLog,
    mutation: bool,
    query: bool,
    /// The document and the operation's name, to complete the response ([`complete`]).
    operation: Operation,
    /// The operation's name and kind as the metrics count them.
    label: (String, metrics::OperationType),
}

/// What a response is completed against ([`complete`]).
#[derive(Clone)]
struct Operation {
    document: Arc<ExecutableDocument>,
    name: Option<String>,
}

impl Prepared {
    /// True when the operation to run is a mutation.
    #[must_use]
    pub const fn is_mutation(&self) -> bool {
        self.mutation
    }

    /// True when the operation to run is a query (what a GET may run).
    #[must_use]
    pub const fn is_query(&self) -> bool {
        self.query
    }

    /// The request, to add its data before it runs.
    #[must_use]
    pub fn data<D: std::any::Any + Send + Sync>(mut self, data: D) -> Self {
        self.request = self.request.data(data);
        self
    }

    /// The request as it will run.
    #[must_use]
    pub const fn request(&self) -> &Request {
        &self.request
    }
}

impl Guarded {
    /// Guards `schema` with `limits`, logging reads through `logging`.
    #[must_use]
    pub fn new(
        schema: KitSchema,
        limits: CostLimits,
        logging: AccessLogging,
        persisted: Arc<Persisted>,
    ) -> Self {
        Self {
            schema,
            inner: Arc::new(Inner {
                registry: registry(),
                persisted,
                limits,
                logging,
                parsed: Parsed::new(),
            }),
            connection: None,
        }
    }

    /// The same, for the operations of one subscription connection, logged under `id`.
    #[must_use]
    pub fn for_connection(&self, id: RequestId) -> Self {
        Self {
            connection: Some(id),
            ..self.clone()
        }
    }

    /// The id of the subscription connection this serves, if it serves one.
    fn connection_id(&self) -> &str {
        self.connection.as_ref().map_or("", |r| r.0.as_str())
    }

    /// Parses `request` and checks it: what it may cost, and the strings it carries. Nothing
    /// has touched the database yet.
    ///
    /// # Errors
    /// The answer to a document that cannot be parsed or is refused as it is, coded.
    pub fn prepare(&self, mut request: Request) -> Result<Prepared, Box<Response>> {
        let label = METRICS.operation(request.operation_name.as_deref());
        let refuse = |error: ServerError| {
            METRICS.request(
                &label,
                metrics::OperationType::query,
                metrics::Outcome::refused,
                std::time::Duration::ZERO,
            );
            Box::new(Response::from_errors(vec![code_parse_error(error)]))
        };
        // A document named by its hash gets its text; in allow-list mode nothing else runs.
        self.inner.persisted.resolve(&mut request).map_err(refuse)?;
        let document = self
            .inner
            .parsed
            .parse(&request.query)
            .map_err(|e| refuse(e.into()))?;
        check(
            &self.inner.registry,
            &document,
            &request.variables,
            self.inner.limits,
        )
        .map_err(refuse)?;
        check_strings(&document, &request.variables).map_err(refuse)?;
        let selected = select_operation(&document, request.operation_name.as_deref());
        let kind = selected.map(|(_, operation)| operation.ty);
        // The operation's own name when the request does not repeat it.
        let label = match (&request.operation_name, selected.and_then(|(name, _)| name)) {
            (None, Some(name)) => METRICS.operation(Some(name)),
            _ => label,
        };
        let mutation = kind == Some(OperationType::Mutation);
        // An operation that is not there is a query as far as a GET is concerned: the
        // validation refuses it.
        let query = kind.is_none_or(|k| k == OperationType::Query);
        let log = self
            .inner
            .logging
            .request(&document, request.operation_name.as_deref());
        let operation = Operation {
            document: Arc::clone(&document),
            name: request.operation_name.clone(),
        };
        request.set_parsed_query(ExecutableDocument::clone(&document));
        let request = log.prepare(request);
        Ok(Prepared {
            request,
            log,
            mutation,
            query,
            operation,
            label: (label, operation_type(kind)),
        })
    }

    /// Runs a prepared operation, its reads logged under the server's `request_id` (and the
    /// client's own id, if it sent one); they are committed to the access log before the
    /// response is returned, or the response is withheld.
    pub async fn run(
        &self,
        prepared: Prepared,
        request_id: &str,
        client_request_id: Option<&str>,
    ) -> Response {
        let started = std::time::Instant::now();
        // The changes the operation makes are logged under this request.
        let origin = prepared.log.origin(request_id, client_request_id);
        let (operation, kind) = &prepared.label;
        // For the traces alone: the log lines leave this target out.
        let span = tracing::info_span!(
            target: "kit::trace",
            "graphql",
            otel.name = %format!("{kind:?} {operation}"),
            graphql.operation.name = %operation,
            graphql.operation.type = ?kind
        );
        let (mut response, statements) = metrics::counting_statements(
            async {
                let response = kit_entity::ops::access_log::ORIGIN
                    .scope(origin, self.schema.execute(prepared.request))
                    .await;
                prepared
                    .log
                    .executed(request_id, client_request_id, response)
                    .await
            }
            .instrument(span),
        )
        .await;
        self.complete(&prepared.operation, &mut response);
        code_errors(&mut response);
        METRICS
            .request_statements
            .observe(f64::from(u32::try_from(statements).unwrap_or(u32::MAX)));
        METRICS.request(operation, *kind, outcome(&response), started.elapsed());
        response
    }

    /// Completes a response the way the GraphQL specification has it: fields in the order
    /// the operation selected them, a failed field `null`, propagated through positions that
    /// are never null.
    fn complete(&self, operation: &Operation, response: &mut Response) {
        complete(
            &self.inner.registry,
            &operation.document,
            operation.name.as_deref(),
            response,
        );
    }
}

impl Executor for Guarded {
    async fn execute(&self, request: Request) -> Response {
        match self.prepare(request) {
            Ok(prepared) => self.run(prepared, self.connection_id(), None).await,
            Err(refused) => *refused,
        }
    }

    fn execute_stream(
        &self,
        request: Request,
        session_data: Option<Arc<Data>>,
    ) -> BoxStream<'static, Response> {
        let prepared = match self.prepare(request) {
            Ok(prepared) => prepared,
            Err(refused) => return stream::once(async move { *refused }).boxed(),
        };
        let request_id = self.connection_id().to_owned();
        let events = self
            .schema
            .execute_stream_with_session_data(prepared.request, session_data.unwrap_or_default());
        let (this, operation) = (self.clone(), prepared.operation);
        let (label, _) = prepared.label;
        let open = OpenSubscription::new();
        let mut last = std::time::Instant::now();
        prepared
            .log
            .events(request_id, events)
            .map(move |mut response| {
                let _open = &open;
                this.complete(&operation, &mut response);
                code_errors(&mut response);
                // An event's time is from the one before (or the start): what it took to
                // arrive and be answered.
                METRICS.request(
                    &label,
                    metrics::OperationType::subscription,
                    outcome(&response),
                    last.elapsed(),
                );
                last = std::time::Instant::now();
                response
            })
            .boxed()
    }
}
