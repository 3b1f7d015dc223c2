//! The default rule for early information exchange (seeds 000–002: "Udveksling af
//! informationer … tidligt i barnets/den unges forløb"): once a case is accepted, each
//! participating sector shares what it knows about the child — a status note, a treatment plan
//! or a statement — within 10 working days, not only before network meetings. Each sector's
//! responsible contact is reminded 3 working days ahead; sharing (a document or an
//! INFORMATION_SHARED event) meets it. Rules are data: a municipality changes N like any other
//! rule (`updateDeadlineRule`).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

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

const CODE: &str = "early-information-exchange";

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
                "Hver sektor deler sin viden om barnet inden for 10 arbejdsdage efter visitationen"
                    .into(),
                "Each sector shares what it knows about the child within 10 working days of acceptance"
                    .into(),
                "KIT and the single entry point: information about the child is exchanged early in \
                 the pathway — each participating sector shares a status note, treatment plan or \
                 statement within 10 working days of the case's acceptance, not only before network \
                 meetings."
                    .into(),
                "INTAKE_ACCEPTED".into(),
                Option::<String>::None.into(),
                "EVENT".into(),
                10.into(),
                "WORKING_DAYS".into(),
                "INFORMATION_SHARED".into(),
                Option::<String>::None.into(),
                true.into(),
                "SECTOR_CONTACT".into(),
                Option::<String>::None.into(),
                r#"[{"value":3,"unit":"WORKING_DAYS"}]"#.into(),
                Some(2).into(),
                now.into(),
            ])
            .to_owned();
        manager.exec_stmt(insert).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let delete = Query::delete()
            .from_table(DeadlineRules::Table)
            .and_where(Expr::col(DeadlineRules::Code).eq(CODE))
            .and_where(Expr::col(DeadlineRules::OrganizationId).is_null())
            .to_owned();
        manager.exec_stmt(delete).await
    }
}
