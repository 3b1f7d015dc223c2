//! What a case's life leaves behind, row by row: deadlines with their alerts and e-mails,
//! meetings with invitees and invitations, plans and agreements, consents, documents and
//! shares, events, waiting-list places.

#[allow(clippy::wildcard_imports)]
use super::*;

impl Life<'_> {
    /// A deadline of `code`: met at `met`, else open (missed once due), waived now and then,
    /// withdrawn when the case closed first.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn deadline(
        &mut self,
        code: &str,
        subject: &str,
        sector: Option<Sector>,
        started: DateTime<Utc>,
        due: DateTime<Utc>,
        met: Option<DateTime<Utc>>,
        responsible: Option<ProfessionalId>,
        closed: Option<DateTime<Utc>>,
    ) {
        let id = DeadlineId(next(&mut self.ids.deadlines));
        let met = met.filter(|m| *m <= self.until);
        let waived = met.is_none() && self.chance(0.03);
        let (status, met_at, waived_at, withdrawn_at) = match (met, closed) {
            (Some(at), _) => (DeadlineStatus::Met, Some(at), None, None),
            (None, _) if waived => (
                DeadlineStatus::Waived,
                None,
                Some(started + TimeDelta::days(1)),
                None,
            ),
            (None, Some(closed)) => (DeadlineStatus::Withdrawn, None, None, Some(closed)),
            (None, None) if due <= self.until => (DeadlineStatus::Missed, None, None, None),
            (None, None) => (DeadlineStatus::Pending, None, None, None),
        };
        // An open deadline's next reminder or alert lies ahead; a missed one's escalation
        // went out a while ago.
        let next_action = (status == DeadlineStatus::Pending).then(|| {
            (due - TimeDelta::days(2))
                .max(self.until + TimeDelta::minutes(self.r.random_range(1..600)))
                .min(due)
        });
        self.rows.deadlines.push(deadline::ActiveModel {
            id: Set(id),
            case_id: Set(self.case),
            rule_id: Set(self.rules.id(code)),
            rule_code: Set(code.to_owned()),
            subject: Set(subject.to_owned()),
            sector: Set(sector),
            meeting_id: Set(None),
            agreement_id: Set(None),
            status: Set(status),
            started_at: Set(started),
            due_at: Set(due),
            met_at: Set(met_at),
            waived_at: Set(waived_at),
            waived_by_id: Set(waived_at.and(responsible)),
            waive_reason: Set(waived_at.map(|_| "Familien har selv bedt om udsættelse".to_owned())),
            withdrawn_at: Set(withdrawn_at),
            responsible_id: Set(responsible),
            responsible_unit_id: Set(responsible
                .is_none()
                .then_some(self.municipality.intake_unit)),
            next_action_at: Set(next_action),
            next_stage: Set(next_action.map(|_| 0)),
            alert_error: Set(None),
            alert_failed_at: Set(None),
            alert_attempts: Set(0),
            created_at: Set(started),
            updated_at: Set(met_at.or(waived_at).or(withdrawn_at).unwrap_or(started)),
        });
        if status == DeadlineStatus::Missed {
            // The due alert, and for some the escalation to the unit's leader.
            let recipient = responsible.or_else(|| self.municipality.intake.first().copied());
            if let Some(recipient) = recipient {
                self.notify(id, 1, NotificationKind::Due, recipient, due);
                if self.chance(0.4) {
                    let leader = self.municipality.leaders[0];
                    self.notify(
                        id,
                        2,
                        NotificationKind::Escalation,
                        leader,
                        due + TimeDelta::days(3),
                    );
                }
            }
        }
    }

    pub(super) fn notify(
        &mut self,
        d: DeadlineId,
        stage: i32,
        kind: NotificationKind,
        to: ProfessionalId,
        at: DateTime<Utc>,
    ) {
        let at = at.min(self.until);
        let id = NotificationId(next(&mut self.ids.notifications));
        let read = self
            .chance(0.7)
            .then_some(at + TimeDelta::hours(3))
            .filter(|r| *r <= self.until);
        self.rows.notifications.push(notification::ActiveModel {
            id: Set(id),
            deadline_id: Set(d),
            stage: Set(stage),
            kind: Set(kind),
            recipient_id: Set(to),
            created_at: Set(at),
            read_at: Set(read),
        });
        let email = self.region.email(to).to_owned();
        self.delivery(MailSubject::Notification, id.0, None, email, at);
    }

    pub(super) fn delivery(
        &mut self,
        subject: MailSubject,
        subject_id: i64,
        method: Option<ItipMethod>,
        to: String,
        at: DateTime<Utc>,
    ) {
        let id = DeliveryId(next(&mut self.ids.deliveries));
        let sent = at + TimeDelta::seconds(self.r.random_range(1..30));
        self.rows.deliveries.push(delivery::ActiveModel {
            id: Set(id),
            subject: Set(subject),
            subject_id: Set(subject_id),
            sequence: Set(0),
            method: Set(method),
            recipient: Set(to),
            language: Set(Language::Da),
            status: Set(DeliveryStatus::Sent),
            attempts: Set(1),
            last_error: Set(None),
            next_attempt_at: Set(at),
            claimed_until: Set(None),
            sent_at: Set(Some(sent)),
            message_id: Set(format!("<d{}@kit.region.example>", id.0)),
            created_at: Set(at),
            updated_at: Set(sent),
        });
    }

    pub(super) fn meeting(
        &mut self,
        kind: MeetingKind,
        status: MeetingStatus,
        starts: DateTime<Utc>,
        organizer: ParticipantId,
        by: ProfessionalId,
        parts: &[Part],
    ) -> MeetingId {
        let id = MeetingId(next(&mut self.ids.meetings));
        let created = starts - self.days(14, 35);
        self.rows.meetings.push(meeting::ActiveModel {
            id: Set(id),
            case_id: Set(self.case),
            kind: Set(kind),
            status: Set(status),
            uid: Set(format!("m{}@kit.region.example", id.0)),
            sequence: Set(if status == MeetingStatus::Cancelled {
                1
            } else {
                0
            }),
            starts_at: Set(Some(starts)),
            ends_at: Set(Some(starts + TimeDelta::minutes(60))),
            duration_minutes: Set(60),
            earliest: Set(None),
            latest: Set(None),
            location: Set(Some("Mødelokale 2, Familieafdelingen".to_owned())),
            video_url: Set(None),
            organizer_id: Set(Some(organizer)),
            scheduling_note: Set(None),
            minutes: Set((status == MeetingStatus::Held).then(|| {
                "Referat: status, barnets og familiens ønsker, aftaler til næste møde.".to_owned()
            })),
            held_at: Set((status == MeetingStatus::Held).then_some(starts)),
            cancel_reason: Set(
                (status == MeetingStatus::Cancelled).then(|| "Familien var syg".to_owned())
            ),
            milestone: Set(None),
            created_by_id: Set(Some(by)),
            created_at: Set(created),
            updated_at: Set(if status == MeetingStatus::Scheduled {
                created
            } else {
                starts
            }),
        });
        for p in parts
            .iter()
            .filter(|p| p.professional.is_some() || p.email_of_family)
        {
            let invitee = InviteeId(next(&mut self.ids.invitees));
            let response = if status == MeetingStatus::Scheduled {
                *[
                    InviteeResponse::NeedsAction,
                    InviteeResponse::Accepted,
                    InviteeResponse::Tentative,
                ]
                .choose(&mut self.r)
                .unwrap_or(&InviteeResponse::NeedsAction)
            } else if self.chance(0.9) {
                InviteeResponse::Accepted
            } else {
                InviteeResponse::Declined
            };
            self.rows.invitees.push(meeting_invitee::ActiveModel {
                id: Set(invitee),
                meeting_id: Set(id),
                participant_id: Set(p.id),
                required: Set(p.sector != Sector::Family || p.email_of_family),
                response: Set(response),
                responded_at: Set((response != InviteeResponse::NeedsAction)
                    .then_some(created + TimeDelta::days(1))),
                removed_at: Set(None),
                created_at: Set(created),
            });
            let to = match p.professional {
                Some(who) => self.region.email(who).to_owned(),
                None => format!("familie{}@familie.example", p.id.0),
            };
            self.delivery(
                MailSubject::Invitation,
                invitee.0,
                Some(ItipMethod::Request),
                to,
                created,
            );
        }
        id
    }

    pub(super) fn plan(
        &mut self,
        meeting: MeetingId,
        at: DateTime<Utc>,
        version: i32,
        by: ProfessionalId,
        parts: &[Part],
    ) {
        let id = PlanVersionId(next(&mut self.ids.versions));
        self.rows.versions.push(plan_version::ActiveModel {
            id: Set(id),
            case_id: Set(self.case),
            version: Set(version),
            meeting_id: Set(meeting),
            child_wishes: Set(Some("At kunne gå i skole uden ondt i maven.".to_owned())),
            family_wishes: Set(Some(
                "Mere ro i hverdagen og en fast kontaktperson.".to_owned(),
            )),
            recorded_by_id: Set(by),
            created_at: Set(at),
        });
        for (kind, text) in [
            (PlanItemKind::Challenge, "Fravær fra skolen"),
            (PlanItemKind::Challenge, "Søvn"),
            (PlanItemKind::Resource, "God kontakt til klasselæreren"),
            (PlanItemKind::Resource, "Spiller fodbold to gange om ugen"),
        ] {
            self.rows.items.push(plan_item::ActiveModel {
                id: Set(next(&mut self.ids.items)),
                plan_version_id: Set(id),
                kind: Set(kind),
                text: Set(text.to_owned()),
                priority: Set(1),
                closed: Set(false),
            });
        }
        let owners: Vec<Part> = parts
            .iter()
            .filter(|p| p.professional.is_some())
            .take(2)
            .copied()
            .collect();
        for (i, owner) in owners.iter().enumerate() {
            let agreement = AgreementId(next(&mut self.ids.agreements));
            let due = (at + TimeDelta::days(30 + 15 * i as i64)).date_naive();
            let due_at = due.and_hms_opt(15, 0, 0).unwrap_or_default().and_utc();
            let done = due_at < self.until && self.chance(0.85);
            let cancelled = !done && self.chance(0.1);
            let status = if done {
                AgreementStatus::Done
            } else if cancelled {
                AgreementStatus::Cancelled
            } else {
                AgreementStatus::Open
            };
            let completed = done.then(|| due_at - self.days(0, 10));
            self.rows.agreements.push(agreement::ActiveModel {
                id: Set(agreement),
                case_id: Set(self.case),
                meeting_id: Set(Some(meeting)),
                description: Set([
                    "Samtale med skolen om fremmøde",
                    "Henvisning til PPR-vurdering",
                ][i % 2]
                    .to_owned()),
                owner_id: Set(owner.id),
                due_on: Set(due),
                status: Set(status),
                completed_at: Set(completed),
                cancelled_at: Set(cancelled.then_some(at + TimeDelta::days(10))),
                cancel_reason: Set(cancelled.then(|| "Ikke længere relevant".to_owned())),
                after_discharge_id: Set(None),
                agenda_item_id: Set(None),
                created_by_id: Set(owner.professional.unwrap_or(by)),
                created_at: Set(at),
            });
            self.rows.plan_agreements.push(plan_agreement::ActiveModel {
                id: Set(next(&mut self.ids.plan_agreements)),
                plan_version_id: Set(id),
                agreement_id: Set(agreement),
                status: Set(status),
            });
            if !cancelled {
                self.deadline(
                    "agreement-kept",
                    &format!("agreement:{}", agreement.0),
                    None,
                    at,
                    due_at,
                    completed,
                    owner.professional,
                    None,
                );
            }
        }
    }

    pub(super) fn consents(
        &mut self,
        guardian: FamilyMemberId,
        from: DateTime<Utc>,
        closed: Option<DateTime<Utc>>,
        by: ProfessionalId,
        psychiatry: bool,
    ) -> Option<ConsentId> {
        let mut exchange = None;
        for purpose in [
            ConsentPurpose::Coordination,
            ConsentPurpose::InformationExchange,
        ] {
            if purpose == ConsentPurpose::InformationExchange && !psychiatry {
                continue;
            }
            let id = ConsentId(next(&mut self.ids.consents));
            let withdrawn = self
                .chance(0.02)
                .then(|| from + TimeDelta::days(60))
                .filter(|w| *w < self.until);
            self.rows.consents.push(consent::ActiveModel {
                id: Set(id),
                case_id: Set(self.case),
                given_by_family_member_id: Set(Some(guardian)),
                given_by_child: Set(false),
                purpose: Set(purpose),
                valid_from: Set(from),
                valid_until: Set(closed),
                basis: Set(
                    "Mundtligt samtykke ved opstartsmødet, noteret af sagsbehandleren".to_owned(),
                ),
                recorded_by_id: Set(by),
                recorded_at: Set(from),
                withdrawn_at: Set(withdrawn),
                withdrawn_by_id: Set(withdrawn.map(|_| by)),
                withdrawal_reason: Set(withdrawn.map(|_| "Forældrene ønskede det".to_owned())),
            });
            for org in [self.municipality.id, self.region.psychiatry] {
                self.rows
                    .consent_orgs
                    .push(consent_organization::ActiveModel {
                        consent_id: Set(id),
                        organization_id: Set(org),
                    });
            }
            if purpose == ConsentPurpose::InformationExchange && withdrawn.is_none() {
                exchange = Some(id);
            }
        }
        exchange
    }

    pub(super) fn document(
        &mut self,
        meeting: MeetingId,
        at: DateTime<Utc>,
        author: ProfessionalId,
        consent: Option<ConsentId>,
        psychiatry: bool,
    ) {
        let id = DocumentId(next(&mut self.ids.documents));
        self.rows.documents.push(document::ActiveModel {
            id: Set(id),
            case_id: Set(self.case),
            kind: Set(DocumentKind::StatusNote),
            title: Set("Status før netværksmødet".to_owned()),
            text: Set(Some(
                "Barnet kommer oftere i skole. Søvnen er stadig uregelmæssig. Familien \
                            oplever mere ro efter aftalerne fra sidste møde."
                    .to_owned(),
            )),
            author_id: Set(author),
            author_organization_id: Set(self.municipality.id),
            meeting_id: Set(Some(meeting)),
            attachment_name: Set(None),
            attachment_type: Set(None),
            attachment_size: Set(None),
            attachment: Set(None),
            created_at: Set(at - TimeDelta::days(5)),
        });
        if psychiatry && let Some(consent) = consent {
            self.rows.shares.push(document_share::ActiveModel {
                id: Set(next(&mut self.ids.shares)),
                document_id: Set(id),
                organization_id: Set(self.region.psychiatry),
                consent_id: Set(consent),
                shared_by_id: Set(author),
                shared_at: Set(at - TimeDelta::days(4)),
            });
        }
    }

    pub(super) fn event(
        &mut self,
        kind: CaseEventKind,
        sector: Option<Sector>,
        meeting: Option<MeetingId>,
        by: ProfessionalId,
        at: DateTime<Utc>,
    ) {
        if at > self.until {
            return;
        }
        self.rows.events.push(case_event::ActiveModel {
            id: Set(CaseEventId(next(&mut self.ids.events))),
            case_id: Set(self.case),
            kind: Set(kind),
            sector: Set(sector),
            meeting_id: Set(meeting),
            note: Set(None),
            recorded_by_id: Set(by),
            recorded_at: Set(at),
        });
    }

    /// A place on one of the municipality's early interventions, for some.
    pub(super) fn waiting(&mut self, from: DateTime<Utc>, by: ProfessionalId) {
        if !self.chance(0.15) {
            return;
        }
        let Some((offer, cohorts)) = self.municipality.offers.choose(&mut self.r).cloned() else {
            return;
        };
        let placed = from + self.days(10, 40);
        if placed > self.until {
            return;
        }
        let cohort = cohorts
            .iter()
            .find(|(_, starts)| *starts > placed.date_naive())
            .copied();
        let status = match cohort {
            Some((_, starts)) if starts <= self.until.date_naive() => {
                if self.chance(0.85) {
                    WaitingStatus::Enrolled
                } else {
                    WaitingStatus::Declined
                }
            }
            Some(_) if self.chance(0.5) => WaitingStatus::Offered,
            _ if self.chance(0.1) => WaitingStatus::Withdrawn,
            _ => WaitingStatus::Waiting,
        };
        let offered = matches!(
            status,
            WaitingStatus::Offered | WaitingStatus::Enrolled | WaitingStatus::Declined
        );
        let offered_at = offered
            .then_some(placed + TimeDelta::days(7))
            .map(|o| o.min(self.until));
        self.rows.waiting.push(waiting_entry::ActiveModel {
            id: Set(WaitingEntryId(next(&mut self.ids.waiting))),
            offer_id: Set(offer),
            case_id: Set(self.case),
            status: Set(status),
            placed_at: Set(placed),
            placed_by_id: Set(by),
            cohort_id: Set(offered.then(|| cohort.map(|(c, _)| c)).flatten()),
            offered_at: Set(offered_at),
            offered_by_id: Set(offered.then_some(by)),
            answer_by: Set(offered_at.map(|o| (o + TimeDelta::days(7)).date_naive())),
            answered_at: Set(
                matches!(status, WaitingStatus::Enrolled | WaitingStatus::Declined)
                    .then(|| offered_at.unwrap_or(placed) + TimeDelta::days(2)),
            ),
            withdrawn_at: Set((status == WaitingStatus::Withdrawn)
                .then_some(placed + TimeDelta::days(20))
                .map(|w| w.min(self.until))),
            withdraw_reason: Set((status == WaitingStatus::Withdrawn)
                .then(|| "Behovet er dækket på anden vis".to_owned())),
            updated_at: Set(offered_at.unwrap_or(placed)),
        });
    }
}
