//! The intervention lead (seed 003: "Udpegning af indsatsansvarlig for handling i barnets
//! forløb"): one active lead per case, held by the database like the one responsible contact
//! per sector, and a default rule — an accepted case has its intervention lead within 10
//! working days, the municipal responsible contact reminded 2 working days ahead.
//!
//! A case that has two active leads already keeps the one appointed last; the others' periods
//! end now, with the reason recorded.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::ConnectionTrait;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Participants {
    Table,
    Role,
    ActiveUntil,
    EndReason,
}

#[derive(DeriveIden)]
enum DeadlineRules {
    Table,
    OrganizationId,
    Code,
    Version,
    NameDa,
    NameEn,
    Description,
    StartEvent,
    StartFilter,
    Anchor,
    OffsetValue,
    OffsetUnit,
    MetByEvent,
    MetByFilter,
    PerSector,
    AlertTo,
    AlertSector,
    Reminders,
    EscalateAfterWorkingDays,
    CreatedAt,
}

const CODE: &str = "intervention-lead";
const INDEX: &str = "ux_participants_one_intervention_lead";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let now =
            sea_orm_migration::sea_orm::prelude::DateTimeUtc::from(std::time::SystemTime::now());
        let insert = Query::insert()
            .into_table(DeadlineRules::Table)
            .columns([
                DeadlineRules::Code,
                DeadlineRules::Version,
                DeadlineRules::NameDa,
                DeadlineRules::NameEn,
                DeadlineRules::Description,
                DeadlineRules::StartEvent,
                DeadlineRules::StartFilter,
                DeadlineRules::Anchor,
                DeadlineRules::OffsetValue,
                DeadlineRules::OffsetUnit,
                DeadlineRules::MetByEvent,
                DeadlineRules::MetByFilter,
                DeadlineRules::PerSector,
                DeadlineRules::AlertTo,
                DeadlineRules::AlertSector,
                DeadlineRules::Reminders,
                DeadlineRules::EscalateAfterWorkingDays,
                DeadlineRules::CreatedAt,
            ])
            .values_panic([
                CODE.into(),
                1.into(),
                "Sagen har en indsatsansvarlig inden for 10 arbejdsdage efter visitationen".into(),
                "The case has an intervention lead within 10 working days of acceptance".into(),
                "Single entry point (seed 003): an intervention lead is appointed for the actions \
                 of the child's pathway — one per case, who answers for the agreed support being \
                 carried out."
                    .into(),
                "INTAKE_ACCEPTED".into(),
                Option::<String>::None.into(),
                "EVENT".into(),
                10.into(),
                "WORKING_DAYS".into(),
                "INTERVENTION_LEAD_ASSIGNED".into(),
                Option::<String>::None.into(),
                false.into(),
                "RESPONSIBLE_CONTACT".into(),
                Some("MUNICIPALITY").into(),
                r#"[{"value":2,"unit":"WORKING_DAYS"}]"#.into(),
                Some(2).into(),
                now.into(),
            ])
            .to_owned();
        manager.exec_stmt(insert).await?;
        // One lead per case: where there are more, the one appointed last stays.
        let end_extra = Query::update()
            .table(Participants::Table)
            .value(Participants::ActiveUntil, now)
            .value(
                Participants::EndReason,
                "Another intervention lead was appointed later: one lead per case",
            )
            .and_where(Expr::col(Participants::Role).eq("INTERVENTION_LEAD"))
            .and_where(Expr::col(Participants::ActiveUntil).is_null())
            .and_where(Expr::cust(
                "id NOT IN (SELECT max(p.id) FROM participants p WHERE p.role = 'INTERVENTION_LEAD' \
                 AND p.active_until IS NULL GROUP BY p.case_id)",
            ))
            .to_owned();
        manager.exec_stmt(end_extra).await?;
        manager
            .get_connection()
            .execute_unprepared(&format!(
                "CREATE UNIQUE INDEX {INDEX} ON participants (case_id) \
                 WHERE role = 'INTERVENTION_LEAD' AND active_until IS NULL"
            ))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(&format!("DROP INDEX {INDEX}"))
            .await?;
        let delete = Query::delete()
            .from_table(DeadlineRules::Table)
            .and_where(Expr::col(DeadlineRules::Code).eq(CODE))
            .and_where(Expr::col(DeadlineRules::OrganizationId).is_null())
            .to_owned();
        manager.exec_stmt(delete).await
    }
}
