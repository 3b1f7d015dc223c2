//! A domain event as deadlines see it: what happened to a case, when, and what it concerns
//! (a meeting kind, a sector, a meeting, an agreement).

use crate::domain::enums::{RuleEvent, Sector};
use crate::ids::{AgreementId, CaseId, ConsentId, DischargeId, MeetingId, WaitingEntryId};
use chrono::{DateTime, NaiveDate, Utc};

/// A domain event, as deadlines see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// The case the event happened in.
    pub case_id: CaseId,
    /// What happened.
    pub kind: RuleEvent,
    /// When.
    pub at: DateTime<Utc>,
    /// What rule filters match against: a meeting kind, an event kind, a sector.
    pub filter: Option<String>,
    /// The sector it concerns.
    pub sector: Option<Sector>,
    /// The meeting it concerns, with its start.
    pub meeting: Option<(MeetingId, Option<DateTime<Utc>>)>,
    /// The agreement it concerns.
    pub agreement: Option<AgreementId>,
    /// The consent it concerns, with its end.
    pub consent: Option<(ConsentId, Option<DateTime<Utc>>)>,
    /// The waiting-list entry whose seat offer it concerns, with the last day to answer.
    pub seat_offer: Option<(WaitingEntryId, NaiveDate)>,
    /// The discharge it concerns, with its planned day.
    pub discharge: Option<(DischargeId, NaiveDate)>,
}

impl Event {
    /// An event with no details beyond its kind.
    #[must_use]
    pub fn new(case_id: CaseId, kind: RuleEvent, at: DateTime<Utc>) -> Self {
        Self {
            case_id,
            kind,
            at,
            filter: None,
            sector: None,
            meeting: None,
            agreement: None,
            consent: None,
            seat_offer: None,
            discharge: None,
        }
    }

    /// With a filter value.
    #[must_use]
    pub fn filtered(mut self, filter: impl Into<String>) -> Self {
        self.filter = Some(filter.into());
        self
    }

    /// About a sector.
    #[must_use]
    pub fn sector(mut self, sector: Sector) -> Self {
        self.sector = Some(sector);
        self
    }

    /// About a meeting.
    #[must_use]
    pub fn meeting(mut self, id: MeetingId, starts: Option<DateTime<Utc>>) -> Self {
        self.meeting = Some((id, starts));
        self
    }

    /// About a consent, which ends at `until` (if ever).
    #[must_use]
    pub fn consent(mut self, id: ConsentId, until: Option<DateTime<Utc>>) -> Self {
        self.consent = Some((id, until));
        self
    }

    /// About the seat offered to a waiting-list entry, to be answered by `answer_by`.
    #[must_use]
    pub fn seat_offer(mut self, entry: WaitingEntryId, answer_by: NaiveDate) -> Self {
        self.seat_offer = Some((entry, answer_by));
        self
    }

    /// About a discharge planned for `on`.
    #[must_use]
    pub fn discharge(mut self, id: DischargeId, on: NaiveDate) -> Self {
        self.discharge = Some((id, on));
        self
    }

    /// About an agreement.
    #[must_use]
    pub fn agreement(mut self, id: AgreementId) -> Self {
        self.agreement = Some(id);
        self
    }
}
