//! The `Deadline` type, and the lists of them: `Case.deadlines` and the `deadlines`
//! connection with its filter.

use async_graphql::{Context, ID, InputObject, Object};
use kit_entity::Result;
use kit_entity::domain::enums::{DeadlineStatus as DomainStatus, Language as DomainLanguage};
use kit_entity::domain::timeliness::{status_at, statuses_condition};
use kit_entity::entities::{case, deadline};
use kit_entity::ids::{CaseId, OrganizationId, ProfessionalId};
use kit_entity::ops::deadlines::stage_kind;
use sea_orm::sea_query::Query;
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter};

use super::rule::{DeadlineRule, rule_by_id};
use super::shared::{agreement_opt, professional_opt, viewer_language};
use crate::graphql::context::{ContextExt, load, load_required};
use crate::graphql::enums::{DeadlineStatus, NotificationKind, Sector};
use crate::graphql::errors::IntoGraphql;
use crate::graphql::ids::{NodeId, decode_opt};
use crate::graphql::objects::case::Case;
use crate::graphql::objects::directory::{Professional, Unit};
use crate::graphql::objects::meeting::Meeting;
use crate::graphql::objects::plan::Agreement;
use crate::graphql::pagination::{Key, Keyset};
use crate::graphql::scalars::DateTime;
use kit_entity::access;
use kit_entity::ops::deadlines::reads;

/// GraphQL `Deadline` over `deadline::Model`, described on its `#[Object]` impl.
pub struct Deadline(pub deadline::Model);

/// One time limit owed to a child: started by a pathway event under a rule, met by another
/// event, reminded, alerted and escalated by the worker until then.
#[Object]
impl Deadline {
    /// Global id of the deadline: opaque, stable, and accepted by `node(id:)`.
    pub async fn id(&self) -> ID {
        self.0.id.to_global()
    }

    /// The case it is owed in.
    async fn case(&self, ctx: &Context<'_>) -> async_graphql::Result<Case> {
        load_required(ctx, self.0.case_id).await.map(Case).gql()
    }

    /// The rule version it runs under: the version in force when it started, unless an
    /// administrator recomputed it since.
    async fn rule(&self, ctx: &Context<'_>) -> async_graphql::Result<DeadlineRule> {
        rule_by_id(ctx, self.0.rule_id).await.gql()
    }

    /// The rule's code, such as `start-meeting`.
    async fn rule_code(&self) -> &str {
        &self.0.rule_code
    }

    /// What it is, in your language.
    async fn name(&self, ctx: &Context<'_>) -> async_graphql::Result<String> {
        let rule = rule_by_id(ctx, self.0.rule_id).await.gql()?;
        Ok(match viewer_language(ctx) {
            DomainLanguage::Da => rule.0.name_da,
            DomainLanguage::En => rule.0.name_en,
        })
    }

    /// Where it is, now: a deadline whose due time has passed without being met is MISSED
    /// from that instant, whether or not the due alert has gone out yet.
    async fn status(&self, ctx: &Context<'_>) -> DeadlineStatus {
        status_at(&self.0, ctx.state().clock.now()).into()
    }

    /// When it started.
    async fn started_at(&self) -> DateTime {
        self.0.started_at.into()
    }

    /// When it is due.
    async fn due_at(&self) -> DateTime {
        self.0.due_at.into()
    }

    /// When it was met.
    async fn met_at(&self) -> Option<DateTime> {
        self.0.met_at.map(Into::into)
    }

    /// For a met deadline: true when it was met no later than due.
    async fn met_on_time(&self) -> Option<bool> {
        self.0.met_at.map(|m| m <= self.0.due_at)
    }

    /// When it was waived.
    async fn waived_at(&self) -> Option<DateTime> {
        self.0.waived_at.map(Into::into)
    }

    /// Who waived it.
    async fn waived_by(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Professional>> {
        professional_opt(ctx, self.0.waived_by_id).await
    }

    /// Why it was waived.
    async fn waive_reason(&self) -> Option<&str> {
        self.0.waive_reason.as_deref()
    }

    /// When it was withdrawn because the event that started it was undone.
    async fn withdrawn_at(&self) -> Option<DateTime> {
        self.0.withdrawn_at.map(Into::into)
    }

    /// The sector it is owed by, for rules with one deadline per sector.
    async fn sector(&self) -> Option<Sector> {
        self.0.sector.map(Into::into)
    }

    /// The meeting it is about.
    async fn meeting(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Meeting>> {
        match self.0.meeting_id {
            Some(id) => Ok(load(ctx, id).await.gql()?.map(Meeting)),
            None => Ok(None),
        }
    }

    /// The agreement it is about.
    async fn agreement(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Agreement>> {
        agreement_opt(ctx, self.0.agreement_id).await
    }

    /// The professional its reminders and alerts go to now, when one person holds the
    /// position (the sector's responsible contact, the intervention lead, the agreement's
    /// owner). Null when nobody does: then `responsibleUnit` is told instead.
    async fn responsible(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Professional>> {
        professional_opt(ctx, self.0.responsible_id).await
    }

    /// The unit whose members all get its reminders and alerts because nobody holds the
    /// position (the intake unit of the case's municipality — also for rules that alert the
    /// intake unit itself). Null when `responsible` is set.
    async fn responsible_unit(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Unit>> {
        match self.0.responsible_unit_id {
            Some(id) => Ok(load(ctx, id).await.gql()?.map(Unit)),
            None => Ok(None),
        }
    }

    /// When the worker last failed to process it (its reminders and alerts are then retried
    /// with growing pauses; operators find the cause in the log). Null while all is well.
    async fn alert_failed_at(&self) -> Option<DateTime> {
        self.0.alert_failed_at.map(Into::into)
    }

    /// Why the worker last failed to process it, while it does; null while all is well.
    async fn alert_error(&self) -> Option<&str> {
        self.0.alert_error.as_deref()
    }

    /// When the worker will next act on it: a reminder, the due alert or the escalation.
    /// Null when nothing is left to do.
    async fn next_action_at(&self) -> Option<DateTime> {
        self.0.next_action_at.map(Into::into)
    }

    /// What the worker will do at `nextActionAt`.
    async fn next_action(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<NotificationKind>> {
        let Some(stage) = self.0.next_stage else {
            return Ok(None);
        };
        let rule = rule_by_id(ctx, self.0.rule_id).await.gql()?;
        Ok(Some(stage_kind(&rule.0, stage).into()))
    }
}

crate::connection!(
    DeadlineConnection,
    DeadlineEdge,
    Deadline,
    "A page of deadlines.",
    "A deadline in a page of deadlines."
);

/// Which deadlines to list.
#[derive(InputObject, Default)]
pub struct DeadlineFilter {
    /// Only these statuses, as they are now (a PENDING deadline past its due time is MISSED).
    pub status: Option<Vec<DeadlineStatus>>,
    /// Only those due before this instant.
    pub due_before: Option<DateTime>,
    /// Only those due at or after this instant.
    pub due_after: Option<DateTime>,
    /// Only those whose reminders and alerts go to this professional: those they are
    /// responsible for, those of their unit when nobody holds the position (each member of the
    /// intake unit finds those), and those they have been alerted about already (a leader
    /// finds the escalations sent to them).
    pub responsible_id: Option<ID>,
    /// Only those of cases of this municipality.
    pub organization_id: Option<ID>,
    /// Only those of this case.
    pub case_id: Option<ID>,
    /// Only those of this rule code.
    pub rule_code: Option<String>,
}

pub(crate) fn deadline_condition(
    actor: &access::Actor,
    now: chrono::DateTime<chrono::Utc>,
    filter: DeadlineFilter,
) -> Result<Condition> {
    let mut all = Condition::all().add(reads::seen_by(actor, now));
    if let Some(statuses) = filter.status {
        let statuses: Vec<DomainStatus> = statuses.into_iter().map(Into::into).collect();
        all = all.add(statuses_condition(&statuses, now));
    }
    if let Some(before) = filter.due_before {
        all = all.add(deadline::Column::DueAt.lt(before.0));
    }
    if let Some(after) = filter.due_after {
        all = all.add(deadline::Column::DueAt.gte(after.0));
    }
    if let Some(p) =
        decode_opt::<ProfessionalId>("filter.responsibleId", filter.responsible_id.as_ref())?
    {
        all = all.add(reads::alerted(p));
    }
    if let Some(o) =
        decode_opt::<OrganizationId>("filter.organizationId", filter.organization_id.as_ref())?
    {
        all = all.add(
            deadline::Column::CaseId.in_subquery(
                Query::select()
                    .column(case::Column::Id)
                    .from(case::Entity)
                    .and_where(case::Column::MunicipalityId.eq(o))
                    .to_owned(),
            ),
        );
    }
    if let Some(c) = decode_opt::<CaseId>("filter.caseId", filter.case_id.as_ref())? {
        all = all.add(deadline::Column::CaseId.eq(c));
    }
    if let Some(code) = filter.rule_code {
        all = all.add(deadline::Column::RuleCode.eq(code));
    }
    Ok(all)
}

/// The deadlines `actor` answers for, for `Viewer.deadlines`.
///
/// # Errors
/// A `responsibleId` in `filter` that is someone else's; bad `filter`, `first` or `after`;
/// database errors.
pub async fn of_viewer(
    ctx: &Context<'_>,
    actor: &kit_entity::access::Actor,
    filter: Option<DeadlineFilter>,
    first: Option<i32>,
    after: Option<String>,
) -> Result<DeadlineConnection> {
    use crate::graphql::ids::NodeId;
    let mut filter = filter.unwrap_or_default();
    if let Some(id) = &filter.responsible_id
        && *id != actor.id().to_global()
    {
        return Err(kit_entity::Error::invalid(
            "filter.responsibleId",
            "is someone else's: leave it out here",
        ));
    }
    filter.responsible_id = Some(actor.id().to_global());
    let condition = deadline_condition(actor, ctx.state().clock.now(), filter)?;
    list(ctx, condition, first, after).await
}

/// Lists deadlines matching `condition`, earliest due first.
///
/// # Errors
/// Database errors and malformed cursors.
pub async fn list(
    ctx: &Context<'_>,
    condition: Condition,
    first: Option<i32>,
    after: Option<String>,
) -> Result<DeadlineConnection> {
    let base = deadline::Entity::find().filter(condition);
    let page = Keyset::ascending(
        "due",
        vec![
            (
                deadline::Column::DueAt,
                Key::Time(chrono::DateTime::UNIX_EPOCH),
            ),
            (deadline::Column::Id, Key::Int(0)),
        ],
    )
    .page(&ctx.state().db, base, first, after.as_deref(), |d| {
        vec![Key::Time(d.due_at), Key::Int(d.id.0)]
    })
    .await?;
    let mut cases: Vec<CaseId> = page.edges.iter().map(|(_, d)| d.case_id).collect();
    cases.sort_unstable();
    cases.dedup();
    // Together, so that the access decisions share the loaders' batches.
    futures_util::future::try_join_all(cases.into_iter().map(|case_id| {
        crate::graphql::read::read_case(ctx, case_id, kit_entity::access::ChildData::Deadlines)
    }))
    .await?;
    Ok(page.map(Deadline).into())
}

/// The deadlines of one case (visible already), earliest due first.
///
/// # Errors
/// Database errors.
pub async fn of_case(
    ctx: &Context<'_>,
    case_id: CaseId,
    status: Option<Vec<DeadlineStatus>>,
) -> Result<Vec<Deadline>> {
    // Through the request's loaders: a page of cases reads its deadlines in one statement.
    let now = ctx.state().clock.now();
    let statuses: Option<Vec<DomainStatus>> =
        status.map(|s| s.into_iter().map(Into::into).collect());
    Ok(
        crate::graphql::context::load(ctx, crate::graphql::loaders::DeadlinesOf(case_id))
            .await?
            .unwrap_or_default()
            .into_iter()
            .filter(|d| {
                statuses
                    .as_ref()
                    .is_none_or(|s| s.contains(&kit_entity::domain::timeliness::status_at(d, now)))
            })
            .map(Deadline)
            .collect(),
    )
}
