//! Recording and withdrawing a consent.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use kit_entity::ids::{CaseId, ConsentId, FamilyMemberId, OrganizationId};
use kit_entity::{Error, Result};

use crate::graphql::context::ContextExt;
use crate::graphql::enums::ConsentPurpose;
use crate::graphql::errors::IntoGraphql;
use crate::graphql::ids::decode;
use crate::graphql::mutations::Write;
use crate::graphql::objects::consent::*;
use crate::graphql::scalars::DateTime;
use kit_entity::ops::consents::{GivenBy, RecordConsent, record_consent, withdraw_consent};

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
        let consent = Consent::find(
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
