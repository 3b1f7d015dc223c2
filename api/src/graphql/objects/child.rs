//! The child and their family, as seen through a case the viewer may see.

use async_graphql::{Context, ID, Object};
use kit_entity::cpr;
use kit_entity::entities::{child, family_member};

use crate::graphql::context::{ContextExt, load};
use crate::graphql::enums::{FamilyRelation, Language};
use crate::graphql::errors::IntoGraphql;
use crate::graphql::ids::NodeId;
use crate::graphql::loaders::{CasesOf, FamilyOf};
use crate::graphql::objects::case::Case;
use crate::graphql::read::{case_access_loaded, note_reads, note_shared};
use crate::graphql::scalars::Date;
use kit_entity::access::ChildData;

/// The data of GraphQL `Child`, described on its `#[Object]` impl.
pub struct Child {
    /// The row.
    pub model: child::Model,
    /// True when the viewer is a responsible contact of a case of the child.
    pub reveal_cpr: bool,
    /// The viewer's access to the cases through which the child is seen: reads of the
    /// child's data are logged against them.
    pub seen_through: Vec<kit_entity::access::CaseAccess>,
}

/// A child (or young person) at the centre of one or more cases. Reached only through a case
/// you may see.
#[Object]
impl Child {
    /// Global id of the child: opaque, stable, and accepted by `node(id:)`.
    pub async fn id(&self) -> ID {
        self.model.id.to_global()
    }

    /// Full name.
    async fn name(&self) -> &str {
        &self.model.name
    }

    /// Date of birth. Transition milestones (16, 17½ and 18 years) follow from it.
    async fn date_of_birth(&self) -> Date {
        self.model.date_of_birth.into()
    }

    /// Age in whole years today (Europe/Copenhagen).
    async fn age(&self, ctx: &Context<'_>) -> i32 {
        let today = ctx
            .state()
            .clock
            .now()
            .with_timezone(&chrono_tz::Europe::Copenhagen)
            .date_naive();
        kit_entity::domain::consent::age_on(self.model.date_of_birth, today)
    }

    /// The CPR number. In full (`DDMMYY-XXXX` with the real digits) only for the responsible
    /// contacts of the child's cases; everyone else sees it masked as `DDMMYY-XXXX`. Null when
    /// not registered.
    async fn cpr(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<String>> {
        if self.reveal_cpr && self.model.cpr.is_some() {
            note_reads(ctx, &self.seen_through, ChildData::Cpr).gql()?;
        }
        let Some(sealed) = self.model.cpr.as_deref() else {
            return Ok(None);
        };
        let digits = ctx.state().cpr.open(sealed).gql()?;
        Ok(Some(if self.reveal_cpr {
            format!(
                "{}-{}",
                &digits[..6.min(digits.len())],
                &digits[6.min(digits.len())..]
            )
        } else {
            cpr::mask(&digits)
        }))
    }

    /// True when `cpr` is shown masked to you.
    async fn cpr_masked(&self) -> bool {
        self.model.cpr.is_some() && !self.reveal_cpr
    }

    /// Guardians and other family members; null when the family's data is withheld from you
    /// (`ViewerAccess.childData` REFERRER: you see the child you referred, not the family).
    async fn family_members(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<Vec<FamilyMember>>> {
        if !note_shared(ctx, &self.seen_through, ChildData::Family).gql()? {
            return Ok(None);
        }
        Ok(Some(
            load(ctx, FamilyOf(self.model.id))
                .await
                .gql()?
                .unwrap_or_default()
                .into_iter()
                .map(FamilyMember)
                .collect(),
        ))
    }

    /// The child's cases that you may see, oldest first. One shared plan follows the child
    /// across them.
    async fn cases(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Case>> {
        let mut visible = Vec::new();
        for case in load(ctx, CasesOf(self.model.id))
            .await
            .gql()?
            .unwrap_or_default()
        {
            if case_access_loaded(ctx, &case).await.gql()?.is_some() {
                visible.push(Case(case));
            }
        }
        Ok(visible)
    }

    /// When the record last changed.
    async fn updated_at(&self) -> crate::graphql::scalars::DateTime {
        self.model.updated_at.into()
    }
}

/// A guardian or other family member of a child.
pub struct FamilyMember(pub family_member::Model);

/// A guardian or other family member of a child.
#[Object]
impl FamilyMember {
    /// Global id of the family member: opaque, stable, and accepted by `node(id:)`.
    pub async fn id(&self) -> ID {
        self.0.id.to_global()
    }

    /// Full name.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// Relation to the child.
    async fn relation(&self) -> FamilyRelation {
        self.0.relation.into()
    }

    /// Whether they hold custody (forældremyndighed).
    async fn has_custody(&self) -> bool {
        self.0.has_custody
    }

    /// E-mail address; invitations are sent here.
    async fn email(&self) -> Option<&str> {
        self.0.email.as_deref()
    }

    /// Phone number.
    async fn phone(&self) -> Option<&str> {
        self.0.phone.as_deref()
    }

    /// The language to write to them in.
    async fn preferred_language(&self) -> Language {
        self.0.language.into()
    }
}
