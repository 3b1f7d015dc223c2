//! Batched loading: every relation a resolver follows is fetched in one statement per
//! relation and level of the query, so a list of 100 cases costs the same number of
//! statements as a list of 1.
//!
//! Batches are formed by yielding, not by a timer: a resolver that asks for a key yields a few
//! times, letting every sibling resolver of the same request add its keys, and then one of
//! them loads them all while the others wait; when the batch arrives, all waiters wake at
//! once, so the next level of the query again asks together. The number of statements is a
//! property of the query's shape, not of how fast the machine is. Keys already loading are
//! never loaded twice. The cache lives for one request; a mutation clears it after it
//! commits, so the payload it returns is read fresh.

use std::collections::{HashMap, HashSet};
use std::fmt::Debug;
use std::future::Future;
use std::hash::Hash;
use std::sync::{Arc, Mutex, PoisonError};

use kit_entity::domain::enums::MailSubject;
use kit_entity::entities::{
    agenda_item, agreement, case, case_status_change, child, consultation_offer, deadline,
    deadline_rule, delivery, early_intervention_cohort, early_intervention_offer, family_member,
    meeting, meeting_invitee, organization, participant, professional, referral, unit,
};
use kit_entity::ids::{
    AgreementId, CaseId, ChildId, CohortId, ConsultationOfferId, DeadlineId, DeadlineRuleId,
    FamilyMemberId, InviteeId, MeetingId, OfferId, OrganizationId, ParticipantId, ProfessionalId,
    UnitId,
};
use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder};
use tokio::sync::Notify;

mod joined;
pub use joined::with_children;
use joined::{cases_by_id, participations};

use kit_entity::access::CaseAccess;

/// How many keys one statement may carry.
const MAX_BATCH: usize = 1000;
/// How often a requester yields before loading. Each yield lets the executor poll the
/// request's other resolvers once more, so that they can add their keys to the batch.
const YIELDS: usize = 12;

/// What a load yields: the value if it exists, or the (shared) database error. Values are
/// shared with the request's cache, not copied out of it.
pub type Loaded<V> = Result<Option<Arc<V>>, Arc<DbErr>>;

/// A key with a way to fetch the values of many such keys in one statement.
pub trait Keyed: Clone + Eq + Hash + Debug + Send + Sync + 'static {
    /// What the key loads.
    type Value: Clone + Send + Sync + 'static;

    /// Fetches the values of `keys`; missing keys are simply absent. Values of other kinds
    /// read in the same statement may be handed to their loaders in `loaders`
    /// ([`BatchLoader::prime`]).
    fn fetch(
        db: &DatabaseConnection,
        keys: &[Self],
        loaders: &Loaders,
    ) -> impl Future<Output = Result<HashMap<Self, Self::Value>, DbErr>> + Send;

    /// The request's loader for this key type.
    fn loader(loaders: &Loaders) -> &BatchLoader<Self>;
}

struct State<K: Keyed> {
    done: HashMap<K, Loaded<K::Value>>,
    pending: HashSet<K>,
    loading: HashSet<K>,
    /// Requesters waiting for a batch of this loader to arrive.
    blocked: usize,
}

/// What the loads of one request are doing, across all its loaders.
#[derive(Default)]
pub struct Activity {
    counters: Mutex<Counters>,
    idle: Notify,
}

#[derive(Default)]
struct Counters {
    /// Batches being fetched.
    running: usize,
    /// Requesters whose batch has arrived but who have not run again yet.
    woken: usize,
    /// Batch leaders waiting for the request to settle: only they need to hear of it.
    settling: usize,
}

impl Activity {
    fn counters(&self) -> std::sync::MutexGuard<'_, Counters> {
        self.counters.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn start(&self) {
        self.counters().running += 1;
    }

    fn update(&self, change: impl FnOnce(&mut Counters)) {
        let mut c = self.counters();
        change(&mut c);
        if c.running == 0 && c.woken == 0 && c.settling > 0 {
            self.idle.notify_waiters();
        }
    }

    /// Waits until no batch of the request is being fetched and every requester a batch
    /// woke has run again — so that everything a finished batch sets in motion has asked for
    /// its keys before the next batch leaves.
    async fn settle(&self) {
        loop {
            let idle = self.idle.notified();
            tokio::pin!(idle);
            idle.as_mut().enable();
            {
                let mut c = self.counters();
                if c.running == 0 && c.woken == 0 {
                    return;
                }
                c.settling += 1;
            }
            idle.await;
            self.counters().settling -= 1;
        }
    }
}

/// A request-scoped, caching, batching loader for keys of type `K`.
pub struct BatchLoader<K: Keyed> {
    db: DatabaseConnection,
    activity: Arc<Activity>,
    state: Mutex<State<K>>,
    loaded: Notify,
}

impl<K: Keyed> BatchLoader<K> {
    fn new(db: &DatabaseConnection, activity: &Arc<Activity>) -> Self {
        Self {
            db: db.clone(),
            activity: Arc::clone(activity),
            state: Mutex::new(State {
                done: HashMap::new(),
                pending: HashSet::new(),
                loading: HashSet::new(),
                blocked: 0,
            }),
            loaded: Notify::new(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State<K>> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Loads `keys`, batching them with every other key requested meanwhile.
    ///
    /// Whoever adds the first key to an empty pending set leads that batch: it waits until
    /// no other load of the request is running, yields a few times so that every resolver
    /// that can still make progress adds its keys, then loads everything pending. Everyone
    /// else waits for a batch to arrive. The batches a query makes therefore do not depend on
    /// which database answer happens to arrive first.
    async fn wait_for(&self, keys: &[K], loaders: &Loaders) {
        let leads = {
            let mut state = self.lock();
            let was_empty = state.pending.is_empty();
            let mut added = false;
            for key in keys {
                if !state.done.contains_key(key)
                    && !state.loading.contains(key)
                    && state.pending.insert(key.clone())
                {
                    added = true;
                }
            }
            added && was_empty
        };
        if leads {
            self.activity.settle().await;
            for _ in 0..YIELDS {
                tokio::task::yield_now().await;
            }
            let batch: Vec<K> = {
                let mut state = self.lock();
                let batch: Vec<K> = state.pending.drain().collect();
                state.loading.extend(batch.iter().cloned());
                batch
            };
            self.activity.start();
            for chunk in batch.chunks(MAX_BATCH) {
                let result = K::fetch(&self.db, chunk, loaders).await;
                let mut state = self.lock();
                match result {
                    Ok(mut found) => {
                        for key in chunk {
                            state.loading.remove(key);
                            let value = found.remove(key).map(Arc::new);
                            state.done.insert(key.clone(), Ok(value));
                        }
                    }
                    Err(e) => {
                        let e = Arc::new(e);
                        for key in chunk {
                            state.loading.remove(key);
                            state.done.insert(key.clone(), Err(Arc::clone(&e)));
                        }
                    }
                }
            }
            // Everyone waiting now is woken by this batch, even when it had nothing left to
            // fetch (its keys were primed by another loader meanwhile).
            let woken = std::mem::take(&mut self.lock().blocked);
            self.activity.update(|c| c.woken += woken);
            self.loaded.notify_waiters();
            self.activity
                .update(|c| c.running = c.running.saturating_sub(1));
        }
        loop {
            let notified = self.loaded.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            {
                let mut state = self.lock();
                if keys.iter().all(|k| state.done.contains_key(k)) {
                    return;
                }
                state.blocked += 1;
            }
            notified.await;
            self.activity
                .update(|c| c.woken = c.woken.saturating_sub(1));
        }
    }

    /// Loads `key`, batched with every other key requested meanwhile.
    pub async fn load_one(&self, key: K, loaders: &Loaders) -> Loaded<K::Value> {
        if let Some(done) = self.lock().done.get(&key) {
            return done.clone();
        }
        self.wait_for(std::slice::from_ref(&key), loaders).await;
        self.lock().done.get(&key).cloned().unwrap_or(Ok(None))
    }

    /// Loads `keys`, batched with every other key requested meanwhile.
    pub async fn load_many(&self, keys: Vec<K>, loaders: &Loaders) -> Vec<(K, Loaded<K::Value>)> {
        self.wait_for(&keys, loaders).await;
        let state = self.lock();
        keys.into_iter()
            .map(|k| {
                let v = state.done.get(&k).cloned().unwrap_or(Ok(None));
                (k, v)
            })
            .collect()
    }

    /// Gives `key` its value, read in another statement, unless it is loaded already: the
    /// cases of a page are not fetched again by id, nor the children read with their cases. A key waiting in the next batch leaves it; whoever waits for it hears
    /// from that batch's leader, who goes on with the rest (or with nothing).
    pub fn prime(&self, key: K, value: K::Value) {
        let mut state = self.lock();
        state.pending.remove(&key);
        state.done.entry(key).or_insert(Ok(Some(Arc::new(value))));
    }

    /// True when `key` is loaded (or known to be missing) already.
    pub fn has(&self, key: &K) -> bool {
        self.lock().done.contains_key(key)
    }

    /// Forgets everything loaded.
    pub fn clear(&self) {
        self.lock().done.clear();
    }
}

fn batch_loader<K: Keyed>(db: &DatabaseConnection, activity: &Arc<Activity>) -> BatchLoader<K> {
    BatchLoader::new(db, activity)
}

/// The active and ended participations of a case, oldest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ParticipantsOf(pub CaseId);

/// The referral that opened a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ReferralOf(pub CaseId);

/// A case's status history, oldest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct StatusHistoryOf(pub CaseId);

/// A child's family members.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FamilyOf(pub ChildId);

/// An organization's units, by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct UnitsOf(pub OrganizationId);

/// The cases of a child, oldest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CasesOf(pub ChildId);

/// The meetings of a case, in the order they were requested.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MeetingsOf(pub CaseId);

/// The invitations of a meeting, removed ones included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct InviteesOf(pub MeetingId);

/// The agenda of a meeting, in priority order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AgendaOf(pub MeetingId);

/// The consents of a case with the organizations each covers, newest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ConsentsOf(pub CaseId);

/// The outbox rows of a meeting, oldest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DeliveriesOf(pub MeetingId);

/// The deadlines of a case, earliest due first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DeadlinesOf(pub CaseId);

macro_rules! loaders {
    ($($field:ident: $key:ty => $value:ty, |$db:ident, $keys:ident, $loaders:pat_param| $fetch:expr;)+) => {
        /// The loaders of one request.
        pub struct Loaders {
            $($field: BatchLoader<$key>,)+
            /// The access decided per case from what these loaders loaded; forgotten with it.
            decisions: Mutex<HashMap<CaseId, Option<CaseAccess>>>,
        }

        impl Loaders {
            /// Fresh loaders on `db`.
            #[must_use]
            pub fn new(db: &DatabaseConnection) -> Self {
                let activity = Arc::new(Activity::default());
                Self {
                    $($field: batch_loader(db, &activity),)+
                    decisions: Mutex::default(),
                }
            }

            /// Forgets everything loaded so far in this request, and every access decided
            /// from it.
            pub fn clear_all(&self) {
                $(self.$field.clear();)+
                self.decisions().clear();
            }
        }

        $(
            impl Keyed for $key {
                type Value = $value;

                async fn fetch($db: &DatabaseConnection, $keys: &[Self], $loaders: &Loaders) -> Result<HashMap<Self, $value>, DbErr> {
                    $fetch
                }

                fn loader(loaders: &Loaders) -> &BatchLoader<Self> {
                    &loaders.$field
                }
            }
        )+
    };
}

fn group<K: Hash + Eq + Copy, V>(
    keys: &[K],
    rows: Vec<V>,
    key_of: impl Fn(&V) -> K,
) -> HashMap<K, Vec<V>> {
    let mut map: HashMap<K, Vec<V>> = keys.iter().map(|k| (*k, Vec::new())).collect();
    for row in rows {
        map.entry(key_of(&row)).or_default().push(row);
    }
    map
}

impl Loaders {
    fn decisions(&self) -> std::sync::MutexGuard<'_, HashMap<CaseId, Option<CaseAccess>>> {
        self.decisions
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// The access to `case` decided earlier in this request from these loaders' data, if
    /// it was: a case whose data a response shows in many places is decided once.
    #[must_use]
    pub fn decided(&self, case: CaseId) -> Option<Option<CaseAccess>> {
        self.decisions().get(&case).cloned()
    }

    /// Remembers the access decided to `case` until the loaders are cleared.
    pub fn remember(&self, case: CaseId, access: Option<CaseAccess>) {
        self.decisions().insert(case, access);
    }
}

macro_rules! by_id {
    ($entity:ident, $db:ident, $keys:ident) => {
        Ok($entity::Entity::find()
            .filter($entity::Column::Id.is_in($keys.iter().copied()))
            .all($db)
            .await?
            .into_iter()
            .map(|m| (m.id, m))
            .collect())
    };
}

loaders! {
    organizations: OrganizationId => organization::Model, |db, keys, _| by_id!(organization, db, keys);
    units: UnitId => unit::Model, |db, keys, _| by_id!(unit, db, keys);
    professionals: ProfessionalId => professional::Model, |db, keys, _| by_id!(professional, db, keys);
    children: ChildId => child::Model, |db, keys, _| by_id!(child, db, keys);
    family_members: FamilyMemberId => family_member::Model, |db, keys, _| by_id!(family_member, db, keys);
    cases: CaseId => case::Model, |db, keys, loaders| cases_by_id(db, keys, loaders).await;
    meetings: MeetingId => meeting::Model, |db, keys, _| by_id!(meeting, db, keys);
    participants_by_id: ParticipantId => participant::Model, |db, keys, _| by_id!(participant, db, keys);
    deadlines: DeadlineId => deadline::Model, |db, keys, _| by_id!(deadline, db, keys);
    deadline_rules: DeadlineRuleId => deadline_rule::Model, |db, keys, _| by_id!(deadline_rule, db, keys);
    agreements: AgreementId => agreement::Model, |db, keys, _| by_id!(agreement, db, keys);
    offers: OfferId => early_intervention_offer::Model, |db, keys, _| by_id!(early_intervention_offer, db, keys);
    cohorts: CohortId => early_intervention_cohort::Model, |db, keys, _| by_id!(early_intervention_cohort, db, keys);
    invitees_by_id: InviteeId => meeting_invitee::Model, |db, keys, _| by_id!(meeting_invitee, db, keys);
    consultation_offers: ConsultationOfferId => consultation_offer::Model, |db, keys, _| by_id!(consultation_offer, db, keys);
    case_meetings: MeetingsOf => Vec<meeting::Model>, |db, keys, _| {
        let rows = meeting::Entity::find()
            .filter(meeting::Column::CaseId.is_in(keys.iter().map(|k| k.0)))
            .order_by_asc(meeting::Column::Id)
            .all(db)
            .await?;
        Ok(group(keys, rows, |m| MeetingsOf(m.case_id)))
    };
    invitees: InviteesOf => Vec<meeting_invitee::Model>, |db, keys, _| {
        let rows = meeting_invitee::Entity::find()
            .filter(meeting_invitee::Column::MeetingId.is_in(keys.iter().map(|k| k.0)))
            .order_by_asc(meeting_invitee::Column::Id)
            .all(db)
            .await?;
        Ok(group(keys, rows, |i| InviteesOf(i.meeting_id)))
    };
    agendas: AgendaOf => Vec<agenda_item::Model>, |db, keys, _| {
        let rows = agenda_item::Entity::find()
            .filter(agenda_item::Column::MeetingId.is_in(keys.iter().map(|k| k.0)))
            .order_by_asc(agenda_item::Column::Position)
            .order_by_asc(agenda_item::Column::Id)
            .all(db)
            .await?;
        Ok(group(keys, rows, |a| AgendaOf(a.meeting_id)))
    };
    deliveries: DeliveriesOf => Vec<delivery::Model>, |db, keys, loaders| {
        // A meeting's messages are its invitations' (read through the invitees' loader,
        // which the meeting's page has loaded already).
        let invitees = loaders
            .load_many(keys.iter().map(|k| InviteesOf(k.0)).collect())
            .await
            .map_err(|e| kit_entity::domain::error::copy_db_err(&e))?;
        let meeting_of: HashMap<i64, MeetingId> = invitees
            .values()
            .flat_map(|list| list.iter().map(|i| (i.id.0, i.meeting_id)))
            .collect();
        let rows = delivery::Entity::find()
            .filter(delivery::Column::Subject.eq(MailSubject::Invitation))
            .filter(delivery::Column::SubjectId.is_in(meeting_of.keys().copied()))
            .order_by_asc(delivery::Column::Id)
            .all(db)
            .await?;
        let mut map: HashMap<DeliveriesOf, Vec<delivery::Model>> =
            keys.iter().map(|k| (*k, Vec::new())).collect();
        for row in rows {
            if let Some(meeting) = meeting_of.get(&row.subject_id) {
                map.entry(DeliveriesOf(*meeting)).or_default().push(row);
            }
        }
        Ok(map)
    };
    participants: ParticipantsOf => Vec<participant::Model>, |db, keys, loaders| {
        let rows = participations(db, keys, loaders).await?;
        Ok(group(keys, rows, |p| ParticipantsOf(p.case_id)))
    };
    referrals: ReferralOf => referral::Model, |db, keys, _| {
        Ok(referral::Entity::find()
            .filter(referral::Column::CaseId.is_in(keys.iter().map(|k| k.0)))
            .all(db)
            .await?
            .into_iter()
            .map(|r| (ReferralOf(r.case_id), r))
            .collect())
    };
    status_history: StatusHistoryOf => Vec<case_status_change::Model>, |db, keys, _| {
        let rows = case_status_change::Entity::find()
            .filter(case_status_change::Column::CaseId.is_in(keys.iter().map(|k| k.0)))
            .order_by_asc(case_status_change::Column::Id)
            .all(db)
            .await?;
        Ok(group(keys, rows, |c| StatusHistoryOf(c.case_id)))
    };
    families: FamilyOf => Vec<family_member::Model>, |db, keys, _| {
        let rows = family_member::Entity::find()
            .filter(family_member::Column::ChildId.is_in(keys.iter().map(|k| k.0)))
            .order_by_asc(family_member::Column::Id)
            .all(db)
            .await?;
        Ok(group(keys, rows, |f| FamilyOf(f.child_id)))
    };
    organization_units: UnitsOf => Vec<unit::Model>, |db, keys, _| {
        let rows = unit::Entity::find()
            .filter(unit::Column::OrganizationId.is_in(keys.iter().map(|k| k.0)))
            .order_by_asc(unit::Column::Name)
            .order_by_asc(unit::Column::Id)
            .all(db)
            .await?;
        Ok(group(keys, rows, |u| UnitsOf(u.organization_id)))
    };
    consents: ConsentsOf => Vec<kit_entity::access::CaseConsent>, |db, keys, _| {
        let cases: Vec<CaseId> = keys.iter().map(|k| k.0).collect();
        Ok(kit_entity::access::consents_of(db, &cases)
            .await?
            .into_iter()
            .map(|(case, consents)| (ConsentsOf(case), consents))
            .collect())
    };
    case_deadlines: DeadlinesOf => Vec<deadline::Model>, |db, keys, _| {
        let rows = deadline::Entity::find()
            .filter(deadline::Column::CaseId.is_in(keys.iter().map(|k| k.0)))
            .order_by_asc(deadline::Column::DueAt)
            .order_by_asc(deadline::Column::Id)
            .all(db)
            .await?;
        Ok(group(keys, rows, |d| DeadlinesOf(d.case_id)))
    };
    child_cases: CasesOf => Vec<case::Model>, |db, keys, _| {
        let rows = case::Entity::find()
            .filter(case::Column::ChildId.is_in(keys.iter().map(|k| k.0)))
            .order_by_asc(case::Column::Id)
            .all(db)
            .await?;
        Ok(group(keys, rows, |c| CasesOf(c.child_id)))
    };
}

impl Loaders {
    /// Loads one value, shared with the request's cache.
    ///
    /// # Errors
    /// The database error, shared by every key of the failed batch.
    pub async fn load<K: Keyed>(&self, key: K) -> Loaded<K::Value> {
        K::loader(self).load_one(key, self).await
    }

    /// Gives the loader of `K` values read elsewhere in the request (see
    /// [`BatchLoader::prime`]).
    pub fn prime<K: Keyed>(&self, values: impl IntoIterator<Item = (K, K::Value)>) {
        let loader = K::loader(self);
        for (key, value) in values {
            loader.prime(key, value);
        }
    }

    /// Loads many values, shared with the request's cache; missing keys are absent from
    /// the map.
    ///
    /// # Errors
    /// The first database error met.
    pub async fn load_many<K: Keyed>(
        &self,
        keys: Vec<K>,
    ) -> Result<HashMap<K, Arc<K::Value>>, Arc<DbErr>> {
        let mut found = HashMap::with_capacity(keys.len());
        for (k, v) in K::loader(self).load_many(keys, self).await {
            if let Some(v) = v? {
                found.insert(k, v);
            }
        }
        Ok(found)
    }
}
