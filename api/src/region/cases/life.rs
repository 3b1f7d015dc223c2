//! One case's life from referral to where it stands on the region's last day: its child and
//! family, referral, committee decision and history, participants, meetings, plans and
//! intake deadlines.

#[allow(clippy::wildcard_imports)]
use super::*;

impl Life<'_> {
    pub(super) fn pick(&mut self, list: &[ProfessionalId]) -> ProfessionalId {
        list.choose(&mut self.r)
            .copied()
            .or_else(|| self.municipality.caseworkers.first().copied())
            .unwrap_or(ProfessionalId(1))
    }

    pub(super) fn chance(&mut self, p: f64) -> bool {
        self.r.random::<f64>() < p
    }

    pub(super) fn days(&mut self, from: i64, to: i64) -> TimeDelta {
        TimeDelta::days(self.r.random_range(from..=to))
    }

    /// Writes the case; returns when it closed and who took part.
    pub(super) fn write(
        &mut self,
        vault: &CprVault,
        opened: DateTime<Utc>,
    ) -> Result<(Option<DateTime<Utc>>, Vec<ProfessionalId>)> {
        let m = self.municipality;
        let age_days = (self.until - opened).num_days();
        let intake_worker = self.pick(&m.intake);
        // Where the case stands on the last day.
        let decided_after = self.days(3, 12);
        let decided_at = opened + decided_after;
        let decision = if self.chance(0.06) {
            CaseStatus::Redirected
        } else if self.chance(0.04) {
            CaseStatus::Rejected
        } else {
            CaseStatus::Active
        };
        // Referrals of the last few days wait for intake to start.
        let status = if age_days < 3 {
            CaseStatus::Referred
        } else if decided_at > self.until {
            CaseStatus::InIntake
        } else if decision != CaseStatus::Active {
            decision
        } else {
            CaseStatus::Active
        };
        let closes_after = self.days(120, 700);
        let closed_at = (status == CaseStatus::Active && decided_at + closes_after < self.until)
            .then_some(decided_at + closes_after);
        let status = if closed_at.is_some() {
            CaseStatus::Closed
        } else {
            status
        };

        // The child and the family.
        let age_years: i64 = self.r.random_range(3..=17);
        let born =
            (opened - TimeDelta::days(age_years * 365 + self.r.random_range(0..365))).date_naive();
        let first = FIRST_NAMES.choose(&mut self.r).copied().unwrap_or("Anna");
        let last = LAST_NAMES.choose(&mut self.r).copied().unwrap_or("Nielsen");
        let child_id = ChildId(self.case.0);
        // A number of the birth date no other child has (the serial's first digit, 4, fits
        // births from 2000 to 2036).
        let mut serial = 4000 + self.case.0 % 6000;
        let cpr = loop {
            let cpr = format!(
                "{:02}{:02}{:02}{serial:04}",
                born.day(),
                born.month(),
                born.year() % 100,
            );
            if self.ids.cprs.insert(cpr.clone()) {
                break cpr;
            }
            serial = 4000 + (serial - 4000 + 1) % 6000;
        };
        let name = format!("{first} {last}");
        self.rows.children.push(child::ActiveModel {
            id: Set(child_id),
            name_search: Set(child::search_key(&name)),
            name: Set(name),
            date_of_birth: Set(born),
            cpr: Set(Some(vault.seal(&cpr)?)),
            cpr_hmac: Set(Some(vault.lookup(&cpr))),
            created_at: Set(opened),
            updated_at: Set(opened),
        });
        let mut guardians = Vec::new();
        for relation in [FamilyRelation::Mother, FamilyRelation::Father] {
            let id = FamilyMemberId(next(&mut self.ids.family));
            let given = FIRST_NAMES.choose(&mut self.r).copied().unwrap_or("Mette");
            let email = format!("{}.{}.{}@familie.example", ascii(given), ascii(last), id.0);
            self.rows.family.push(family_member::ActiveModel {
                id: Set(id),
                child_id: Set(child_id),
                name: Set(format!("{given} {last}")),
                relation: Set(relation),
                has_custody: Set(true),
                email: Set(Some(email)),
                phone: Set(Some(format!("+45 {:08}", 30_000_000 + id.0))),
                language: Set(Language::Da),
                created_at: Set(opened),
                updated_at: Set(opened),
            });
            guardians.push(id);
        }
        let year = opened.year();
        self.rows.cases.push(case::ActiveModel {
            id: Set(self.case),
            reference: Set(case::reference_for(year, self.case)),
            child_id: Set(child_id),
            municipality_id: Set(m.id),
            status: Set(status),
            redirected_to: Set((status == CaseStatus::Redirected)
                .then(|| "Regionens børne- og ungdomspsykiatri".to_owned())),
            created_at: Set(opened),
            updated_at: Set(closed_at.unwrap_or(opened.max(decided_at.min(self.until)))),
        });
        let sources = [
            ReferralSource::GeneralPractitioner,
            ReferralSource::School,
            ReferralSource::Parents,
            ReferralSource::HospitalWard,
            ReferralSource::YoungPerson,
        ];
        let source = *sources
            .choose(&mut self.r)
            .unwrap_or(&ReferralSource::School);
        self.rows.referrals.push(referral::ActiveModel {
            id: Set(ReferralId(self.case.0)),
            case_id: Set(self.case),
            source: Set(source),
            received_at: Set(opened),
            reason: Set(
                "Barnet har over længere tid vist tegn på mistrivsel: ondt i maven, uro og \
                 fravær fra skolen."
                    .to_owned(),
            ),
            referrer_name: Set(Some("Henvisende fagperson".to_owned())),
            referrer_organization: Set(None),
            submitted_by_id: Set(intake_worker),
            submitted_cpr: Set(None),
            match_child_id: Set(None),
            match_name_differs: Set(None),
            match_birth_date_differs: Set(None),
            match_decision: Set(None),
            match_decided_at: Set(None),
            match_decided_by_id: Set(None),
            created_at: Set(opened),
        });
        let mut history = vec![(None, CaseStatus::Referred, opened)];
        if status != CaseStatus::Referred {
            history.push((
                Some(CaseStatus::Referred),
                CaseStatus::InIntake,
                opened + TimeDelta::hours(20),
            ));
        }
        if !matches!(status, CaseStatus::Referred | CaseStatus::InIntake) {
            history.push((Some(CaseStatus::InIntake), decision, decided_at));
        }
        if let Some(closed) = closed_at {
            history.push((Some(CaseStatus::Active), CaseStatus::Closed, closed));
        }
        for (from, to, at) in history {
            self.rows.statuses.push(case_status_change::ActiveModel {
                id: Set(CaseStatusChangeId(next(&mut self.ids.statuses))),
                case_id: Set(self.case),
                from_status: Set(from),
                to_status: Set(to),
                reason: Set(String::new()),
                changed_by_id: Set(intake_worker),
                changed_at: Set(at),
            });
        }
        self.committee(status, decision, decided_at);
        // The intake deadlines every case has.
        let assessed = opened + TimeDelta::hours(self.r.random_range(2..30));
        self.deadline(
            "referral-assessment",
            "",
            None,
            opened,
            opened + TimeDelta::hours(24),
            (status != CaseStatus::Referred).then_some(assessed),
            None,
            closed_at,
        );
        let decided =
            (!matches!(status, CaseStatus::Referred | CaseStatus::InIntake)).then_some(decided_at);
        self.deadline(
            "intake-decision",
            "",
            None,
            opened,
            opened + TimeDelta::days(14),
            decided,
            None,
            closed_at,
        );
        if !matches!(status, CaseStatus::Active | CaseStatus::Closed) {
            return Ok((None, Vec::new()));
        }

        // Participants: the responsible contacts, an intervention lead, the school and the
        // health visitor, both guardians and — from 12 — the child.
        let mut parts: Vec<Part> = Vec::new();
        let contact = self.pick(&m.caseworkers);
        let psychiatry = self.chance(0.45);
        let region = self.region;
        let psychiatrist = self.pick(&region.psychiatrists);
        let lead = self.pick(&m.ppr);
        let teacher = self.pick(&m.school);
        let nurse = self.pick(&m.health);
        let mut professionals = vec![contact];
        let mut cast = vec![(
            contact,
            ParticipantRole::ResponsibleContact,
            Sector::Municipality,
        )];
        if psychiatry {
            cast.push((
                psychiatrist,
                ParticipantRole::ResponsibleContact,
                Sector::ChildPsychiatry,
            ));
            professionals.push(psychiatrist);
        }
        cast.push((
            lead,
            ParticipantRole::InterventionLead,
            Sector::Municipality,
        ));
        cast.push((
            teacher,
            ParticipantRole::Professional,
            Sector::SchoolOrDayCare,
        ));
        cast.push((nurse, ParticipantRole::Professional, Sector::Municipality));
        for p in [lead, teacher, nurse] {
            if !professionals.contains(&p) {
                professionals.push(p);
            }
        }
        let mut seen = Vec::new();
        for (who, role, sector) in cast {
            if seen.contains(&(who, role)) {
                continue;
            }
            seen.push((who, role));
            let id = self.participant(
                ParticipantKind::Professional,
                role,
                sector,
                Some(who),
                None,
                decided_at,
                closed_at,
                intake_worker,
            );
            parts.push(Part {
                id,
                professional: Some(who),
                email_of_family: false,
                sector,
            });
        }
        for g in &guardians {
            let id = self.participant(
                ParticipantKind::FamilyMember,
                ParticipantRole::Guardian,
                Sector::Family,
                None,
                Some(*g),
                decided_at,
                closed_at,
                contact,
            );
            parts.push(Part {
                id,
                professional: None,
                email_of_family: true,
                sector: Sector::Family,
            });
        }
        if age_years >= 12 {
            let id = self.participant(
                ParticipantKind::Child,
                ParticipantRole::Child,
                Sector::Family,
                None,
                None,
                decided_at,
                closed_at,
                contact,
            );
            parts.push(Part {
                id,
                professional: None,
                email_of_family: false,
                sector: Sector::Family,
            });
        }
        let contact_part = parts[0];
        let assigned = decided_at + self.days(0, 9);
        self.deadline(
            "responsible-contact",
            "sector:MUNICIPALITY",
            Some(Sector::Municipality),
            decided_at,
            decided_at + TimeDelta::days(7),
            Some(assigned),
            Some(contact),
            closed_at,
        );

        // Consent to coordinate and to exchange information with child psychiatry.
        let consent_id = self.consents(guardians[0], decided_at, closed_at, contact, psychiatry);

        // Meetings: the start meeting, network meetings about every three months, follow-ups
        // between them, a closing meeting; some cancelled; the next one ahead while open.
        let end = closed_at.unwrap_or(self.until + TimeDelta::days(40));
        let mut at = decided_at + self.days(8, 30);
        let mut kind = MeetingKind::Start;
        let mut held_start = None;
        let mut last_held = None;
        let mut plan_version = 0;
        while at < end {
            let starts = office_time(at.date_naive(), 60 * self.r.random_range(1..6));
            let upcoming = starts > self.until;
            let cancelled = !upcoming && self.chance(0.05);
            let status = if upcoming {
                MeetingStatus::Scheduled
            } else if cancelled {
                MeetingStatus::Cancelled
            } else {
                MeetingStatus::Held
            };
            let meeting = self.meeting(kind, status, starts, contact_part.id, contact, &parts);
            if status == MeetingStatus::Held {
                last_held = Some(starts);
                if kind == MeetingKind::Start {
                    held_start = Some(starts);
                }
                if matches!(kind, MeetingKind::Start | MeetingKind::Network) {
                    plan_version += 1;
                    self.plan(meeting, starts, plan_version, contact, &parts);
                    self.document(meeting, starts, contact, consent_id, psychiatry);
                }
                if kind == MeetingKind::Network {
                    let shared = starts + self.days(1, 9);
                    self.deadline(
                        "plan-after-network-meeting",
                        &format!("meeting:{}", meeting.0),
                        None,
                        starts,
                        starts + TimeDelta::days(7),
                        Some(shared),
                        Some(contact),
                        closed_at,
                    );
                    self.event(
                        CaseEventKind::PlanShared,
                        None,
                        Some(meeting),
                        contact,
                        shared,
                    );
                    for sector in [Sector::Municipality, Sector::ChildPsychiatry] {
                        if sector == Sector::ChildPsychiatry && !psychiatry {
                            continue;
                        }
                        let shared = starts - self.days(3, 10);
                        self.event(
                            CaseEventKind::InformationShared,
                            Some(sector),
                            Some(meeting),
                            contact,
                            shared,
                        );
                    }
                }
            }
            if upcoming && kind == MeetingKind::Network {
                for (sector, who) in [
                    (Sector::Municipality, contact),
                    (Sector::ChildPsychiatry, psychiatrist),
                ] {
                    if sector == Sector::ChildPsychiatry && !psychiatry {
                        continue;
                    }
                    let name = if sector == Sector::Municipality {
                        "MUNICIPALITY"
                    } else {
                        "CHILD_PSYCHIATRY"
                    };
                    let shared = self.chance(0.5).then(|| self.until - self.days(0, 3));
                    self.deadline(
                        "information-before-network-meeting",
                        &format!("meeting:{}:sector:{name}", meeting.0),
                        Some(sector),
                        starts - TimeDelta::days(14),
                        starts - TimeDelta::days(7),
                        shared,
                        Some(who),
                        None,
                    );
                }
            }
            if upcoming {
                break;
            }
            at = starts + self.days(60, 110);
            kind = match kind {
                MeetingKind::Start | MeetingKind::FollowUp => MeetingKind::Network,
                _ => MeetingKind::FollowUp,
            };
        }
        if let Some(closed) = closed_at {
            let closing = office_time(closed.date_naive(), 120);
            self.meeting(
                MeetingKind::Closing,
                MeetingStatus::Held,
                closing,
                contact_part.id,
                contact,
                &parts,
            );
        }
        let start_met = held_start.filter(|h| *h <= decided_at + TimeDelta::days(28));
        self.deadline(
            "start-meeting",
            "",
            None,
            decided_at,
            decided_at + TimeDelta::days(28),
            start_met.or(held_start),
            Some(contact),
            closed_at,
        );
        if let Some(last) = last_held
            && closed_at.is_none()
        {
            self.deadline(
                "follow-up",
                "",
                None,
                last,
                last + TimeDelta::days(91),
                None,
                Some(contact),
                None,
            );
        }
        if self.chance(0.3) {
            let started = decided_at + self.days(1, 20);
            self.event(
                CaseEventKind::ReferredToPsychiatry,
                Some(Sector::ChildPsychiatry),
                None,
                contact,
                started,
            );
            let done = started + self.days(10, 45);
            let met = (done < self.until).then_some(done);
            if met.is_some() {
                self.event(
                    CaseEventKind::PsychiatricAssessmentCompleted,
                    Some(Sector::ChildPsychiatry),
                    None,
                    psychiatrist,
                    done,
                );
            }
            self.deadline(
                "psychiatric-assessment",
                "",
                None,
                started,
                started + TimeDelta::days(30),
                met,
                Some(contact),
                closed_at,
            );
        }
        self.waiting(decided_at, contact);
        Ok((closed_at, professionals))
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn participant(
        &mut self,
        kind: ParticipantKind,
        role: ParticipantRole,
        sector: Sector,
        professional: Option<ProfessionalId>,
        family: Option<FamilyMemberId>,
        from: DateTime<Utc>,
        until: Option<DateTime<Utc>>,
        by: ProfessionalId,
    ) -> ParticipantId {
        let id = ParticipantId(next(&mut self.ids.participants));
        self.rows.participants.push(participant::ActiveModel {
            id: Set(id),
            case_id: Set(self.case),
            kind: Set(kind),
            role: Set(role),
            sector: Set(sector),
            professional_id: Set(professional),
            family_member_id: Set(family),
            external_name: Set(None),
            external_email: Set(None),
            external_phone: Set(None),
            external_organization: Set(None),
            active_from: Set(from),
            active_until: Set(until),
            end_reason: Set(until.map(|_| "Sagen er afsluttet".to_owned())),
            added_by_id: Set(by),
            ended_by_id: Set(until.map(|_| by)),
        });
        id
    }

    /// The committee's decision on the case (or its place on the next agenda).
    pub(super) fn committee(
        &mut self,
        status: CaseStatus,
        decision: CaseStatus,
        decided_at: DateTime<Utc>,
    ) {
        let meeting = self
            .municipality
            .committee
            .iter()
            .rfind(|(_, at)| *at <= decided_at)
            .or_else(|| {
                self.municipality
                    .committee
                    .iter()
                    .find(|(_, at)| *at > decided_at)
            })
            .copied();
        let Some((meeting, at)) = meeting else { return };
        let decided = !matches!(status, CaseStatus::Referred | CaseStatus::InIntake);
        let agenda_meeting = if decided {
            Some((meeting, at))
        } else {
            self.municipality
                .committee
                .iter()
                .find(|(_, at)| *at > self.until)
                .copied()
        };
        let Some((meeting, at)) = agenda_meeting else {
            return;
        };
        let id = CommitteeAgendaItemId(next(&mut self.ids.agenda));
        self.rows.agenda.push(committee_agenda_item::ActiveModel {
            id: Set(id),
            committee_meeting_id: Set(meeting),
            case_id: Set(self.case),
            position: Set(i32::try_from(id.0 % 20).unwrap_or(0)),
            decision: Set(decided.then_some(match decision {
                CaseStatus::Redirected => CommitteeDecision::Redirected,
                CaseStatus::Rejected => CommitteeDecision::Rejected,
                _ => CommitteeDecision::Accepted,
            })),
            reason: Set(decided.then(|| "Drøftet i koordinationsudvalget".to_owned())),
            offer_id: Set(None),
            redirected_to: Set(None),
            decided_at: Set(decided.then_some(at)),
            decided_by_id: Set(decided.then(|| self.municipality.leaders[0])),
        });
    }
}
