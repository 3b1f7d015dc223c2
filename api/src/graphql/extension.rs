//! The schema's one extension, for what every request needs around its execution: error
//! codes for what fails outside the resolvers, the cost limit checked as soon as the
//! document is parsed, and the access log written before the response leaves.
//!
//! One extension rather than one per concern: async-graphql runs every extension's `resolve`
//! hook around every field it resolves — even the default one, which only passes the call on —
//! so each extension costs a boxed future per field of every response. This one overrides no
//! per-field hook.

use std::sync::Arc;

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextExecute, NextParseQuery, NextPrepareRequest,
    NextRequest, NextSubscribe, NextValidation,
};
use async_graphql::futures_util::stream::BoxStream;
use async_graphql::parser::types::ExecutableDocument;
use async_graphql::{Request, Response, ServerError, ServerResult, ValidationResult, Variables};

use crate::access_log::{AccessLogging, RequestLog};
use crate::graphql::cost::{CostLimits, check, check_strings};
use crate::graphql::errors::{code_parse_error, code_uncoded, code_validation_errors};

/// The extension factory: the limits and where the access log goes.
pub struct Guard {
    /// What an operation may cost.
    pub limits: CostLimits,
    /// Where reads are written.
    pub logging: AccessLogging,
}

impl ExtensionFactory for Guard {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(GuardExtension {
            limits: self.limits,
            log: self.logging.request(),
        })
    }
}

struct GuardExtension {
    limits: CostLimits,
    log: RequestLog,
}

#[async_graphql::async_trait::async_trait]
impl Extension for GuardExtension {
    async fn request(&self, ctx: &ExtensionContext<'_>, next: NextRequest<'_>) -> Response {
        let mut response = next.run(ctx).await;
        code_uncoded(&mut response);
        response
    }

    async fn prepare_request(
        &self,
        ctx: &ExtensionContext<'_>,
        request: Request,
        next: NextPrepareRequest<'_>,
    ) -> ServerResult<Request> {
        next.run(ctx, self.log.prepare(request)).await
    }

    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let checked = async {
            let document = next.run(ctx, query, variables).await?;
            self.log.parsed(&document);
            check(&ctx.schema_env.registry, &document, variables, self.limits)?;
            check_strings(&document, variables)?;
            Ok::<_, ServerError>(document)
        };
        checked.await.map_err(code_parse_error)
    }

    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        next.run(ctx).await.map_err(code_validation_errors)
    }

    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        let response = next.run(ctx, operation_name).await;
        self.log.executed(ctx, operation_name, response).await
    }

    fn subscribe<'s>(
        &self,
        ctx: &ExtensionContext<'_>,
        stream: BoxStream<'s, Response>,
        next: NextSubscribe<'_>,
    ) -> BoxStream<'s, Response> {
        self.log.events(ctx, next.run(ctx, stream))
    }
}
