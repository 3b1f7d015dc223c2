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
//!
//! Seeing a case is not yet seeing the child. The case belongs to its municipality; a
//! professional of another organization (the region's child psychiatry, a GP, a hospital
//! ward) sees the child's data only while a consent for coordination covers both their
//! organization and the municipality ([`Sharing`]). Without one they see the case reference,
//! its status, their own participation, the meetings they are invited to, the deadlines they
//! answer for and the consents recorded — nothing about the child or the family
//! ([`CaseAccess::permits`]). [`shared_cases`] is that rule as a SQL condition.

use std::borrow::Borrow;

use crate::domain::enums::AccessKind;
use crate::domain::enums::{ConsentPurpose, ParticipantRole};
use crate::entities::{
    case, consent, consent_organization, participant, professional, referral, unit,
};
use crate::ids::{CaseId, ConsentId, OrganizationId, ProfessionalId, UnitId};
use crate::ops::access_log as chain;
use crate::{Error, Result};
use chrono::{DateTime, Utc};

use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, JoinType, QueryFilter, QueryOrder,
    QuerySelect,
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
                professional::Column::Subject.eq(crate::domain::validate::login_subject(subject)),
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

pub use crate::domain::enums::AccessBasis;

/// Whether the child's data of a case is shared with the viewer's organization.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sharing {
    /// The viewer works for the case's municipality, which holds the case.
    OwnOrganization,
    /// A consent for coordination covers the viewer's organization and the municipality.
    Consent(ConsentId),
    /// Neither: the child's data stays with the municipality.
    Withheld,
}

/// A consent of a case with the organizations it covers, as the access decision reads it.
pub type CaseConsent = (consent::Model, Vec<OrganizationId>);

impl CaseAccess {
    /// The access of a professional holding the data-protection role to a case whose log
    /// they read for a subject access request: no roles, nothing to manage, recorded as
    /// DATA_PROTECTION. `None` for anyone else.
    #[must_use]
    pub fn for_data_protection(actor: &Actor, case_id: CaseId) -> Option<Self> {
        actor.professional.is_data_protection.then(|| Self {
            case_id,
            viewer: actor.id(),
            basis: AccessBasis::DataProtection,
            roles: Vec::new(),
            intake: false,
            sharing: Sharing::OwnOrganization,
            referrer: false,
        })
    }
}

/// What an actor may do with one case they may see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseAccess {
    /// The case this access was decided for.
    pub case_id: CaseId,
    /// Who it was decided for.
    pub viewer: ProfessionalId,
    /// The recorded basis.
    pub basis: AccessBasis,
    /// The actor's active roles in the case.
    pub roles: Vec<ParticipantRole>,
    /// True when the actor belongs to the case's intake unit.
    pub intake: bool,
    /// Whether the child's data is shared with them.
    pub sharing: Sharing,
    /// True when they submitted the case's referral from another organization: they see the
    /// child and the referral they sent, whatever the consents.
    pub referrer: bool,
}

impl CaseAccess {
    /// True for an active responsible contact of the case with whom the child's data is
    /// shared: they see the CPR number in full.
    #[must_use]
    pub fn is_responsible_contact(&self) -> bool {
        self.shares_child_data() && self.roles.contains(&ParticipantRole::ResponsibleContact)
    }

    /// True when the child's data is shared with the viewer: their own organization holds
    /// the case, or a consent covers it.
    #[must_use]
    pub fn shares_child_data(&self) -> bool {
        self.sharing != Sharing::Withheld
    }

    /// Requires that the child's data is shared with the viewer.
    ///
    /// # Errors
    /// [`Error::Forbidden`] naming the missing consent otherwise.
    pub fn require_child_data(&self) -> Result<()> {
        if self.shares_child_data() {
            Ok(())
        } else {
            Err(Error::forbidden(
                "the child's data is not shared with your organization: no active consent for \
                 COORDINATION covers your organization and the case's municipality",
            ))
        }
    }

    /// Checks that the viewer may read `what` of the case. Without shared child data they
    /// may read participations, meetings, deadlines and consents — each filtered to their
    /// own ([`Self::sees_participation`], [`Self::sees_deadline`], invited meetings) — and,
    /// if they referred the case, the child and the referral they sent; nothing else.
    ///
    /// # Errors
    /// [`Error::Forbidden`] naming the missing consent.
    pub fn permits(&self, what: ChildData) -> Result<()> {
        match what {
            ChildData::Participants
            | ChildData::Meetings
            | ChildData::Deadlines
            | ChildData::Consents
            | ChildData::Documents => Ok(()),
            ChildData::Child | ChildData::Referral if self.referrer => Ok(()),
            ChildData::Child
            | ChildData::Cpr
            | ChildData::Family
            | ChildData::Referral
            | ChildData::Plan
            | ChildData::History
            | ChildData::EarlyInterventions => self.require_child_data(),
        }
    }

    /// True when the viewer sees this participation: all of them with shared child data,
    /// else their own only.
    #[must_use]
    pub fn sees_participation(&self, p: &participant::Model) -> bool {
        self.shares_child_data() || p.professional_id == Some(self.viewer)
    }

    /// Whether the viewer sees a document of `author_organization` shared with `shared_with`
    /// (organizations), given the case's consents at `now`: their own organization's always;
    /// another's only while a consent for INFORMATION_EXCHANGE covers both — withdrawal takes
    /// it away at once.
    #[must_use]
    pub fn sees_document<C: Borrow<CaseConsent>>(
        &self,
        viewer_organization: OrganizationId,
        author_organization: OrganizationId,
        shared_with: &[OrganizationId],
        consents: &[C],
        now: DateTime<Utc>,
    ) -> bool {
        author_organization == viewer_organization
            || (shared_with.contains(&viewer_organization)
                && exchange_consent(
                    self.case_id,
                    author_organization,
                    viewer_organization,
                    consents,
                    now,
                )
                .is_some())
    }

    /// True when the viewer sees a deadline answered for by `responsible`: all of them with
    /// shared child data, else those they answer for.
    #[must_use]
    pub fn sees_deadline(&self, responsible: Option<ProfessionalId>) -> bool {
        self.shares_child_data() || responsible == Some(self.viewer)
    }

    /// True when the viewer sees a meeting whose invitations go to `invited` participations:
    /// all of them with shared child data, else those they are invited to.
    #[must_use]
    pub fn sees_meeting<'a>(
        &self,
        invited: impl IntoIterator<Item = &'a participant::Model>,
    ) -> bool {
        self.shares_child_data()
            || invited
                .into_iter()
                .any(|p| p.professional_id == Some(self.viewer))
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

/// True when the actor's organization is not the case's municipality: whether the child's
/// data is shared with them then depends on the case's consents, which [`decide`] must be
/// given.
#[must_use]
pub fn needs_consent(actor: &Actor, case: &case::Model) -> bool {
    actor.organization_id != case.municipality_id
}

/// The consent for coordination that shares the case's child data with `organization` at
/// `now`: active, and covering both that organization and the case's municipality.
#[must_use]
pub fn sharing_consent<C: Borrow<CaseConsent>>(
    case: &case::Model,
    organization: OrganizationId,
    consents: &[C],
    now: DateTime<Utc>,
) -> Option<ConsentId> {
    covering_consent(
        case.id,
        ConsentPurpose::Coordination,
        (organization, case.municipality_id),
        consents,
        now,
    )
}

/// The consent of case `case_id` for `purpose` that holds at `now` and covers both
/// organizations of `between`.
fn covering_consent<C: Borrow<CaseConsent>>(
    case_id: CaseId,
    purpose: ConsentPurpose,
    between: (OrganizationId, OrganizationId),
    consents: &[C],
    now: DateTime<Utc>,
) -> Option<ConsentId> {
    consents
        .iter()
        .map(Borrow::borrow)
        .find(|(c, covered)| {
            c.case_id == case_id
                && c.purpose == purpose
                && c.holds_at(now)
                && covered.contains(&between.0)
                && covered.contains(&between.1)
        })
        .map(|(c, _)| c.id)
}

/// What decides whether a case's child data is shared with a viewer of another
/// organization than the case's municipality.
#[derive(Debug, Clone, Copy)]
pub struct CrossOrganization<'a, C> {
    /// The case's consents with the organizations each covers.
    pub consents: &'a [C],
    /// Who submitted the case's referral: they see what they sent.
    pub referred_by: Option<ProfessionalId>,
    /// The instant the consents are judged at.
    pub now: DateTime<Utc>,
}

/// The consent for INFORMATION_EXCHANGE of case `case_id` that holds at `now` and covers
/// organizations `a` and `b`: what sharing a document between them rests on.
#[must_use]
pub fn exchange_consent<C: Borrow<CaseConsent>>(
    case_id: CaseId,
    a: OrganizationId,
    b: OrganizationId,
    consents: &[C],
    now: DateTime<Utc>,
) -> Option<ConsentId> {
    covering_consent(
        case_id,
        ConsentPurpose::InformationExchange,
        (a, b),
        consents,
        now,
    )
}

/// The rule for one case. `participants` are the case's participations with, for
/// professionals, the unit each works in; ended participations are ignored. `cross` is read
/// only when [`needs_consent`] holds (pass `None` otherwise); without it the child's data is
/// withheld from a viewer of another organization.
#[must_use]
pub fn decide<P: Borrow<participant::Model>, C: Borrow<CaseConsent>>(
    actor: &Actor,
    case: &case::Model,
    participants: &[(P, Option<UnitId>)],
    cross: Option<CrossOrganization<'_, C>>,
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
    let sharing = if !needs_consent(actor, case) {
        Sharing::OwnOrganization
    } else {
        cross
            .as_ref()
            .and_then(|c| sharing_consent(case, actor.organization_id, c.consents, c.now))
            .map_or(Sharing::Withheld, Sharing::Consent)
    };
    let referrer = cross.is_some_and(|c| c.referred_by == Some(actor.id()));
    Some(CaseAccess {
        case_id: case.id,
        viewer: actor.id(),
        basis,
        roles,
        intake,
        sharing,
        referrer,
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

/// The rows of a case's list (`case_id` their case column) that `actor` sees at `now`: those
/// of cases [`visible_cases`] finds, and of those, where the child's data is not shared with
/// them ([`shared_cases`]), only the rows `own` holds for — the list form of
/// [`CaseAccess::sees_deadline`] and [`CaseAccess::sees_meeting`].
///
/// Asked row by row (a correlated `EXISTS` on the row's case), so that the rows of one case
/// cost a look at that case — not the set of every case the actor may see, which a
/// municipality's intake member can count in thousands.
#[must_use]
pub fn seen_through_case<C: ColumnTrait>(
    case_id: C,
    actor: &Actor,
    now: DateTime<Utc>,
    own: Condition,
) -> Condition {
    let (table, column) = case_id.as_column_ref();
    Condition::all().add(Expr::exists(
        Query::select()
            .expr(Expr::val(1))
            .from(case::Entity)
            .and_where(Expr::col((case::Entity, case::Column::Id)).equals((table, column)))
            .cond_where(visible_cases(actor))
            .cond_where(Condition::any().add(shared_cases(actor, now)).add(own))
            .to_owned(),
    ))
}

/// [`decide`]'s sharing as a condition on `cases` at `now`, for the cases [`visible_cases`]
/// finds: the case's municipality is the actor's organization, or an active consent for
/// coordination covers both (asked of each case: a correlated `EXISTS` on its consents).
#[must_use]
pub fn shared_cases(actor: &Actor, now: DateTime<Utc>) -> Condition {
    let own = consent_organization::Entity;
    let theirs = sea_orm::sea_query::Alias::new("municipality_cover");
    let consented = Query::select()
        .column((consent::Entity, consent::Column::CaseId))
        .from(consent::Entity)
        .inner_join(
            own,
            Expr::col((own, consent_organization::Column::ConsentId))
                .equals((consent::Entity, consent::Column::Id)),
        )
        .join_as(
            JoinType::InnerJoin,
            own,
            theirs.clone(),
            Expr::col((theirs.clone(), consent_organization::Column::ConsentId))
                .equals((consent::Entity, consent::Column::Id)),
        )
        .and_where(
            Expr::col((consent::Entity, consent::Column::CaseId))
                .equals((case::Entity, case::Column::Id)),
        )
        .and_where(
            Expr::col((theirs, consent_organization::Column::OrganizationId))
                .equals((case::Entity, case::Column::MunicipalityId)),
        )
        .and_where(
            Expr::col((own, consent_organization::Column::OrganizationId))
                .eq(actor.organization_id),
        )
        .and_where(
            Expr::col((consent::Entity, consent::Column::Purpose)).eq(ConsentPurpose::Coordination),
        )
        .and_where(Expr::col((consent::Entity, consent::Column::ValidFrom)).lte(now))
        .cond_where(
            Condition::any()
                .add(Expr::col((consent::Entity, consent::Column::ValidUntil)).is_null())
                .add(Expr::col((consent::Entity, consent::Column::ValidUntil)).gt(now)),
        )
        .cond_where(
            Condition::any()
                .add(Expr::col((consent::Entity, consent::Column::WithdrawnAt)).is_null())
                .add(Expr::col((consent::Entity, consent::Column::WithdrawnAt)).gt(now)),
        )
        .to_owned();
    Condition::any()
        .add(case::Column::MunicipalityId.eq(actor.organization_id))
        .add(Expr::exists(consented))
}

/// Loads the consents of `cases` with the organizations each covers, newest first: two
/// statements.
///
/// # Errors
/// When the database fails.
pub async fn consents_of<C: ConnectionTrait>(
    db: &C,
    cases: &[CaseId],
) -> std::result::Result<std::collections::HashMap<CaseId, Vec<CaseConsent>>, sea_orm::DbErr> {
    let mut out: std::collections::HashMap<CaseId, Vec<CaseConsent>> =
        cases.iter().map(|&c| (c, Vec::new())).collect();
    let rows = consent::Entity::find()
        .filter(consent::Column::CaseId.is_in(cases.iter().copied()))
        .order_by_desc(consent::Column::Id)
        .all(db)
        .await?;
    if rows.is_empty() {
        return Ok(out);
    }
    let mut covered: std::collections::HashMap<ConsentId, Vec<OrganizationId>> =
        std::collections::HashMap::new();
    for row in consent_organization::Entity::find()
        .filter(consent_organization::Column::ConsentId.is_in(rows.iter().map(|c| c.id)))
        .order_by_asc(consent_organization::Column::OrganizationId)
        .all(db)
        .await?
    {
        covered
            .entry(row.consent_id)
            .or_default()
            .push(row.organization_id);
    }
    for c in rows {
        let orgs = covered.remove(&c.id).unwrap_or_default();
        out.entry(c.case_id).or_default().push((c, orgs));
    }
    Ok(out)
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

/// Loads a case the actor may see, with their access to it at `now`.
///
/// # Errors
/// [`Error::NotFound`] when the case does not exist or the actor may not know it exists.
pub async fn case_access<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    case_id: CaseId,
    now: DateTime<Utc>,
) -> Result<(case::Model, CaseAccess)> {
    let case = case::Entity::find_by_id(case_id)
        .one(db)
        .await?
        .ok_or_else(|| Error::not_found("case"))?;
    let participants = participants_with_units(db, case_id).await?;
    let (consents, referred_by) = if needs_consent(actor, &case) {
        let consents = consents_of(db, &[case_id])
            .await?
            .remove(&case_id)
            .unwrap_or_default();
        let referred_by = referral::Entity::find()
            .filter(referral::Column::CaseId.eq(case_id))
            .one(db)
            .await?
            .map(|r| r.submitted_by_id);
        (consents, referred_by)
    } else {
        (Vec::new(), None)
    };
    let cross = needs_consent(actor, &case).then_some(CrossOrganization {
        consents: &consents,
        referred_by,
        now,
    });
    let access =
        decide(actor, &case, &participants, cross).ok_or_else(|| Error::not_found("case"))?;
    Ok((case, access))
}

/// The kinds of a child's data a professional can read, in the order they are logged.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ChildData {
    /// The child's identity: name, date of birth, CPR number as shown.
    Child,
    /// The CPR number in full.
    Cpr,
    /// The child's family members and their contact details.
    Family,
    /// The referral, with its reason.
    Referral,
    /// Who takes part in the case.
    Participants,
    /// The case's meetings: agendas, minutes, invitees.
    Meetings,
    /// The cross-sector plan: agreements and recorded pathway events.
    Plan,
    /// The case's deadlines.
    Deadlines,
    /// The case's status history, with the reasons given.
    History,
    /// The consents given for the child, and by whom.
    Consents,
    /// The documents the sectors shared: treatment plans, status notes, statements.
    Documents,
    /// The early interventions the child waits for or is enrolled in (waiting lists).
    EarlyInterventions,
}

impl ChildData {
    /// Every kind, in logging order.
    pub const ALL: [Self; 12] = [
        Self::Child,
        Self::Cpr,
        Self::Family,
        Self::Referral,
        Self::Participants,
        Self::Meetings,
        Self::Plan,
        Self::Deadlines,
        Self::History,
        Self::Consents,
        Self::Documents,
        Self::EarlyInterventions,
    ];

    /// The name stored in the log.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Child => "CHILD",
            Self::Cpr => "CPR",
            Self::Family => "FAMILY",
            Self::Referral => "REFERRAL",
            Self::Participants => "PARTICIPANTS",
            Self::Meetings => "MEETINGS",
            Self::Plan => "PLAN",
            Self::Deadlines => "DEADLINES",
            Self::History => "HISTORY",
            Self::Consents => "CONSENTS",
            Self::Documents => "DOCUMENTS",
            Self::EarlyInterventions => "EARLY_INTERVENTIONS",
        }
    }

    /// The kinds a stored `what` lists.
    #[must_use]
    pub fn parse_list(what: &str) -> Vec<Self> {
        what.split(',')
            .filter_map(|w| Self::ALL.into_iter().find(|k| k.as_str() == w))
            .collect()
    }
}

/// Logs, in the changing transaction `txn`, that `actor` changed `what` of the case `access`
/// is for, under the request the current task serves.
///
/// # Errors
/// When the database fails; the change must then not be committed.
pub async fn record_change<C: sea_orm::ConnectionTrait>(
    txn: &C,
    now: DateTime<Utc>,
    access: &CaseAccess,
    what: &[ChildData],
) -> crate::Result<()> {
    let origin = chain::origin_or("system");
    let mut kinds: Vec<ChildData> = what.to_vec();
    kinds.sort_unstable();
    kinds.dedup();
    chain::append(
        txn,
        vec![chain::Entry {
            at: now,
            kind: AccessKind::Change,
            professional_id: access.viewer,
            case_id: access.case_id,
            basis: access.basis,
            what: kinds
                .iter()
                .map(|w| w.as_str())
                .collect::<Vec<_>>()
                .join(","),
            operation: origin.operation,
            request_id: origin.request_id,
            client_request_id: origin.client_request_id,
        }],
    )
    .await?;
    Ok(())
}

/// [`case_access`](case_access) for a change to `what` of the case, inside the changing transaction: the
/// change is logged there (kind CHANGE), so it is committed with the change or not at all.
///
/// # Errors
/// As [`case_access`](case_access); database errors writing the log.
pub async fn change_access(
    txn: &sea_orm::DatabaseTransaction,
    actor: &Actor,
    case_id: CaseId,
    now: DateTime<Utc>,
    what: &[ChildData],
) -> crate::Result<(crate::entities::case::Model, CaseAccess)> {
    let (case, access) = case_access(txn, actor, case_id, now).await?;
    record_change(txn, now, &access, what).await?;
    Ok((case, access))
}
