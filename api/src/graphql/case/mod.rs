//! Cases: the child's pathway, with its referral, status history and participants.

mod inbox;
mod mutation;
mod query;
mod types;

pub use inbox::{InboxConnection, InboxEntry, InboxQuery, node_entry as node_inbox_entry};
pub use mutation::CaseMutation;

pub use query::*;
pub use types::*;
