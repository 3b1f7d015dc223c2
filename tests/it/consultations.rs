//! Consultation ("sparring") without a case: an organization publishes recurring slots within
//! its office hours, a professional of any organization books one about a concern without
//! identifying the child (a CPR number in the text is refused), both get a calendar
//! invitation, and the offering organization counts consultations per month and topic.

use kit_tests::harness::{Field, PATIENCE, TestApp, eventually};
use kit_tests::world::World;
use serde_json::{Value, json};

const PUBLISH: &str = r"mutation($input: PublishConsultationOfferInput!) {
    publishConsultationOffer(input: $input) { offer { id name weekdays startTime endTime
        slotMinutes active host { name } organization { name } } } }";
const SLOTS: &str = r"query($org: ID!, $from: DateTime!, $to: DateTime!) {
    consultationOffers(organizationId: $org) { totalCount edges { node { id name
        availableSlots(from: $from, to: $to) { startsAt endsAt } } } } }";
const BOOK: &str = r"mutation($input: BookConsultationInput!) { bookConsultation(input: $input) {
    booking { id status topic concern startsAt endsAt bookedBy { name } } } }";
const CANCEL: &str = r"mutation($id: ID!) { cancelConsultation(input: { bookingId: $id }) {
    booking { status cancelledAt } } }";
const STATS: &str = r#"query($id: ID!) { node(id: $id) { ... on ConsultationOffer {
    statistics(from: "2026-11-01", to: "2026-12-31") { total months { month count
        topics { topic count } } } } } }"#;

fn offer(w: &World) -> Value {
    json!({
        "hostId": w.caseworker2_a.gid,
        "name": "Telefonisk sparring med socialrådgiver",
        "description": "Sundhedsplejersker og andre fagpersoner kan drøfte en bekymring for et barn anonymt.",
        "channel": "PHONE",
        "location": "Ring 70 10 20 30",
        "weekdays": ["TUESDAY", "THURSDAY"],
        "startTime": "13:00",
        "endTime": "14:30",
        "slotMinutes": 30,
    })
}

async fn publish(app: &TestApp, w: &World) -> String {
    let r = app
        .gql(
            &w.admin_a.token,
            PUBLISH,
            json!({ "input": { "organizationId": w.municipality_a, "offer": offer(w) } }),
        )
        .await;
    let o = &r.data()["publishConsultationOffer"]["offer"];
    assert_eq!(o["weekdays"], json!(["TUESDAY", "THURSDAY"]));
    assert_eq!(
        (o["startTime"].str(), o["endTime"].str()),
        ("13:00", "14:30")
    );
    o["id"].str().to_owned()
}

#[tokio::test]
async fn an_offer_is_published_within_office_hours_by_the_organizations_administrator() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let input = |change: Value| {
        let mut o = offer(&w);
        if let (Some(o), Some(change)) = (o.as_object_mut(), change.as_object()) {
            o.extend(change.clone());
        }
        json!({ "input": { "organizationId": w.municipality_a, "offer": o } })
    };
    let a = &w.admin_a.token;
    app.gql(a, PUBLISH, input(json!({ "weekdays": ["SATURDAY"] })))
        .await
        .assert_error("BAD_USER_INPUT", Some("input.offer.weekdays"));
    app.gql(a, PUBLISH, input(json!({ "startTime": "07:00" })))
        .await
        .assert_error("BAD_USER_INPUT", Some("input.offer.startTime"));
    app.gql(a, PUBLISH, input(json!({ "endTime": "17:00" })))
        .await
        .assert_error("BAD_USER_INPUT", Some("input.offer.endTime"));
    app.gql(a, PUBLISH, input(json!({ "startTime": "9.30" })))
        .await
        .assert_error("BAD_USER_INPUT", Some("input.offer.startTime"));
    app.gql(a, PUBLISH, input(json!({ "hostId": w.psychiatrist.gid })))
        .await
        .assert_error("BAD_USER_INPUT", Some("input.offer.hostId"));
    app.gql(a, PUBLISH, input(json!({ "slotMinutes": 5 })))
        .await
        .assert_error("BAD_USER_INPUT", Some("input.offer.slotMinutes"));
    app.gql(&w.caseworker_a.token, PUBLISH, input(json!({})))
        .await
        .assert_error("FORBIDDEN", None);
    let id = publish(&app, &w).await;
    // Closed, it is listed to nobody but its administrators, and offers no slots.
    let r = app
        .gql(
            a,
            "mutation($id: ID!) { updateConsultationOffer(input: { offerId: $id, active: false }) { offer { active } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(
        r.data()["updateConsultationOffer"]["offer"]["active"],
        false
    );
    let r = app
        .gql(
            &w.psychiatrist.token,
            SLOTS,
            json!({ "org": w.municipality_a, "from": "2026-11-24T00:00:00+01:00", "to": "2026-11-25T00:00:00+01:00" }),
        )
        .await;
    assert_eq!(r.data()["consultationOffers"]["totalCount"], 0);
}

#[tokio::test]
async fn a_consultation_is_booked_without_a_child_and_both_get_a_calendar_invitation() {
    let sink = kit_tests::smtp::SmtpSink::start().await;
    let smtp = sink.url();
    let app = TestApp::spawn_with(|c| {
        c.settings.worker = true;
        c.settings.smtp_url = Some(smtp);
        c.settings.worker_poll_ms = 50;
    })
    .await;
    let w = World::build(&app).await;
    let id = publish(&app, &w).await;

    // Child psychiatry sees the municipality's offer and its free slots on Tuesday.
    let pt = &w.psychiatrist.token;
    let slots = json!({ "org": w.municipality_a, "from": "2026-11-24T00:00:00+01:00", "to": "2026-11-25T00:00:00+01:00" });
    let r = app.gql(pt, SLOTS, slots.clone()).await;
    let listed = &r.data()["consultationOffers"]["edges"][0]["node"];
    let starts: Vec<&str> = listed["availableSlots"]
        .items()
        .iter()
        .map(|s| s["startsAt"].str())
        .collect();
    assert_eq!(
        starts,
        [
            "2026-11-24T13:00:00+01:00",
            "2026-11-24T13:30:00+01:00",
            "2026-11-24T14:00:00+01:00"
        ]
    );

    let book = |at: &str, concern: &str| json!({ "input": { "offerId": id, "startsAt": at, "topic": "ANXIETY", "concern": concern } });
    let concern = "En pige i 4. klasse har ondt i maven hver morgen og vil ikke i skole.";
    // A CPR number in any of the forms people write it, as copied from a school's system
    // or a record.
    for named in [
        "Pigen (030514-4321) har ondt i maven hver morgen.",
        "CPR: 150314 - 4127 (fra skolens system)",
        "født 15.03.14-4127 ifølge journalen",
    ] {
        app.gql(pt, BOOK, book("2026-11-24T12:30:00Z", named))
            .await
            .assert_error("BAD_USER_INPUT", Some("input.concern"));
    }
    app.gql(pt, BOOK, book("2026-11-24T12:15:00Z", concern))
        .await
        .assert_error("BAD_USER_INPUT", Some("input.startsAt"));
    app.gql(pt, BOOK, book("2026-11-25T12:00:00Z", concern))
        .await
        .assert_error("BAD_USER_INPUT", Some("input.startsAt"));
    let r = app
        .gql(pt, BOOK, book("2026-11-24T12:30:00Z", concern))
        .await;
    let booking = r.data()["bookConsultation"]["booking"].clone();
    assert_eq!(booking["status"], "BOOKED");
    assert_eq!(booking["endsAt"], "2026-11-24T14:00:00+01:00");
    app.gql(
        &w.ppr_a.token,
        BOOK,
        book("2026-11-24T12:30:00Z", "Et andet barn"),
    )
    .await
    .assert_error("CONFLICT", None);
    let r = app.gql(pt, SLOTS, slots).await;
    assert_eq!(
        r.data()["consultationOffers"]["edges"][0]["node"]["availableSlots"]
            .items()
            .len(),
        2,
        "the booked slot is no longer free"
    );
    // The concern is the booker's, the host's and the administrators' to read.
    let by = |token: &str| {
        let token = token.to_owned();
        let booking_id = booking["id"].clone();
        let app = &app;
        async move {
            app.gql(
                &token,
                "query($id: ID!) { node(id: $id) { ... on ConsultationBooking { concern } } }",
                json!({ "id": booking_id }),
            )
            .await
        }
    };
    assert_eq!(
        by(&w.caseworker2_a.token).await.data()["node"]["concern"],
        concern
    );
    by(&w.caseworker_a.token)
        .await
        .assert_error("NOT_FOUND", Some("id"));

    // Both get a calendar invitation with the time and topic, not the concern.
    for to in ["psychiatrist@kit.test", "caseworker2.a@kit.test"] {
        let mail = eventually("the consultation's invitation", PATIENCE, || async {
            sink.messages()
                .into_iter()
                .find(|m| m.rcpt_to.iter().any(|r| r == to))
        })
        .await;
        let parsed = kit_tests::mail::Invite::parse(&mail);
        assert_eq!(parsed.method(), "REQUEST");
        let text = parsed.unfolded();
        assert!(
            text.contains("Sparring: Telefonisk sparring med socialrådgiver"),
            "{text}"
        );
        assert!(text.contains("angst og bekymringer"), "{text}");
        assert!(
            !text.contains("ondt i maven"),
            "the concern left the product: {text}"
        );
    }

    // Statistics: the offering organization counts it; child psychiatry may not look.
    let r = app
        .gql(&w.caseworker2_a.token, STATS, json!({ "id": id }))
        .await;
    let stats = &r.data()["node"]["statistics"];
    assert_eq!(stats["total"], 1);
    assert_eq!(
        stats["months"],
        json!([{ "month": "2026-11", "count": 1, "topics": [{ "topic": "ANXIETY", "count": 1 }] }])
    );
    app.gql(pt, STATS, json!({ "id": id }))
        .await
        .assert_withheld("/data/node/statistics");

    // Cancelled: both are told, and it no longer counts.
    let r = app.gql(pt, CANCEL, json!({ "id": booking["id"] })).await;
    assert_eq!(
        r.data()["cancelConsultation"]["booking"]["status"],
        "CANCELLED"
    );
    let cancels = eventually("both cancellations", PATIENCE, || async {
        let n = sink
            .messages()
            .iter()
            .filter(|m| kit_tests::mail::Invite::parse(m).method() == "CANCEL")
            .count();
        (n == 2).then_some(n)
    })
    .await;
    assert_eq!(cancels, 2);
    let r = app
        .gql(&w.caseworker2_a.token, STATS, json!({ "id": id }))
        .await;
    assert_eq!(r.data()["node"]["statistics"]["total"], 0);
}
