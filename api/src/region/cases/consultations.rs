//! The consultations professionals booked on their municipality's offers.

#[allow(clippy::wildcard_imports)]
use super::*;

/// Three consultations a week on each municipality's offers over the whole history, and a
/// few ahead.
pub(super) fn consultations(options: &Options, region: &Region, rows: &mut Rows, ids: &mut Ids) {
    let topics = [
        ConsultationTopic::Anxiety,
        ConsultationTopic::LowMood,
        ConsultationTopic::SchoolAbsence,
        ConsultationTopic::Behaviour,
        ConsultationTopic::Family,
        ConsultationTopic::Neurodevelopmental,
    ];
    for m in &region.municipalities {
        let mut r = rng(options.seed, 5, m.id.0 as u64);
        for (k, offer) in m.consultation_offers.iter().enumerate() {
            // The offers' weekdays: Thursday, then Tuesday (see the directory).
            let weekday = if k == 0 {
                chrono::Weekday::Thu
            } else {
                chrono::Weekday::Tue
            };
            let mut day = options.start().date_naive();
            while day.weekday() != weekday {
                day = day.succ_opt().unwrap_or(day);
            }
            let last = (options.until + TimeDelta::weeks(3)).date_naive();
            while day <= last {
                for slot in 0..3 {
                    if r.random::<f64>() < 0.3 {
                        continue;
                    }
                    let starts = office_time(day, 4 * 60 + 15 * slot);
                    let booker = m
                        .health
                        .choose(&mut r)
                        .or(m.school.first())
                        .copied()
                        .unwrap_or(ProfessionalId(1));
                    let cancelled = r.random::<f64>() < 0.05;
                    rows.bookings.push(consultation_booking::ActiveModel {
                        id: Set(ConsultationBookingId(next(&mut ids.bookings))),
                        offer_id: Set(*offer),
                        starts_at: Set(starts),
                        ends_at: Set(starts + TimeDelta::minutes(15)),
                        booked_by_id: Set(booker),
                        topic: Set(*topics.choose(&mut r).unwrap_or(&ConsultationTopic::Other)),
                        concern: Set(
                            "En pige i 4. klasse, der ofte har ondt i maven om morgenen."
                                .to_owned(),
                        ),
                        status: Set(if cancelled {
                            ConsultationStatus::Cancelled
                        } else {
                            ConsultationStatus::Booked
                        }),
                        created_at: Set(starts - TimeDelta::days(3)),
                        cancelled_at: Set(cancelled.then_some(starts - TimeDelta::days(1))),
                        cancelled_by_id: Set(cancelled.then_some(booker)),
                    });
                }
                day += TimeDelta::weeks(1);
            }
        }
    }
}
