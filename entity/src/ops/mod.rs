//! The pathway's operations, which the API and the worker both call inside their write
//! transactions: what a change means for meetings (plan, invite, hand over, cancel), for
//! deadlines (start, meet, withdraw, sweep, recompute), for the pathway (the meetings it plans
//! itself), and the outbox rows and jobs it leaves for the worker. Neither front end holds
//! these rules.

pub mod audit;
pub mod deadlines;
pub mod idempotency;
pub mod meetings;
pub mod outbox;
pub mod pathway;
