//! Subscriptions, served over `graphql-transport-ws` at `/graphql/ws`. The client sends its
//! bearer token in the `connection_init` payload (`{"Authorization": "Bearer …"}`); every
//! event is for that professional only.

use async_graphql::{Context, ID, Subscription as SubscriptionObject};
use futures_util::stream::{self, Stream, StreamExt};
use kit_entity::ids::CaseId;
use tokio::sync::broadcast::error::RecvError;

use crate::graphql::context::ContextExt;
use crate::graphql::errors::IntoGraphql;
use crate::graphql::loaders::Loaders;
use crate::graphql::objects::deadline::Notification;
use kit_entity::ops::deadlines::reads::notification_for;
use kit_entity::ops::directory::is_active;

/// Every subscription.
#[derive(Default)]
pub struct Subscription;

/// Every subscription.
#[SubscriptionObject]
impl Subscription {
    /// Your new notifications (reminders, due alerts, escalations), as the worker writes them.
    /// Ends when your account is deactivated.
    async fn notification_added<'ctx>(
        &self,
        ctx: &Context<'ctx>,
    ) -> async_graphql::Result<impl Stream<Item = Notification> + 'ctx> {
        let actor = ctx.actor().gql()?;
        let me = actor.id();
        let db = ctx.state().db.clone();
        let loaders: &'ctx Loaders = ctx.data::<Loaders>()?;
        let announcements = ctx.state().announcements.subscribe();
        let heard = stream::unfold(announcements, |mut rx| async move {
            loop {
                match rx.recv().await {
                    Ok(a) => return Some((a, rx)),
                    Err(RecvError::Lagged(skipped)) => {
                        tracing::warn!(skipped, "a notification subscriber fell behind");
                    }
                    Err(RecvError::Closed) => return None,
                }
            }
        });
        Ok(heard
            .filter(move |a| std::future::ready(a.recipient == me))
            .then(move |a| {
                let db = db.clone();
                async move {
                    let still_active = is_active(&db, me).await.unwrap_or(false);
                    if !still_active {
                        return Err(());
                    }
                    Ok(notification_for(&db, me, a.id).await.ok().flatten())
                }
            })
            .take_while(|r| std::future::ready(r.is_ok()))
            .filter_map(move |r| {
                // Each event is resolved afresh, not from what earlier events loaded.
                loaders.clear_all();
                std::future::ready(r.ok().flatten().map(Notification))
            }))
    }

    /// The changes to a case's meetings and deadlines — requested, scheduled (by you, or by
    /// the worker finding a time), moved, cancelled, held; started, met, missed, waived — as
    /// they commit, whichever process makes them. Each event is what you may see of it now: a
    /// change to a meeting or deadline you may not see is not announced, and the subscription
    /// ends when you may no longer see the case. `NOT_FOUND` for a case you may not see.
    async fn case_changed<'ctx>(
        &self,
        ctx: &Context<'ctx>,
        #[graphql(desc = "The case's global id.")] case_id: ID,
    ) -> async_graphql::Result<impl Stream<Item = CaseChange> + 'ctx> {
        use crate::graphql::read::required_access;
        let actor = ctx.actor().gql()?.clone();
        let id: CaseId = crate::graphql::ids::decode("caseId", &case_id).gql()?;
        let case: kit_entity::entities::case::Model =
            crate::graphql::context::load_required(ctx, id)
                .await
                .map_err(|_| kit_entity::Error::not_found("case").at("caseId"))
                .gql()?;
        required_access(ctx, &case).await.gql()?;
        let state = ctx.state().clone();
        let loaders: &'ctx Loaders = ctx.data::<Loaders>()?;
        let changes = stream::unfold(state.case_feed.subscribe(), |mut rx| async move {
            loop {
                match rx.recv().await {
                    Ok(change) => return Some((change, rx)),
                    Err(RecvError::Lagged(skipped)) => {
                        tracing::warn!(skipped, "a case change subscriber fell behind");
                    }
                    Err(RecvError::Closed) => return None,
                }
            }
        });
        Ok(changes
            .filter(move |c| std::future::ready(c.case == id))
            .then(move |change| {
                let (state, actor) = (state.clone(), actor.clone());
                async move { seen_change(&state, &actor, change).await }
            })
            .take_while(|seen| std::future::ready(!matches!(seen, Seen::CaseGone)))
            .filter_map(move |seen| {
                // Each event is resolved afresh, not from what earlier events loaded.
                loaders.clear_all();
                std::future::ready(match seen {
                    Seen::Change(change) => Some(*change),
                    Seen::NotYours | Seen::CaseGone => None,
                })
            }))
    }
}

/// What a subscriber may see of one change.
enum Seen {
    /// The change, to announce.
    Change(Box<CaseChange>),
    /// A change to something of the case they may not see: not announced.
    NotYours,
    /// They may no longer see the case (or their account ended): the subscription ends.
    CaseGone,
}

/// Decides, afresh for each change, what `actor` may see of it.
async fn seen_change(
    state: &crate::state::AppState,
    actor: &kit_entity::access::Actor,
    change: kit_entity::infra::case_feed::CaseChanged,
) -> Seen {
    use kit_entity::infra::case_feed::Changed;
    let db = &state.db;
    let now = state.clock.now();
    let still_active = is_active(db, actor.id()).await.unwrap_or(false);
    if !still_active {
        return Seen::CaseGone;
    }
    let Ok((case, _)) = kit_entity::access::case_access(db, actor, change.case, now).await else {
        return Seen::CaseGone;
    };
    match change.what {
        Changed::Meeting(id) => {
            match kit_entity::ops::meetings::commands::meeting_access(db, actor, id, now).await {
                Ok((meeting, _, _)) => Seen::Change(Box::new(CaseChange {
                    case,
                    kind: CaseChangeKind::Meeting,
                    meeting: Some(meeting),
                    deadline: None,
                })),
                Err(_) => Seen::NotYours,
            }
        }
        Changed::Deadline(id) => {
            match kit_entity::lookup::find::<kit_entity::entities::deadline::Entity, _>(
                db, actor, id, now,
            )
            .await
            {
                Ok(deadline) => Seen::Change(Box::new(CaseChange {
                    case,
                    kind: CaseChangeKind::Deadline,
                    meeting: None,
                    deadline: Some(deadline.row),
                })),
                Err(_) => Seen::NotYours,
            }
        }
    }
}

/// What changed of a case.
#[derive(async_graphql::Enum, Copy, Clone, Debug, Eq, PartialEq)]
pub enum CaseChangeKind {
    /// One of its meetings (see `CaseChange.meeting`).
    Meeting,
    /// One of its deadlines (see `CaseChange.deadline`).
    Deadline,
}

/// One change to a case: select what the screen shows of the case, and of the meeting or
/// deadline, and a normalized cache updates them in place.
pub struct CaseChange {
    case: kit_entity::entities::case::Model,
    kind: CaseChangeKind,
    meeting: Option<kit_entity::entities::meeting::Model>,
    deadline: Option<kit_entity::entities::deadline::Model>,
}

/// One change to a case's meetings or deadlines.
#[async_graphql::Object]
impl CaseChange {
    /// The case, as it is now.
    async fn case(&self) -> crate::graphql::objects::case::Case {
        crate::graphql::objects::case::Case(self.case.clone())
    }

    /// What changed.
    async fn kind(&self) -> CaseChangeKind {
        self.kind
    }

    /// The meeting that changed, as it is now, when `kind` is MEETING.
    async fn meeting(&self) -> Option<crate::graphql::objects::meeting::Meeting> {
        self.meeting
            .clone()
            .map(crate::graphql::objects::meeting::Meeting)
    }

    /// The deadline that changed, as it is now, when `kind` is DEADLINE.
    async fn deadline(&self) -> Option<crate::graphql::objects::deadline::Deadline> {
        self.deadline
            .clone()
            .map(crate::graphql::objects::deadline::Deadline)
    }
}
