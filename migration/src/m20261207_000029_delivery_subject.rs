//! The outbox names what a message is about once: a subject (`INVITATION`, `NOTIFICATION`,
//! `PLAN_LINK`, `CONSULTATION`, `COMMITTEE`) and the id of that thing, with one unique key
//! over (subject, subject id, sequence, recipient), instead of one nullable column and one
//! partial unique index per kind of message. Existing rows keep what they were about: an
//! invitation's subject is its invitee (whose row names the meeting).

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Which subject an old row was about, and its id, in the order the product read them.
const SUBJECT_OF_OLD_ROW: &str = "CASE
        WHEN invitee_id IS NOT NULL THEN 'INVITATION'
        WHEN notification_id IS NOT NULL THEN 'NOTIFICATION'
        WHEN plan_link_id IS NOT NULL THEN 'PLAN_LINK'
        WHEN consultation_booking_id IS NOT NULL THEN 'CONSULTATION'
        ELSE 'COMMITTEE'
    END";
const SUBJECT_ID_OF_OLD_ROW: &str = "COALESCE(invitee_id, notification_id, plan_link_id, consultation_booking_id, committee_meeting_id)";

const OLD_INDEXES: &[&str] = &[
    "ux_deliveries_meeting_sequence_invitee",
    "ux_deliveries_notification",
    "ux_deliveries_plan_link",
    "ux_deliveries_consultation",
    "ux_deliveries_committee",
];

const COMMON: &str = "sequence, method, recipient, language, status, attempts, last_error, \
     next_attempt_at, claimed_until, sent_at, message_id, created_at, updated_at";

const NEW_INDEXES: &[&str] = &[
    "CREATE UNIQUE INDEX ux_deliveries_subject ON deliveries (subject, subject_id, sequence, recipient)",
    "CREATE INDEX ix_deliveries_pending ON deliveries (next_attempt_at) WHERE status = 'PENDING'",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// The rebuild on SQLite is one change: all its statements on one connection, applied
    /// whole or not at all.
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        match db.get_database_backend() {
            DbBackend::Postgres => {
                for index in OLD_INDEXES {
                    db.execute_unprepared(&format!("DROP INDEX {index}"))
                        .await?;
                }
                db.execute_unprepared("DROP INDEX ix_deliveries_pending")
                    .await?;
                db.execute_unprepared(
                    "ALTER TABLE deliveries ADD COLUMN subject varchar(16), ADD COLUMN subject_id bigint",
                )
                .await?;
                db.execute_unprepared(&format!(
                    "UPDATE deliveries SET subject = {SUBJECT_OF_OLD_ROW}, subject_id = {SUBJECT_ID_OF_OLD_ROW}"
                ))
                .await?;
                db.execute_unprepared(
                    "ALTER TABLE deliveries ALTER COLUMN subject SET NOT NULL, \
                     ALTER COLUMN subject_id SET NOT NULL, \
                     DROP COLUMN meeting_id, DROP COLUMN invitee_id, DROP COLUMN notification_id, \
                     DROP COLUMN plan_link_id, DROP COLUMN consultation_booking_id, \
                     DROP COLUMN committee_meeting_id",
                )
                .await?;
            }
            _ => {
                // SQLite cannot drop a column a foreign key names: the table is rebuilt.
                db.execute_unprepared(
                    "CREATE TABLE deliveries_new (
                        id integer NOT NULL PRIMARY KEY AUTOINCREMENT,
                        subject varchar(16) NOT NULL,
                        subject_id integer NOT NULL,
                        sequence integer NOT NULL,
                        method varchar(16) NULL,
                        recipient varchar NOT NULL,
                        language varchar(8) NOT NULL,
                        status varchar(16) NOT NULL,
                        attempts integer NOT NULL,
                        last_error text NULL,
                        next_attempt_at timestamp_with_timezone_text NOT NULL,
                        claimed_until timestamp_with_timezone_text NULL,
                        sent_at timestamp_with_timezone_text NULL,
                        message_id varchar NOT NULL,
                        created_at timestamp_with_timezone_text NOT NULL,
                        updated_at timestamp_with_timezone_text NOT NULL
                    )",
                )
                .await?;
                db.execute_unprepared(&format!(
                    "INSERT INTO deliveries_new (id, subject, subject_id, {COMMON}) \
                     SELECT id, {SUBJECT_OF_OLD_ROW}, {SUBJECT_ID_OF_OLD_ROW}, {COMMON} FROM deliveries"
                ))
                .await?;
                db.execute_unprepared("DROP TABLE deliveries").await?;
                db.execute_unprepared("ALTER TABLE deliveries_new RENAME TO deliveries")
                    .await?;
            }
        }
        for statement in NEW_INDEXES {
            db.execute_unprepared(statement).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared("DROP INDEX ux_deliveries_subject")
            .await?;
        db.execute_unprepared("DROP INDEX ix_deliveries_pending")
            .await?;
        let columns = [
            "meeting_id",
            "invitee_id",
            "notification_id",
            "plan_link_id",
            "consultation_booking_id",
            "committee_meeting_id",
        ];
        for column in columns {
            db.execute_unprepared(&format!(
                "ALTER TABLE deliveries ADD COLUMN {column} bigint NULL"
            ))
            .await?;
        }
        db.execute_unprepared(
            "UPDATE deliveries SET
                invitee_id = CASE WHEN subject = 'INVITATION' THEN subject_id END,
                meeting_id = CASE WHEN subject = 'INVITATION'
                    THEN (SELECT meeting_id FROM meeting_invitees i WHERE i.id = deliveries.subject_id) END,
                notification_id = CASE WHEN subject = 'NOTIFICATION' THEN subject_id END,
                plan_link_id = CASE WHEN subject = 'PLAN_LINK' THEN subject_id END,
                consultation_booking_id = CASE WHEN subject = 'CONSULTATION' THEN subject_id END,
                committee_meeting_id = CASE WHEN subject = 'COMMITTEE' THEN subject_id END",
        )
        .await?;
        for column in ["subject", "subject_id"] {
            db.execute_unprepared(&format!("ALTER TABLE deliveries DROP COLUMN {column}"))
                .await?;
        }
        for statement in [
            "CREATE UNIQUE INDEX ux_deliveries_meeting_sequence_invitee ON deliveries (meeting_id, sequence, invitee_id)",
            "CREATE UNIQUE INDEX ux_deliveries_notification ON deliveries (notification_id) WHERE notification_id IS NOT NULL",
            "CREATE UNIQUE INDEX ux_deliveries_plan_link ON deliveries (plan_link_id) WHERE plan_link_id IS NOT NULL",
            "CREATE UNIQUE INDEX ux_deliveries_consultation ON deliveries (consultation_booking_id, sequence, recipient) WHERE consultation_booking_id IS NOT NULL",
            "CREATE UNIQUE INDEX ux_deliveries_committee ON deliveries (committee_meeting_id, sequence, recipient) WHERE committee_meeting_id IS NOT NULL",
            "CREATE INDEX ix_deliveries_pending ON deliveries (next_attempt_at) WHERE status = 'PENDING'",
        ] {
            db.execute_unprepared(statement).await?;
        }
        Ok(())
    }
}
