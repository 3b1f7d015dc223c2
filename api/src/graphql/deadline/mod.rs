//! Deadlines ("rettidigheder"): the time limits owed to each child, the rules they come from,
//! the notifications they send, closure days, and the timeliness report.

mod mutation;

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use kit_entity::domain::enums::{DeadlineStatus as DomainStatus, Language as DomainLanguage};
use kit_entity::entities::{
    case, closure_day, deadline, deadline_recompute, deadline_rule, notification,
};
use kit_entity::ids::{
    AgreementId, CaseId, ClosureDayId, DeadlineId, DeadlineRecomputeId, DeadlineRuleId,
    NotificationId, OrganizationId, ProfessionalId,
};
use kit_entity::{Error, Result};
use kit_worker::deadlines::{Offset, reminders, stage_kind};
use sea_orm::sea_query::Query;
use sea_orm::{
    ColumnTrait, Condition, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};

pub use mutation::DeadlineMutation;

use crate::access;
use crate::graphql::case::Case;
use crate::graphql::context::{ContextExt, load, load_required};
use crate::graphql::directory::{Organization, Professional};
use crate::graphql::enums::{
    DeadlineAlertTo, DeadlineAnchor, DeadlineEvent, DeadlineStatus, Language, NotificationKind,
    OffsetUnit, Sector,
};
use crate::graphql::errors::IntoGraphql;
use crate::graphql::ids::{NodeId, decode, decode_opt};
use crate::graphql::meeting::Meeting;
use crate::graphql::pagination::{
    TotalCount, decode_cursor, decode_id_cursor, encode_cursor, page, page_size,
};
use crate::graphql::plan::Agreement;
use crate::graphql::scalars::{Date, DateTime};

fn viewer_language(ctx: &Context<'_>) -> DomainLanguage {
    ctx.actor()
        .map_or(DomainLanguage::Da, |a| a.professional.language)
}

/// One time limit owed to a child.
pub struct Deadline(pub deadline::Model);

/// One time limit owed to a child: started by a pathway event under a rule, met by another
/// event, reminded, alerted and escalated by the worker until then.
#[Object]
impl Deadline {
    /// The global id.
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

    /// Where it is.
    async fn status(&self) -> DeadlineStatus {
        self.0.status.into()
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

    /// The professional its alerts go to now, when one person holds the position.
    async fn responsible(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Professional>> {
        professional_opt(ctx, self.0.responsible_id).await
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

async fn professional_opt(
    ctx: &Context<'_>,
    id: Option<ProfessionalId>,
) -> async_graphql::Result<Option<Professional>> {
    match id {
        Some(id) => Ok(load(ctx, id).await.gql()?.map(Professional)),
        None => Ok(None),
    }
}

async fn agreement_opt(
    ctx: &Context<'_>,
    id: Option<AgreementId>,
) -> async_graphql::Result<Option<Agreement>> {
    match id {
        Some(id) => Ok(load(ctx, id).await.gql()?.map(Agreement)),
        None => Ok(None),
    }
}

async fn rule_by_id(ctx: &Context<'_>, id: DeadlineRuleId) -> Result<DeadlineRule> {
    load_required(ctx, id).await.map(DeadlineRule)
}

/// An offset: how many of what.
#[derive(SimpleObject, Clone, Copy)]
pub struct DeadlineOffset {
    /// How many; negative before the anchor.
    pub value: i32,
    /// Of what.
    pub unit: OffsetUnit,
}

impl From<Offset> for DeadlineOffset {
    fn from(o: Offset) -> Self {
        Self {
            value: o.value,
            unit: o.unit.into(),
        }
    }
}

/// An offset, as input.
#[derive(InputObject, Clone, Copy)]
pub struct DeadlineOffsetInput {
    /// How many.
    pub value: i32,
    /// Of what.
    pub unit: OffsetUnit,
}

impl From<DeadlineOffsetInput> for Offset {
    fn from(o: DeadlineOffsetInput) -> Self {
        Self {
            value: o.value,
            unit: o.unit.into(),
        }
    }
}

/// One version of a deadline rule.
pub struct DeadlineRule(pub deadline_rule::Model);

/// One version of a deadline rule: the event that starts it, the offset, the event that meets
/// it, whom it alerts, its reminders and its escalation. The product ships defaults; an
/// organization's administrators edit them into versions of their own.
#[Object]
impl DeadlineRule {
    /// The global id (of this version).
    pub async fn id(&self) -> ID {
        self.0.id.to_global()
    }

    /// The stable code, the same across versions (`start-meeting`).
    async fn code(&self) -> &str {
        &self.0.code
    }

    /// The version, from 1.
    async fn version(&self) -> i32 {
        self.0.version
    }

    /// The organization whose version it is; null for the product's default.
    async fn organization(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Organization>> {
        match self.0.organization_id {
            Some(id) => Ok(load(ctx, id).await.gql()?.map(Organization)),
            None => Ok(None),
        }
    }

    /// True for the product's default version.
    async fn is_default(&self) -> bool {
        self.0.organization_id.is_none()
    }

    /// The name in `language`; default yours.
    async fn name(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The language; default yours.")] language: Option<Language>,
    ) -> String {
        let language = language.map_or_else(|| viewer_language(ctx), Into::into);
        match language {
            DomainLanguage::Da => self.0.name_da.clone(),
            DomainLanguage::En => self.0.name_en.clone(),
        }
    }

    /// The Danish name.
    async fn name_da(&self) -> &str {
        &self.0.name_da
    }

    /// The English name.
    async fn name_en(&self) -> &str {
        &self.0.name_en
    }

    /// What it is and the source it comes from (law, KIT, local practice).
    async fn description(&self) -> &str {
        &self.0.description
    }

    /// The event that starts it.
    async fn start_event(&self) -> DeadlineEvent {
        self.0.start_event.into()
    }

    /// Narrows the starting event: meeting kinds (`NETWORK`), a case event kind, an age.
    async fn start_filter(&self) -> Option<&str> {
        self.0.start_filter.as_deref()
    }

    /// What the due time is counted from.
    async fn anchor(&self) -> DeadlineAnchor {
        self.0.anchor.into()
    }

    /// The offset from the anchor.
    async fn offset(&self) -> DeadlineOffset {
        DeadlineOffset {
            value: self.0.offset_value,
            unit: self.0.offset_unit.into(),
        }
    }

    /// The event that meets it.
    async fn met_by_event(&self) -> DeadlineEvent {
        self.0.met_by_event.into()
    }

    /// Narrows the meeting event.
    async fn met_by_filter(&self) -> Option<&str> {
        self.0.met_by_filter.as_deref()
    }

    /// True when each participating sector owes its own deadline.
    async fn per_sector(&self) -> bool {
        self.0.per_sector
    }

    /// Who is reminded and alerted.
    async fn alert_to(&self) -> DeadlineAlertTo {
        self.0.alert_to.into()
    }

    /// The sector whose responsible contact is alerted, for RESPONSIBLE_CONTACT.
    async fn alert_sector(&self) -> Option<Sector> {
        self.0.alert_sector.map(Into::into)
    }

    /// Reminders, each this long before the due time.
    async fn reminders(&self) -> Vec<DeadlineOffset> {
        reminders(&self.0).into_iter().map(Into::into).collect()
    }

    /// Working days after the due time when a missed deadline escalates to the leader of the
    /// responsible person's unit; null when it does not escalate.
    async fn escalate_after_working_days(&self) -> Option<i32> {
        self.0.escalate_after_working_days
    }

    /// When a newer version replaced it; null while it is in force.
    async fn superseded_at(&self) -> Option<DateTime> {
        self.0.superseded_at.map(Into::into)
    }

    /// Who made this version; null for the product's defaults.
    async fn created_by(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Professional>> {
        professional_opt(ctx, self.0.created_by_id).await
    }

    /// When this version was made.
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }
}

/// A reminder, alert or escalation for you.
pub struct Notification(pub notification::Model);

/// A reminder, alert or escalation about a deadline, for you. Each is also sent to you by
/// e-mail.
#[Object]
impl Notification {
    /// The global id.
    pub async fn id(&self) -> ID {
        self.0.id.to_global()
    }

    /// Reminder, due alert or escalation.
    async fn kind(&self) -> NotificationKind {
        self.0.kind.into()
    }

    /// A one-line title in your language.
    async fn title(&self, ctx: &Context<'_>) -> async_graphql::Result<String> {
        Ok(self.text(ctx).await.gql()?.0)
    }

    /// The message in your language.
    async fn message(&self, ctx: &Context<'_>) -> async_graphql::Result<String> {
        Ok(self.text(ctx).await.gql()?.1)
    }

    /// The deadline; null when you may no longer see its case.
    async fn deadline(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Deadline>> {
        let Some(d) = deadline::Entity::find_by_id(self.0.deadline_id)
            .one(&ctx.state().db)
            .await
            .map_err(Error::from)
            .gql()?
        else {
            return Ok(None);
        };
        let read = crate::graphql::case::read_case(
            ctx,
            d.case_id,
            crate::access_log::ChildData::Deadlines,
        )
        .await;
        match read {
            Ok(_) => Ok(Some(Deadline(d))),
            Err(Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(e).gql(),
        }
    }

    /// When it was made.
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }

    /// When you marked it read.
    async fn read_at(&self) -> Option<DateTime> {
        self.0.read_at.map(Into::into)
    }
}

impl Notification {
    async fn text(&self, ctx: &Context<'_>) -> Result<(String, String)> {
        let (d, rule, reference) =
            kit_worker::deadlines::describe(&ctx.state().db, &self.0).await?;
        Ok(kit_worker::deadlines::notification_text(
            self.0.kind,
            &rule,
            &reference,
            d.due_at,
            viewer_language(ctx),
            ctx.state().links.public_url(),
        ))
    }
}

/// A day an organization is closed.
pub struct ClosureDay(pub closure_day::Model);

/// A day an organization is closed (such as 24 December): not a working day for the
/// deadlines of its cases, nor for meetings it organizes.
#[Object]
impl ClosureDay {
    /// The global id.
    pub async fn id(&self) -> ID {
        self.0.id.to_global()
    }

    /// The day.
    async fn date(&self) -> Date {
        Date(self.0.date)
    }

    /// What it is ("Juleaftensdag").
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// The organization.
    async fn organization(&self, ctx: &Context<'_>) -> async_graphql::Result<Organization> {
        load_required(ctx, self.0.organization_id)
            .await
            .map(Organization)
            .gql()
    }
}

/// A logged recompute of running deadlines.
pub struct DeadlineRecompute(pub deadline_recompute::Model);

/// A logged recompute: an administrator moved an organization's running deadlines of a rule
/// to its version in force.
#[Object]
impl DeadlineRecompute {
    /// The global id.
    pub async fn id(&self) -> ID {
        self.0.id.to_global()
    }

    /// The rule version the deadlines now run under.
    async fn rule(&self, ctx: &Context<'_>) -> async_graphql::Result<DeadlineRule> {
        rule_by_id(ctx, self.0.rule_id).await.gql()
    }

    /// The organization whose cases it concerned.
    async fn organization(&self, ctx: &Context<'_>) -> async_graphql::Result<Organization> {
        load_required(ctx, self.0.organization_id)
            .await
            .map(Organization)
            .gql()
    }

    /// How many deadlines changed.
    async fn recomputed(&self) -> i32 {
        self.0.recomputed
    }

    /// Who asked.
    async fn recomputed_by(&self, ctx: &Context<'_>) -> async_graphql::Result<Professional> {
        load_required(ctx, self.0.recomputed_by_id)
            .await
            .map(Professional)
            .gql()
    }

    /// When.
    async fn recomputed_at(&self) -> DateTime {
        self.0.recomputed_at.into()
    }
}

/// One rule's figures in a timeliness report.
pub struct RuleTimeliness(pub crate::services::deadline::RuleTimeliness);

/// How timely one rule's deadlines were.
#[Object]
impl RuleTimeliness {
    /// The rule in force for the organization.
    async fn rule(&self) -> DeadlineRule {
        DeadlineRule(self.0.rule.clone())
    }

    /// Met no later than due.
    async fn met_on_time(&self) -> u64 {
        self.0.met_on_time
    }

    /// Met after they were due.
    async fn met_late(&self) -> u64 {
        self.0.met_late
    }

    /// Due and still not met.
    async fn missed(&self) -> u64 {
        self.0.missed
    }

    /// Not yet due and not met.
    async fn open(&self) -> u64 {
        self.0.open
    }

    /// Set aside by a person with a reason; not part of the share.
    async fn waived(&self) -> u64 {
        self.0.waived
    }

    /// metOnTime / (metOnTime + metLate + missed), from 0 to 1; null when none was decided.
    async fn share_on_time(&self) -> Option<f64> {
        self.0.share_on_time
    }

    /// The median delay past due, in hours, over met and missed deadlines (those met on time
    /// count 0; missed ones count until now or the end of the period).
    async fn median_delay_hours(&self) -> Option<f64> {
        self.0.median_delay_hours
    }

    /// The 90th-percentile delay past due, in hours (nearest rank).
    async fn p90_delay_hours(&self) -> Option<f64> {
        self.0.p90_delay_hours
    }
}

/// How timely an organization's cases were over a period.
pub struct TimelinessReport {
    organization: OrganizationId,
    from: chrono::NaiveDate,
    to: chrono::NaiveDate,
    rules: Vec<crate::services::deadline::RuleTimeliness>,
}

/// How timely an organization's cases were: every deadline of its cases that fell due in the
/// period, per rule. The figure a municipality reports.
#[Object]
impl TimelinessReport {
    /// The organization.
    async fn organization(&self, ctx: &Context<'_>) -> async_graphql::Result<Organization> {
        load_required(ctx, self.organization)
            .await
            .map(Organization)
            .gql()
    }

    /// The first day of the period (Europe/Copenhagen).
    async fn from(&self) -> Date {
        Date(self.from)
    }

    /// The last day of the period, included.
    async fn to(&self) -> Date {
        Date(self.to)
    }

    /// One entry per rule in force, by code.
    async fn rules(&self) -> Vec<RuleTimeliness> {
        self.rules.iter().cloned().map(RuleTimeliness).collect()
    }
}

crate::connection!(
    DeadlineConnection,
    DeadlineEdge,
    Deadline,
    "A page of deadlines.",
    "A deadline in a page of deadlines."
);

crate::connection!(
    NotificationConnection,
    NotificationEdge,
    Notification,
    "A page of notifications.",
    "A notification in a page of notifications."
);

/// Which deadlines to list.
#[derive(InputObject, Default)]
pub struct DeadlineFilter {
    /// Only these statuses.
    pub status: Option<Vec<DeadlineStatus>>,
    /// Only those due before this instant.
    pub due_before: Option<DateTime>,
    /// Only those due at or after this instant.
    pub due_after: Option<DateTime>,
    /// Only those whose alerts go to this professional.
    pub responsible_id: Option<ID>,
    /// Only those of cases of this municipality.
    pub organization_id: Option<ID>,
    /// Only those of this case.
    pub case_id: Option<ID>,
    /// Only those of this rule code.
    pub rule_code: Option<String>,
}

fn deadline_condition(actor: &access::Actor, filter: DeadlineFilter) -> Result<Condition> {
    let mut all = Condition::all().add(
        deadline::Column::CaseId.in_subquery(
            Query::select()
                .column(case::Column::Id)
                .from(case::Entity)
                .cond_where(access::visible_cases(actor))
                .to_owned(),
        ),
    );
    if let Some(statuses) = filter.status {
        let statuses: Vec<DomainStatus> = statuses.into_iter().map(Into::into).collect();
        all = all.add(deadline::Column::Status.is_in(statuses));
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
        all = all.add(deadline::Column::ResponsibleId.eq(p));
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

fn after_deadline(after: Option<&str>) -> Result<Option<Condition>> {
    let Some(after) = after else { return Ok(None) };
    let bad = || Error::invalid("after", "is not a cursor of this list and ordering");
    let rest = decode_cursor(after, "due")?;
    let (micros, id) = rest.split_once(':').ok_or_else(bad)?;
    let at = chrono::DateTime::from_timestamp_micros(micros.parse().map_err(|_| bad())?)
        .ok_or_else(bad)?;
    let id = DeadlineId(id.parse().map_err(|_| bad())?);
    Ok(Some(
        Condition::any().add(deadline::Column::DueAt.gt(at)).add(
            Condition::all()
                .add(deadline::Column::DueAt.eq(at))
                .add(deadline::Column::Id.gt(id)),
        ),
    ))
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
    let limit = page_size(first)?;
    let base = deadline::Entity::find().filter(condition);
    let total = TotalCount::of(base.clone(), &ctx.state().db);
    let mut query = base;
    if let Some(c) = after_deadline(after.as_deref())? {
        query = query.filter(c);
    }
    let rows = query
        .order_by_asc(deadline::Column::DueAt)
        .order_by_asc(deadline::Column::Id)
        .limit(limit + 1)
        .all(&ctx.state().db)
        .await?;
    let shown = usize::try_from(limit).unwrap_or(usize::MAX);
    let mut cases: Vec<CaseId> = rows.iter().take(shown).map(|d| d.case_id).collect();
    cases.sort_unstable();
    cases.dedup();
    // Together, so that the access decisions share the loaders' batches.
    futures_util::future::try_join_all(cases.into_iter().map(|case_id| {
        crate::graphql::case::read_case(ctx, case_id, crate::access_log::ChildData::Deadlines)
    }))
    .await?;
    Ok(page(
        rows,
        limit,
        after.is_some(),
        total,
        |d| encode_cursor(&format!("due:{}:{}", d.due_at.timestamp_micros(), d.id.0)),
        Deadline,
    )
    .into())
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
    let mut query = deadline::Entity::find().filter(deadline::Column::CaseId.eq(case_id));
    if let Some(statuses) = status {
        let statuses: Vec<DomainStatus> = statuses.into_iter().map(Into::into).collect();
        query = query.filter(deadline::Column::Status.is_in(statuses));
    }
    Ok(query
        .order_by_asc(deadline::Column::DueAt)
        .order_by_asc(deadline::Column::Id)
        .all(&ctx.state().db)
        .await?
        .into_iter()
        .map(Deadline)
        .collect())
}

/// The viewer's notifications, newest first.
///
/// # Errors
/// Database errors and malformed cursors.
pub async fn notifications(
    ctx: &Context<'_>,
    recipient: ProfessionalId,
    unread_only: bool,
    first: Option<i32>,
    after: Option<String>,
) -> Result<NotificationConnection> {
    let limit = page_size(first)?;
    let mut base =
        notification::Entity::find().filter(notification::Column::RecipientId.eq(recipient));
    if unread_only {
        base = base.filter(notification::Column::ReadAt.is_null());
    }
    let total = TotalCount::of(base.clone(), &ctx.state().db);
    let mut query = base;
    if let Some(after) = &after {
        let id: i64 = decode_id_cursor(after, "notification")?;
        query = query.filter(notification::Column::Id.lt(NotificationId(id)));
    }
    let rows = query
        .order_by_desc(notification::Column::Id)
        .limit(limit + 1)
        .all(&ctx.state().db)
        .await?;
    Ok(page(
        rows,
        limit,
        after.is_some(),
        total,
        |n| encode_cursor(&format!("notification:{}", n.id.0)),
        Notification,
    )
    .into())
}

/// How many of the viewer's notifications are unread.
///
/// # Errors
/// Database errors.
pub async fn unread_count(ctx: &Context<'_>, recipient: ProfessionalId) -> Result<u64> {
    Ok(notification::Entity::find()
        .filter(notification::Column::RecipientId.eq(recipient))
        .filter(notification::Column::ReadAt.is_null())
        .count(&ctx.state().db)
        .await?)
}

/// An organization's closure days in a period, by date.
///
/// # Errors
/// Database errors.
pub async fn closure_days(
    ctx: &Context<'_>,
    organization: OrganizationId,
    from: Option<chrono::NaiveDate>,
    to: Option<chrono::NaiveDate>,
) -> Result<Vec<ClosureDay>> {
    let mut query =
        closure_day::Entity::find().filter(closure_day::Column::OrganizationId.eq(organization));
    if let Some(from) = from {
        query = query.filter(closure_day::Column::Date.gte(from));
    }
    if let Some(to) = to {
        query = query.filter(closure_day::Column::Date.lte(to));
    }
    Ok(query
        .order_by_asc(closure_day::Column::Date)
        .all(&ctx.state().db)
        .await?
        .into_iter()
        .map(ClosureDay)
        .collect())
}

/// Deadline queries.
#[derive(Default)]
pub struct DeadlineQuery;

/// Deadline queries.
#[Object]
impl DeadlineQuery {
    /// Deadlines of the cases you may see, earliest due first.
    async fn deadlines(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which deadlines to list.")] filter: Option<DeadlineFilter>,
        #[graphql(desc = "How many to return: default 20, at most 100.")] first: Option<i32>,
        #[graphql(desc = "Return the deadlines after this cursor.")] after: Option<String>,
    ) -> async_graphql::Result<DeadlineConnection> {
        let actor = ctx.actor().gql()?;
        let condition = deadline_condition(actor, filter.unwrap_or_default()).gql()?;
        list(ctx, condition, first, after).await.gql()
    }

    /// The deadline rules in force for an organization, by code: its own versions where it
    /// has edited a rule, the product's defaults otherwise. With `includeHistory`, every
    /// version, including superseded ones.
    async fn deadline_rules(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The organization.")] organization_id: ID,
        #[graphql(desc = "Also list superseded versions. Default false.", default)]
        include_history: bool,
    ) -> async_graphql::Result<Vec<DeadlineRule>> {
        ctx.actor().gql()?;
        let org: OrganizationId = decode("organizationId", &organization_id).gql()?;
        let db = &ctx.state().db;
        let rules = if include_history {
            deadline_rule::Entity::find()
                .filter(
                    Condition::any()
                        .add(deadline_rule::Column::OrganizationId.is_null())
                        .add(deadline_rule::Column::OrganizationId.eq(org)),
                )
                .order_by_asc(deadline_rule::Column::Code)
                .order_by_asc(deadline_rule::Column::Version)
                .all(db)
                .await
                .map_err(Error::from)
                .gql()?
        } else {
            kit_worker::deadlines::rules_in_force(db, org).await.gql()?
        };
        Ok(rules.into_iter().map(DeadlineRule).collect())
    }

    /// The logged recomputes of an organization's deadlines, newest first. Administrators of
    /// the organization only.
    async fn deadline_recomputes(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The organization.")] organization_id: ID,
    ) -> async_graphql::Result<Vec<DeadlineRecompute>> {
        let actor = ctx.actor().gql()?;
        let org: OrganizationId = decode("organizationId", &organization_id).gql()?;
        actor.require_admin_of(org).gql()?;
        Ok(deadline_recompute::Entity::find()
            .filter(deadline_recompute::Column::OrganizationId.eq(org))
            .order_by_desc(deadline_recompute::Column::Id)
            .all(&ctx.state().db)
            .await
            .map_err(Error::from)
            .gql()?
            .into_iter()
            .map(DeadlineRecompute)
            .collect())
    }

    /// How timely the organization's cases were: every deadline that fell due from `from` to
    /// `to` (both included, Europe/Copenhagen), per rule. For the organization's own people.
    async fn timeliness_report(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The municipality.")] organization_id: ID,
        #[graphql(desc = "The first day.")] from: Date,
        #[graphql(desc = "The last day, included.")] to: Date,
    ) -> async_graphql::Result<TimelinessReport> {
        let actor = ctx.actor().gql()?;
        let org: OrganizationId = decode("organizationId", &organization_id).gql()?;
        let rules = crate::services::deadline::report(
            &ctx.state().db,
            actor,
            ctx.state().clock.now(),
            org,
            from.0,
            to.0,
        )
        .await
        .gql()?;
        Ok(TimelinessReport {
            organization: org,
            from: from.0,
            to: to.0,
            rules,
        })
    }
}

/// Loads a deadline for `node(id:)`.
///
/// # Errors
/// [`Error::NotFound`] when it does not exist or its case is not visible.
pub async fn node_deadline(
    db: &sea_orm::DatabaseConnection,
    actor: &access::Actor,
    id: DeadlineId,
) -> Result<Deadline> {
    let d = deadline::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| Error::not_found("deadline"))?;
    access::case_access(db, actor, d.case_id).await?;
    Ok(Deadline(d))
}

/// Loads a notification for `node(id:)`: only your own.
///
/// # Errors
/// [`Error::NotFound`] when it does not exist or is someone else's.
pub async fn node_notification(
    db: &sea_orm::DatabaseConnection,
    actor: &access::Actor,
    id: NotificationId,
) -> Result<Notification> {
    notification::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|n| n.recipient_id == actor.id())
        .map(Notification)
        .ok_or_else(|| Error::not_found("notification"))
}

/// Loads a rule version for `node(id:)`.
///
/// # Errors
/// [`Error::NotFound`] when it does not exist.
pub async fn node_rule(
    db: &sea_orm::DatabaseConnection,
    id: DeadlineRuleId,
) -> Result<DeadlineRule> {
    deadline_rule::Entity::find_by_id(id)
        .one(db)
        .await?
        .map(DeadlineRule)
        .ok_or_else(|| Error::not_found("deadline rule"))
}

/// Loads a closure day for `node(id:)`.
///
/// # Errors
/// [`Error::NotFound`] when it does not exist.
pub async fn node_closure_day(
    db: &sea_orm::DatabaseConnection,
    id: ClosureDayId,
) -> Result<ClosureDay> {
    closure_day::Entity::find_by_id(id)
        .one(db)
        .await?
        .map(ClosureDay)
        .ok_or_else(|| Error::not_found("closure day"))
}

/// Loads a recompute for `node(id:)`: administrators of its organization only.
///
/// # Errors
/// [`Error::NotFound`] otherwise.
pub async fn node_recompute(
    db: &sea_orm::DatabaseConnection,
    actor: &access::Actor,
    id: DeadlineRecomputeId,
) -> Result<DeadlineRecompute> {
    deadline_recompute::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|r| actor.administers(r.organization_id))
        .map(DeadlineRecompute)
        .ok_or_else(|| Error::not_found("deadline recompute"))
}
