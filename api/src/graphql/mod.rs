//! The GraphQL schema: the product's face for the front-end teams who build on it.
//!
//! Three layers, each depending only on those before it: the object types (`objects`, one file
//! per concept, with the reads their fields make), the root fields (`queries`, `mutations`,
//! `node`, `subscription`), joined here with `MergedObject`. Relay conventions throughout: global ids
//! and `node(id:)`, cursor connections with `pageInfo` and `totalCount`, input objects for
//! mutations and payloads that return the changed objects. The SDL is committed at
//! `api/schema.graphql`; a test fails when it is stale.

pub mod complete;
pub mod context;
pub mod cost;
pub mod enums;
pub mod errors;
pub mod executor;
pub mod ids;
pub mod loaders;
pub mod mutations;
pub mod node;
pub mod objects;
pub mod pagination;
pub mod persisted;
pub mod queries;
pub mod read;
pub mod scalars;
pub mod subject_access;
pub mod subscription;

use async_graphql::{MergedObject, Schema, SchemaBuilder};

use crate::state::AppState;

/// Every query field.
#[derive(MergedObject, Default)]
pub struct Query(
    queries::viewer::ViewerQuery,
    node::NodeQuery,
    queries::case::CaseQuery,
    queries::inbox::InboxQuery,
    queries::catalogue::CatalogueQuery,
    queries::meeting::MeetingQuery,
    queries::deadline::DeadlineQuery,
    queries::directory::DirectoryQuery,
    subject_access::SubjectAccessQuery,
    queries::consultation::ConsultationQuery,
    queries::committee::CommitteeQuery,
);

/// Every mutation. Each runs in one database transaction.
#[derive(MergedObject, Default)]
pub struct Mutation(
    mutations::case::CaseMutation,
    mutations::participant::ParticipantMutation,
    mutations::child::ChildMutation,
    mutations::meeting::MeetingMutation,
    mutations::agenda::AgendaMutation,
    mutations::plan::PlanMutation,
    mutations::discharge::DischargeMutation,
    mutations::plan_link::PlanLinkMutation,
    mutations::catalogue::CatalogueMutation,
    mutations::consent::ConsentMutation,
    mutations::document::DocumentMutation,
    mutations::deadline::DeadlineMutation,
    mutations::directory::DirectoryMutation,
    mutations::consultation::ConsultationMutation,
    mutations::committee::CommitteeMutation,
    mutations::template::TemplateMutation,
);

/// The schema type.
pub type KitSchema = Schema<Query, Mutation, subscription::Subscription>;

/// How deep a query may nest.
pub const MAX_DEPTH: usize = 15;

fn builder() -> SchemaBuilder<Query, Mutation, subscription::Subscription> {
    Schema::build(
        Query::default(),
        Mutation::default(),
        subscription::Subscription,
    )
    .limit_depth(MAX_DEPTH)
}

/// The schema serving `state`, with what every operation goes through around it.
#[must_use]
pub fn schema(state: AppState) -> executor::Guarded {
    let logging = crate::access_log::AccessLogging {
        writer: state.access_log.clone(),
        clock: state.clock.clone(),
    };
    let limits = cost::CostLimits {
        max_cost: state.config.max_query_cost,
        max_aliases: state.config.max_aliases,
        ..cost::CostLimits::default()
    };
    let persisted = std::sync::Arc::clone(&state.persisted);
    executor::Guarded::new(builder().data(state).finish(), limits, logging, persisted)
}

/// The schema's SDL, as committed in `api/schema.graphql`.
#[must_use]
pub fn sdl() -> String {
    // Custom scalars carry `@specifiedBy`, for code generators to map them.
    detached().sdl_with_options(async_graphql::SDLExportOptions::new().include_specified_by())
}

/// The schema without application state: for printing and introspecting it, not for
/// serving (every resolver that needs the state would fail).
#[must_use]
pub fn detached() -> KitSchema {
    builder().finish()
}

/// The schema's types, as async-graphql registers them (without its introspection fields,
/// which the cost check counts by name).
pub(crate) fn registry() -> async_graphql::registry::Registry {
    use async_graphql::{OutputType, SubscriptionType};
    let mut registry = async_graphql::registry::Registry {
        types: Default::default(),
        directives: Default::default(),
        implements: Default::default(),
        query_type: Query::type_name().to_string(),
        mutation_type: Some(Mutation::type_name().to_string()),
        subscription_type: Some(subscription::Subscription::type_name().to_string()),
        introspection_mode: async_graphql::IntrospectionMode::Enabled,
        enable_federation: false,
        federation_subscription: false,
        ignore_name_conflicts: Default::default(),
        enable_suggestions: true,
    };
    <Query as OutputType>::create_type_info(&mut registry);
    <Mutation as OutputType>::create_type_info(&mut registry);
    <subscription::Subscription as SubscriptionType>::create_type_info(&mut registry);
    registry
}
