//! Consents to share information about a child between organizations: recorded, withdrawn,
//! and listed on the case.

use async_graphql::{Context, ID, Object};
use kit_entity::Result;
use kit_entity::entities::consent;
use kit_entity::ids::{CaseId, ConsentId, OrganizationId};

use crate::graphql::context::{ContextExt, load, load_required};
use crate::graphql::enums::ConsentPurpose;
use crate::graphql::errors::IntoGraphql;
use crate::graphql::ids::NodeId;
use crate::graphql::loaders::ConsentsOf;
use crate::graphql::objects::case::Case;
use crate::graphql::objects::child::FamilyMember;
use crate::graphql::objects::directory::{Organization, Professional};
use crate::graphql::read::read_case_shared;
use crate::graphql::scalars::DateTime;
use kit_entity::access::ChildData;

/// GraphQL `Consent` over `consent::Model` and the organizations it covers, described on its
/// `#[Object]` impl.
pub struct Consent {
    pub(crate) model: consent::Model,
    pub(crate) organizations: Vec<OrganizationId>,
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
    /// The consent `id` as `actor` sees it (`kit_entity::lookup`), with the organizations it
    /// covers.
    ///
    /// # Errors
    /// `NOT_FOUND` when it does not exist or the viewer may not see it; database errors.
    pub async fn find(
        db: &sea_orm::DatabaseConnection,
        actor: &kit_entity::access::Actor,
        id: ConsentId,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<Self> {
        let found = kit_entity::lookup::find::<consent::Entity, _>(db, actor, id, now).await?;
        let case = found.row.case_id;
        let (model, organizations) = kit_entity::access::consents_of(db, &[case])
            .await?
            .remove(&case)
            .into_iter()
            .flatten()
            .find(|(c, _)| c.id == id)
            .ok_or_else(|| kit_entity::Error::not_found("consent"))?;
        Ok(Self {
            model,
            organizations,
        })
    }

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
