//! Logging with `tracing`: human-readable by default, JSON lines with `KIT_LOG_FORMAT=json`.
//! The filter comes from `RUST_LOG` (default `info`, with the database driver's
//! per-statement logs kept at `warn`).
//!
//! With `KIT_OTLP_ENDPOINT`, spans also leave as OpenTelemetry traces over OTLP
//! (HTTP/protobuf, to `<endpoint>/v1/traces`): a span per request, per GraphQL operation, per
//! database statement (its SQL with placeholders, never the values: they hold children's
//! data) and per job. A caller's W3C `traceparent` is honoured, and log lines inside a
//! request carry its `trace_id`.

use serde::{Deserialize, Serialize};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Text,
    /// One JSON object per line, for log collectors.
    Json,
}

/// Installs the global subscriber. Safe to call more than once (later calls do nothing).
pub fn init(format: LogFormat) {
    let _ = init_with(format, None, "kit");
}

/// True once traces are exported: spans that exist only for the traces are made then only.
static EXPORTING: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// True when traces are exported (`KIT_OTLP_ENDPOINT`).
#[must_use]
pub fn exporting() -> bool {
    EXPORTING.load(std::sync::atomic::Ordering::Relaxed)
}

/// The target of spans made for the traces alone, which the log lines leave out.
pub const TRACE_TARGET: &str = "kit::trace";

/// What [`init_with`] started: the trace pipeline, flushed and stopped when dropped (at the
/// end of `main`), so that the last spans leave before the process does.
#[must_use = "dropping it stops the trace exporter"]
pub struct Telemetry(Option<opentelemetry_sdk::trace::SdkTracerProvider>);

impl Drop for Telemetry {
    fn drop(&mut self) {
        if let Some(provider) = self.0.take()
            && let Err(e) = provider.shutdown()
        {
            eprintln!("cannot flush the last traces: {e}");
        }
    }
}

/// Installs the global subscriber, exporting traces to `otlp` (an OTLP/HTTP collector's base
/// URL) as `service` when given. Safe to call more than once (later calls do nothing).
///
/// # Errors
/// When the OTLP exporter cannot be built from `otlp`.
pub fn init_with(
    format: LogFormat,
    otlp: Option<&str>,
    service: &'static str,
) -> Result<Telemetry, String> {
    use opentelemetry::trace::TracerProvider as _;
    use opentelemetry_otlp::WithExportConfig as _;
    use tracing_subscriber::Layer as _;
    let filter = || {
        EnvFilter::try_from_default_env()
            .unwrap_or_else(|_| {
                EnvFilter::new("info,sqlx=warn,sea_orm=warn,apalis=warn,apalis_core=warn")
            })
            .add_directive(format!("{TRACE_TARGET}=off").parse().unwrap_or_else(|_| {
                tracing_subscriber::filter::Directive::from(tracing::Level::ERROR)
            }))
    };
    let (traces, provider) = match otlp {
        Some(endpoint) => {
            let exporter = opentelemetry_otlp::SpanExporter::builder()
                .with_http()
                .with_endpoint(format!("{}/v1/traces", endpoint.trim_end_matches('/')))
                .build()
                .map_err(|e| format!("KIT_OTLP_ENDPOINT: {e}"))?;
            let provider = opentelemetry_sdk::trace::SdkTracerProvider::builder()
                .with_batch_exporter(exporter)
                .with_resource(
                    opentelemetry_sdk::Resource::builder()
                        .with_service_name(service)
                        .build(),
                )
                .build();
            opentelemetry::global::set_text_map_propagator(
                opentelemetry_sdk::propagation::TraceContextPropagator::new(),
            );
            EXPORTING.store(true, std::sync::atomic::Ordering::Relaxed);
            // The statements' spans (target `sea_orm`, level info) go to the traces only, and
            // only inside a request's or a job's span: a worker's idle polling is no trace.
            let statements_in_work = tracing_subscriber::filter::DynFilterFn::new(|meta, cx| {
                !meta.target().starts_with("sea_orm") || cx.lookup_current().is_some()
            });
            let layer = tracing_opentelemetry::layer()
                .with_tracer(provider.tracer("kit"))
                .with_filter(EnvFilter::new(
                    "info,sqlx=warn,apalis=warn,apalis_core=warn,sea_orm=info",
                ))
                .with_filter(statements_in_work);
            (Some(layer), Some(provider))
        }
        None => (None, None),
    };
    let registry = tracing_subscriber::registry().with(traces);
    let _ = match format {
        LogFormat::Json => registry
            .with(
                tracing_subscriber::fmt::layer()
                    .json()
                    .flatten_event(true)
                    .with_current_span(true)
                    .with_filter(filter()),
            )
            .try_init(),
        LogFormat::Text => registry
            .with(tracing_subscriber::fmt::layer().with_filter(filter()))
            .try_init(),
    };
    Ok(Telemetry(provider))
}

/// The W3C trace context of the current span, as a `traceparent` value, when it is traced.
#[must_use]
pub fn traceparent() -> Option<String> {
    use opentelemetry::trace::TraceContextExt as _;
    use tracing_opentelemetry::OpenTelemetrySpanExt as _;
    if !exporting() {
        return None;
    }
    let context = tracing::Span::current().context();
    let span = context.span();
    let span_context = span.span_context();
    span_context.is_valid().then(|| {
        format!(
            "00-{}-{}-{:02x}",
            span_context.trace_id(),
            span_context.span_id(),
            span_context.trace_flags().to_u8()
        )
    })
}

/// Makes `span` a child of the W3C trace context `traceparent` (from a caller's header or a
/// job that carried it), and records its trace id in its `trace_id` field for the logs.
pub fn continue_trace(span: &tracing::Span, traceparent: Option<&str>) {
    use opentelemetry::trace::TraceContextExt as _;
    use tracing_opentelemetry::OpenTelemetrySpanExt as _;
    if !exporting() {
        return;
    }
    if let Some(parent) = traceparent {
        let carrier =
            std::collections::HashMap::from([("traceparent".to_owned(), parent.to_owned())]);
        let context = opentelemetry::global::get_text_map_propagator(|p| p.extract(&carrier));
        if context.span().span_context().is_valid() {
            let _ = span.set_parent(context);
        }
    }
    let trace_id = span.context().span().span_context().trace_id();
    if trace_id != opentelemetry::trace::TraceId::INVALID {
        span.record("trace_id", tracing::field::display(trace_id));
    }
}
