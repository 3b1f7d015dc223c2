//! The database schema, one migration per file, applied in file-name order.
//!
//! Migrations are the only source of the schema: the server, the tests and the
//! `kit-migrate` CLI all run these. Every statement is portable between SQLite and
//! PostgreSQL; partial unique indexes are written as plain SQL that both accept.

pub use sea_orm_migration::prelude::*;

mod m20261122_000001_organizations;
mod m20261122_000002_children;
mod m20261122_000003_cases;
mod m20261122_000004_instance_secrets;
mod m20261123_000005_meetings;
mod m20261123_000006_deadlines;
mod m20261123_000007_access_log;
mod m20261124_000008_deadline_alerts;
mod m20261124_000009_child_matches;
mod m20261124_000010_login_subjects;
mod m20261124_000011_access_changes;
mod m20261124_000012_client_request_ids;
mod m20261124_000013_idempotency_keys;
mod m20261124_000014_consents;
mod m20261124_000015_consent_expiry;
mod m20261124_000016_access_log_chain;
mod m20261124_000017_cpr_at_rest;
mod m20261124_000018_data_protection;
mod m20261124_000019_documents;
mod m20261124_000020_agreement_status;
mod m20261124_000021_plan_versions;
mod m20261124_000022_plan_links;
mod m20261124_000023_early_interventions;
mod m20261124_000024_consultations;
mod m20261124_000025_committee;
mod m20261124_000026_directory_changes;
mod m20261206_000027_sealed_answers;
mod m20261207_000028_case_changes;
mod m20261207_000029_delivery_subject;
mod m20261208_000030_access_log_months;
mod m20261208_000031_participants_by_professional;
mod m20261209_000032_early_information_exchange;
mod m20261209_000033_intervention_lead;
mod m20261210_000034_discharges;
mod m20261210_000035_templates;
mod m20261210_000036_referral_decisions;
mod m20261210_000037_committee_redirects;
mod m20261210_000038_seat_offer_lapse;
mod m20261210_000039_committee_answers;

/// The product's migrator.
#[derive(Debug)]
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261122_000001_organizations::Migration),
            Box::new(m20261122_000002_children::Migration),
            Box::new(m20261122_000003_cases::Migration),
            Box::new(m20261122_000004_instance_secrets::Migration),
            Box::new(m20261123_000005_meetings::Migration),
            Box::new(m20261123_000006_deadlines::Migration),
            Box::new(m20261123_000007_access_log::Migration),
            Box::new(m20261124_000008_deadline_alerts::Migration),
            Box::new(m20261124_000009_child_matches::Migration),
            Box::new(m20261124_000010_login_subjects::Migration),
            Box::new(m20261124_000011_access_changes::Migration),
            Box::new(m20261124_000012_client_request_ids::Migration),
            Box::new(m20261124_000013_idempotency_keys::Migration),
            Box::new(m20261124_000014_consents::Migration),
            Box::new(m20261124_000015_consent_expiry::Migration),
            Box::new(m20261124_000016_access_log_chain::Migration),
            Box::new(m20261124_000017_cpr_at_rest::Migration),
            Box::new(m20261124_000018_data_protection::Migration),
            Box::new(m20261124_000019_documents::Migration),
            Box::new(m20261124_000020_agreement_status::Migration),
            Box::new(m20261124_000021_plan_versions::Migration),
            Box::new(m20261124_000022_plan_links::Migration),
            Box::new(m20261124_000023_early_interventions::Migration),
            Box::new(m20261124_000024_consultations::Migration),
            Box::new(m20261124_000025_committee::Migration),
            Box::new(m20261124_000026_directory_changes::Migration),
            Box::new(m20261206_000027_sealed_answers::Migration),
            Box::new(m20261207_000028_case_changes::Migration),
            Box::new(m20261207_000029_delivery_subject::Migration),
            Box::new(m20261208_000030_access_log_months::Migration),
            Box::new(m20261208_000031_participants_by_professional::Migration),
            Box::new(m20261209_000032_early_information_exchange::Migration),
            Box::new(m20261209_000033_intervention_lead::Migration),
            Box::new(m20261210_000034_discharges::Migration),
            Box::new(m20261210_000035_templates::Migration),
            Box::new(m20261210_000036_referral_decisions::Migration),
            Box::new(m20261210_000037_committee_redirects::Migration),
            Box::new(m20261210_000038_seat_offer_lapse::Migration),
            Box::new(m20261210_000039_committee_answers::Migration),
        ]
    }
}

/// Creates a (possibly partial, possibly unique) index with SQL both databases accept.
pub(crate) async fn raw_index(
    manager: &SchemaManager<'_>,
    name: &str,
    table: &str,
    columns: &str,
    unique: bool,
    predicate: Option<&str>,
) -> Result<(), DbErr> {
    let unique = if unique { "UNIQUE " } else { "" };
    let predicate = predicate.map(|p| format!(" WHERE {p}")).unwrap_or_default();
    manager
        .get_connection()
        .execute_unprepared(&format!(
            "CREATE {unique}INDEX {name} ON {table} ({columns}){predicate}"
        ))
        .await
        .map(|_| ())
}

#[cfg(test)]
mod tests {
    use sea_orm_migration::MigratorTrait;

    use super::Migrator;

    /// Every migration runs in one transaction on SQLite as on PostgreSQL: applied whole or not
    /// at all, and every statement of it on one connection of the pool (a rebuilt table is
    /// never seen half-renamed by another connection's older snapshot).
    #[test]
    fn every_migration_runs_in_one_transaction() {
        for migration in Migrator::migrations() {
            assert_eq!(
                migration.use_transaction(),
                Some(true),
                "{} does not run in a transaction",
                migration.name()
            );
        }
    }
}
