//! Editing a child's own record and their family.

use crate::cpr::Cpr;
use crate::domain::enums::{FamilyRelation, Language};
use crate::entities::{case, child, family_member};
use crate::ids::{ChildId, FamilyMemberId};
use crate::{Error, Result};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::ActiveValue::Set;
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter};

use crate::access::ChildData;
use crate::access::{Actor, CaseAccess, case_access};
use crate::ops::case_row::touch;
use crate::ops::cases::{NewFamilyMember, add_family};

/// What the actor may do with a child: the strongest access over the child's cases.
pub struct ChildAccess {
    /// The child's row, to be read only through the access decision beside it.
    pub child: child::Model,
    /// Access to each of the child's cases the actor may see.
    pub cases: Vec<(case::Model, CaseAccess)>,
}

impl ChildAccess {
    /// True when the actor is a responsible contact in one of the child's cases.
    #[must_use]
    pub fn reveals_cpr(&self) -> bool {
        self.cases.iter().any(|(_, a)| a.is_responsible_contact())
    }

    /// Logs a change to `what` of the child in each of their cases the actor sees.
    async fn record_change(
        &self,
        txn: &DatabaseTransaction,
        now: DateTime<Utc>,
        what: ChildData,
    ) -> Result<()> {
        for (_, access) in &self.cases {
            crate::access::record_change(txn, now, access, &[what]).await?;
        }
        Ok(())
    }

    fn require_manage(&self) -> Result<()> {
        if self
            .cases
            .iter()
            .any(|(c, a)| a.can_manage() && a.shares_child_data() && !c.status.is_final())
        {
            Ok(())
        } else {
            Err(Error::forbidden(
                "only someone who manages an open case of this child, and with whom the child's \
                 data is shared, may change the child's record",
            ))
        }
    }
}

/// Loads a child the actor may see through at least one case.
///
/// # Errors
/// [`Error::NotFound`] when the child does not exist or none of their cases is visible.
pub async fn child_access<C: sea_orm::ConnectionTrait>(
    db: &C,
    actor: &Actor,
    child_id: ChildId,
    now: DateTime<Utc>,
) -> Result<ChildAccess> {
    let child = child::Entity::find_by_id(child_id)
        .one(db)
        .await?
        .ok_or_else(|| Error::not_found("child"))?;
    let case_ids: Vec<_> = case::Entity::find()
        .filter(case::Column::ChildId.eq(child.id))
        .all(db)
        .await?
        .into_iter()
        .map(|c| c.id)
        .collect();
    let mut cases = Vec::new();
    for id in case_ids {
        match case_access(db, actor, id, now).await {
            Ok(found) => cases.push(found),
            Err(Error::NotFound { .. }) => {}
            Err(e) => return Err(e),
        }
    }
    if cases.is_empty() {
        return Err(Error::not_found("child"));
    }
    Ok(ChildAccess { child, cases })
}

/// Changes to a child's record. `cpr`: `None` leaves it, `Some(None)` removes it.
#[derive(Debug, Clone, Default)]
pub struct UpdateChild {
    /// New name.
    pub name: Option<String>,
    /// New date of birth.
    pub date_of_birth: Option<NaiveDate>,
    /// New CPR number, or its removal.
    pub cpr: Option<Option<Cpr>>,
}

/// Updates a child's record.
///
/// # Errors
/// [`Error::Validation`] when the CPR number and date of birth disagree, [`Error::Conflict`]
/// when another child already has the CPR number.
pub async fn update(
    txn: &DatabaseTransaction,
    actor: &Actor,
    vault: &crate::cpr::vault::CprVault,
    now: DateTime<Utc>,
    child_id: ChildId,
    cmd: UpdateChild,
) -> Result<child::Model> {
    let access = child_access(txn, actor, child_id, now)
        .await
        .map_err(|e| e.at("childId"))?;
    access.require_manage()?;
    access.record_change(txn, now, ChildData::Child).await?;
    let current = access.child.clone();
    let date_of_birth = cmd.date_of_birth.unwrap_or(current.date_of_birth);
    let cpr_digits: Option<String> = match &cmd.cpr {
        Some(new) => new.as_ref().map(|c| c.as_digits().to_owned()),
        None => current.cpr.as_deref().map(|c| vault.open(c)).transpose()?,
    };
    if let Some(digits) = &cpr_digits
        && let Ok(cpr) = Cpr::parse(digits)
        && cpr.birth_date() != date_of_birth
    {
        let field = if cmd.cpr.is_some() {
            "cpr"
        } else {
            "dateOfBirth"
        };
        return Err(Error::invalid(
            field,
            "the CPR number and the date of birth must name the same date",
        ));
    }
    let mut row: child::ActiveModel = current.into();
    if let Some(name) = cmd.name {
        row.name_search = Set(child::search_key(&name));
        row.name = Set(name);
    }
    row.date_of_birth = Set(date_of_birth);
    if cmd.cpr.is_some() {
        row.cpr = Set(cpr_digits.as_deref().map(|d| vault.seal(d)).transpose()?);
        row.cpr_hmac = Set(cpr_digits.as_deref().map(|d| vault.lookup(d)));
    }
    row.updated_at = Set(now);
    let updated = row.update(txn).await.map_err(|e| {
        Error::from(e).unique_as_conflict(
            &crate::domain::unique::CHILD_CPR,
            "another child is already registered with this CPR number",
        )
    })?;
    for (case, _) in &access.cases {
        touch(txn, case.id, now).await?;
    }
    Ok(updated)
}

/// Records a family member of a child.
///
/// # Errors
/// As [`update`]; [`Error::Conflict`] when someone of that name is already recorded.
pub async fn add_family_member(
    txn: &DatabaseTransaction,
    actor: &Actor,
    now: DateTime<Utc>,
    child_id: ChildId,
    member: NewFamilyMember,
) -> Result<family_member::Model> {
    let access = child_access(txn, actor, child_id, now)
        .await
        .map_err(|e| e.at("childId"))?;
    access.require_manage()?;
    access.record_change(txn, now, ChildData::Family).await?;
    add_family(txn, &access.child, std::slice::from_ref(&member), now)
        .await?
        .pop()
        .ok_or_else(|| {
            Error::conflict("a family member of that name is already recorded for the child")
        })
}

/// Changes to a family member. For optional contact fields, `Some(None)` removes the value.
#[derive(Debug, Clone, Default)]
pub struct UpdateFamilyMember {
    /// New name.
    pub name: Option<String>,
    /// New relation.
    pub relation: Option<FamilyRelation>,
    /// Custody changed.
    pub has_custody: Option<bool>,
    /// New or removed e-mail address.
    pub email: Option<Option<String>>,
    /// New or removed phone number.
    pub phone: Option<Option<String>>,
    /// New language.
    pub language: Option<Language>,
}

/// Updates a family member.
///
/// # Errors
/// [`Error::NotFound`] for an unknown or invisible family member.
pub async fn update_family_member(
    txn: &DatabaseTransaction,
    actor: &Actor,
    now: DateTime<Utc>,
    id: FamilyMemberId,
    cmd: UpdateFamilyMember,
) -> Result<family_member::Model> {
    let not_found = || Error::not_found("family member").at("familyMemberId");
    let member = family_member::Entity::find_by_id(id)
        .one(txn)
        .await?
        .ok_or_else(not_found)?;
    let access = child_access(txn, actor, member.child_id, now)
        .await
        .map_err(|_| not_found())?;
    access.require_manage()?;
    access.record_change(txn, now, ChildData::Family).await?;
    let mut row: family_member::ActiveModel = member.into();
    if let Some(v) = cmd.name {
        row.name = Set(v);
    }
    if let Some(v) = cmd.relation {
        row.relation = Set(v);
    }
    if let Some(v) = cmd.has_custody {
        row.has_custody = Set(v);
    }
    if let Some(v) = cmd.email {
        row.email = Set(v);
    }
    if let Some(v) = cmd.phone {
        row.phone = Set(v);
    }
    if let Some(v) = cmd.language {
        row.language = Set(v);
    }
    row.updated_at = Set(now);
    Ok(row.update(txn).await?)
}
