//! Adding and ending participations, and the one responsible contact per sector.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use kit_entity::domain::enums::ParticipantRole as Role;
use kit_entity::domain::validate;
use kit_entity::ids::{CaseId, ParticipantId};
use kit_entity::{Error, Result};

use crate::graphql::context::load_required;
use crate::graphql::enums::{ParticipantRole, Sector};
use crate::graphql::errors::IntoGraphql;
use crate::graphql::ids::{decode, decode_opt};
use crate::graphql::mutations::Write;
use crate::graphql::objects::Participant;
use crate::graphql::objects::case::Case;
use kit_entity::ops::participants::{self, AddParticipant, ExternalActor, Person};

/// An actor outside the product's organizations.
#[derive(InputObject)]
pub struct ExternalActorInput {
    /// Name, 1–200 characters.
    pub name: String,
    /// E-mail address.
    pub email: Option<String>,
    /// Phone number.
    pub phone: Option<String>,
    /// Their organization, as free text.
    pub organization: Option<String>,
}

/// Adds someone to a case. Say who with exactly one of `professionalId`, `familyMemberId` or
/// `external`; for role CHILD give none of them (the case's child takes part).
#[derive(InputObject)]
pub struct AddParticipantInput {
    /// The case they join.
    pub case_id: ID,
    /// Their role. RESPONSIBLE_CONTACT, INTERVENTION_LEAD and PROFESSIONAL need a
    /// professional; GUARDIAN a family member; EXTERNAL an external actor.
    pub role: ParticipantRole,
    /// The professional who joins, for the roles that need one.
    pub professional_id: Option<ID>,
    /// The family member of the case's child.
    pub family_member_id: Option<ID>,
    /// The external actor.
    pub external: Option<ExternalActorInput>,
    /// The sector they act for. Default: a professional's organization's sector, FAMILY for
    /// the child and family, OTHER for external actors.
    pub sector: Option<Sector>,
}

/// The new participation.
#[derive(SimpleObject)]
pub struct AddParticipantPayload {
    /// The participation.
    pub participant: Participant,
    /// The case after the change, with its participants.
    pub case: Case,
}

/// Ends someone's participation.
#[derive(InputObject)]
pub struct EndParticipationInput {
    /// The participation.
    pub participant_id: ID,
    /// Why, 1–4000 characters.
    pub reason: String,
}

/// The ended participation.
#[derive(SimpleObject)]
pub struct EndParticipationPayload {
    /// The participation, with its period ended.
    pub participant: Participant,
    /// The case after the change, with its participants.
    pub case: Case,
}

/// Makes a professional the responsible contact of a sector, replacing the current one.
#[derive(InputObject)]
pub struct AssignResponsibleContactInput {
    /// The case they become responsible contact for.
    pub case_id: ID,
    /// The professional who becomes the sector's responsible contact.
    pub professional_id: ID,
    /// The sector. Default: the professional's organization's sector.
    pub sector: Option<Sector>,
}

/// The new responsible contact.
#[derive(SimpleObject)]
pub struct AssignResponsibleContactPayload {
    /// The active responsible contact.
    pub responsible_contact: Participant,
    /// The contact they replaced, with the period ended; null if there was none.
    pub replaced: Option<Participant>,
    /// The case after the change, with its responsible contacts.
    pub case: Case,
}

/// Appoints a professional the case's intervention lead, replacing the current one.
#[derive(InputObject)]
pub struct AssignInterventionLeadInput {
    /// The case they become intervention lead for.
    pub case_id: ID,
    /// The professional who answers for the actions of the child's pathway.
    pub professional_id: ID,
}

/// The new intervention lead.
#[derive(SimpleObject)]
pub struct AssignInterventionLeadPayload {
    /// The active intervention lead.
    pub intervention_lead: Participant,
    /// The lead they replaced, with the period ended; null if there was none.
    pub replaced: Option<Participant>,
    /// The case after the change, with its participants.
    pub case: Case,
}

fn person(input: &AddParticipantInput) -> Result<Person> {
    let given = [
        input.professional_id.is_some(),
        input.family_member_id.is_some(),
        input.external.is_some(),
    ]
    .into_iter()
    .filter(|b| *b)
    .count();
    let role: Role = input.role.into();
    if role == Role::Child {
        return if given == 0 {
            Ok(Person::Child)
        } else {
            Err(Error::invalid(
                "input.role",
                "role CHILD takes no professionalId, familyMemberId or external",
            ))
        };
    }
    if given != 1 {
        return Err(Error::invalid(
            "input",
            "give exactly one of professionalId, familyMemberId and external",
        ));
    }
    if let Some(id) = decode_opt("input.professionalId", input.professional_id.as_ref())? {
        return Ok(Person::Professional(id));
    }
    if let Some(id) = decode_opt("input.familyMemberId", input.family_member_id.as_ref())? {
        return Ok(Person::FamilyMember(id));
    }
    let ext = input
        .external
        .as_ref()
        .ok_or_else(|| Error::invalid("input.external", "is required"))?;
    Ok(Person::External(ExternalActor {
        name: validate::name("input.external.name", &ext.name)?,
        email: validate::optional(
            "input.external.email",
            ext.email.as_deref(),
            validate::email,
        )?,
        phone: validate::optional(
            "input.external.phone",
            ext.phone.as_deref(),
            validate::phone,
        )?,
        organization: validate::optional(
            "input.external.organization",
            ext.organization.as_deref(),
            validate::short_text,
        )?,
    }))
}

/// Participant mutations.
#[derive(Default)]
pub struct ParticipantMutation;

#[Object]
impl ParticipantMutation {
    /// Adds someone to a case. The intake unit, a responsible contact or the intervention
    /// lead; the case must not have ended. A second active responsible contact for a sector is
    /// a CONFLICT: use `assignResponsibleContact` to replace one.
    async fn add_participant(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make; see `AddParticipantInput`.")]
        input: AddParticipantInput,
    ) -> async_graphql::Result<AddParticipantPayload> {
        let case_id: CaseId = decode("input.caseId", &input.case_id).gql()?;
        let person = person(&input).gql()?;
        let cmd = AddParticipant {
            case_id,
            role: input.role.into(),
            person,
            sector: input.sector.map(Into::into),
        };
        let w = Write::begin(ctx).await.gql()?;
        let r = participants::add(&w.txn, w.actor, w.now, cmd).await;
        let added = w.finish(r).await.gql()?;
        let case = load_required(ctx, added.case_id).await.gql()?;
        Ok(AddParticipantPayload {
            participant: Participant(added),
            case: Case(case),
        })
    }

    /// Ends a participation now, with a reason. The participation stays in the case's
    /// history. The person leaves the case's meetings still ahead (a scheduled meeting sends
    /// them a cancellation); a meeting they organized passes to another responsible contact
    /// of the case, whose invitees receive the update, or waits for the next contact.
    async fn end_participation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make; see `EndParticipationInput`.")]
        input: EndParticipationInput,
    ) -> async_graphql::Result<EndParticipationPayload> {
        let id: ParticipantId = decode("input.participantId", &input.participant_id).gql()?;
        let reason = validate::long_text("input.reason", &input.reason).gql()?;
        let w = Write::begin(ctx).await.gql()?;
        let r = participants::end(&w.txn, w.actor, w.now, id, reason).await;
        let ended = w.finish(r).await.gql()?;
        let case = load_required(ctx, ended.case_id).await.gql()?;
        Ok(EndParticipationPayload {
            participant: Participant(ended),
            case: Case(case),
        })
    }

    /// Makes a professional the responsible contact of a sector. The current contact's period
    /// ends in the same transaction and the new contact takes their place in the meetings
    /// ahead: their invitations and the meetings they organized (invitees receive the
    /// update). Meetings left without an organizer become the new contact's. Assigning the
    /// current contact again changes nothing.
    async fn assign_responsible_contact(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make; see `AssignResponsibleContactInput`.")]
        input: AssignResponsibleContactInput,
    ) -> async_graphql::Result<AssignResponsibleContactPayload> {
        let case_id: CaseId = decode("input.caseId", &input.case_id).gql()?;
        let professional_id = decode("input.professionalId", &input.professional_id).gql()?;
        let w = Write::begin(ctx).await.gql()?;
        let r = participants::assign_responsible_contact(
            &w.txn,
            w.actor,
            w.now,
            case_id,
            professional_id,
            input.sector.map(Into::into),
        )
        .await;
        let assigned = w.finish(r).await.gql()?;
        let case = load_required(ctx, assigned.contact.case_id).await.gql()?;
        Ok(AssignResponsibleContactPayload {
            responsible_contact: Participant(assigned.contact),
            replaced: assigned.replaced.map(Participant),
            case: Case(case),
        })
    }

    /// Appoints a professional the case's intervention lead — one per case, who answers for
    /// the actions of the child's pathway (meets the `intervention-lead` deadline). The current
    /// lead's period ends in the same transaction and the new lead takes their place in the
    /// meetings ahead. Appointing the current lead again changes nothing.
    async fn assign_intervention_lead(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make; see `AssignInterventionLeadInput`.")]
        input: AssignInterventionLeadInput,
    ) -> async_graphql::Result<AssignInterventionLeadPayload> {
        let case_id: CaseId = decode("input.caseId", &input.case_id).gql()?;
        let professional_id = decode("input.professionalId", &input.professional_id).gql()?;
        let w = Write::begin(ctx).await.gql()?;
        let r = participants::assign_intervention_lead(
            &w.txn,
            w.actor,
            w.now,
            case_id,
            professional_id,
        )
        .await;
        let appointed = w.finish(r).await.gql()?;
        let case = load_required(ctx, appointed.lead.case_id).await.gql()?;
        Ok(AssignInterventionLeadPayload {
            intervention_lead: Participant(appointed.lead),
            replaced: appointed.replaced.map(Participant),
            case: Case(case),
        })
    }
}
