//! The committee tells the referrer: a referral's decision — accepted, redirected, rejected
//! with a reason — reaches the professional who sent it, in the product with the reason and by
//! an e-mail that carries the case reference and the outcome only.

use kit_tests::harness::{Field, PATIENCE, TestApp, eventually};
use kit_tests::smtp::SmtpSink;
use kit_tests::world::{World, ops, referral};
use serde_json::{Value, json};

const DECISIONS: &str = r"query($unread: Boolean!) { viewer { referralDecisions(unreadOnly: $unread) {
    totalCount nodes { id decision reason redirectedTo decidedAt readAt decidedBy { id }
      case { id reference status } } } } }";
const MARK: &str = r"mutation($ids: [ID!]!) { markReferralDecisionsRead(input: { ids: $ids }) {
    referralDecisions { id readAt } } }";

async fn decisions(app: &TestApp, token: &str, unread: bool) -> Value {
    app.gql(token, DECISIONS, json!({ "unread": unread }))
        .await
        .data()["viewer"]["referralDecisions"]
        .clone()
}

fn mail_to(sink: &SmtpSink, address: &str, reference: &str) -> Option<(String, String)> {
    sink.messages().into_iter().find_map(|m| {
        let parsed = mail_parser::MessageParser::default().parse(&m.data)?;
        let subject = parsed.subject()?.to_owned();
        let body = parsed.body_text(0)?.into_owned();
        (m.rcpt_to.iter().any(|r| r == address) && subject.contains(reference))
            .then_some((subject, body))
    })
}

#[tokio::test]
async fn the_referring_professional_learns_the_committees_decision_without_personal_data_in_mail() {
    let sink = SmtpSink::start().await;
    let url = sink.url();
    let app = TestApp::spawn_with(|c| {
        c.settings.worker = true;
        c.settings.smtp_url = Some(url);
    })
    .await;
    let w = World::build(&app).await;
    let (t, pt) = (&w.intake_a.token, &w.psychiatrist.token);

    // Child psychiatry refers two children to municipality A; the committee rejects one with
    // its reason and redirects the other.
    let rejected = app
        .submit_referral(pt, referral(&w.municipality_a, "Ida Hansen"))
        .await;
    let redirected = app
        .submit_referral(pt, referral(&w.municipality_a, "Noah Berg"))
        .await;
    let _ = app.start_intake(t, &rejected).await.data();
    let _ = app.decide_intake(t, &rejected, "REJECT").await.data();
    let _ = app.start_intake(t, &redirected).await.data();
    let r = app
        .gql(
            t,
            ops::DECIDE,
            json!({ "id": redirected, "decision": "REDIRECT", "to": "Cool Kids angstgruppe" }),
        )
        .await;
    assert_eq!(r.data()["decideIntake"]["case"]["status"], "REDIRECTED");
    // A referral the intake unit sent itself tells nobody.
    let own = app.active_case(t, &w.municipality_a, "Liva Munk").await;

    let told = decisions(&app, pt, true).await;
    assert_eq!(told["totalCount"], 2);
    let nodes = told["nodes"].items();
    assert_eq!(nodes[0]["case"]["id"], redirected.as_str(), "newest first");
    assert_eq!(nodes[0]["decision"], "REDIRECT");
    assert_eq!(nodes[0]["redirectedTo"], "Cool Kids angstgruppe");
    assert_eq!(nodes[1]["decision"], "REJECT");
    assert_eq!(nodes[1]["reason"], "Vurderet i koordinationsudvalget");
    assert_eq!(nodes[1]["redirectedTo"], Value::Null);
    assert_eq!(nodes[1]["decidedBy"]["id"], w.intake_a.gid.as_str());
    assert_eq!(nodes[1]["case"]["status"], "REJECTED");
    assert_eq!(decisions(&app, t, false).await["totalCount"], 0);
    let _ = own;

    // The e-mails: the reference and the outcome, not the child, the reason or the redirect.
    for (case, word) in [(&rejected, "afvist"), (&redirected, "omdirigeret")] {
        let reference = nodes
            .iter()
            .find(|n| n["case"]["id"] == case.as_str())
            .map(|n| n["case"]["reference"].str().to_owned())
            .unwrap_or_default();
        let (subject, body) = eventually("the decision's e-mail", PATIENCE, || async {
            mail_to(&sink, "psychiatrist@kit.test", &reference)
        })
        .await;
        assert!(
            subject.starts_with("Afgørelse om din henvisning"),
            "{subject}"
        );
        assert!(body.contains(word), "{body}");
        for secret in ["Ida", "Hansen", "Noah", "Berg", "Vurderet", "Cool Kids"] {
            assert!(
                !body.contains(secret) && !subject.contains(secret),
                "{secret} in {body}"
            );
        }
    }
    let to_intake = sink
        .messages()
        .iter()
        .filter(|m| m.rcpt_to.iter().any(|r| r == "intake.a@kit.test"))
        .filter_map(|m| mail_parser::MessageParser::default().parse(&m.data))
        .filter(|p| p.subject().is_some_and(|s| s.starts_with("Afgørelse")))
        .count();
    assert_eq!(to_intake, 0, "the intake unit's own referral tells nobody");

    // Read: marked once; someone else's decision is not theirs to mark, nor to fetch.
    let ids: Vec<Value> = nodes.iter().map(|n| n["id"].clone()).collect();
    app.gql(t, MARK, json!({ "ids": [ids[0]] }))
        .await
        .assert_error("NOT_FOUND", None);
    let r = app
        .gql(
            t,
            "query($id: ID!) { node(id: $id) { id } }",
            json!({ "id": ids[0] }),
        )
        .await;
    r.assert_error("NOT_FOUND", Some("id"));
    let r = app.gql(pt, MARK, json!({ "ids": ids })).await;
    let marked = r.data()["markReferralDecisionsRead"]["referralDecisions"].items();
    assert!(marked.iter().all(|m| m["readAt"].is_string()));
    assert_eq!(decisions(&app, pt, true).await["totalCount"], 0);
    assert_eq!(decisions(&app, pt, false).await["totalCount"], 2);
}
