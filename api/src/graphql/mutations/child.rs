//! Editing a child's record and family.

use crate::graphql::read::note_reads;
use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, SimpleObject};
use kit_entity::Result;
use kit_entity::access::ChildData;
use kit_entity::domain::validate;
use kit_entity::ids::{ChildId, FamilyMemberId};

use crate::graphql::context::ContextExt;
use crate::graphql::enums::{FamilyRelation, Language};
use crate::graphql::errors::IntoGraphql;
use crate::graphql::ids::decode;
use crate::graphql::mutations::{Write, maybe};
use crate::graphql::objects::{Child, FamilyMember};
use crate::graphql::scalars::Date;
use kit_entity::ops::cases::NewFamilyMember;
use kit_entity::ops::children::{self, UpdateChild, UpdateFamilyMember};

/// A guardian or other family member to record.
#[derive(InputObject)]
pub struct FamilyMemberInput {
    /// Full name, 1–200 characters.
    pub name: String,
    /// Relation to the child.
    pub relation: FamilyRelation,
    /// Whether they hold custody.
    pub has_custody: bool,
    /// E-mail address; invitations go here.
    pub email: Option<String>,
    /// Phone number.
    pub phone: Option<String>,
    /// Language to write to them in. Default DA.
    #[graphql(default_with = "Language::Da")]
    pub preferred_language: Language,
}

impl FamilyMemberInput {
    /// Validates the input found at `path`.
    ///
    /// # Errors
    /// [`kit_entity::Error::Validation`] naming the field.
    pub fn validate(&self, path: &str) -> Result<NewFamilyMember> {
        Ok(NewFamilyMember {
            name: validate::name(&format!("{path}.name"), &self.name)?,
            relation: self.relation.into(),
            has_custody: self.has_custody,
            email: validate::optional(
                &format!("{path}.email"),
                self.email.as_deref(),
                validate::email,
            )?,
            phone: validate::optional(
                &format!("{path}.phone"),
                self.phone.as_deref(),
                validate::phone,
            )?,
            language: self.preferred_language.into(),
        })
    }
}

/// Changes a child's record. Omitted fields keep their value.
#[derive(InputObject)]
pub struct UpdateChildInput {
    /// The child to correct.
    pub child_id: ID,
    /// New full name.
    pub name: Option<String>,
    /// New date of birth; must agree with the CPR number.
    pub date_of_birth: Option<Date>,
    /// New CPR number (`DDMMYYXXXX` or `DDMMYY-XXXX`), or null to remove it.
    pub cpr: MaybeUndefined<String>,
}

/// The child as changed.
#[derive(SimpleObject)]
pub struct UpdateChildPayload {
    /// The child as they are now.
    pub child: Child,
}

/// Records a family member of a child.
#[derive(InputObject)]
pub struct AddFamilyMemberInput {
    /// The child the family member belongs to.
    pub child_id: ID,
    /// Who they are, their relation to the child, custody and how to reach them.
    pub family_member: FamilyMemberInput,
}

/// Changes a family member. Omitted fields keep their value; `null` removes an optional one.
#[derive(InputObject)]
pub struct UpdateFamilyMemberInput {
    /// The family member to correct.
    pub family_member_id: ID,
    /// New full name.
    pub name: Option<String>,
    /// New relation.
    pub relation: Option<FamilyRelation>,
    /// Custody changed.
    pub has_custody: Option<bool>,
    /// New e-mail address, or null to remove it.
    pub email: MaybeUndefined<String>,
    /// New phone number, or null to remove it.
    pub phone: MaybeUndefined<String>,
    /// New language.
    pub preferred_language: Option<Language>,
}

/// The family member added or changed.
#[derive(SimpleObject)]
pub struct FamilyMemberPayload {
    /// The family member as they are now.
    pub family_member: FamilyMember,
}

/// Child mutations.
#[derive(Default)]
pub struct ChildMutation;

#[Object]
impl ChildMutation {
    /// Corrects a child's name, date of birth or CPR number. Requires managing an open case of
    /// the child.
    async fn update_child(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make; see `UpdateChildInput`.")] input: UpdateChildInput,
    ) -> async_graphql::Result<UpdateChildPayload> {
        let id: ChildId = decode("input.childId", &input.child_id).gql()?;
        let today = ctx
            .state()
            .clock
            .now()
            .with_timezone(&chrono_tz::Europe::Copenhagen)
            .date_naive();
        let cmd = (|| -> Result<UpdateChild> {
            let date_of_birth = input
                .date_of_birth
                .map(|d| validate::date_of_birth("input.dateOfBirth", d.0, today))
                .transpose()?;
            Ok(UpdateChild {
                name: validate::optional("input.name", input.name.as_deref(), validate::name)?,
                date_of_birth,
                cpr: maybe(input.cpr, |c| validate::cpr("input.cpr", &c, None))?,
            })
        })()
        .gql()?;
        let w = Write::begin(ctx).await.gql()?;
        let r = children::update(&w.txn, w.actor, &ctx.state().cpr, w.now, id, cmd).await;
        let model = w.finish(r).await.gql()?;
        let access = children::child_access(
            &ctx.state().db,
            ctx.actor().gql()?,
            model.id,
            ctx.state().clock.now(),
        )
        .await
        .gql()?;
        let reveal_cpr = access.reveals_cpr();
        let seen_through: Vec<_> = access.cases.into_iter().map(|(_, a)| a).collect();
        note_reads(ctx, &seen_through, ChildData::Child).gql()?;
        Ok(UpdateChildPayload {
            child: Child {
                model,
                reveal_cpr,
                seen_through,
            },
        })
    }

    /// Records a guardian or other family member of a child. Requires managing an open case
    /// of the child.
    async fn add_family_member(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make; see `AddFamilyMemberInput`.")]
        input: AddFamilyMemberInput,
    ) -> async_graphql::Result<FamilyMemberPayload> {
        let id: ChildId = decode("input.childId", &input.child_id).gql()?;
        let member = input.family_member.validate("input.familyMember").gql()?;
        let w = Write::begin(ctx).await.gql()?;
        let r = children::add_family_member(&w.txn, w.actor, w.now, id, member).await;
        Ok(FamilyMemberPayload {
            family_member: FamilyMember(w.finish(r).await.gql()?),
        })
    }

    /// Changes a family member's details. Requires managing an open case of the child.
    async fn update_family_member(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make; see `UpdateFamilyMemberInput`.")]
        input: UpdateFamilyMemberInput,
    ) -> async_graphql::Result<FamilyMemberPayload> {
        let id: FamilyMemberId = decode("input.familyMemberId", &input.family_member_id).gql()?;
        let cmd = (|| -> Result<UpdateFamilyMember> {
            Ok(UpdateFamilyMember {
                name: validate::optional("input.name", input.name.as_deref(), validate::name)?,
                relation: input.relation.map(Into::into),
                has_custody: input.has_custody,
                email: maybe(input.email, |e| validate::email("input.email", &e))?,
                phone: maybe(input.phone, |p| validate::phone("input.phone", &p))?,
                language: input.preferred_language.map(Into::into),
            })
        })()
        .gql()?;
        let w = Write::begin(ctx).await.gql()?;
        let r = children::update_family_member(&w.txn, w.actor, w.now, id, cmd).await;
        Ok(FamilyMemberPayload {
            family_member: FamilyMember(w.finish(r).await.gql()?),
        })
    }
}
