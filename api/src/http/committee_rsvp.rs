//! A committee member's answer links: `GET /rsvp/committee/{token}?answer=…` shows the
//! meeting (its time, place and how many referrals, never a case) and asks to confirm;
//! `POST /rsvp/committee/{token}` records the answer. A link answers the version of the
//! meeting it was sent with: once an update has been written for the member, the older link
//! answers nothing.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use kit_entity::content::texts::escape_html as escape;
use kit_entity::content::texts::when;
use kit_entity::domain::enums::{CommitteeMeetingStatus, ItipMethod, Language, MeetingKind};
use kit_entity::entities::{
    committee_agenda_item, committee_meeting, committee_member, delivery, professional,
};
use kit_entity::ops::outbox::About;
use kit_entity::{Error, Result};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};

use super::public::{AnswerForm, answered_page, ask_page, refusal};
use crate::db::begin_write;
use crate::state::AppState;

struct Member {
    member: committee_member::Model,
    meeting: committee_meeting::Model,
    referrals: u64,
    language: Language,
}

/// Checks a member's answer token and that the meeting can still be answered.
async fn member(state: &AppState, token: &str) -> Result<Member> {
    let claims = state
        .links
        .verify_committee_answer(token, state.clock.now())?;
    let db = &state.db;
    let person_gone = || Error::forbidden("this answer link is not valid");
    let Some(member) = committee_member::Entity::find_by_id(claims.member)
        .one(db)
        .await?
    else {
        return Err(Error::conflict(
            "Du sidder ikke længere i dette møde. / You no longer sit on this meeting.",
        ));
    };
    let meeting = committee_meeting::Entity::find_by_id(member.committee_meeting_id)
        .one(db)
        .await?
        .ok_or_else(person_gone)?;
    let person = professional::Entity::find_by_id(member.professional_id)
        .one(db)
        .await?
        .ok_or_else(person_gone)?;
    let language = person.language;
    let newest = delivery::Entity::find()
        .filter(About::Committee(meeting.id).rows())
        .filter(delivery::Column::Method.eq(ItipMethod::Request))
        .filter(delivery::Column::Recipient.eq(&person.email))
        .order_by_desc(delivery::Column::Sequence)
        .one(db)
        .await?
        .map_or(claims.seq, |d| d.sequence);
    let (stale, over) = match language {
        Language::Da => (
            "Mødet er ændret siden denne invitation. Brug linket i den nyeste invitation.",
            "Mødet er aflyst eller allerede holdt.",
        ),
        Language::En => (
            "The meeting has changed since this invitation. Use the link in the newest invitation.",
            "The meeting is cancelled or has already taken place.",
        ),
    };
    if meeting.status == CommitteeMeetingStatus::Cancelled || meeting.ends_at <= state.clock.now() {
        return Err(Error::conflict(over));
    }
    if newest > claims.seq {
        return Err(Error::conflict(stale));
    }
    let referrals = committee_agenda_item::Entity::find()
        .filter(committee_agenda_item::Column::CommitteeMeetingId.eq(meeting.id))
        .count(db)
        .await?;
    Ok(Member {
        member,
        meeting,
        referrals,
        language,
    })
}

fn summary(m: &Member) -> String {
    let l = m.language;
    let referrals = match l {
        Language::Da => format!("{} henvisninger til beslutning", m.referrals),
        Language::En => format!("{} referrals to decide on", m.referrals),
    };
    let mut lines = vec![
        format!(
            "<p><strong>{}</strong></p>",
            escape(MeetingKind::Coordination.name(l))
        ),
        format!(
            "<p>{}</p>",
            escape(&when(m.meeting.starts_at, m.meeting.ends_at, l))
        ),
    ];
    if let Some(location) = &m.meeting.location {
        lines.push(format!("<p>{}</p>", escape(location)));
    }
    lines.push(format!("<p>{}</p>", escape(&referrals)));
    lines.join("")
}

/// `GET /rsvp/committee/{token}`: shows the meeting and asks to confirm the answer.
pub async fn show(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Query(form): Query<AnswerForm>,
) -> Response {
    let m = match member(&state, &token).await {
        Ok(m) => m,
        Err(e) => return refusal(Language::Da, &e),
    };
    ask_page(
        m.language,
        &summary(&m),
        &format!("/rsvp/committee/{token}"),
        form.answer,
    )
}

/// `POST /rsvp/committee/{token}`: records the answer and confirms it.
pub async fn record(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Form(form): Form<AnswerForm>,
) -> Response {
    let m = match member(&state, &token).await {
        Ok(m) => m,
        Err(e) => return refusal(Language::Da, &e),
    };
    let l = m.language;
    let Some(answer) = form.answer else {
        return show(State(state), Path(token), Query(form)).await;
    };
    let result = async {
        let txn = begin_write(&state.db).await?;
        let updated = kit_entity::ops::committee_changes::respond_as_member(
            &txn,
            state.clock.now(),
            m.member.id,
            answer.response(),
        )
        .await?;
        txn.commit().await?;
        Ok::<_, Error>(updated)
    }
    .await;
    match result {
        Ok(_) => answered_page(l, answer, &summary(&m)),
        Err(e) => refusal(l, &e),
    }
}
