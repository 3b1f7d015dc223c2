//! Consents to share information about a child between organizations: recorded, withdrawn,
//! and listed on the case.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use kit_entity::entities::consent;
use kit_entity::ids::{CaseId, ConsentId, FamilyMemberId, OrganizationId};
use kit_entity::{Error, Result};
use sea_orm::EntityTrait;

use crate::graphql::case::Case;
use crate::graphql::child::FamilyMember;
use crate::graphql::context::{ContextExt, load, load_required};
use crate::graphql::directory::{Organization, Professional};
use crate::graphql::enums::ConsentPurpose;
use crate::graphql::errors::IntoGraphql;
use crate::graphql::ids::{NodeId, decode};
use crate::graphql::loaders::ConsentsOf;
use crate::graphql::mutation::Write;
use crate::graphql::read::read_case_shared;
use crate::graphql::scalars::DateTime;
use kit_entity::access::ChildData;
use kit_entity::ops::consents::{GivenBy, RecordConsent, record_consent, withdraw_consent};

/// GraphQL `Consent` over `consent::Model` and the organizations it covers, described on its
/// `#[Object]` impl.
pub struct Consent {
    model: consent::Model,
    organizations: Vec<OrganizationId>,
}

/// A consent to share information about the child between the organizations it names: given
/// by a guardian with custody, or by the young person themself from the age of 15
/// (sundhedsloven § 17). It holds from `validFrom` until `validUntil` or until it is
/// withdrawn, whichever comes first; a withdrawn consent stays on the case with who withdrew
/// it and when.
#[Object]
impl Consent {
    /// Global id of the consent: opaque, stable, and accepted by `node(id:)`.
    pub async fn id(&self) -> ID {
        self.model.id.to_global()
    }

    /// The case whose child it concerns.
    async fn case(&self, ctx: &Context<'_>) -> async_graphql::Result<Case> {
        load_required(ctx, self.model.case_id).await.map(Case).gql()
    }

    /// True when the young person gave it themself.
    async fn given_by_young_person(&self) -> bool {
        self.model.given_by_child
    }

    /// The guardian who gave it; null when the young person gave it (`givenByYoungPerson`),
    /// and when the family's data is withheld from you (`Case.viewerAccess.childData`).
    async fn given_by(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<FamilyMember>> {
        let Some(id) = self.model.given_by_family_member_id else {
            return Ok(None);
        };
        if read_case_shared(ctx, self.model.case_id, ChildData::Family)
            .await
            .gql()?
            .is_none()
        {
            return Ok(None);
        }
        Ok(load(ctx, id).await.gql()?.map(FamilyMember))
    }

    /// The organizations the information may pass between.
    async fn organizations(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Organization>> {
        let mut out = Vec::with_capacity(self.organizations.len());
        for &id in &self.organizations {
            out.push(Organization(load_required(ctx, id).await.gql()?));
        }
        Ok(out)
    }

    /// What it allows.
    async fn purpose(&self) -> ConsentPurpose {
        self.model.purpose.into()
    }

    /// From when it holds.
    async fn valid_from(&self) -> DateTime {
        self.model.valid_from.into()
    }

    /// Until when it holds; null for until withdrawn.
    async fn valid_until(&self) -> Option<DateTime> {
        self.model.valid_until.map(Into::into)
    }

    /// The document or note it rests on.
    async fn basis(&self) -> &str {
        &self.model.basis
    }

    /// Who recorded it.
    async fn recorded_by(&self, ctx: &Context<'_>) -> async_graphql::Result<Professional> {
        load_required(ctx, self.model.recorded_by_id)
            .await
            .map(Professional)
            .gql()
    }

    /// When it was recorded.
    async fn recorded_at(&self) -> DateTime {
        self.model.recorded_at.into()
    }

    /// When it was withdrawn; it stopped holding at that moment.
    async fn withdrawn_at(&self) -> Option<DateTime> {
        self.model.withdrawn_at.map(Into::into)
    }

    /// Who recorded the withdrawal.
    async fn withdrawn_by(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Professional>> {
        match self.model.withdrawn_by_id {
            Some(id) => Ok(load(ctx, id).await.gql()?.map(Professional)),
            None => Ok(None),
        }
    }

    /// Why it was withdrawn, or how the withdrawal was made known.
    async fn withdrawal_reason(&self) -> Option<&str> {
        self.model.withdrawal_reason.as_deref()
    }

    /// True while it holds now: begun, not expired, not withdrawn.
    async fn active(&self, ctx: &Context<'_>) -> bool {
        self.model.holds_at(ctx.state().clock.now())
    }
}

impl Consent {
    /// Its key.
    #[must_use]
    pub const fn id_key(&self) -> ConsentId {
        self.model.id
    }

    /// The case whose child it concerns.
    #[must_use]
    pub const fn case_id(&self) -> CaseId {
        self.model.case_id
    }
}

/// Loads a consent for `node(id:)`.
///
/// # Errors
/// [`Error::NotFound`] when it does not exist or its case is not visible.
pub async fn node_consent(
    db: &sea_orm::DatabaseConnection,
    actor: &kit_entity::access::Actor,
    id: ConsentId,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Consent> {
    let model = consent::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| Error::not_found("consent"))?;
    kit_entity::access::case_access(db, actor, model.case_id, now).await?;
    let (model, organizations) = kit_entity::access::consents_of(db, &[model.case_id])
        .await?
        .remove(&model.case_id)
        .into_iter()
        .flatten()
        .find(|(c, _)| c.id == id)
        .ok_or_else(|| Error::not_found("consent"))?;
    Ok(Consent {
        model,
        organizations,
    })
}

/// The consents of a case (visible already), newest first, with the organizations each
/// covers: loaded with those of the other cases of the response.
///
/// # Errors
/// Database errors.
pub async fn consents_of(ctx: &Context<'_>, case_id: CaseId) -> Result<Vec<Consent>> {
    Ok(load(ctx, ConsentsOf(case_id))
        .await?
        .unwrap_or_default()
        .into_iter()
        .map(|(model, organizations)| Consent {
            model,
            organizations,
        })
        .collect())
}

/// Records a consent. Give exactly one of `givenByFamilyMemberId` and `givenByYoungPerson`.
#[derive(InputObject)]
pub struct RecordConsentInput {
    /// The case whose child it concerns.
    pub case_id: ID,
    /// The guardian with custody who gave it (for a child under 15).
    pub given_by_family_member_id: Option<ID>,
    /// True when the young person (15 or over) gave it themself.
    #[graphql(default)]
    pub given_by_young_person: bool,
    /// The organizations the information may pass between: at least two.
    pub organization_ids: Vec<ID>,
    /// What it allows.
    pub purpose: ConsentPurpose,
    /// From when it holds; default now.
    pub valid_from: Option<DateTime>,
    /// Until when it holds; default until withdrawn. After `validFrom` and not past.
    pub valid_until: Option<DateTime>,
    /// The document or note it rests on, 1–4000 characters.
    pub basis: String,
}

/// Withdraws a consent, effective at once.
#[derive(InputObject)]
pub struct WithdrawConsentInput {
    /// The consent withdrawn.
    pub consent_id: ID,
    /// Why, or how the withdrawal was made known, 1–4000 characters.
    pub reason: String,
}

/// A consent recorded or withdrawn.
#[derive(SimpleObject)]
pub struct ConsentPayload {
    /// The consent as it is now.
    pub consent: Consent,
}

/// Consent mutations.
#[derive(Default)]
pub struct ConsentMutation;

#[Object]
impl ConsentMutation {
    /// Records a consent for the child of a case you manage: the product checks that the
    /// giver may consent — the young person from 15, a guardian with custody before.
    async fn record_consent(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The consent.")] input: RecordConsentInput,
    ) -> async_graphql::Result<ConsentPayload> {
        let given_by = match (
            &input.given_by_family_member_id,
            input.given_by_young_person,
        ) {
            (Some(id), false) => GivenBy::FamilyMember(
                decode::<FamilyMemberId>("input.givenByFamilyMemberId", id).gql()?,
            ),
            (None, true) => GivenBy::YoungPerson,
            _ => {
                return Err(Error::invalid(
                    "input.givenByFamilyMemberId",
                    "give exactly one of givenByFamilyMemberId and givenByYoungPerson",
                ))
                .gql();
            }
        };
        let organization_ids = input
            .organization_ids
            .iter()
            .enumerate()
            .map(|(i, id)| decode::<OrganizationId>(&format!("input.organizationIds.{i}"), id))
            .collect::<Result<Vec<_>>>()
            .gql()?;
        let cmd = RecordConsent {
            case_id: decode::<CaseId>("input.caseId", &input.case_id).gql()?,
            given_by,
            organization_ids,
            purpose: input.purpose.into(),
            valid_from: input.valid_from.map(|d| d.0),
            valid_until: input.valid_until.map(|d| d.0),
            basis: input.basis,
        };
        let w = Write::begin(ctx).await.gql()?;
        let result = record_consent(&w.txn, w.actor, w.now, cmd).await;
        let (model, organizations) = w.finish(result).await.gql()?;
        Ok(ConsentPayload {
            consent: Consent {
                model,
                organizations,
            },
        })
    }

    /// Withdraws a consent of a case you manage, effective at once: what it allowed stops on
    /// the next request.
    async fn withdraw_consent(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The withdrawal.")] input: WithdrawConsentInput,
    ) -> async_graphql::Result<ConsentPayload> {
        let id: ConsentId = decode("input.consentId", &input.consent_id).gql()?;
        let w = Write::begin(ctx).await.gql()?;
        let result = withdraw_consent(&w.txn, w.actor, w.now, id, &input.reason).await;
        w.finish(result).await.gql()?;
        let consent = node_consent(
            &ctx.state().db,
            ctx.actor().gql()?,
            id,
            ctx.state().clock.now(),
        )
        .await
        .gql()?;
        Ok(ConsentPayload { consent })
    }
}
