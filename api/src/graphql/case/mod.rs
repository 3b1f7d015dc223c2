//! Cases: the child's pathway, with its referral, status history and participants.

mod mutation;
mod query;
mod types;

pub use mutation::CaseMutation;

pub use query::*;
pub use types::*;
