//! Deadline alerts under stress: a recompute after alerts were sent, a deadline the sweeper
//! cannot process, deadlines read while the worker is stopped, and who is responsible when
//! nobody holds the position.

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use kit_entity::domain::enums::{DeadlineStatus, Language, NotificationKind};
use kit_entity::entities::{deadline, deadline_rule, notification, unit};
use kit_entity::ids::{CaseId, DeadlineId, ProfessionalId};
use kit_entity::ops::directory::{self, ProfessionalFields};
use kit_tests::harness::{Field, TestApp, key_of};
use kit_tests::world::{Person, World};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::{Value, json};

const DEADLINES: &str = r"
    query($id: ID!) {
      case(id: $id) {
        deadlines {
          id ruleCode status dueAt nextAction nextActionAt alertError alertFailedAt
          responsible { id } responsibleUnit { id name } rule { version }
        }
      }
    }";
const LIST: &str = r"
    query($filter: DeadlineFilter) {
      deadlines(filter: $filter, first: 100) { totalCount nodes { id ruleCode status } }
    }";
const UPDATE_RULE: &str = r"
    mutation($input: UpdateDeadlineRuleInput!) { updateDeadlineRule(input: $input) { rule { version } } }";
const RECOMPUTE: &str = r"
    mutation($org: ID!, $code: String!) { recomputeDeadlines(input: { organizationId: $org, code: $code }) { recompute { recomputed } } }";

async fn deadlines_of(app: &TestApp, token: &str, case: &str) -> Vec<Value> {
    app.gql(token, DEADLINES, json!({ "id": case }))
        .await
        .data()["case"]["deadlines"]
        .items()
        .to_vec()
}

fn one(all: &[Value], code: &str) -> Value {
    let found: Vec<&Value> = all.iter().filter(|d| d["ruleCode"] == code).collect();
    assert_eq!(found.len(), 1, "exactly one {code} deadline in {all:#?}");
    found[0].clone()
}

/// Sweeps until nothing is due; returns the notifications written.
async fn sweep_until_quiet(app: &TestApp) -> usize {
    let mut announced = 0;
    loop {
        let swept = kit_entity::ops::deadlines::sweep(app.db(), app.clock_now(), 500)
            .await
            .unwrap_or_else(|e| panic!("sweep failed: {}", e.report()));
        assert!(swept.set_aside.is_empty(), "set aside: {swept:?}");
        announced += swept.announced.len();
        if swept.claimed == 0 {
            return announced;
        }
    }
}

async fn notifications_of(app: &TestApp, deadline: DeadlineId) -> Vec<NotificationKind> {
    notification::Entity::find()
        .filter(notification::Column::DeadlineId.eq(deadline))
        .order_by_asc(notification::Column::Id)
        .all(app.db())
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .into_iter()
        .map(|n| n.kind)
        .collect()
}

async fn deadline_row(app: &TestApp, case: &str, code: &str) -> deadline::Model {
    deadline::Entity::find()
        .filter(deadline::Column::CaseId.eq(CaseId(key_of(case))))
        .filter(deadline::Column::RuleCode.eq(code))
        .one(app.db())
        .await
        .ok()
        .flatten()
        .unwrap_or_else(|| panic!("no {code} deadline"))
}

#[tokio::test]
async fn a_recompute_never_schedules_a_stage_already_sent_and_alerts_go_on_everywhere() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let t = &w.intake_a.token;
    let case = app.refer(t, &w.municipality_a, "Hugo").await;
    // Forty days later the intake decision (10 working days) is missed, alerted, escalated.
    let start = app.clock_now();
    app.clock.set(start + TimeDelta::days(40));
    assert!(sweep_until_quiet(&app).await > 0);
    let row = deadline_row(&app, &case, "intake-decision").await;
    let sent = notifications_of(&app, row.id).await;
    assert!(sent.contains(&NotificationKind::Due), "{sent:?}");
    assert!(sent.contains(&NotificationKind::Escalation), "{sent:?}");
    let d = one(&deadlines_of(&app, t, &case).await, "intake-decision");
    assert_eq!(d["status"], "MISSED");
    assert_eq!(d["nextAction"], Value::Null);

    // The administrator gives the rule 15 working days and recomputes: still missed, and no
    // stage that was sent is scheduled again.
    let input = json!({ "organizationId": w.municipality_a, "code": "intake-decision",
        "offset": { "value": 15, "unit": "WORKING_DAYS" } });
    let _ = app
        .gql(&w.admin_a.token, UPDATE_RULE, json!({ "input": input }))
        .await
        .data();
    let r = app
        .gql(
            &w.admin_a.token,
            RECOMPUTE,
            json!({ "org": w.municipality_a, "code": "intake-decision" }),
        )
        .await;
    assert_eq!(r.data()["recomputeDeadlines"]["recompute"]["recomputed"], 1);
    let d = one(&deadlines_of(&app, t, &case).await, "intake-decision");
    assert_eq!(d["rule"]["version"], 2);
    assert_eq!(d["status"], "MISSED");
    assert_eq!(d["nextAction"], Value::Null, "{d}");
    assert_eq!(d["nextActionAt"], Value::Null);
    assert_eq!(sweep_until_quiet(&app).await, 0, "nothing is sent again");
    assert_eq!(notifications_of(&app, row.id).await, sent);

    // A new referral in another municipality is alerted as usual.
    let other = app.refer(&w.intake_b.token, &w.municipality_b, "Ida").await;
    app.clock.set(app.clock_now() + TimeDelta::hours(25));
    assert!(sweep_until_quiet(&app).await > 0);
    let assessment = deadline_row(&app, &other, "referral-assessment").await;
    assert_eq!(
        notifications_of(&app, assessment.id).await,
        [NotificationKind::Due]
    );

    // Moved far into the future, the deadline runs again — but the due alert and the
    // escalation it already had are not repeated.
    let input = json!({ "organizationId": w.municipality_a, "code": "intake-decision",
        "offset": { "value": 60, "unit": "WORKING_DAYS" } });
    let _ = app
        .gql(&w.admin_a.token, UPDATE_RULE, json!({ "input": input }))
        .await
        .data();
    let _ = app
        .gql(
            &w.admin_a.token,
            RECOMPUTE,
            json!({ "org": w.municipality_a, "code": "intake-decision" }),
        )
        .await
        .data();
    let d = one(&deadlines_of(&app, t, &case).await, "intake-decision");
    assert_eq!(d["status"], "PENDING");
    assert_eq!(d["nextAction"], Value::Null);
    app.clock.set(start + TimeDelta::days(120));
    let _ = sweep_until_quiet(&app).await;
    assert_eq!(notifications_of(&app, row.id).await, sent);
    let d = one(&deadlines_of(&app, t, &case).await, "intake-decision");
    assert_eq!(
        d["status"], "MISSED",
        "past its new due time, it reads as missed"
    );
}

async fn refuse_notifications_for(app: &TestApp, deadline: DeadlineId) {
    let statements: Vec<String> = if app.database.is_postgres() {
        vec![
            format!(
                "CREATE FUNCTION refuse_one() RETURNS trigger AS $$ BEGIN \
                 IF NEW.deadline_id = {} THEN RAISE EXCEPTION 'refused by the test trigger'; END IF; \
                 RETURN NEW; END $$ LANGUAGE plpgsql",
                deadline.0
            ),
            "CREATE TRIGGER refuse_one BEFORE INSERT ON notifications FOR EACH ROW EXECUTE FUNCTION refuse_one()".into(),
        ]
    } else {
        vec![format!(
            "CREATE TRIGGER refuse_one BEFORE INSERT ON notifications WHEN NEW.deadline_id = {} \
             BEGIN SELECT RAISE(ABORT, 'refused by the test trigger'); END",
            deadline.0
        )]
    };
    for sql in statements {
        app.db()
            .execute_unprepared(&sql)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    }
}

#[tokio::test]
async fn one_deadline_that_cannot_be_processed_is_set_aside_and_never_stops_the_others() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let bad_case = app
        .refer(&w.intake_a.token, &w.municipality_a, "Jens")
        .await;
    let good_case = app
        .refer(&w.intake_b.token, &w.municipality_b, "Karl")
        .await;
    let bad = deadline_row(&app, &bad_case, "referral-assessment").await;
    let good = deadline_row(&app, &good_case, "referral-assessment").await;
    refuse_notifications_for(&app, bad.id).await;

    // Both are due; the bad one comes first in the batch. (The first sweep drops the
    // reminders that came too late to matter.)
    app.clock.set(app.clock_now() + TimeDelta::hours(25));
    let now = app.clock_now();
    let stale = kit_entity::ops::deadlines::sweep(app.db(), now, 500)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        stale.set_aside.is_empty() && stale.announced.is_empty(),
        "{stale:?}"
    );
    let swept = kit_entity::ops::deadlines::sweep(app.db(), now, 500)
        .await
        .unwrap_or_else(|e| panic!("the sweep failed as a whole: {}", e.report()));
    assert_eq!(swept.set_aside, [bad.id]);
    assert_eq!(
        notifications_of(&app, good.id).await,
        [NotificationKind::Due]
    );
    assert!(notifications_of(&app, bad.id).await.is_empty());

    // The error is on the deadline, with the database's own words; the next try waits.
    let d = one(
        &deadlines_of(&app, &w.intake_a.token, &bad_case).await,
        "referral-assessment",
    );
    let error = d["alertError"].str();
    assert!(error.contains("refused by the test trigger"), "{error}");
    assert!(error.starts_with("database error: "), "{error}");
    assert!(d["alertFailedAt"].is_string());
    assert_eq!(
        d["status"], "MISSED",
        "it is missed whatever the worker did"
    );
    assert_eq!(d["nextAction"], "DUE");
    let row = deadline_row(&app, &bad_case, "referral-assessment").await;
    assert_eq!(row.alert_attempts, 1);
    assert_eq!(row.next_action_at, Some(now + TimeDelta::minutes(1)));
    let again = kit_entity::ops::deadlines::sweep(app.db(), now, 500)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(again.claimed, 0, "set aside until its next try");

    // A second failure waits twice as long.
    app.clock.set(now + TimeDelta::minutes(1));
    let swept = kit_entity::ops::deadlines::sweep(app.db(), app.clock_now(), 500)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(swept.set_aside, [bad.id]);
    let row = deadline_row(&app, &bad_case, "referral-assessment").await;
    assert_eq!(row.alert_attempts, 2);
    assert_eq!(
        row.next_action_at,
        Some(app.clock_now() + TimeDelta::minutes(2))
    );

    // Once the cause is gone, the next try sends the alert and clears the error.
    let drop = if app.database.is_postgres() {
        "DROP TRIGGER refuse_one ON notifications"
    } else {
        "DROP TRIGGER refuse_one"
    };
    app.db()
        .execute_unprepared(drop)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    app.clock.set(app.clock_now() + TimeDelta::minutes(2));
    assert_eq!(sweep_until_quiet(&app).await, 1);
    assert_eq!(
        notifications_of(&app, bad.id).await,
        [NotificationKind::Due]
    );
    let d = one(
        &deadlines_of(&app, &w.intake_a.token, &bad_case).await,
        "referral-assessment",
    );
    assert_eq!(d["alertError"], Value::Null);
    assert_eq!(d["alertFailedAt"], Value::Null);
    assert_eq!(d["nextAction"], "ESCALATION");
}

async fn rule(app: &TestApp, code: &str) -> deadline_rule::Model {
    deadline_rule::Entity::find()
        .filter(deadline_rule::Column::Code.eq(code))
        .filter(deadline_rule::Column::OrganizationId.is_null())
        .one(app.db())
        .await
        .ok()
        .flatten()
        .unwrap_or_else(|| panic!("no default rule {code}"))
}

fn row(
    case: CaseId,
    rule: &deadline_rule::Model,
    subject: String,
    status: DeadlineStatus,
    due: DateTime<Utc>,
    met: Option<DateTime<Utc>>,
) -> deadline::ActiveModel {
    deadline::ActiveModel {
        id: NotSet,
        case_id: Set(case),
        rule_id: Set(rule.id),
        rule_code: Set(rule.code.clone()),
        subject: Set(subject),
        sector: Set(None),
        meeting_id: Set(None),
        agreement_id: Set(None),
        status: Set(status),
        started_at: Set(due - TimeDelta::days(30)),
        due_at: Set(due),
        met_at: Set(met),
        waived_at: Set(None),
        waived_by_id: Set(None),
        waive_reason: Set(None),
        withdrawn_at: Set(None),
        responsible_id: Set(None),
        responsible_unit_id: Set(None),
        next_action_at: Set((status == DeadlineStatus::Pending).then_some(due)),
        next_stage: Set((status == DeadlineStatus::Pending).then_some(2)),
        alert_error: Set(None),
        alert_failed_at: Set(None),
        alert_attempts: Set(0),
        created_at: Set(due - TimeDelta::days(30)),
        updated_at: Set(due - TimeDelta::days(30)),
    }
}

#[tokio::test]
async fn reads_and_the_timeliness_report_follow_the_clock_not_the_worker() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let t = &w.intake_a.token;
    let case = app.refer(t, &w.municipality_a, "Lea").await;
    let case_id = CaseId(key_of(&case));
    deadline::Entity::delete_many().exec(app.db()).await.ok();
    let now = app.clock_now(); // Monday 23 November 2026, no worker running
    let start_meeting = rule(&app, "start-meeting").await;
    let follow_up = rule(&app, "follow-up").await;
    // 100 deadlines 11–21 working days past due, never swept: all missed.
    let mut rows = Vec::new();
    for i in 0..100_i64 {
        let due = now - TimeDelta::days(16 + i % 14);
        rows.push(row(
            case_id,
            &start_meeting,
            format!("late:{i}"),
            DeadlineStatus::Pending,
            due,
            None,
        ));
    }
    // One still open.
    rows.push(row(
        case_id,
        &start_meeting,
        "open".into(),
        DeadlineStatus::Pending,
        now + TimeDelta::days(3),
        None,
    ));
    // Four met with delays 0, 29h40m, 48h and 148h40m: the median by nearest rank is the
    // second, 29.67 h.
    let due = Utc
        .with_ymd_and_hms(2026, 11, 2, 11, 0, 0)
        .single()
        .unwrap_or(now);
    for (i, late) in [0, 29 * 60 + 40, 48 * 60, 148 * 60 + 40].iter().enumerate() {
        rows.push(row(
            case_id,
            &follow_up,
            format!("met:{i}"),
            DeadlineStatus::Met,
            due,
            Some(due + TimeDelta::minutes(*late)),
        ));
    }
    for chunk in rows.chunks(50) {
        deadline::Entity::insert_many(chunk.to_vec())
            .exec(app.db())
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    }

    let report = r"query($org: ID!) { timelinessReport(organizationId: $org, from: $from, to: $to) { rules { rule { code } metOnTime metLate missed open medianDelayHours } } }";
    let report = report.replace(
        "query($org: ID!)",
        "query($org: ID!, $from: Date!, $to: Date!)",
    );
    let r = app
        .gql(
            t,
            &report,
            json!({ "org": w.municipality_a, "from": "2026-01-01", "to": "2026-12-31" }),
        )
        .await;
    let rules = r.data()["timelinessReport"]["rules"].items().to_vec();
    let of = |code: &str| {
        rules
            .iter()
            .find(|x| x["rule"]["code"] == code)
            .cloned()
            .unwrap_or_else(|| panic!("no report for {code}"))
    };
    let s = of("start-meeting");
    assert_eq!(
        (s["missed"].clone(), s["open"].clone()),
        (json!(100), json!(1))
    );
    let f = of("follow-up");
    assert_eq!(
        (f["metOnTime"].clone(), f["metLate"].clone()),
        (json!(1), json!(3))
    );
    let median = f["medianDelayHours"].f64();
    assert!((median - 29.666_667).abs() < 1e-3, "{median}");

    // Reads agree: status and the status filter.
    let missed = app
        .gql(t, LIST, json!({ "filter": { "status": ["MISSED"] } }))
        .await;
    assert_eq!(missed.data()["deadlines"]["totalCount"], 100);
    let pending = app
        .gql(t, LIST, json!({ "filter": { "status": ["PENDING"] } }))
        .await;
    assert_eq!(pending.data()["deadlines"]["totalCount"], 1);
    let both = app
        .gql(
            t,
            LIST,
            json!({ "filter": { "status": ["PENDING", "MISSED", "MET"] } }),
        )
        .await;
    assert_eq!(both.data()["deadlines"]["totalCount"], 105);
    let none = app
        .gql(t, LIST, json!({ "filter": { "status": [] } }))
        .await;
    assert_eq!(none.data()["deadlines"]["totalCount"], 0);
    let of_case = r#"query($id: ID!) { case(id: $id) { deadlines(status: [MISSED]) { status } } }"#;
    let r = app.gql(t, of_case, json!({ "id": case })).await;
    let statuses = r.data()["case"]["deadlines"].items().to_vec();
    assert_eq!(statuses.len(), 100);
    assert!(statuses.iter().all(|d| d["status"] == "MISSED"));
}

async fn add_person(app: &TestApp, subject: &str, unit_name: &str, leads: bool) -> Person {
    let unit = unit::Entity::find()
        .filter(unit::Column::Name.eq(unit_name))
        .one(app.db())
        .await
        .ok()
        .flatten()
        .unwrap_or_else(|| panic!("no unit {unit_name}"));
    let p = directory::create_professional(
        app.db(),
        None,
        app.clock_now(),
        ProfessionalFields {
            name: subject.replace('.', " "),
            title: "Fagperson".into(),
            email: format!("{subject}@kit.test"),
            phone: None,
            subject: Some(subject.into()),
            unit_id: unit.id,
            leads_unit_id: leads.then_some(unit.id),
            is_admin: false,
            language: Language::Da,
        },
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    Person {
        id: p.id,
        gid: {
            use kit_api::graphql::ids::NodeId;
            ProfessionalId(p.id.0).to_global().0
        },
        token: app.token(subject),
    }
}

async fn found_by(app: &TestApp, who: &Person, filter_id: &str) -> Vec<String> {
    let r = app
        .gql(
            &who.token,
            LIST,
            json!({ "filter": { "responsibleId": filter_id } }),
        )
        .await;
    let mut codes: Vec<String> = r.data()["deadlines"]["nodes"]
        .items()
        .to_vec()
        .iter()
        .map(|d| d["ruleCode"].str().to_owned())
        .collect();
    codes.sort();
    codes
}

#[tokio::test]
async fn nobody_is_named_responsible_when_nobody_holds_the_position_and_each_finds_their_alerts() {
    let app = TestApp::spawn().await;
    let w = World::build(&app).await;
    let colleague = add_person(&app, "intake2.a", "Indgangen A", false).await;
    let t = &w.intake_a.token;
    let case = app.active_case(t, &w.municipality_a, "Mads").await;

    // The intake unit's deadlines and the ones nobody holds yet name the unit, not a person.
    let ds = deadlines_of(&app, t, &case).await;
    for d in &ds {
        assert_eq!(d["responsible"], Value::Null, "{d}");
        assert_eq!(d["responsibleUnit"]["name"], "Indgangen A", "{d}");
    }
    let mine = found_by(&app, &w.intake_a, &w.intake_a.gid).await;
    assert!(!mine.is_empty());
    assert!(mine.contains(&"start-meeting".to_owned()));
    assert_eq!(
        found_by(&app, &colleague, &colleague.gid).await,
        mine,
        "every member of the unit finds them"
    );

    // Once the municipality has a responsible contact, the start meeting is hers alone.
    let assign = r"mutation($case: ID!, $p: ID!) { assignResponsibleContact(input: { caseId: $case, professionalId: $p }) { responsibleContact { id } } }";
    let _ = app
        .gql(t, assign, json!({ "case": case, "p": w.ppr_a.gid }))
        .await
        .data();
    let d = one(&deadlines_of(&app, t, &case).await, "start-meeting");
    assert_eq!(d["responsible"]["id"], w.ppr_a.gid.as_str());
    assert_eq!(d["responsibleUnit"], Value::Null);
    let hers = found_by(&app, &w.ppr_a, &w.ppr_a.gid).await;
    assert!(hers.contains(&"start-meeting".to_owned()), "{hers:?}");
    assert!(!hers.contains(&"intake-decision".to_owned()), "{hers:?}");
    assert!(
        !found_by(&app, &colleague, &colleague.gid)
            .await
            .contains(&"start-meeting".to_owned())
    );

    // Her leader is told at the escalations — of the start meeting, her sector's early
    // information exchange and the intervention lead still to be appointed, all hers as the
    // municipality's contact — and finds them from then on.
    assert!(
        found_by(&app, &w.ppr_leader_a, &w.ppr_leader_a.gid)
            .await
            .is_empty()
    );
    app.clock.set(app.clock_now() + TimeDelta::days(60));
    let _ = sweep_until_quiet(&app).await;
    assert_eq!(
        found_by(&app, &w.ppr_leader_a, &w.ppr_leader_a.gid).await,
        [
            "early-information-exchange",
            "intervention-lead",
            "start-meeting"
        ]
    );
}
