//! Organizations, units and professionals: the directory every screen picks people from.

pub mod access_change;
mod mutation;
mod query;
mod types;

pub use mutation::DirectoryMutation;
pub use query::*;
pub use types::*;
