//! The one access decision: may this actor see this case, and on what basis?
//!
//! A professional sees a case when at least one of these holds:
//!
//! * **participant**: they take part in it (an active participation);
//! * **intake unit**: they belong to the intake unit (single entry point) of the case's
//!   municipality;
//! * **unit leader**: they lead a unit one of whose members takes part in it.
//!
//! Everyone else is told the case does not exist (`NOT_FOUND`, never `FORBIDDEN`) and does not
//! find it in any list. [`decide`] is the rule for one case; [`visible_cases`] is the same rule
//! as a SQL condition for lists, and a test holds the two to each other. [`CaseAccess`] then
//! says what the actor may do: members of the intake unit and the case's responsible contacts
//! and intervention leads manage it; only responsible contacts see the CPR number in full.

use std::borrow::Borrow;

use kit_entity::domain::enums::ParticipantRole;
use kit_entity::entities::{case, participant, professional, unit};
use kit_entity::ids::{CaseId, OrganizationId, ProfessionalId, UnitId};
use kit_entity::{Error, Result};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, JoinType, QueryFilter, QuerySelect,
};

/// The authenticated professional making a request, with what access decisions need.
#[derive(Debug, Clone)]
pub struct Actor {
    /// Their directory row: organization, unit and administrator flags decide what they see.
    pub professional: professional::Model,
    /// The organization their unit belongs to.
    pub organization_id: OrganizationId,
    /// The municipality whose intake unit they belong to, if they do.
    pub intake_for: Option<OrganizationId>,
}

impl Actor {
    /// The professional's id.
    #[must_use]
    pub fn id(&self) -> ProfessionalId {
        self.professional.id
    }

    /// The unit they lead, if any.
    #[must_use]
    pub fn leads_unit(&self) -> Option<UnitId> {
        self.professional.leads_unit_id
    }

    /// Loads the active professional with this token subject.
    ///
    /// # Errors
    /// [`Error::Unauthenticated`] when no active professional has the subject.
    pub async fn load<C: ConnectionTrait>(db: &C, subject: &str) -> Result<Self> {
        // The professional and their unit in one statement: every request starts here.
        let in_unit = professional::Entity::belongs_to(unit::Entity)
            .from(professional::Column::UnitId)
            .to(unit::Column::Id);
        let (professional, unit) = professional::Entity::find()
            .join(JoinType::InnerJoin, in_unit.into())
            .select_also(unit::Entity)
            .filter(
                professional::Column::Subject
                    .eq(kit_entity::domain::validate::login_subject(subject)),
            )
            .filter(professional::Column::IsActive.eq(true))
            .one(db)
            .await?
            .ok_or_else(|| {
                Error::Unauthenticated(
                    "the token's subject is not an active professional here".to_owned(),
                )
            })?;
        let unit = unit.ok_or_else(|| Error::internal("a professional's unit is missing"))?;
        Ok(Self::from_parts(professional, &unit))
    }

    /// Builds the actor from a professional and their unit.
    #[must_use]
    pub fn from_parts(professional: professional::Model, unit: &unit::Model) -> Self {
        Self {
            organization_id: unit.organization_id,
            intake_for: unit.is_intake.then_some(unit.organization_id),
            professional,
        }
    }

    /// True when they administer `organization`.
    #[must_use]
    pub fn administers(&self, organization: OrganizationId) -> bool {
        self.professional.is_admin && self.organization_id == organization
    }

    /// Requires that they administer `organization`.
    ///
    /// # Errors
    /// [`Error::Forbidden`] otherwise.
    pub fn require_admin_of(&self, organization: OrganizationId) -> Result<()> {
        if self.administers(organization) {
            Ok(())
        } else {
            Err(Error::forbidden(
                "only an administrator of the organization may do this",
            ))
        }
    }
}

pub use kit_entity::domain::enums::AccessBasis;

/// What an actor may do with one case they may see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseAccess {
    /// The case this access was decided for.
    pub case_id: CaseId,
    /// The recorded basis.
    pub basis: AccessBasis,
    /// The actor's active roles in the case.
    pub roles: Vec<ParticipantRole>,
    /// True when the actor belongs to the case's intake unit.
    pub intake: bool,
}

impl CaseAccess {
    /// True for an active responsible contact of the case: they see the CPR number in full.
    #[must_use]
    pub fn is_responsible_contact(&self) -> bool {
        self.roles.contains(&ParticipantRole::ResponsibleContact)
    }

    /// True when the actor may change the case: intake unit, responsible contact or
    /// intervention lead.
    #[must_use]
    pub fn can_manage(&self) -> bool {
        self.intake || self.roles.iter().any(|r| r.manages_case())
    }

    /// Requires [`Self::can_manage`].
    ///
    /// # Errors
    /// [`Error::Forbidden`] otherwise.
    pub fn require_manage(&self) -> Result<()> {
        if self.can_manage() {
            Ok(())
        } else {
            Err(Error::forbidden(
                "only the intake unit, a responsible contact or the intervention lead may change this case",
            ))
        }
    }

    /// Requires membership of the case's intake unit (the coordination committee).
    ///
    /// # Errors
    /// [`Error::Forbidden`] otherwise.
    pub fn require_intake(&self) -> Result<()> {
        if self.intake {
            Ok(())
        } else {
            Err(Error::forbidden(
                "only the municipality's intake unit may take intake decisions",
            ))
        }
    }
}

/// The rule for one case. `participants` are the case's participations with, for
/// professionals, the unit each works in; ended participations are ignored.
#[must_use]
pub fn decide<P: Borrow<participant::Model>>(
    actor: &Actor,
    case: &case::Model,
    participants: &[(P, Option<UnitId>)],
) -> Option<CaseAccess> {
    let active = || {
        participants
            .iter()
            .map(|(p, unit)| (p.borrow(), unit))
            .filter(|(p, _)| p.is_active())
    };
    let roles: Vec<ParticipantRole> = active()
        .filter(|(p, _)| p.professional_id == Some(actor.id()))
        .map(|(p, _)| p.role)
        .collect();
    let intake = actor.intake_for == Some(case.municipality_id);
    let leads = actor.leads_unit().is_some_and(|led| {
        active().any(|(p, unit)| p.professional_id.is_some() && *unit == Some(led))
    });
    let basis = if !roles.is_empty() {
        AccessBasis::Participant
    } else if intake {
        AccessBasis::IntakeUnit
    } else if leads {
        AccessBasis::UnitLeader
    } else {
        return None;
    };
    Some(CaseAccess {
        case_id: case.id,
        basis,
        roles,
        intake,
    })
}

/// The same rule as [`decide`], as a condition on `cases` for lists.
#[must_use]
pub fn visible_cases(actor: &Actor) -> Condition {
    let mut any = Condition::any().add(
        case::Column::Id.in_subquery(
            Query::select()
                .column(participant::Column::CaseId)
                .from(participant::Entity)
                .and_where(participant::Column::ProfessionalId.eq(actor.id()))
                .and_where(participant::Column::ActiveUntil.is_null())
                .to_owned(),
        ),
    );
    if let Some(municipality) = actor.intake_for {
        any = any.add(case::Column::MunicipalityId.eq(municipality));
    }
    if let Some(led) = actor.leads_unit() {
        any = any.add(
            case::Column::Id.in_subquery(
                Query::select()
                    .column((participant::Entity, participant::Column::CaseId))
                    .from(participant::Entity)
                    .inner_join(
                        professional::Entity,
                        Expr::col((professional::Entity, professional::Column::Id))
                            .equals((participant::Entity, participant::Column::ProfessionalId)),
                    )
                    .and_where(
                        Expr::col((professional::Entity, professional::Column::UnitId)).eq(led),
                    )
                    .and_where(
                        Expr::col((participant::Entity, participant::Column::ActiveUntil))
                            .is_null(),
                    )
                    .to_owned(),
            ),
        );
    }
    any
}

/// Loads a case's participations with each professional's unit.
///
/// # Errors
/// When the database fails.
pub async fn participants_with_units<C: ConnectionTrait>(
    db: &C,
    case_id: CaseId,
) -> Result<Vec<(participant::Model, Option<UnitId>)>> {
    let participants = participant::Entity::find()
        .filter(participant::Column::CaseId.eq(case_id))
        .all(db)
        .await?;
    let ids: Vec<ProfessionalId> = participants
        .iter()
        .filter_map(|p| p.professional_id)
        .collect();
    let units: std::collections::HashMap<ProfessionalId, UnitId> = if ids.is_empty() {
        Default::default()
    } else {
        professional::Entity::find()
            .filter(professional::Column::Id.is_in(ids))
            .all(db)
            .await?
            .into_iter()
            .map(|p| (p.id, p.unit_id))
            .collect()
    };
    Ok(participants
        .into_iter()
        .map(|p| {
            let unit = p.professional_id.and_then(|id| units.get(&id).copied());
            (p, unit)
        })
        .collect())
}

/// Loads a case the actor may see, with their access to it.
///
/// # Errors
/// [`Error::NotFound`] when the case does not exist or the actor may not know it exists.
pub async fn case_access<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    case_id: CaseId,
) -> Result<(case::Model, CaseAccess)> {
    let case = case::Entity::find_by_id(case_id)
        .one(db)
        .await?
        .ok_or_else(|| Error::not_found("case"))?;
    let participants = participants_with_units(db, case_id).await?;
    let access = decide(actor, &case, &participants).ok_or_else(|| Error::not_found("case"))?;
    Ok((case, access))
}
