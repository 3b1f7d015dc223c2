//! DataLoaders: every relation a resolver follows is fetched in one batched statement per
//! relation and request, so a list of 100 cases costs the same number of statements as 1.
//!
//! The cache lives for one request. A mutation calls [`clear_all`] after it commits, so the
//! payload it returns is read fresh.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};
use kit_entity::entities::{
    case, case_status_change, child, family_member, organization, participant, professional,
    referral, unit,
};
use kit_entity::ids::{
    CaseId, ChildId, FamilyMemberId, OrganizationId, ProfessionalId, UnitId,
};
use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder};

/// The per-request loader.
pub type Loaders = DataLoader<DbLoader, HashMapCache>;

/// Loads rows by key from the database.
#[derive(Debug, Clone)]
pub struct DbLoader {
    db: DatabaseConnection,
}

/// A new per-request loader on `db`.
#[must_use]
pub fn loaders(db: DatabaseConnection) -> Loaders {
    DataLoader::with_cache(DbLoader { db }, tokio::spawn, HashMapCache::default())
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

/// An organization's units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct UnitsOf(pub OrganizationId);

/// The cases of a child.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CasesOf(pub ChildId);

/// Loader errors must be cloneable.
pub type LoadError = Arc<DbErr>;

macro_rules! by_id {
    ($($key:ty => $entity:ident),+ $(,)?) => {$(
        impl Loader<$key> for DbLoader {
            type Value = $entity::Model;
            type Error = LoadError;

            async fn load(&self, keys: &[$key]) -> Result<HashMap<$key, Self::Value>, Self::Error> {
                Ok($entity::Entity::find()
                    .filter($entity::Column::Id.is_in(keys.iter().copied()))
                    .all(&self.db)
                    .await?
                    .into_iter()
                    .map(|m| (m.id, m))
                    .collect())
            }
        }
    )+};
}

by_id! {
    OrganizationId => organization,
    UnitId => unit,
    ProfessionalId => professional,
    ChildId => child,
    FamilyMemberId => family_member,
    CaseId => case,
}

fn group<K: Hash + Eq + Copy, V>(keys: &[K], rows: Vec<V>, key_of: impl Fn(&V) -> K) -> HashMap<K, Vec<V>> {
    let mut map: HashMap<K, Vec<V>> = keys.iter().map(|k| (*k, Vec::new())).collect();
    for row in rows {
        map.entry(key_of(&row)).or_default().push(row);
    }
    map
}

impl Loader<ParticipantsOf> for DbLoader {
    type Value = Vec<participant::Model>;
    type Error = LoadError;

    async fn load(&self, keys: &[ParticipantsOf]) -> Result<HashMap<ParticipantsOf, Self::Value>, Self::Error> {
        let rows = participant::Entity::find()
            .filter(participant::Column::CaseId.is_in(keys.iter().map(|k| k.0)))
            .order_by_asc(participant::Column::Id)
            .all(&self.db)
            .await?;
        Ok(group(keys, rows, |p| ParticipantsOf(p.case_id)))
    }
}

impl Loader<StatusHistoryOf> for DbLoader {
    type Value = Vec<case_status_change::Model>;
    type Error = LoadError;

    async fn load(&self, keys: &[StatusHistoryOf]) -> Result<HashMap<StatusHistoryOf, Self::Value>, Self::Error> {
        let rows = case_status_change::Entity::find()
            .filter(case_status_change::Column::CaseId.is_in(keys.iter().map(|k| k.0)))
            .order_by_asc(case_status_change::Column::Id)
            .all(&self.db)
            .await?;
        Ok(group(keys, rows, |c| StatusHistoryOf(c.case_id)))
    }
}

impl Loader<ReferralOf> for DbLoader {
    type Value = referral::Model;
    type Error = LoadError;

    async fn load(&self, keys: &[ReferralOf]) -> Result<HashMap<ReferralOf, Self::Value>, Self::Error> {
        Ok(referral::Entity::find()
            .filter(referral::Column::CaseId.is_in(keys.iter().map(|k| k.0)))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|r| (ReferralOf(r.case_id), r))
            .collect())
    }
}

impl Loader<FamilyOf> for DbLoader {
    type Value = Vec<family_member::Model>;
    type Error = LoadError;

    async fn load(&self, keys: &[FamilyOf]) -> Result<HashMap<FamilyOf, Self::Value>, Self::Error> {
        let rows = family_member::Entity::find()
            .filter(family_member::Column::ChildId.is_in(keys.iter().map(|k| k.0)))
            .order_by_asc(family_member::Column::Id)
            .all(&self.db)
            .await?;
        Ok(group(keys, rows, |f| FamilyOf(f.child_id)))
    }
}

impl Loader<UnitsOf> for DbLoader {
    type Value = Vec<unit::Model>;
    type Error = LoadError;

    async fn load(&self, keys: &[UnitsOf]) -> Result<HashMap<UnitsOf, Self::Value>, Self::Error> {
        let rows = unit::Entity::find()
            .filter(unit::Column::OrganizationId.is_in(keys.iter().map(|k| k.0)))
            .order_by_asc(unit::Column::Name)
            .all(&self.db)
            .await?;
        Ok(group(keys, rows, |u| UnitsOf(u.organization_id)))
    }
}

impl Loader<CasesOf> for DbLoader {
    type Value = Vec<case::Model>;
    type Error = LoadError;

    async fn load(&self, keys: &[CasesOf]) -> Result<HashMap<CasesOf, Self::Value>, Self::Error> {
        let rows = case::Entity::find()
            .filter(case::Column::ChildId.is_in(keys.iter().map(|k| k.0)))
            .order_by_asc(case::Column::Id)
            .all(&self.db)
            .await?;
        Ok(group(keys, rows, |c| CasesOf(c.child_id)))
    }
}

/// Forgets everything loaded so far in this request; called after a mutation commits.
pub fn clear_all(loaders: &Loaders) {
    loaders.clear::<OrganizationId>();
    loaders.clear::<UnitId>();
    loaders.clear::<ProfessionalId>();
    loaders.clear::<ChildId>();
    loaders.clear::<FamilyMemberId>();
    loaders.clear::<CaseId>();
    loaders.clear::<ParticipantsOf>();
    loaders.clear::<ReferralOf>();
    loaders.clear::<StatusHistoryOf>();
    loaders.clear::<FamilyOf>();
    loaders.clear::<UnitsOf>();
    loaders.clear::<CasesOf>();
}
