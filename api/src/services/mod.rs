//! Domain operations. Each takes an open write transaction, the actor and the current time,
//! checks access and the rules, and writes. The GraphQL layer validates input shapes into the
//! command structs here, opens the transaction, and commits it: nothing is ever half-written.

pub mod case;
pub mod catalogue;
pub mod child;
pub mod committee;
pub mod consent;
pub mod consultation;
pub mod deadline;
pub mod directory;
pub mod document;
pub mod meeting;
pub mod participant;
pub mod plan;
pub mod plan_link;
