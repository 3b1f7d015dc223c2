//! Case object types: the case, the viewer's access to it, its referral, a possible match
//! with an earlier child, and its status history.

use async_graphql::{Context, ID, Object};
use kit_entity::entities::{case, case_status_change, child, referral};

use crate::graphql::context::{ContextExt, load, load_required};
use crate::graphql::enums::{AccessBasis, CaseStatus, ParticipantRole, ReferralSource};
use crate::graphql::errors::IntoGraphql;
use crate::graphql::ids::NodeId;
use crate::graphql::loaders::{ParticipantsOf, ReferralOf, StatusHistoryOf};
use crate::graphql::objects::child::Child;
use crate::graphql::objects::directory::{Organization, Professional};
use crate::graphql::objects::participant::Participant;
use crate::graphql::objects::plan::{Agreement, CaseEvent, PlanVersion};
use crate::graphql::objects::plan_link::PlanLink;
use crate::graphql::read::{read, read_case, read_shared, required_access};
use crate::graphql::scalars::DateTime;
use kit_entity::access::ChildData;
use kit_entity::access::{CaseAccess, Sharing};
use kit_entity::ops::{plan_links, plans};

/// GraphQL `Case` over `case::Model`, described on its `#[Object]` impl.
pub struct Case(pub case::Model);

/// A case: one child's coordinated pathway across sectors, from referral to closing.
#[Object]
impl Case {
    /// Global id of the case: opaque, stable, and accepted by `node(id:)`.
    pub async fn id(&self) -> ID {
        self.0.id.to_global()
    }

    /// The human case reference (`KIT-2026-000042`). E-mails and calendar invitations carry
    /// this instead of the child's name.
    async fn reference(&self) -> &str {
        &self.0.reference
    }

    /// Where the pathway is.
    async fn status(&self) -> CaseStatus {
        self.0.status.into()
    }

    /// Where the case was redirected to, when its status is REDIRECTED.
    async fn redirected_to(&self) -> Option<&str> {
        self.0.redirected_to.as_deref()
    }

    /// The child or young person the pathway is for; null when the child's data is withheld
    /// from you (`viewerAccess.childData` WITHHELD).
    async fn child(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Child>> {
        let Some(access) = read_shared(ctx, &self.0, ChildData::Child).await.gql()? else {
            return Ok(None);
        };
        let model: child::Model = load_required(ctx, self.0.child_id).await.gql()?;
        Ok(Some(Child {
            model,
            reveal_cpr: access.is_responsible_contact(),
            seen_through: vec![access],
        }))
    }

    /// The municipality whose single entry point received the case.
    async fn municipality(&self, ctx: &Context<'_>) -> async_graphql::Result<Organization> {
        load_required(ctx, self.0.municipality_id)
            .await
            .map(Organization)
            .gql()
    }

    /// The referral that opened the case; null when the child's data is withheld from you
    /// (`viewerAccess.childData` WITHHELD).
    async fn referral(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Referral>> {
        if read_shared(ctx, &self.0, ChildData::Referral)
            .await
            .gql()?
            .is_none()
        {
            return Ok(None);
        }
        Ok(load(ctx, ReferralOf(self.0.id)).await.gql()?.map(Referral))
    }

    /// The people taking part, oldest first. Ended participations are included only when
    /// asked for; they are the case's history of who took part when. Without the child's data
    /// shared with you (`viewerAccess.childData`), only your own participations.
    async fn participants(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "Include participations that have ended. Default false.",
            default
        )]
        include_ended: bool,
    ) -> async_graphql::Result<Vec<Participant>> {
        let access = read(ctx, &self.0, ChildData::Participants).await.gql()?;
        Ok(load(ctx, ParticipantsOf(self.0.id))
            .await
            .gql()?
            .unwrap_or_default()
            .into_iter()
            .filter(|p| (include_ended || p.is_active()) && access.sees_participation(p))
            .map(Participant)
            .collect())
    }

    /// The active responsible contacts: at most one per sector. Without the child's data
    /// shared with you, only yourself if you are one.
    async fn responsible_contacts(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<Participant>> {
        let access = read(ctx, &self.0, ChildData::Participants).await.gql()?;
        Ok(load(ctx, ParticipantsOf(self.0.id))
            .await
            .gql()?
            .unwrap_or_default()
            .into_iter()
            .filter(|p| p.is_active_responsible_contact() && access.sees_participation(p))
            .map(Participant)
            .collect())
    }

    /// Every status change, oldest first: who, when and why. Null when the child's data is
    /// not shared with you (`viewerAccess.childData` REFERRER or WITHHELD).
    async fn status_history(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<Vec<CaseStatusChange>>> {
        if withheld(ctx, &self.0, ChildData::History).await? {
            return Ok(None);
        }
        Ok(Some(
            load(ctx, StatusHistoryOf(self.0.id))
                .await
                .gql()?
                .unwrap_or_default()
                .into_iter()
                .map(CaseStatusChange)
                .collect(),
        ))
    }

    /// A page of the case's meetings, filtered and sorted as the `meetings` list (default: by
    /// start time, earliest first). Without the child's data shared with you, only those you
    /// are invited to.
    async fn meetings_connection(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which of its meetings to list.")] filter: Option<
            crate::graphql::objects::meeting::MeetingFilter,
        >,
        #[graphql(desc = "How to sort them. Default: by start time, earliest first.")]
        order_by: Option<crate::graphql::objects::meeting::MeetingOrder>,
        #[graphql(desc = "How many to return: default 20, at most 100.")] first: Option<i32>,
        #[graphql(desc = "Return the meetings after this cursor.")] after: Option<String>,
    ) -> async_graphql::Result<crate::graphql::objects::meeting::MeetingConnection> {
        read(ctx, &self.0, ChildData::Meetings).await.gql()?;
        crate::graphql::objects::meeting::case_page(ctx, self.0.id, filter, order_by, first, after)
            .await
            .gql()
    }

    /// The case's meetings, in the order they were requested. Without the child's data
    /// shared with you, only those you are invited to.
    #[graphql(deprecation = "Use `meetingsConnection`: it pages and filters.")]
    async fn meetings(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<crate::graphql::objects::meeting::Meeting>> {
        let access = read(ctx, &self.0, ChildData::Meetings).await.gql()?;
        crate::graphql::objects::meeting::of_case(ctx, self.0.id, &access)
            .await
            .gql()
    }

    /// The case's deadlines, earliest due first. Without the child's data shared with you,
    /// only those you answer for.
    async fn deadlines(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only these statuses. Default: all.")] status: Option<
            Vec<crate::graphql::enums::DeadlineStatus>,
        >,
    ) -> async_graphql::Result<Vec<crate::graphql::objects::deadline::Deadline>> {
        let access = read(ctx, &self.0, ChildData::Deadlines).await.gql()?;
        Ok(
            crate::graphql::objects::deadline::of_case(ctx, self.0.id, status)
                .await
                .gql()?
                .into_iter()
                .filter(|d| access.sees_deadline(d.0.responsible_id))
                .collect(),
        )
    }

    /// The next meeting you see of the case: the earliest SCHEDULED one that has not ended.
    /// For a caseload row; a page of cases reads their meetings in one statement.
    async fn next_meeting(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<crate::graphql::objects::meeting::Meeting>> {
        let access = read(ctx, &self.0, ChildData::Meetings).await.gql()?;
        let now = ctx.state().clock.now();
        Ok(
            crate::graphql::objects::meeting::of_case(ctx, self.0.id, &access)
                .await
                .gql()?
                .into_iter()
                .filter(|m| {
                    m.0.status == kit_entity::domain::enums::MeetingStatus::Scheduled
                        && m.0.ends_at.is_some_and(|end| end > now)
                })
                .min_by_key(|m| (m.0.starts_at, m.0.id)),
        )
    }

    /// The next deadline you see of the case: the PENDING one due first. For a caseload row;
    /// a page of cases reads their deadlines in one statement.
    async fn next_deadline(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<crate::graphql::objects::deadline::Deadline>> {
        let access = read(ctx, &self.0, ChildData::Deadlines).await.gql()?;
        Ok(crate::graphql::objects::deadline::of_case(
            ctx,
            self.0.id,
            Some(vec![crate::graphql::enums::DeadlineStatus::Pending]),
        )
        .await
        .gql()?
        .into_iter()
        .find(|d| access.sees_deadline(d.0.responsible_id)))
    }

    /// How many of the deadlines you see of the case are overdue: due and not met (MISSED).
    async fn overdue_deadline_count(&self, ctx: &Context<'_>) -> async_graphql::Result<i32> {
        let access = read(ctx, &self.0, ChildData::Deadlines).await.gql()?;
        let missed = crate::graphql::objects::deadline::of_case(
            ctx,
            self.0.id,
            Some(vec![crate::graphql::enums::DeadlineStatus::Missed]),
        )
        .await
        .gql()?
        .into_iter()
        .filter(|d| access.sees_deadline(d.0.responsible_id))
        .count();
        Ok(i32::try_from(missed).unwrap_or(i32::MAX))
    }

    /// The case's places on early interventions' waiting lists, newest first: where it
    /// stands, when it can expect to start, the seats offered and the answers. Null when the
    /// child's data is not shared with you (REFERRER or WITHHELD).
    async fn waiting_list_entries(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<Vec<crate::graphql::objects::catalogue::WaitingListEntry>>>
    {
        if withheld(ctx, &self.0, ChildData::EarlyInterventions).await? {
            return Ok(None);
        }
        crate::graphql::objects::catalogue::WaitingListEntry::of_case(ctx, self.0.id)
            .await
            .map(Some)
            .gql()
    }

    /// The agreements of the case's cross-sector plan, by due date. Null when the child's
    /// data is not shared with you (REFERRER or WITHHELD).
    async fn agreements(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Vec<Agreement>>> {
        if withheld(ctx, &self.0, ChildData::Plan).await? {
            return Ok(None);
        }
        let rows = plans::agreements_of(&ctx.state().db, self.0.id)
            .await
            .gql()?;
        Ok(Some(rows.into_iter().map(Agreement).collect()))
    }

    /// The child's discharges from child psychiatry in this case, oldest first: planned, past
    /// and called off, each with its hand-back meeting and the municipality's agreements for
    /// after it. Null when the child's data is not shared with you (REFERRER or WITHHELD).
    async fn discharges(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<Vec<crate::graphql::objects::discharge::Discharge>>> {
        if withheld(ctx, &self.0, ChildData::Plan).await? {
            return Ok(None);
        }
        let rows = kit_entity::ops::discharges::of_case(&ctx.state().db, self.0.id)
            .await
            .gql()?;
        Ok(Some(
            rows.into_iter()
                .map(crate::graphql::objects::discharge::Discharge)
                .collect(),
        ))
    }

    /// The consents given for the child of this case, newest first, withdrawn and expired
    /// ones included (see `Consent.active`).
    async fn consents(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<crate::graphql::objects::consent::Consent>> {
        read(ctx, &self.0, ChildData::Consents).await.gql()?;
        crate::graphql::objects::consent::consents_of(ctx, self.0.id)
            .await
            .gql()
    }

    /// The documents the sectors shared that you may read, oldest first: your own
    /// organization's, and those shared with it while a consent for INFORMATION_EXCHANGE
    /// covers both organizations.
    async fn documents(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<crate::graphql::objects::document::Document>> {
        crate::graphql::objects::document::of_case(ctx, self.0.id)
            .await
            .gql()
    }

    /// The current version of the cross-sector plan: the one the last held start, network,
    /// follow-up, closing or hand-back meeting wrote; null before the first, and when the child's data is
    /// not shared with you (REFERRER or WITHHELD).
    async fn plan(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<PlanVersion>> {
        if withheld(ctx, &self.0, ChildData::Plan).await? {
            return Ok(None);
        }
        let mut rows = plans::versions_of(&ctx.state().db, self.0.id).await.gql()?;
        Ok(rows.pop().map(PlanVersion))
    }

    /// Every version of the plan, oldest first: what was agreed when. Null when the child's
    /// data is not shared with you (REFERRER or WITHHELD).
    async fn plan_versions(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<Vec<PlanVersion>>> {
        if withheld(ctx, &self.0, ChildData::Plan).await? {
            return Ok(None);
        }
        let rows = plans::versions_of(&ctx.state().db, self.0.id).await.gql()?;
        Ok(Some(rows.into_iter().map(PlanVersion).collect()))
    }

    /// The personal links to the plan sent to the family, newest first, with every reading
    /// through them. Null when the child's data is not shared with you (REFERRER or
    /// WITHHELD).
    async fn plan_links(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Vec<PlanLink>>> {
        if withheld(ctx, &self.0, ChildData::Family).await? {
            return Ok(None);
        }
        let rows = plan_links::links_of(&ctx.state().db, self.0.id)
            .await
            .gql()?;
        Ok(Some(rows.into_iter().map(PlanLink).collect()))
    }

    /// The pathway events recorded on the case, oldest first. Null when the child's data is
    /// not shared with you (REFERRER or WITHHELD).
    async fn events(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Vec<CaseEvent>>> {
        if withheld(ctx, &self.0, ChildData::Plan).await? {
            return Ok(None);
        }
        let rows = plans::events_of(&ctx.state().db, self.0.id).await.gql()?;
        Ok(Some(rows.into_iter().map(CaseEvent).collect()))
    }

    /// Who read this case's data, what, when, on what basis and through which operation,
    /// newest first. For those who manage the case: the intake unit, a responsible contact,
    /// the intervention lead (`viewerAccess.canManage`); null for anyone else.
    async fn access_log(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size, 0–100. Default 20.")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last entry of the previous page.")] after: Option<String>,
    ) -> async_graphql::Result<Option<crate::graphql::objects::access_log::AccessLogConnection>>
    {
        crate::graphql::objects::access_log::of_case(ctx, &self.0, first, after)
            .await
            .gql()
    }

    /// What you may do with this case and why you may see it.
    async fn viewer_access(&self, ctx: &Context<'_>) -> async_graphql::Result<ViewerAccess> {
        required_access(ctx, &self.0).await.map(ViewerAccess).gql()
    }

    /// When the case was opened.
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }

    /// When the case, its participants or its child's record last changed.
    async fn updated_at(&self) -> DateTime {
        self.0.updated_at.into()
    }
}

/// True when `what` of `case` is withheld from the viewer (the field is then `null`); when it
/// is not, the read is noted for the access log.
async fn withheld(
    ctx: &Context<'_>,
    case: &case::Model,
    what: ChildData,
) -> async_graphql::Result<bool> {
    Ok(read_shared(ctx, case, what).await.gql()?.is_none())
}

/// GraphQL `ViewerAccess` over `CaseAccess`, described on its `#[Object]` impl.
pub struct ViewerAccess(pub CaseAccess);

/// Your access to a case.
#[Object]
impl ViewerAccess {
    /// Global id of your access to this case: opaque, stable, and accepted by `node(id:)`.
    /// Lets a normalized cache keep it across queries.
    pub async fn id(&self) -> ID {
        crate::graphql::ids::ViewerAccessId(self.0.case_id).to_global()
    }

    /// Why you may see the case.
    async fn basis(&self) -> AccessBasis {
        self.0.basis.into()
    }

    /// Your active roles in the case; empty when you see it as intake unit or leader.
    async fn roles(&self) -> Vec<ParticipantRole> {
        self.0.roles.iter().map(|r| (*r).into()).collect()
    }

    /// True when you may change the case (add people, assign contacts, close it): members of
    /// the intake unit, responsible contacts and the intervention lead.
    async fn can_manage(&self) -> bool {
        self.0.can_manage()
    }

    /// True when you may take intake decisions: members of the municipality's intake unit.
    async fn can_decide_intake(&self) -> bool {
        self.0.intake
    }

    /// True when you see the child's CPR number in full: the case's responsible contacts, with
    /// the child's data shared with them.
    async fn sees_full_cpr(&self) -> bool {
        self.0.is_responsible_contact()
    }

    /// Whether the child's data is shared with you, and so exactly which fields of the case
    /// are null for you: see `ChildDataSharing`. A withheld field is null without an error.
    async fn child_data(&self) -> ChildDataSharing {
        match self.0.sharing {
            Sharing::OwnOrganization => ChildDataSharing::OwnOrganization,
            Sharing::Consent(_) => ChildDataSharing::Consent,
            Sharing::Withheld if self.0.referrer => ChildDataSharing::Referrer,
            Sharing::Withheld => ChildDataSharing::Withheld,
        }
    }

    /// The consent under which the child's data is shared with you, when `childData` is
    /// CONSENT.
    async fn sharing_consent(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<crate::graphql::objects::consent::Consent>> {
        let Sharing::Consent(id) = self.0.sharing else {
            return Ok(None);
        };
        read_case(ctx, self.0.case_id, ChildData::Consents)
            .await
            .gql()?;
        Ok(
            crate::graphql::objects::consent::consents_of(ctx, self.0.case_id)
                .await
                .gql()?
                .into_iter()
                .find(|c| c.id_key() == id),
        )
    }
}

/// Whether a case's child data is shared with the viewer — and so which of the case's fields
/// are null for them. A withheld value is null without an error: a screen renders what it may
/// show and says why the rest is missing.
#[derive(async_graphql::Enum, Copy, Clone, Debug, Eq, PartialEq)]
pub enum ChildDataSharing {
    /// You work for the municipality that holds the case: nothing is withheld (the CPR number
    /// is masked unless you are a responsible contact, `sees_full_cpr`).
    OwnOrganization,
    /// An active consent for COORDINATION covers your organization and the case's
    /// municipality (see `ViewerAccess.sharingConsent`): nothing is withheld.
    Consent,
    /// No consent covers your organization, but you referred the case: `child` (name, date
    /// of birth, masked CPR number) and `referral` are shown; `child.familyMembers`,
    /// `statusHistory`, `agreements`, `plan`, `planVersions`, `planLinks`, `events` and
    /// `waitingListEntries` are null; `participants`, `meetings` and `deadlines` hold your
    /// own only; a family member's or the child's `Participant.name` is null.
    Referrer,
    /// No consent covers your organization: the child's data stays with the municipality.
    /// `child`, `referral`, `statusHistory`, `agreements`, `plan`, `planVersions`,
    /// `planLinks`, `events` and `waitingListEntries` are null; `participants`, `meetings`
    /// and `deadlines` hold your own only (the meetings you are invited to, without their
    /// `deliveries` and `minutes`, which are null); a family member's or the child's
    /// `Participant.name` is null; consents are listed without who gave them
    /// (`Consent.givenBy` null).
    Withheld,
}

/// GraphQL `Referral` over `referral::Model`, described on its `#[Object]` impl.
pub struct Referral(pub referral::Model);

/// How a case entered the municipality's single entry point.
#[Object]
impl Referral {
    /// Global id of the referral: opaque, stable, and accepted by `node(id:)`.
    pub async fn id(&self) -> ID {
        self.0.id.to_global()
    }

    /// Where it came from.
    async fn source(&self) -> ReferralSource {
        self.0.source.into()
    }

    /// When the entry point received it.
    async fn received_at(&self) -> DateTime {
        self.0.received_at.into()
    }

    /// The reason for referral, as the referrer wrote it.
    async fn reason(&self) -> &str {
        &self.0.reason
    }

    /// The referring person, if named.
    async fn referrer_name(&self) -> Option<&str> {
        self.0.referrer_name.as_deref()
    }

    /// The referring organization, if named.
    async fn referrer_organization(&self) -> Option<&str> {
        self.0.referrer_organization.as_deref()
    }

    /// The professional who registered it.
    async fn submitted_by(&self, ctx: &Context<'_>) -> async_graphql::Result<Professional> {
        load_required(ctx, self.0.submitted_by_id)
            .await
            .map(Professional)
            .gql()
    }

    /// For the municipality's intake unit only (null for everyone else): the CPR number the
    /// referral gave is registered for a child already known. The referral's child is then a
    /// record of its own holding what the referrer sent — nobody but the intake unit learns
    /// that the number is known — until the intake unit decides (`decideChildMatch`).
    async fn child_match(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<ChildMatch>> {
        if self.0.match_child_id.is_none() {
            return Ok(None);
        }
        let access = read_case(ctx, self.0.case_id, ChildData::Referral)
            .await
            .gql()?;
        Ok(access.intake.then(|| ChildMatch(self.0.clone())))
    }
}

/// GraphQL `ChildMatch` over `referral::Model`, described on its `#[Object]` impl.
pub struct ChildMatch(referral::Model);

/// A referral's CPR number registered for a child already known: whether what the referrer
/// gave agrees with the known record, and the intake unit's decision.
#[Object]
impl ChildMatch {
    /// True when the name the referrer gave differs from the known child's (letters and
    /// spaces compared without case).
    async fn name_differs(&self) -> bool {
        self.0.match_name_differs.unwrap_or(false)
    }

    /// True when the date of birth the referrer gave differs from the known child's.
    async fn date_of_birth_differs(&self) -> bool {
        self.0.match_birth_date_differs.unwrap_or(false)
    }

    /// The decision; null while it is open (the case cannot be accepted before).
    async fn decision(&self) -> Option<crate::graphql::enums::ChildMatchDecision> {
        self.0.match_decision.map(Into::into)
    }

    /// When it was decided.
    async fn decided_at(&self) -> Option<DateTime> {
        self.0.match_decided_at.map(Into::into)
    }

    /// Who decided.
    async fn decided_by(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Professional>> {
        match self.0.match_decided_by_id {
            Some(id) => Ok(load(ctx, id).await.gql()?.map(Professional)),
            None => Ok(None),
        }
    }
}

/// GraphQL `CaseStatusChange` over `case_status_change::Model`, described on its `#[Object]` impl.
pub struct CaseStatusChange(pub case_status_change::Model);

/// One change of a case's status.
#[Object]
impl CaseStatusChange {
    /// Global id of the case status change: opaque, stable, and accepted by `node(id:)`.
    pub async fn id(&self) -> ID {
        self.0.id.to_global()
    }

    /// The status before; null for the entry that opened the case.
    async fn from_status(&self) -> Option<CaseStatus> {
        self.0.from_status.map(Into::into)
    }

    /// The status after.
    async fn to_status(&self) -> CaseStatus {
        self.0.to_status.into()
    }

    /// Why.
    async fn reason(&self) -> &str {
        &self.0.reason
    }

    /// Who made the change.
    async fn changed_by(&self, ctx: &Context<'_>) -> async_graphql::Result<Professional> {
        load_required(ctx, self.0.changed_by_id)
            .await
            .map(Professional)
            .gql()
    }

    /// When.
    async fn changed_at(&self) -> DateTime {
        self.0.changed_at.into()
    }
}
