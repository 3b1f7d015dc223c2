//! The read gate: every resolver that returns a child's data passes through here. It decides
//! the viewer's access to the case — the one decision of `crate::access`, taken from the
//! request's loaders so that a page of cases costs a fixed number of statements — and notes
//! what is read for the access log, which is written before the response leaves.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::Context;
use kit_entity::entities::{case, participant, professional};
use kit_entity::ids::{CaseId, ProfessionalId, UnitId};
use kit_entity::{Error, Result};

use crate::access_log::{ChildData, Reads};
use crate::graphql::context::{ContextExt, db_error, load_required, load_shared};
use crate::graphql::loaders::{ConsentsOf, ParticipantsOf, ReferralOf};
use kit_entity::access::{self, CaseAccess};

/// The viewer's access to `case`, decided from the request's loaders, so that deciding it for
/// a whole page of cases costs a fixed number of statements.
///
/// # Errors
/// When the database fails.
pub async fn case_access_loaded(
    ctx: &Context<'_>,
    case: &case::Model,
) -> Result<Option<CaseAccess>> {
    if let Some(decided) = ctx.loaders().decided(case.id) {
        return Ok(decided);
    }
    let actor = ctx.actor()?;
    let participants = load_shared(ctx, ParticipantsOf(case.id)).await?;
    let participants: &[participant::Model] = participants.as_deref().map_or(&[], Vec::as_slice);
    let ids: Vec<ProfessionalId> = participants
        .iter()
        .filter_map(|p| p.professional_id)
        .collect();
    let units: HashMap<ProfessionalId, Arc<professional::Model>> = ctx
        .loaders()
        .load_many(ids)
        .await
        .map_err(|e| db_error(&e))?;
    let with_units: Vec<(&participant::Model, Option<UnitId>)> = participants
        .iter()
        .map(|p| {
            let unit = p
                .professional_id
                .and_then(|id| units.get(&id).map(|p| p.unit_id));
            (p, unit)
        })
        .collect();
    let access = if access::needs_consent(actor, case) {
        let consents = load_shared(ctx, ConsentsOf(case.id)).await?;
        let referral = load_shared(ctx, ReferralOf(case.id)).await?;
        let cross = access::CrossOrganization {
            consents: consents.as_deref().map_or(&[], Vec::as_slice),
            referred_by: referral.map(|r| r.submitted_by_id),
            now: ctx.state().clock.now(),
        };
        access::decide(actor, case, &with_units, Some(cross))
    } else {
        access::decide::<_, access::CaseConsent>(actor, case, &with_units, None)
    };
    ctx.loaders().remember(case.id, access.clone());
    Ok(access)
}

/// [`case_access_loaded`], with [`Error::NotFound`] for a case the viewer may not see.
///
/// # Errors
/// As described, and when the database fails.
pub async fn required_access(ctx: &Context<'_>, case: &case::Model) -> Result<CaseAccess> {
    case_access_loaded(ctx, case)
        .await?
        .ok_or_else(|| Error::not_found("case"))
}

/// Notes, for the access log, that the viewer reads `what` of `case`; returns their access.
/// Every resolver that returns a child's data calls this (or [`read_case`]) first.
///
/// # Errors
/// [`Error::NotFound`] when the viewer may not see the case; [`Error::Internal`] when the
/// request has no access log.
pub async fn read(ctx: &Context<'_>, case: &case::Model, what: ChildData) -> Result<CaseAccess> {
    let access = required_access(ctx, case).await?;
    note_reads(ctx, std::slice::from_ref(&access), what)?;
    Ok(access)
}

/// Notes, for the access log, that the viewer reads `what` of each case in `seen_through`,
/// whose access has been decided already, after checking that each access permits it
/// ([`CaseAccess::permits`]: the child's data crosses organizations only under consent).
///
/// # Errors
/// [`Error::Forbidden`] when an access does not permit `what`; [`Error::Internal`] when the
/// request has no access log.
pub fn note_reads(ctx: &Context<'_>, seen_through: &[CaseAccess], what: ChildData) -> Result<()> {
    let reads = ctx
        .data_opt::<std::sync::Arc<Reads>>()
        .ok_or_else(|| Error::internal("this request has no access log"))?;
    let actor = ctx.actor()?.id();
    for access in seen_through {
        access.permits(what)?;
    }
    for access in seen_through {
        reads.note(actor, access, what);
    }
    Ok(())
}

/// The viewer's access for reading `what` of `case`, noted for the access log — or `None`
/// when `what` is withheld from them: the child's data is not shared with their organization
/// (`ViewerAccess.childData`). A withheld field answers `null` without an error, so that a
/// screen built on the case still renders; [`crate::graphql::objects::case::ChildDataSharing`] says
/// exactly which fields are `null` for which viewer.
///
/// # Errors
/// [`Error::NotFound`] when the viewer may not see the case at all; [`Error::Internal`] when
/// the request has no access log.
pub async fn read_shared(
    ctx: &Context<'_>,
    case: &case::Model,
    what: ChildData,
) -> Result<Option<CaseAccess>> {
    let access = required_access(ctx, case).await?;
    if access.permits(what).is_err() {
        return Ok(None);
    }
    note_reads(ctx, std::slice::from_ref(&access), what)?;
    Ok(Some(access))
}

/// [`read_shared`] for a case known by its id.
///
/// # Errors
/// As [`read_shared`].
pub async fn read_case_shared(
    ctx: &Context<'_>,
    case_id: CaseId,
    what: ChildData,
) -> Result<Option<CaseAccess>> {
    let case: case::Model = load_required(ctx, case_id).await?;
    read_shared(ctx, &case, what).await
}

/// [`note_reads`], or `false` (and nothing noted) when one of the accesses withholds `what`.
///
/// # Errors
/// [`Error::Internal`] when the request has no access log.
pub fn note_shared(
    ctx: &Context<'_>,
    seen_through: &[CaseAccess],
    what: ChildData,
) -> Result<bool> {
    if seen_through.iter().any(|a| a.permits(what).is_err()) {
        return Ok(false);
    }
    note_reads(ctx, seen_through, what)?;
    Ok(true)
}

/// [`read`] for a case known by its id.
///
/// # Errors
/// As [`read`].
pub async fn read_case(ctx: &Context<'_>, case_id: CaseId, what: ChildData) -> Result<CaseAccess> {
    let case: case::Model = load_required(ctx, case_id).await?;
    read(ctx, &case, what).await
}
