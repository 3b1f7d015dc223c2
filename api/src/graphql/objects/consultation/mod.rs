//! Consultation ("sparring") without a case: offers with recurring weekly slots, bookings
//! about a concern that does not identify the child, and the offering organization's monthly
//! statistics per topic.

mod nodes;

pub use nodes::*;

use std::collections::BTreeMap;

use async_graphql::{Context, Enum, ID, Object, SimpleObject};
use chrono::{Datelike, TimeDelta};
use kit_entity::Error;
use kit_entity::domain::calendar::{calendar_of, clock_time, local_date, start_of_day};
use kit_entity::domain::consultation::Weekdays;
use kit_entity::domain::enums;
use kit_entity::entities::{consultation_booking, consultation_offer};

use crate::graphql::context::{ContextExt, load_required};
use crate::graphql::errors::IntoGraphql;
use crate::graphql::ids::NodeId;
use crate::graphql::objects::directory::{Organization, Professional};
use crate::graphql::scalars::{Date, DateTime};
use kit_entity::ops::consultations;

/// How a consultation is held.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "enums::ConsultationChannel")]
pub enum ConsultationChannel {
    /// By telephone.
    Phone,
    /// By video.
    Video,
    /// Meeting in person.
    InPerson,
}

/// What a consultation is about, for the monthly statistics.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "enums::ConsultationTopic")]
pub enum ConsultationTopic {
    /// Anxiety, worries.
    Anxiety,
    /// Low mood, depression.
    LowMood,
    /// Self-harm or suicidal thoughts.
    SelfHarm,
    /// Eating.
    Eating,
    /// ADHD, autism and other neurodevelopmental questions.
    Neurodevelopmental,
    /// School absence.
    SchoolAbsence,
    /// Behaviour, conflicts.
    Behaviour,
    /// The family: parents' illness, divorce, violence.
    Family,
    /// Anything else.
    Other,
}

/// Whether a consultation still stands.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "enums::ConsultationStatus")]
pub enum ConsultationStatus {
    /// Booked.
    Booked,
    /// Cancelled.
    Cancelled,
}

/// A day of the week.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum Weekday {
    /// Monday.
    Monday,
    /// Tuesday.
    Tuesday,
    /// Wednesday.
    Wednesday,
    /// Thursday.
    Thursday,
    /// Friday.
    Friday,
    /// Saturday.
    Saturday,
    /// Sunday.
    Sunday,
}

impl From<Weekday> for chrono::Weekday {
    fn from(d: Weekday) -> Self {
        match d {
            Weekday::Monday => Self::Mon,
            Weekday::Tuesday => Self::Tue,
            Weekday::Wednesday => Self::Wed,
            Weekday::Thursday => Self::Thu,
            Weekday::Friday => Self::Fri,
            Weekday::Saturday => Self::Sat,
            Weekday::Sunday => Self::Sun,
        }
    }
}

impl From<chrono::Weekday> for Weekday {
    fn from(d: chrono::Weekday) -> Self {
        match d {
            chrono::Weekday::Mon => Self::Monday,
            chrono::Weekday::Tue => Self::Tuesday,
            chrono::Weekday::Wed => Self::Wednesday,
            chrono::Weekday::Thu => Self::Thursday,
            chrono::Weekday::Fri => Self::Friday,
            chrono::Weekday::Sat => Self::Saturday,
            chrono::Weekday::Sun => Self::Sunday,
        }
    }
}

/// The longest span `availableSlots` lists at once.
const MAX_SLOT_SPAN_DAYS: i64 = 62;

/// GraphQL `ConsultationOffer` over `consultation_offer::Model`.
pub struct ConsultationOffer(pub consultation_offer::Model);

/// An organization's recurring consultation ("sparring") slots, which any professional may
/// book about a concern without identifying the child.
#[Object]
impl ConsultationOffer {
    /// Global id: opaque, stable, and accepted by `node(id:)`.
    pub async fn id(&self) -> ID {
        self.0.id.to_global()
    }

    /// The organization that offers it.
    async fn organization(&self, ctx: &Context<'_>) -> async_graphql::Result<Organization> {
        load_required(ctx, self.0.organization_id)
            .await
            .map(Organization)
            .gql()
    }

    /// The professional who takes the consultations.
    async fn host(&self, ctx: &Context<'_>) -> async_graphql::Result<Professional> {
        load_required(ctx, self.0.host_id)
            .await
            .map(Professional)
            .gql()
    }

    /// Its name.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// What it is for and who may book it.
    async fn description(&self) -> &str {
        &self.0.description
    }

    /// Phone, video or in person.
    async fn channel(&self) -> ConsultationChannel {
        self.0.channel.into()
    }

    /// Where, or the number to call.
    async fn location(&self) -> Option<&str> {
        self.0.location.as_deref()
    }

    /// The weekdays it recurs on, Monday first.
    async fn weekdays(&self) -> Vec<Weekday> {
        Weekdays(self.0.weekdays)
            .days()
            .into_iter()
            .map(Into::into)
            .collect()
    }

    /// The first slot's start, HH:MM Copenhagen time.
    async fn start_time(&self) -> String {
        clock_time(self.0.start_minute)
    }

    /// The last slot ends by then, HH:MM Copenhagen time.
    async fn end_time(&self) -> String {
        clock_time(self.0.end_minute)
    }

    /// Each slot's length in minutes.
    async fn slot_minutes(&self) -> i32 {
        self.0.slot_minutes
    }

    /// Open for booking.
    async fn active(&self) -> bool {
        self.0.active
    }

    /// The free slots starting from `from` (now when left out) until `to` (14 days later when
    /// left out; at most 62 days), on the organization's working days only. Empty while the
    /// offer is closed.
    async fn available_slots(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "From when; now when left out.")] from: Option<DateTime>,
        #[graphql(desc = "Until when; 14 days after `from` when left out.")] to: Option<DateTime>,
    ) -> async_graphql::Result<Vec<ConsultationSlot>> {
        let now = ctx.state().clock.now();
        let from = from.map_or(now, |f| f.0.max(now));
        let to = to.map_or(from + TimeDelta::days(14), |t| t.0);
        if to - from > TimeDelta::days(MAX_SLOT_SPAN_DAYS) {
            return Err(Error::invalid("to", "at most 62 days after from")).gql();
        }
        if !self.0.active {
            return Ok(Vec::new());
        }
        let db = &ctx.state().db;
        let calendar = calendar_of(db, self.0.organization_id).await.gql()?;
        let taken = consultations::taken(db, self.0.id, from, to).await.gql()?;
        Ok(self
            .0
            .pattern()
            .slots(&calendar, from, to)
            .into_iter()
            .filter(|(s, _)| !taken.contains(s))
            .map(|(starts_at, ends_at)| ConsultationSlot {
                starts_at: starts_at.into(),
                ends_at: ends_at.into(),
            })
            .collect())
    }

    /// Its bookings from `from` on, earliest first: all of them for the host and the
    /// organization's administrators, your own for anyone else.
    async fn bookings(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "From when; all when left out.")] from: Option<DateTime>,
    ) -> async_graphql::Result<Vec<ConsultationBooking>> {
        let actor = ctx.actor().gql()?;
        let rows = consultations::bookings_of(&ctx.state().db, actor, &self.0, from.map(|f| f.0))
            .await
            .gql()?;
        Ok(rows.into_iter().map(ConsultationBooking).collect())
    }

    /// Booked consultations per calendar month and topic, for the offering organization's
    /// professionals (null for anyone else): what seed 004 says anonymous counselling could
    /// never follow up. Months in Copenhagen time; cancelled consultations are not counted.
    async fn statistics(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "First day counted.")] from: Date,
        #[graphql(desc = "Last day counted.")] to: Date,
    ) -> async_graphql::Result<Option<ConsultationStatistics>> {
        let actor = ctx.actor().gql()?;
        if actor.organization_id != self.0.organization_id {
            return Ok(None);
        }
        if to.0 < from.0 {
            return Err(Error::invalid("to", "must not be before from")).gql();
        }
        let end = to.0.succ_opt().unwrap_or(to.0);
        let rows = consultations::booked_topics(
            &ctx.state().db,
            self.0.id,
            start_of_day(from.0),
            start_of_day(end),
        )
        .await
        .gql()?;
        Ok(Some(statistics(&rows)))
    }
}

fn statistics(
    rows: &[(chrono::DateTime<chrono::Utc>, enums::ConsultationTopic)],
) -> ConsultationStatistics {
    let mut months: BTreeMap<(i32, u32), BTreeMap<String, (ConsultationTopic, i32)>> =
        BTreeMap::new();
    for (at, topic) in rows {
        let day = local_date(*at);
        let entry = months
            .entry((day.year(), day.month()))
            .or_default()
            .entry(format!("{topic:?}"))
            .or_insert((ConsultationTopic::from(*topic), 0));
        entry.1 += 1;
    }
    let months: Vec<ConsultationMonth> = months
        .into_iter()
        .map(|((year, month), topics)| {
            let mut topics: Vec<TopicCount> = topics
                .into_values()
                .map(|(topic, count)| TopicCount { topic, count })
                .collect();
            topics.sort_by_key(|t| std::cmp::Reverse(t.count));
            ConsultationMonth {
                month: format!("{year:04}-{month:02}"),
                count: topics.iter().map(|t| t.count).sum(),
                topics,
            }
        })
        .collect();
    ConsultationStatistics {
        total: months.iter().map(|m| m.count).sum(),
        months,
    }
}

/// A free slot.
#[derive(SimpleObject)]
pub struct ConsultationSlot {
    /// Start.
    pub starts_at: DateTime,
    /// End.
    pub ends_at: DateTime,
}

/// Consultations counted.
#[derive(SimpleObject)]
pub struct ConsultationStatistics {
    /// All in the period.
    pub total: i32,
    /// Per calendar month with any, earliest first.
    pub months: Vec<ConsultationMonth>,
}

/// One month's consultations.
#[derive(SimpleObject)]
pub struct ConsultationMonth {
    /// The month, YYYY-MM.
    pub month: String,
    /// How many.
    pub count: i32,
    /// Per topic, most frequent first.
    pub topics: Vec<TopicCount>,
}

/// How many consultations were about a topic.
#[derive(SimpleObject)]
pub struct TopicCount {
    /// The topic.
    pub topic: ConsultationTopic,
    /// How many.
    pub count: i32,
}

/// GraphQL `ConsultationBooking` over `consultation_booking::Model`.
pub struct ConsultationBooking(pub consultation_booking::Model);

/// A booked consultation about a concern that does not identify the child.
#[Object]
impl ConsultationBooking {
    /// Global id: opaque, stable, and accepted by `node(id:)`.
    pub async fn id(&self) -> ID {
        self.0.id.to_global()
    }

    /// The offer.
    async fn offer(&self, ctx: &Context<'_>) -> async_graphql::Result<ConsultationOffer> {
        let row = load_required(ctx, self.0.offer_id).await.gql()?;
        Ok(ConsultationOffer(row))
    }

    /// Start.
    async fn starts_at(&self) -> DateTime {
        self.0.starts_at.into()
    }

    /// End.
    async fn ends_at(&self) -> DateTime {
        self.0.ends_at.into()
    }

    /// Who booked it.
    async fn booked_by(&self, ctx: &Context<'_>) -> async_graphql::Result<Professional> {
        load_required(ctx, self.0.booked_by_id)
            .await
            .map(Professional)
            .gql()
    }

    /// What it is about.
    async fn topic(&self) -> ConsultationTopic {
        self.0.topic.into()
    }

    /// The concern, as described without identifying the child.
    async fn concern(&self) -> &str {
        &self.0.concern
    }

    /// Booked or cancelled.
    async fn status(&self) -> ConsultationStatus {
        self.0.status.into()
    }

    /// When it was booked.
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }

    /// When it was cancelled.
    async fn cancelled_at(&self) -> Option<DateTime> {
        self.0.cancelled_at.map(Into::into)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statistics_count_per_month_and_topic() {
        let at = |s: &str| {
            chrono::DateTime::parse_from_rfc3339(s)
                .map(|t| t.with_timezone(&chrono::Utc))
                .unwrap_or_default()
        };
        let rows = [
            (
                at("2026-11-03T09:00:00+01:00"),
                enums::ConsultationTopic::Anxiety,
            ),
            (
                at("2026-11-10T09:00:00+01:00"),
                enums::ConsultationTopic::Anxiety,
            ),
            (
                at("2026-11-17T09:00:00+01:00"),
                enums::ConsultationTopic::Eating,
            ),
            // 00:30 on 1 December in Copenhagen is still 30 November in UTC.
            (
                at("2026-12-01T00:30:00+01:00"),
                enums::ConsultationTopic::Family,
            ),
        ];
        let s = statistics(&rows);
        assert_eq!(s.total, 4);
        assert_eq!(s.months.len(), 2);
        assert_eq!(
            (s.months[0].month.as_str(), s.months[0].count),
            ("2026-11", 3)
        );
        assert_eq!(s.months[0].topics[0].topic, ConsultationTopic::Anxiety);
        assert_eq!(s.months[0].topics[0].count, 2);
        assert_eq!(
            (s.months[1].month.as_str(), s.months[1].count),
            ("2026-12", 1)
        );
    }
}
