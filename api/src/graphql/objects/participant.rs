//! Participants: who takes part in a case, in which role, for which sector, and when.

use async_graphql::{Context, ID, Object};
use kit_entity::domain::enums::ParticipantKind as Kind;
use kit_entity::entities::participant;

use crate::graphql::context::load_required;
use crate::graphql::enums::{ParticipantRole, Sector};
use crate::graphql::errors::IntoGraphql;
use crate::graphql::ids::NodeId;
use crate::graphql::objects::case::Case;
use crate::graphql::objects::child::{Child, FamilyMember};
use crate::graphql::objects::directory::Professional;
use crate::graphql::read::{read_case_shared, read_shared};
use crate::graphql::scalars::DateTime;
use kit_entity::access::ChildData;

/// GraphQL `Participant` over `participant::Model`, described on its `#[Object]` impl.
pub struct Participant(pub participant::Model);

/// An actor outside the product's organizations, such as a private therapist.
pub struct ExternalActor(participant::Model);

/// An actor outside the product's organizations, such as a private therapist.
#[Object]
impl ExternalActor {
    /// Their name as the case's participants know it.
    async fn name(&self) -> &str {
        self.0.external_name.as_deref().unwrap_or_default()
    }

    /// E-mail address.
    async fn email(&self) -> Option<&str> {
        self.0.external_email.as_deref()
    }

    /// Phone number.
    async fn phone(&self) -> Option<&str> {
        self.0.external_phone.as_deref()
    }

    /// Their organization.
    async fn organization(&self) -> Option<&str> {
        self.0.external_organization.as_deref()
    }
}

/// One person's participation in a case. Exactly one of `professional`, `familyMember`,
/// `child` and `external` is set, according to who the participant is. Ending a
/// participation closes its active period; the participation stays as history.
#[Object]
impl Participant {
    /// Global id of the participant: opaque, stable, and accepted by `node(id:)`.
    pub async fn id(&self) -> ID {
        self.0.id.to_global()
    }

    /// Their role in the case.
    async fn role(&self) -> ParticipantRole {
        self.0.role.into()
    }

    /// The sector they act for.
    async fn sector(&self) -> Sector {
        self.0.sector.into()
    }

    /// The participant's name, whoever they are; null for a family member or the child when
    /// the child's data is withheld from you (`Case.viewerAccess.childData`).
    async fn name(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<String>> {
        Ok(match self.0.kind {
            Kind::Professional => match self.0.professional_id {
                Some(id) => Some(load_required(ctx, id).await.gql()?.name),
                None => Some(String::new()),
            },
            // A guardian's or the child's name is family or child data: logged as such.
            Kind::FamilyMember => match self.0.family_member_id {
                Some(id) => {
                    if read_case_shared(ctx, self.0.case_id, ChildData::Family)
                        .await
                        .gql()?
                        .is_none()
                    {
                        return Ok(None);
                    }
                    Some(load_required(ctx, id).await.gql()?.name)
                }
                None => Some(String::new()),
            },
            Kind::Child => {
                let case: kit_entity::entities::case::Model =
                    load_required(ctx, self.0.case_id).await.gql()?;
                if read_shared(ctx, &case, ChildData::Child)
                    .await
                    .gql()?
                    .is_none()
                {
                    return Ok(None);
                }
                Some(load_required(ctx, case.child_id).await.gql()?.name)
            }
            Kind::External => Some(self.0.external_name.clone().unwrap_or_default()),
        })
    }

    /// Set when the participant is a professional.
    async fn professional(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Professional>> {
        match self.0.professional_id {
            Some(id) => Ok(Some(Professional(load_required(ctx, id).await.gql()?))),
            None => Ok(None),
        }
    }

    /// Set when the participant is a guardian or other family member (null when the child's
    /// data is withheld from you).
    async fn family_member(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<FamilyMember>> {
        match self.0.family_member_id {
            Some(id) => {
                if read_case_shared(ctx, self.0.case_id, ChildData::Family)
                    .await
                    .gql()?
                    .is_none()
                {
                    return Ok(None);
                }
                Ok(Some(FamilyMember(load_required(ctx, id).await.gql()?)))
            }
            None => Ok(None),
        }
    }

    /// Set when the participant is the child (null when the child's data is withheld from
    /// you).
    async fn child(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Child>> {
        if self.0.kind != Kind::Child {
            return Ok(None);
        }
        let case: kit_entity::entities::case::Model =
            load_required(ctx, self.0.case_id).await.gql()?;
        let Some(access) = read_shared(ctx, &case, ChildData::Child).await.gql()? else {
            return Ok(None);
        };
        Ok(Some(Child {
            model: load_required(ctx, case.child_id).await.gql()?,
            reveal_cpr: access.is_responsible_contact(),
            seen_through: vec![access],
        }))
    }

    /// Set when the participant is an external actor.
    async fn external(&self) -> Option<ExternalActor> {
        (self.0.kind == Kind::External).then(|| ExternalActor(self.0.clone()))
    }

    /// The case they take part in.
    async fn case(&self, ctx: &Context<'_>) -> async_graphql::Result<Case> {
        load_required(ctx, self.0.case_id).await.map(Case).gql()
    }

    /// True while the active period has not ended.
    async fn is_active(&self) -> bool {
        self.0.is_active()
    }

    /// Start of the active period.
    async fn active_from(&self) -> DateTime {
        self.0.active_from.into()
    }

    /// End of the active period; null while active.
    async fn active_until(&self) -> Option<DateTime> {
        self.0.active_until.map(Into::into)
    }

    /// Why the participation ended.
    async fn end_reason(&self) -> Option<&str> {
        self.0.end_reason.as_deref()
    }

    /// Who added them.
    async fn added_by(&self, ctx: &Context<'_>) -> async_graphql::Result<Professional> {
        load_required(ctx, self.0.added_by_id)
            .await
            .map(Professional)
            .gql()
    }

    /// Who ended the participation.
    async fn ended_by(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Professional>> {
        match self.0.ended_by_id {
            Some(id) => Ok(Some(Professional(load_required(ctx, id).await.gql()?))),
            None => Ok(None),
        }
    }
}
