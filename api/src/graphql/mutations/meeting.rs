//! Requesting, scheduling, moving and cancelling meetings; invitees, answers; busy periods
//! and calendar feeds. The agenda and the minutes are in `super::agenda`.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, SimpleObject};
use kit_entity::domain::validate;
use kit_entity::ids::{BusyPeriodId, CalendarFeedId, CaseId, InviteeId, MeetingId, ParticipantId};
use kit_entity::{Error, Result};

use crate::graphql::context::{ContextExt, load_required};
use crate::graphql::enums::{InviteeResponse, MeetingKind};
use crate::graphql::errors::IntoGraphql;
use crate::graphql::ids::{decode, decode_opt};
use crate::graphql::mutations::{Write, maybe};
use crate::graphql::objects::{
    BusyPeriod, CalendarFeed, InviteeRequirement, Meeting, MeetingInvitee,
};
use crate::graphql::scalars::DateTime;
use kit_entity::ops::meetings::commands::{
    self as meetings, DURATION_MINUTES, RequestMeeting, Timing,
};

/// Someone to invite.
#[derive(InputObject)]
pub struct InviteeInput {
    /// An active participant of the case.
    pub participant_id: ID,
    /// REQUIRED (the default) or OPTIONAL.
    #[graphql(default_with = "InviteeRequirement::Required")]
    pub requirement: InviteeRequirement,
}

/// Asks the worker to schedule a meeting.
#[derive(InputObject)]
pub struct RequestMeetingInput {
    /// The case the meeting is for.
    pub case_id: ID,
    /// The kind of meeting.
    pub kind: MeetingKind,
    /// Who to invite.
    pub invitees: Vec<InviteeInput>,
    /// Length, 15–480 minutes.
    pub duration_minutes: i32,
    /// The earliest start. Default: as soon as the minimum notice allows.
    pub earliest: Option<DateTime>,
    /// The latest end.
    pub latest: DateTime,
    /// The organizing responsible contact (a participant). Default: your own responsible
    /// contact participation, else the case's municipal responsible contact.
    pub organizer_id: Option<ID>,
    /// Where. Sent in invitations: must not name the child.
    pub location: Option<String>,
    /// A video link. Sent in invitations.
    pub video_url: Option<String>,
}

/// A meeting changed.
#[derive(SimpleObject)]
pub struct MeetingPayload {
    /// The meeting as it is now.
    pub meeting: Meeting,
}

/// Moves a SCHEDULED meeting (time and/or place).
#[derive(InputObject)]
pub struct RescheduleMeetingInput {
    /// The SCHEDULED meeting to move.
    pub meeting_id: ID,
    /// Its new start.
    pub starts_at: DateTime,
    /// Its new end. Default: the new start plus the meeting's duration.
    pub ends_at: Option<DateTime>,
    /// A new place; null removes it, omitted keeps it.
    pub location: MaybeUndefined<String>,
    /// A new video link; null removes it, omitted keeps it.
    pub video_url: MaybeUndefined<String>,
}

/// Sets the time of a PLANNED meeting yourself.
#[derive(InputObject)]
pub struct ScheduleMeetingInput {
    /// The meeting to give a time.
    pub meeting_id: ID,
    /// Start.
    pub starts_at: DateTime,
    /// End. Default: start plus the meeting's duration.
    pub ends_at: Option<DateTime>,
    /// A new place; null removes it, omitted keeps it.
    pub location: MaybeUndefined<String>,
    /// A new video link; null removes it, omitted keeps it.
    pub video_url: MaybeUndefined<String>,
}

/// Cancels a meeting.
#[derive(InputObject)]
pub struct CancelMeetingInput {
    /// The meeting to call off.
    pub meeting_id: ID,
    /// Why, 1–4000 characters; kept with the meeting (not sent out).
    pub reason: String,
}

/// Invites another participant.
#[derive(InputObject)]
pub struct AddMeetingInviteeInput {
    /// The meeting to invite them to.
    pub meeting_id: ID,
    /// An active participant of the case.
    pub participant_id: ID,
    /// REQUIRED (the default) or OPTIONAL.
    #[graphql(default_with = "InviteeRequirement::Required")]
    pub requirement: InviteeRequirement,
}

/// The new invitation.
#[derive(SimpleObject)]
pub struct MeetingInviteePayload {
    /// The invitation.
    pub invitee: MeetingInvitee,
    /// The meeting after the change, with its new sequence number.
    pub meeting: Meeting,
}

/// Removes an invitee; if they were invited, they get a cancellation.
#[derive(InputObject)]
pub struct RemoveMeetingInviteeInput {
    /// The invitation.
    pub invitee_id: ID,
}

/// Answers an invitation as yourself.
#[derive(InputObject)]
pub struct RespondToInvitationInput {
    /// The meeting you are invited to.
    pub meeting_id: ID,
    /// Your answer.
    pub response: InviteeResponse,
}

/// Registers a period you are busy.
#[derive(InputObject)]
pub struct AddBusyPeriodInput {
    /// Start.
    pub starts_at: DateTime,
    /// End.
    pub ends_at: DateTime,
    /// A private note.
    pub note: Option<String>,
}

/// The result of `addBusyPeriod`.
#[derive(SimpleObject)]
pub struct BusyPeriodPayload {
    /// The busy period as recorded.
    pub busy_period: BusyPeriod,
}

/// Removes one of your busy periods.
#[derive(InputObject)]
pub struct RemoveBusyPeriodInput {
    /// The busy period to remove; it must be yours.
    pub busy_period_id: ID,
}

/// The removed busy period.
#[derive(SimpleObject)]
pub struct RemoveBusyPeriodPayload {
    /// The id the removed busy period had, so a client can drop it from its cache.
    pub removed_busy_period_id: ID,
}

/// Creates a personal calendar feed.
#[derive(InputObject)]
pub struct CreateCalendarFeedInput {
    /// A participant who is not a professional (a parent, the young person, an external
    /// actor), for whom someone managing the case creates the feed. Omit for your own feed.
    pub participant_id: Option<ID>,
}

/// The new feed.
#[derive(SimpleObject)]
pub struct CreateCalendarFeedPayload {
    /// The URL to subscribe to in Outlook, Google or Apple Calendar. Shown only now.
    pub url: String,
    /// The new feed. Its URL is in `url` here and never again.
    pub feed: CalendarFeed,
}

/// Revokes a calendar feed.
#[derive(InputObject)]
pub struct RevokeCalendarFeedInput {
    /// The feed to revoke; it must be yours.
    pub feed_id: ID,
}

/// The revoked feed.
#[derive(SimpleObject)]
pub struct RevokeCalendarFeedPayload {
    /// The revoked feed; its URL no longer answers.
    pub feed: CalendarFeed,
}

fn place_text(
    field: &str,
    value: MaybeUndefined<String>,
    check: fn(&str, &str) -> Result<String>,
) -> Result<Option<Option<String>>> {
    maybe(value, |v| check(field, &v))
}

fn video(field: &str, value: &str) -> Result<String> {
    let url = validate::short_text(field, value)?;
    if url.starts_with("https://") || url.starts_with("http://") {
        Ok(url)
    } else {
        Err(Error::invalid(field, "must be an http(s) link"))
    }
}

/// Meeting mutations.
#[derive(Default)]
pub struct MeetingMutation;

#[Object]
impl MeetingMutation {
    /// Asks the worker to find the earliest time every required invitee can meet — on a
    /// working day, in office hours, after the minimum notice, before `latest` — and to invite
    /// everyone. The meeting is PLANNED until then; if no time exists, `schedulingNote` says
    /// why. The intake unit, a responsible contact or the intervention lead.
    async fn request_meeting(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make; see `RequestMeetingInput`.")]
        input: RequestMeetingInput,
    ) -> async_graphql::Result<MeetingPayload> {
        let cmd = (|| -> Result<RequestMeeting> {
            let case_id: CaseId = decode("input.caseId", &input.case_id)?;
            if !DURATION_MINUTES.contains(&input.duration_minutes) {
                return Err(Error::invalid(
                    "input.durationMinutes",
                    "must be between 15 and 480 minutes",
                ));
            }
            let invitees = input
                .invitees
                .iter()
                .enumerate()
                .map(|(i, inv)| {
                    decode::<ParticipantId>(
                        &format!("input.invitees.{i}.participantId"),
                        &inv.participant_id,
                    )
                    .map(|id| (id, inv.requirement.is_required()))
                })
                .collect::<Result<Vec<_>>>()?;
            Ok(RequestMeeting {
                case_id,
                kind: input.kind.into(),
                invitees,
                duration_minutes: input.duration_minutes,
                earliest: input.earliest.map(|d| d.0),
                latest: input.latest.0,
                organizer: decode_opt("input.organizerId", input.organizer_id.as_ref())?,
                location: validate::optional(
                    "input.location",
                    input.location.as_deref(),
                    validate::short_text,
                )?,
                video_url: validate::optional("input.videoUrl", input.video_url.as_deref(), video)?,
            })
        })()
        .gql()?;
        let w = Write::begin(ctx).await.gql()?;
        let r = meetings::request(&w.txn, w.actor, w.now, cmd).await;
        Ok(MeetingPayload {
            meeting: Meeting(w.finish(r).await.gql()?),
        })
    }

    /// Sets the time of a PLANNED meeting yourself and invites everyone.
    async fn schedule_meeting(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make; see `ScheduleMeetingInput`.")]
        input: ScheduleMeetingInput,
    ) -> async_graphql::Result<MeetingPayload> {
        schedule(ctx, input, false).await
    }

    /// Moves a SCHEDULED meeting (time and/or place). Invitees get an update with the next
    /// SEQUENCE. The new time may lie in the past: a meeting held earlier than planned is
    /// moved to when it took place, then recorded held.
    async fn reschedule_meeting(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make; see `RescheduleMeetingInput`.")]
        input: RescheduleMeetingInput,
    ) -> async_graphql::Result<MeetingPayload> {
        let RescheduleMeetingInput {
            meeting_id,
            starts_at,
            ends_at,
            location,
            video_url,
        } = input;
        let input = ScheduleMeetingInput {
            meeting_id,
            starts_at,
            ends_at,
            location,
            video_url,
        };
        schedule(ctx, input, true).await
    }

    /// Cancels a meeting. Invitees who were invited get a cancellation.
    async fn cancel_meeting(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make; see `CancelMeetingInput`.")]
        input: CancelMeetingInput,
    ) -> async_graphql::Result<MeetingPayload> {
        let id: MeetingId = decode("input.meetingId", &input.meeting_id).gql()?;
        let reason = validate::long_text("input.reason", &input.reason).gql()?;
        let w = Write::begin(ctx).await.gql()?;
        let r = meetings::cancel(&w.txn, w.actor, w.now, id, reason).await;
        Ok(MeetingPayload {
            meeting: Meeting(w.finish(r).await.gql()?),
        })
    }

    /// Invites another participant of the case. If invitations have gone out, they get one
    /// too.
    async fn add_meeting_invitee(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make; see `AddMeetingInviteeInput`.")]
        input: AddMeetingInviteeInput,
    ) -> async_graphql::Result<MeetingInviteePayload> {
        let id: MeetingId = decode("input.meetingId", &input.meeting_id).gql()?;
        let participant: ParticipantId =
            decode("input.participantId", &input.participant_id).gql()?;
        let w = Write::begin(ctx).await.gql()?;
        let r = meetings::add_invitee(
            &w.txn,
            w.actor,
            w.now,
            id,
            participant,
            input.requirement.is_required(),
        )
        .await;
        let invitee = w.finish(r).await.gql()?;
        let meeting = load_required(ctx, invitee.meeting_id).await.gql()?;
        Ok(MeetingInviteePayload {
            invitee: MeetingInvitee(invitee),
            meeting: Meeting(meeting),
        })
    }

    /// Removes an invitee. If they were invited, they get a cancellation with the next
    /// SEQUENCE.
    async fn remove_meeting_invitee(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make; see `RemoveMeetingInviteeInput`.")]
        input: RemoveMeetingInviteeInput,
    ) -> async_graphql::Result<MeetingInviteePayload> {
        let id: InviteeId = decode("input.inviteeId", &input.invitee_id).gql()?;
        let w = Write::begin(ctx).await.gql()?;
        let r = meetings::remove_invitee(&w.txn, w.actor, w.now, id).await;
        let (meeting, invitee) = w.finish(r).await.gql()?;
        Ok(MeetingInviteePayload {
            invitee: MeetingInvitee(invitee),
            meeting: Meeting(meeting),
        })
    }

    /// Answers an invitation you received, as the answer links in the e-mail do.
    async fn respond_to_invitation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make; see `RespondToInvitationInput`.")]
        input: RespondToInvitationInput,
    ) -> async_graphql::Result<MeetingInviteePayload> {
        let id: MeetingId = decode("input.meetingId", &input.meeting_id).gql()?;
        let w = Write::begin(ctx).await.gql()?;
        let r = meetings::respond(&w.txn, w.actor, w.now, id, input.response.into()).await;
        let invitee = w.finish(r).await.gql()?;
        let meeting = load_required(ctx, invitee.meeting_id).await.gql()?;
        Ok(MeetingInviteePayload {
            invitee: MeetingInvitee(invitee),
            meeting: Meeting(meeting),
        })
    }

    /// Registers a period you are busy; the scheduler avoids it.
    async fn add_busy_period(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make; see `AddBusyPeriodInput`.")]
        input: AddBusyPeriodInput,
    ) -> async_graphql::Result<BusyPeriodPayload> {
        let note =
            validate::optional("input.note", input.note.as_deref(), validate::short_text).gql()?;
        let w = Write::begin(ctx).await.gql()?;
        let r = meetings::add_busy_period(
            &w.txn,
            w.actor,
            w.now,
            input.starts_at.0,
            input.ends_at.0,
            note,
        )
        .await;
        Ok(BusyPeriodPayload {
            busy_period: BusyPeriod(w.finish(r).await.gql()?),
        })
    }

    /// Removes one of your busy periods.
    async fn remove_busy_period(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make; see `RemoveBusyPeriodInput`.")]
        input: RemoveBusyPeriodInput,
    ) -> async_graphql::Result<RemoveBusyPeriodPayload> {
        let id: BusyPeriodId = decode("input.busyPeriodId", &input.busy_period_id).gql()?;
        let w = Write::begin(ctx).await.gql()?;
        let r = meetings::remove_busy_period(&w.txn, w.actor, id).await;
        w.finish(r).await.gql()?;
        Ok(RemoveBusyPeriodPayload {
            removed_busy_period_id: input.busy_period_id,
        })
    }

    /// Creates a personal, read-only calendar feed (`.ics`) that Outlook, Google and Apple
    /// Calendar can subscribe to: yours, or a parent's or young person's if you manage their
    /// case. The URL is shown only now; revoke the feed to stop it.
    async fn create_calendar_feed(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make; see `CreateCalendarFeedInput`.")]
        input: CreateCalendarFeedInput,
    ) -> async_graphql::Result<CreateCalendarFeedPayload> {
        let participant = decode_opt("input.participantId", input.participant_id.as_ref()).gql()?;
        let w = Write::begin(ctx).await.gql()?;
        let r = meetings::create_feed(&w.txn, w.actor, w.now, participant).await;
        let (feed, token) = w.finish(r).await.gql()?;
        Ok(CreateCalendarFeedPayload {
            url: ctx.state().links.feed_url(&token),
            feed: CalendarFeed(feed),
        })
    }

    /// Revokes a calendar feed: its URL stops working at once.
    async fn revoke_calendar_feed(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The change to make; see `RevokeCalendarFeedInput`.")]
        input: RevokeCalendarFeedInput,
    ) -> async_graphql::Result<RevokeCalendarFeedPayload> {
        let id: CalendarFeedId = decode("input.feedId", &input.feed_id).gql()?;
        let w = Write::begin(ctx).await.gql()?;
        let r = meetings::revoke_feed(&w.txn, w.actor, w.now, id).await;
        Ok(RevokeCalendarFeedPayload {
            feed: CalendarFeed(w.finish(r).await.gql()?),
        })
    }
}

async fn schedule(
    ctx: &Context<'_>,
    input: ScheduleMeetingInput,
    reschedule: bool,
) -> async_graphql::Result<MeetingPayload> {
    let id: MeetingId = decode("input.meetingId", &input.meeting_id).gql()?;
    let location = place_text("input.location", input.location, validate::short_text).gql()?;
    let video_url = place_text("input.videoUrl", input.video_url, video).gql()?;
    let timing = Timing {
        starts_at: input.starts_at.0,
        ends_at: input.ends_at.map(|e| e.0),
        location,
        video_url,
    };
    let w = Write::begin(ctx).await.gql()?;
    let r = meetings::schedule(&w.txn, w.actor, w.now, id, timing, reschedule).await;
    Ok(MeetingPayload {
        meeting: Meeting(w.finish(r).await.gql()?),
    })
}
