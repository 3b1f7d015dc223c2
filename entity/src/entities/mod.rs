//! The sea-orm table models: columns only. Rules live in [`crate::domain`]; relations between
//! tables are foreign keys in the migrations and explicit queries in the layers above.

pub mod access_change;
pub mod access_log;
pub mod agenda_item;
pub mod agreement;
pub mod audit_prune;
pub mod busy_period;
pub mod calendar_feed;
pub mod case;
pub mod case_event;
pub mod case_status_change;
pub mod child;
pub mod closure_day;
pub mod consent;
pub mod consent_organization;
pub mod deadline;
pub mod deadline_recompute;
pub mod deadline_rule;
pub mod delivery;
pub mod document;
pub mod document_share;
pub mod family_member;
pub mod idempotency_key;
pub mod instance_secret;
pub mod meeting;
pub mod meeting_invitee;
pub mod notification;
pub mod organization;
pub mod participant;
pub mod plan_agreement;
pub mod plan_item;
pub mod plan_version;
pub mod professional;
pub mod referral;
pub mod unit;
