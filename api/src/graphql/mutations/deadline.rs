//! Waiving deadlines, editing rules, recomputing, closure days and reading notifications.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, SimpleObject};
use kit_entity::ids::{ClosureDayId, DeadlineId, NotificationId, OrganizationId};

use crate::graphql::enums::{DeadlineAlertTo, Sector};
use crate::graphql::errors::IntoGraphql;
use crate::graphql::ids::{NodeId, decode};
use crate::graphql::mutations::Write;
use crate::graphql::objects::{
    ClosureDay, Deadline, DeadlineOffsetInput, DeadlineRecompute, DeadlineRule, Notification,
};
use crate::graphql::scalars::Date;
use kit_entity::ops::deadlines::manage::{self as deadlines, RuleChange};

/// Sets a deadline aside.
#[derive(InputObject)]
pub struct WaiveDeadlineInput {
    /// A PENDING or MISSED deadline of a case you manage.
    pub deadline_id: ID,
    /// Why it is not owed, 1–4000 characters. Required: it is part of the case's record.
    pub reason: String,
}

/// A deadline changed.
#[derive(SimpleObject)]
pub struct DeadlinePayload {
    /// The deadline as it is now.
    pub deadline: Deadline,
}

/// Edits a deadline rule for an organization: a new version. Omitted fields keep their value.
/// The events a rule starts on and is met by are what its code means, and do not change.
#[derive(InputObject)]
pub struct UpdateDeadlineRuleInput {
    /// The organization whose rule it is.
    pub organization_id: ID,
    /// The rule's code (`start-meeting`).
    pub code: String,
    /// The Danish name, 1–500 characters.
    pub name_da: Option<String>,
    /// The English name, 1–500 characters.
    pub name_en: Option<String>,
    /// What it is and its source, 1–4000 characters.
    pub description: Option<String>,
    /// The offset from the anchor. Negative only for rules counted from a meeting's start.
    pub offset: Option<DeadlineOffsetInput>,
    /// The reminders (at most 5), each a positive offset before the due time. An empty list
    /// turns reminders off.
    pub reminders: Option<Vec<DeadlineOffsetInput>>,
    /// Working days after the due time when a missed deadline escalates, 1–60; null turns
    /// escalation off.
    pub escalate_after_working_days: MaybeUndefined<i32>,
    /// Who is reminded and alerted.
    pub alert_to: Option<DeadlineAlertTo>,
    /// The sector whose responsible contact is alerted; required with RESPONSIBLE_CONTACT.
    pub alert_sector: Option<Sector>,
}

/// A rule's new version.
#[derive(SimpleObject)]
pub struct DeadlineRulePayload {
    /// The new version, in force for deadlines that start from now on.
    pub rule: DeadlineRule,
}

/// Moves running deadlines to the rule version in force.
#[derive(InputObject)]
pub struct RecomputeDeadlinesInput {
    /// The organization whose cases' deadlines move.
    pub organization_id: ID,
    /// The rule's code.
    pub code: String,
}

/// The logged recompute.
#[derive(SimpleObject)]
pub struct RecomputeDeadlinesPayload {
    /// What was done, by whom, to how many deadlines.
    pub recompute: DeadlineRecompute,
}

/// Adds a closure day.
#[derive(InputObject)]
pub struct AddClosureDayInput {
    /// The organization that is closed; you must administer it.
    pub organization_id: ID,
    /// The day.
    pub date: Date,
    /// What it is, 1–200 characters ("Juleaftensdag").
    pub name: String,
}

/// The new closure day.
#[derive(SimpleObject)]
pub struct ClosureDayPayload {
    /// The closure day as recorded.
    pub closure_day: ClosureDay,
}

/// Removes a closure day.
#[derive(InputObject)]
pub struct RemoveClosureDayInput {
    /// The closure day to remove.
    pub closure_day_id: ID,
}

/// The removed closure day.
#[derive(SimpleObject)]
pub struct RemoveClosureDayPayload {
    /// The id the removed closure day had, so a client can drop it from its cache.
    pub removed_closure_day_id: ID,
}

/// Marks notifications read.
#[derive(InputObject)]
pub struct MarkNotificationsReadInput {
    /// Your notifications to mark. Omit to mark all of them.
    pub notification_ids: Option<Vec<ID>>,
}

/// Your notifications after marking.
#[derive(SimpleObject)]
pub struct MarkNotificationsReadPayload {
    /// The notifications you named, newest first; empty when you marked all.
    pub notifications: Vec<Notification>,
    /// How many of yours are still unread.
    pub unread_count: u64,
    /// You, as you are now: select `viewer { id unreadNotificationCount }` and a normalized
    /// cache keeps every screen's count current.
    pub viewer: crate::graphql::objects::viewer::Viewer,
}

/// Deadline mutations.
#[derive(Default)]
pub struct DeadlineMutation;

#[Object]
impl DeadlineMutation {
    /// Waives a deadline: it is no longer owed, with a reason kept on the record. For those
    /// who manage the case.
    async fn waive_deadline(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The deadline and why.")] input: WaiveDeadlineInput,
    ) -> async_graphql::Result<DeadlinePayload> {
        let id: DeadlineId = decode("input.deadlineId", &input.deadline_id).gql()?;
        let w = Write::begin(ctx).await.gql()?;
        let result = deadlines::waive(&w.txn, w.actor, w.now, id, &input.reason).await;
        let d = w.finish(result).await.gql()?;
        Ok(DeadlinePayload {
            deadline: Deadline(d),
        })
    }

    /// Edits a deadline rule for your organization: a new version for deadlines that start
    /// from now on. Running deadlines keep theirs until `recomputeDeadlines`.
    /// Administrators only.
    async fn update_deadline_rule(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The rule and what changes.")] input: UpdateDeadlineRuleInput,
    ) -> async_graphql::Result<DeadlineRulePayload> {
        let org: OrganizationId = decode("input.organizationId", &input.organization_id).gql()?;
        let alert = match (input.alert_to, input.alert_sector) {
            (Some(to), sector) => Some((to.into(), sector.map(Into::into))),
            (None, Some(_)) => {
                return Err(kit_entity::Error::invalid(
                    "input.alertSector",
                    "give alertTo with alertSector",
                ))
                .gql();
            }
            (None, None) => None,
        };
        let change = RuleChange {
            name_da: input.name_da,
            name_en: input.name_en,
            description: input.description,
            offset: input.offset.map(|o| (o.value, o.unit.into())),
            reminders: input
                .reminders
                .map(|r| r.into_iter().map(Into::into).collect()),
            escalate_after_working_days: match input.escalate_after_working_days {
                MaybeUndefined::Undefined => None,
                MaybeUndefined::Null => Some(None),
                MaybeUndefined::Value(v) => Some(Some(v)),
            },
            alert,
        };
        let w = Write::begin(ctx).await.gql()?;
        let result = deadlines::update_rule(&w.txn, w.actor, w.now, org, &input.code, change).await;
        let rule = w.finish(result).await.gql()?;
        Ok(DeadlineRulePayload {
            rule: DeadlineRule(rule),
        })
    }

    /// Moves your organization's running deadlines of a rule to the version in force and the
    /// current closure days, and logs it. Reminders already past are not sent late.
    /// Administrators only.
    async fn recompute_deadlines(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The organization and the rule.")] input: RecomputeDeadlinesInput,
    ) -> async_graphql::Result<RecomputeDeadlinesPayload> {
        let org: OrganizationId = decode("input.organizationId", &input.organization_id).gql()?;
        let w = Write::begin(ctx).await.gql()?;
        let result = deadlines::recompute(&w.txn, w.actor, w.now, org, &input.code).await;
        let recompute = w.finish(result).await.gql()?;
        Ok(RecomputeDeadlinesPayload {
            recompute: DeadlineRecompute(recompute),
        })
    }

    /// Adds a closure day to your organization's calendar. Administrators only.
    async fn add_closure_day(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The organization and the day.")] input: AddClosureDayInput,
    ) -> async_graphql::Result<ClosureDayPayload> {
        let org: OrganizationId = decode("input.organizationId", &input.organization_id).gql()?;
        let w = Write::begin(ctx).await.gql()?;
        let result =
            deadlines::add_closure_day(&w.txn, w.actor, org, input.date.0, &input.name).await;
        let day = w.finish(result).await.gql()?;
        Ok(ClosureDayPayload {
            closure_day: ClosureDay(day),
        })
    }

    /// Removes a closure day. Administrators only.
    async fn remove_closure_day(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The closure day.")] input: RemoveClosureDayInput,
    ) -> async_graphql::Result<RemoveClosureDayPayload> {
        let id: ClosureDayId = decode("input.closureDayId", &input.closure_day_id).gql()?;
        let w = Write::begin(ctx).await.gql()?;
        let result = deadlines::remove_closure_day(&w.txn, w.actor, id).await;
        let day = w.finish(result).await.gql()?;
        Ok(RemoveClosureDayPayload {
            removed_closure_day_id: day.id.to_global(),
        })
    }

    /// Marks your notifications read: the given ones, or all.
    async fn mark_notifications_read(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which notifications.")] input: MarkNotificationsReadInput,
    ) -> async_graphql::Result<MarkNotificationsReadPayload> {
        let ids = match input.notification_ids {
            Some(ids) => Some(
                ids.iter()
                    .enumerate()
                    .map(|(i, id)| {
                        decode::<NotificationId>(&format!("input.notificationIds[{i}]"), id)
                    })
                    .collect::<kit_entity::Result<Vec<_>>>()
                    .gql()?,
            ),
            None => None,
        };
        let w = Write::begin(ctx).await.gql()?;
        let me = w.actor.id();
        let result = deadlines::mark_read(&w.txn, w.actor, w.now, ids).await;
        let marked = w.finish(result).await.gql()?;
        let unread_count = crate::graphql::objects::deadline::unread_count(ctx, me)
            .await
            .gql()?;
        Ok(MarkNotificationsReadPayload {
            notifications: marked.into_iter().map(Notification).collect(),
            unread_count,
            viewer: crate::graphql::objects::viewer::Viewer(
                crate::graphql::context::ContextExt::actor(ctx)
                    .gql()?
                    .clone(),
            ),
        })
    }
}
