//! End-to-end tests: the real HTTP server, a real database (SQLite by default, PostgreSQL when
//! `KIT_TEST_DATABASE_URL` is set), GraphQL over the wire.

mod access;
mod access_log;
mod admin;
mod answers;
mod audit;
mod auth;
mod bad_input;
mod catalogue;
mod committee;
mod consent;
mod consultations;
mod contacts;
mod cpr;
mod crash;
mod deadline_alerts;
mod deadlines;
mod decoding;
mod delivery;
mod demo;
mod documents;
mod inbox;
mod limits;
mod meetings;
mod notifications;
mod operations;
mod pagination;
mod pathway;
mod pathway_meetings;
mod plan;
mod plan_links;
mod schema;
mod sharing;
mod statements;
mod subject_access;
mod transport;
