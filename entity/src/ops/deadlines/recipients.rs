//! Who a deadline's reminders, alerts and escalations go to: the person holding the position,
//! the intake unit when nobody does, and the leaders above them.

use std::collections::HashMap;

use crate::domain::calendar::WorkingCalendar;
use crate::domain::enums::{AlertTo, ParticipantRole, Sector};
use crate::entities::{agreement, case, deadline_rule, participant, professional, unit};
use crate::ids::{AgreementId, CaseId, OrganizationId, ProfessionalId, UnitId};
use crate::{Error, Result};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use super::facts::active_contacts;
use crate::domain::calendar::calendar_of;

/// Who a deadline's reminders and alerts go to: one person holding the position, or — when
/// nobody does — the unit whose members are told instead (the municipality's intake unit).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Responsible {
    /// The professional holding the position (the first, when several do).
    pub person: Option<ProfessionalId>,
    /// The unit alerted as a whole, when nobody holds the position.
    pub unit: Option<UnitId>,
}

/// Who is responsible for a deadline now.
pub(crate) async fn responsible<C: ConnectionTrait>(
    db: &C,
    rule: &deadline_rule::Model,
    case_id: CaseId,
    sector: Option<Sector>,
    agreement_id: Option<AgreementId>,
) -> Result<Responsible> {
    let mut lookups = Lookups::default();
    let case = lookups.case(db, case_id).await?;
    let holders = position_holders(db, &mut lookups, rule, &case, sector, agreement_id).await?;
    Ok(match holders.first() {
        Some(first) => Responsible {
            person: Some(*first),
            unit: None,
        },
        None => Responsible {
            person: None,
            unit: lookups.intake_unit(db, case.municipality_id).await?,
        },
    })
}

/// What a sweep looks up again and again, each loaded once per sweep.
#[derive(Default)]
pub(crate) struct Lookups {
    pub(crate) cases: HashMap<CaseId, case::Model>,
    pub(crate) rules: HashMap<crate::ids::DeadlineRuleId, deadline_rule::Model>,
    pub(crate) calendars: HashMap<OrganizationId, WorkingCalendar>,
    pub(crate) intake: HashMap<OrganizationId, Vec<ProfessionalId>>,
    pub(crate) intake_units: HashMap<OrganizationId, Option<UnitId>>,
    pub(crate) people: HashMap<ProfessionalId, Option<professional::Model>>,
}

impl Lookups {
    pub(crate) async fn case<C: ConnectionTrait>(
        &mut self,
        db: &C,
        id: CaseId,
    ) -> Result<case::Model> {
        if let Some(c) = self.cases.get(&id) {
            return Ok(c.clone());
        }
        let c = case::Entity::find_by_id(id)
            .one(db)
            .await?
            .ok_or_else(|| Error::internal("a deadline's case is missing"))?;
        self.cases.insert(id, c.clone());
        Ok(c)
    }

    pub(crate) async fn rule<C: ConnectionTrait>(
        &mut self,
        db: &C,
        id: crate::ids::DeadlineRuleId,
    ) -> Result<deadline_rule::Model> {
        if let Some(r) = self.rules.get(&id) {
            return Ok(r.clone());
        }
        let r = deadline_rule::Entity::find_by_id(id)
            .one(db)
            .await?
            .ok_or_else(|| Error::internal("a deadline's rule is missing"))?;
        self.rules.insert(id, r.clone());
        Ok(r)
    }

    pub(crate) async fn calendar<C: ConnectionTrait>(
        &mut self,
        db: &C,
        organization: OrganizationId,
    ) -> Result<WorkingCalendar> {
        if let Some(c) = self.calendars.get(&organization) {
            return Ok(c.clone());
        }
        let c = calendar_of(db, organization).await?;
        self.calendars.insert(organization, c.clone());
        Ok(c)
    }

    /// An active professional.
    pub(crate) async fn person<C: ConnectionTrait>(
        &mut self,
        db: &C,
        id: ProfessionalId,
    ) -> Result<Option<professional::Model>> {
        if let Some(p) = self.people.get(&id) {
            return Ok(p.clone());
        }
        let p = professional::Entity::find_by_id(id)
            .one(db)
            .await?
            .filter(|p| p.is_active);
        self.people.insert(id, p.clone());
        Ok(p)
    }

    pub(crate) async fn professional_of<C: ConnectionTrait>(
        &mut self,
        db: &C,
        p: &participant::Model,
    ) -> Result<Option<professional::Model>> {
        match p.professional_id {
            Some(id) => self.person(db, id).await,
            None => Ok(None),
        }
    }

    /// A municipality's intake unit (there is at most one).
    pub(crate) async fn intake_unit<C: ConnectionTrait>(
        &mut self,
        db: &C,
        municipality: OrganizationId,
    ) -> Result<Option<UnitId>> {
        if let Some(u) = self.intake_units.get(&municipality) {
            return Ok(*u);
        }
        let u = unit::Entity::find()
            .filter(unit::Column::OrganizationId.eq(municipality))
            .filter(unit::Column::IsIntake.eq(true))
            .order_by_asc(unit::Column::Id)
            .one(db)
            .await?
            .map(|u| u.id);
        self.intake_units.insert(municipality, u);
        Ok(u)
    }

    /// The active members of a municipality's intake unit.
    pub(crate) async fn intake<C: ConnectionTrait>(
        &mut self,
        db: &C,
        municipality: OrganizationId,
    ) -> Result<Vec<ProfessionalId>> {
        if let Some(i) = self.intake.get(&municipality) {
            return Ok(i.clone());
        }
        let members: Vec<ProfessionalId> = match self.intake_unit(db, municipality).await? {
            None => Vec::new(),
            Some(unit) => professional::Entity::find()
                .filter(professional::Column::UnitId.eq(unit))
                .filter(professional::Column::IsActive.eq(true))
                .order_by_asc(professional::Column::Id)
                .all(db)
                .await?
                .into_iter()
                .map(|p| p.id)
                .collect(),
        };
        self.intake.insert(municipality, members.clone());
        Ok(members)
    }
}

/// Who a rule's reminders and alerts go to for a case, now. When nobody holds the position,
/// the municipality's intake unit is told instead.
///
/// # Errors
/// When the database fails.
pub async fn recipients<C: ConnectionTrait>(
    db: &C,
    rule: &deadline_rule::Model,
    case_id: CaseId,
    sector: Option<Sector>,
    agreement_id: Option<AgreementId>,
) -> Result<Vec<ProfessionalId>> {
    let mut lookups = Lookups::default();
    let case = lookups.case(db, case_id).await?;
    recipients_with(db, &mut lookups, rule, &case, sector, agreement_id).await
}

pub(crate) async fn recipients_with<C: ConnectionTrait>(
    db: &C,
    lookups: &mut Lookups,
    rule: &deadline_rule::Model,
    case: &case::Model,
    sector: Option<Sector>,
    agreement_id: Option<AgreementId>,
) -> Result<Vec<ProfessionalId>> {
    let found = position_holders(db, lookups, rule, case, sector, agreement_id).await?;
    if found.is_empty() {
        return lookups.intake(db, case.municipality_id).await;
    }
    Ok(found)
}

/// The active professionals holding the position a rule alerts, in the order they took it;
/// empty when nobody does.
pub(crate) async fn position_holders<C: ConnectionTrait>(
    db: &C,
    lookups: &mut Lookups,
    rule: &deadline_rule::Model,
    case: &case::Model,
    sector: Option<Sector>,
    agreement_id: Option<AgreementId>,
) -> Result<Vec<ProfessionalId>> {
    let case_id = case.id;
    let mut found = Vec::new();
    match rule.alert_to {
        AlertTo::IntakeUnit => {}
        AlertTo::ResponsibleContact | AlertTo::SectorContact => {
            let wanted = if rule.alert_to == AlertTo::SectorContact {
                sector
            } else {
                rule.alert_sector
            };
            for c in active_contacts(db, case_id).await? {
                if wanted.is_none_or(|s| s == c.sector)
                    && let Some(p) = lookups.professional_of(db, &c).await?
                {
                    found.push(p.id);
                }
            }
        }
        AlertTo::InterventionLead => {
            for c in participant::Entity::find()
                .filter(participant::Column::CaseId.eq(case_id))
                .filter(participant::Column::Role.eq(ParticipantRole::InterventionLead))
                .filter(participant::Column::ActiveUntil.is_null())
                .order_by_asc(participant::Column::Id)
                .all(db)
                .await?
            {
                if let Some(p) = lookups.professional_of(db, &c).await? {
                    found.push(p.id);
                }
            }
        }
        AlertTo::AgreementOwner => {
            if let Some(a) = match agreement_id {
                Some(id) => agreement::Entity::find_by_id(id).one(db).await?,
                None => None,
            } && let Some(owner) = participant::Entity::find_by_id(a.owner_id).one(db).await?
                && let Some(p) = lookups.professional_of(db, &owner).await?
            {
                found.push(p.id);
            }
        }
    }
    let mut seen = std::collections::HashSet::new();
    found.retain(|p| seen.insert(*p));
    Ok(found)
}

/// The leaders of the units `people` work in; failing that, the intake unit's leaders; failing
/// that, the intake unit.
pub(crate) async fn leaders_of<C: ConnectionTrait>(
    db: &C,
    lookups: &mut Lookups,
    people: &[ProfessionalId],
    municipality: OrganizationId,
) -> Result<Vec<ProfessionalId>> {
    let units: Vec<_> = if people.is_empty() {
        Vec::new()
    } else {
        professional::Entity::find()
            .filter(professional::Column::Id.is_in(people.iter().copied()))
            .all(db)
            .await?
            .into_iter()
            .map(|p| p.unit_id)
            .collect()
    };
    let leaders_of_units = |units: Vec<crate::ids::UnitId>| async move {
        if units.is_empty() {
            return Ok::<_, Error>(Vec::new());
        }
        Ok(professional::Entity::find()
            .filter(professional::Column::LeadsUnitId.is_in(units))
            .filter(professional::Column::IsActive.eq(true))
            .order_by_asc(professional::Column::Id)
            .all(db)
            .await?
            .into_iter()
            .map(|p| p.id)
            .collect())
    };
    let mut leaders = leaders_of_units(units).await?;
    if leaders.is_empty() {
        let intake = lookups.intake(db, municipality).await?;
        let intake_units: Vec<_> = if intake.is_empty() {
            Vec::new()
        } else {
            professional::Entity::find()
                .filter(professional::Column::Id.is_in(intake.clone()))
                .all(db)
                .await?
                .into_iter()
                .map(|p| p.unit_id)
                .collect()
        };
        leaders = leaders_of_units(intake_units).await?;
        if leaders.is_empty() {
            leaders = intake;
        }
    }
    leaders.dedup();
    Ok(leaders)
}
