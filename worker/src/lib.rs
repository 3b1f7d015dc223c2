//! The KIT worker: the runtime that carries out what a change has set in motion.
//!
//! ARCHITECTURE: mutations — in the API or in the worker's own jobs — call the domain's
//! operations (`kit_entity::ops`), which write their consequences as rows and jobs in the
//! change's own transaction. This crate runs those jobs at least once (each is idempotent on a
//! natural key in the database): it schedules meetings ([`schedule`], by the rule of whose
//! time a meeting takes in `kit_entity::ops::meetings::calendar`), sends the outbox's messages
//! ([`delivery`] over [`mail`], each kind written by one file of [`messages`]), plans the pathway's meetings ([`pathway`]), and sweeps the
//! deadlines ([`runner`]'s sweep loop). It runs inside `kit-api` by default and as
//! `kit-worker` processes for scale-out, on the same database.

pub mod context;
pub mod delivery;
pub mod mail;
pub mod messages;
pub mod metrics;
pub mod pathway;
pub mod runner;
pub mod schedule;
