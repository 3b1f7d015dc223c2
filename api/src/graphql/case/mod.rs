//! Cases: the child's pathway, with its referral, status history and participants.

mod inbox;
mod mutation;
mod query;
mod types;

pub use inbox::{InboxConnection, InboxEntry, InboxQuery};
pub use mutation::CaseMutation;

pub use query::*;
pub use types::*;
