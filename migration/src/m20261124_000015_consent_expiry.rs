//! The default rule for a consent's expiry: a consent recorded with an end date owes its
//! renewal (or a decision to let it lapse) before that date, and the case's municipal
//! responsible contact is reminded 10 working days ahead. Rules are data: an organization
//! changes this one like the others, and recording a new consent for the same purpose meets it.

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

const CODE: &str = "consent-expiry";

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
                "Samtykket fornyes, før det udløber".into(),
                "The consent is renewed before it expires".into(),
                "Information about the child crosses organizations only under an active consent: \
                 before a consent with an end date expires, the responsible contact asks the family \
                 (or the young person from 15) whether it is renewed, and records the new consent."
                    .into(),
                "CONSENT_RECORDED".into(),
                Option::<String>::None.into(),
                "CONSENT_EXPIRY".into(),
                0.into(),
                "CALENDAR_DAYS".into(),
                "CONSENT_RECORDED".into(),
                Option::<String>::None.into(),
                false.into(),
                "RESPONSIBLE_CONTACT".into(),
                Some("MUNICIPALITY").into(),
                r#"[{"value":10,"unit":"WORKING_DAYS"}]"#.into(),
                Some(3).into(),
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
