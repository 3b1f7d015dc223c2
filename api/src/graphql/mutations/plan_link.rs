//! Sending the plan to a family member, and revoking the link.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use kit_entity::Error;
use kit_entity::ids::{CaseId, FamilyMemberId, PlanLinkId};

use crate::graphql::enums::Language;
use crate::graphql::errors::IntoGraphql;
use crate::graphql::ids::{decode, decode_renamed};
use crate::graphql::mutations::Write;
use crate::graphql::objects::plan_link::*;
use kit_entity::ops::plan_links::{PlanRecipient, SendPlanLink, revoke_plan_link, send_plan_link};

/// Sends the current plan to a guardian with custody or to the young person (15+): exactly
/// one of `familyMemberId` and `youngPerson`.
#[derive(InputObject)]
pub struct SendPlanLinkInput {
    /// The case.
    pub case_id: ID,
    /// A guardian with custody of the case's child; the e-mail goes to the address on record.
    pub family_member_id: Option<ID>,
    /// True to send it to the young person themselves (15 or over), at `email`.
    pub young_person: Option<bool>,
    /// The young person's e-mail address (only with `youngPerson`).
    pub email: Option<String>,
    /// The young person's language (only with `youngPerson`); Danish when left out.
    pub language: Option<Language>,
    /// Days the link works, 1–180; 30 when left out.
    pub valid_for_days: Option<i32>,
}

/// Revokes a plan link.
#[derive(InputObject)]
pub struct RevokePlanLinkInput {
    /// The link (required).
    pub plan_link_id: Option<ID>,
    /// The link, under its old name.
    #[graphql(deprecation = "Use `planLinkId`: inputs name their subject `<thing>Id`.")]
    pub id: Option<ID>,
}

/// A plan link sent or changed.
#[derive(SimpleObject)]
pub struct PlanLinkPayload {
    /// The link as it is now.
    pub plan_link: PlanLink,
}

/// Mutations of the family's plan links.
#[derive(Default)]
pub struct PlanLinkMutation;

#[Object]
impl PlanLinkMutation {
    /// Sends the case's current plan to a guardian with custody or the young person (15+) as a
    /// personal, expiring link by e-mail, for a case you manage. The e-mail names neither the
    /// child nor the case; the page shows the plan without its closed agenda items and without
    /// the CPR number, printable, with a PDF of the same. Every reading is recorded.
    async fn send_plan_link(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Who gets the link.")] input: SendPlanLinkInput,
    ) -> async_graphql::Result<PlanLinkPayload> {
        let case_id = decode::<CaseId>("input.caseId", &input.case_id).gql()?;
        let recipient = match (input.family_member_id, input.young_person.unwrap_or(false)) {
            (Some(id), false) => {
                if input.email.is_some() || input.language.is_some() {
                    return Err(Error::invalid(
                        "input.email",
                        "a guardian's link goes to the address on record: leave out email and language",
                    ))
                    .gql();
                }
                PlanRecipient::Guardian(
                    decode::<FamilyMemberId>("input.familyMemberId", &id).gql()?,
                )
            }
            (None, true) => PlanRecipient::YoungPerson {
                email: input
                    .email
                    .ok_or_else(|| {
                        Error::invalid("input.email", "the young person's address is required")
                    })
                    .gql()?,
                language: input.language.map_or_else(Default::default, Into::into),
            },
            (Some(_), true) => {
                return Err(Error::invalid(
                    "input.youngPerson",
                    "name either a family member or the young person, not both",
                ))
                .gql();
            }
            (None, false) => {
                return Err(Error::invalid(
                    "input.familyMemberId",
                    "name a guardian with custody, or set youngPerson",
                ))
                .gql();
            }
        };
        let cmd = SendPlanLink {
            case_id,
            recipient,
            valid_days: input.valid_for_days.map(i64::from),
        };
        let w = Write::begin(ctx).await.gql()?;
        let result = send_plan_link(&w.txn, w.actor, w.now, cmd).await;
        let row = w.finish(result).await.gql()?;
        Ok(PlanLinkPayload {
            plan_link: PlanLink(row),
        })
    }

    /// Revokes a plan link of a case you manage: it stops working at once.
    async fn revoke_plan_link(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The link.")] input: RevokePlanLinkInput,
    ) -> async_graphql::Result<PlanLinkPayload> {
        let id: PlanLinkId = decode_renamed(
            "input.planLinkId",
            input.plan_link_id.as_ref(),
            input.id.as_ref(),
        )
        .gql()?;
        let w = Write::begin(ctx).await.gql()?;
        let result = revoke_plan_link(&w.txn, w.actor, w.now, id).await;
        let row = w.finish(result).await.gql()?;
        Ok(PlanLinkPayload {
            plan_link: PlanLink(row),
        })
    }
}
