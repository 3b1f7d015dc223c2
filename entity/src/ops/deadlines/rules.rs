//! Rules as data: the versions in force for an organization, whether an event matches a
//! rule, and the recompute that moves running deadlines to a new version.

use std::collections::HashMap;

use crate::entities::{case, deadline, deadline_rule, notification};
use crate::ids::OrganizationId;
use crate::{Error, Result};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

pub(crate) fn rule_filter_matches(rule_filter: Option<&str>, value: Option<&str>) -> bool {
    match rule_filter {
        None => true,
        Some(list) => value.is_some_and(|v| list.split(',').any(|item| item.trim() == v)),
    }
}

/// The rule versions in force for an organization: its own current version of each code,
/// or the product default where it has none.
///
/// # Errors
/// When the database fails.
pub async fn rules_in_force<C: ConnectionTrait>(
    db: &C,
    organization: OrganizationId,
) -> Result<Vec<deadline_rule::Model>> {
    let current = deadline_rule::Entity::find()
        .filter(deadline_rule::Column::SupersededAt.is_null())
        .filter(
            Condition::any()
                .add(deadline_rule::Column::OrganizationId.is_null())
                .add(deadline_rule::Column::OrganizationId.eq(organization)),
        )
        .order_by_asc(deadline_rule::Column::Code)
        .all(db)
        .await?;
    let mut by_code: HashMap<String, deadline_rule::Model> = HashMap::new();
    for rule in current {
        let own = rule.organization_id.is_some();
        match by_code.get(&rule.code) {
            Some(existing) if existing.organization_id.is_some() && !own => {}
            _ => {
                by_code.insert(rule.code.clone(), rule);
            }
        }
    }
    let mut rules: Vec<_> = by_code.into_values().collect();
    rules.sort_by(|a, b| a.code.cmp(&b.code));
    Ok(rules)
}

/// The deadline a notification is about, with its rule, case reference and stage kind: what
/// an e-mail or a notification text needs.
///
/// # Errors
/// When the rows are missing.
pub async fn describe<C: ConnectionTrait>(
    db: &C,
    n: &notification::Model,
) -> Result<(deadline::Model, deadline_rule::Model, String)> {
    let d = deadline::Entity::find_by_id(n.deadline_id)
        .one(db)
        .await?
        .ok_or_else(|| Error::internal("a notification's deadline is missing"))?;
    let rule = deadline_rule::Entity::find_by_id(d.rule_id)
        .one(db)
        .await?
        .ok_or_else(|| Error::internal("a deadline's rule is missing"))?;
    let reference = case::Entity::find_by_id(d.case_id)
        .one(db)
        .await?
        .map(|c| c.reference)
        .unwrap_or_default();
    Ok((d, rule, reference))
}
