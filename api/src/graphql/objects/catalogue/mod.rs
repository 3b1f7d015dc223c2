//! The early-intervention catalogue (Kalundborg's model): a municipality's preventive offers
//! with their cohorts and waiting lists, the expected start of each child waiting, and how
//! long families waited. See `kit_entity::ops::catalogue` for who may do what.

pub mod lists;
pub mod types;

pub use lists::waiting_list;
pub use types::{Cohort, Offer, OfferWaitingTime, WaitingListEntry};

crate::connection!(
    OfferConnection,
    OfferEdge,
    Offer,
    "A page of a municipality's catalogue of early interventions.",
    "An early intervention in a page of the catalogue."
);

crate::connection!(
    WaitingListEntryConnection,
    WaitingListEntryEdge,
    WaitingListEntry,
    "A page of an early intervention's waiting list, in queue order.",
    "An entry in a page of a waiting list."
);
