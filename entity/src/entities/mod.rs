//! The sea-orm table models: columns only. Rules live in [`crate::domain`]; relations between
//! tables are foreign keys in the migrations and explicit queries in the layers above.

pub mod case;
pub mod case_status_change;
pub mod child;
pub mod family_member;
pub mod instance_secret;
pub mod organization;
pub mod participant;
pub mod professional;
pub mod referral;
pub mod unit;
