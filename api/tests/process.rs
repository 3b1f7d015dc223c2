//! The real `kit-api` binary, as an operator runs it: the commands, JSON logs, and a graceful
//! shutdown on SIGTERM that lets an in-flight request finish.

use std::process::Stdio;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, Command};

const BIN: &str = env!("CARGO_BIN_EXE_kit-api");

/// How long a test waits for the process before calling it hung: a guard against hangs,
/// never a speed limit (a loaded machine may be many times slower than a quiet one).
const PATIENCE: Duration = Duration::from_secs(300);

fn kit(dir: &std::path::Path) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env(
            "KIT_DATABASE_URL",
            format!("sqlite://{}/kit.db?mode=rwc", dir.display()),
        )
        .env("KIT_LISTEN", "127.0.0.1:0")
        .env("KIT_LOG_FORMAT", "json")
        .kill_on_drop(true);
    cmd
}

async fn run(dir: &std::path::Path, args: &[&str]) -> String {
    let out = kit(dir)
        .args(args)
        .output()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn tokens(output: &str) -> Vec<String> {
    output
        .lines()
        .filter(|l| l.starts_with("eyJ"))
        .map(str::to_owned)
        .collect()
}

/// Starts `kit-api` and waits for its JSON "serving" log line; returns the process and the
/// address it listens on.
async fn serve(dir: &std::path::Path) -> (Child, String) {
    let mut child = kit(dir)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    let stdout = child.stdout.take().unwrap_or_else(|| panic!("no stdout"));
    let mut lines = BufReader::new(stdout).lines();
    let addr = tokio::time::timeout(PATIENCE, async {
        while let Ok(Some(line)) = lines.next_line().await {
            let entry: Value = serde_json::from_str(&line)
                .unwrap_or_else(|e| panic!("not a JSON log line ({e}): {line}"));
            if let Some(listen) = entry["listen"].as_str() {
                return listen.to_owned();
            }
        }
        panic!("kit-api ended without serving");
    })
    .await
    .unwrap_or_else(|_| panic!("kit-api did not start"));
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    (child, addr)
}

async fn graphql(addr: &str, token: &str, query: &str) -> Value {
    reqwest::Client::new()
        .post(format!("http://{addr}/graphql"))
        .bearer_auth(token)
        .json(&json!({ "query": query }))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .json()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}

#[tokio::test]
async fn a_newcomer_seeds_the_demo_and_queries_it() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let output = run(dir.path(), &["seed", "--demo"]).await;
    let demo = tokens(&output);
    assert_eq!(demo.len(), 6, "{output}");
    // Seeding again keeps the data and prints fresh tokens.
    assert!(
        run(dir.path(), &["seed", "--demo"])
            .await
            .contains("already loaded")
    );

    let (mut server, addr) = serve(dir.path()).await;
    let intake = graphql(
        &addr,
        &demo[0],
        "{ cases { totalCount } viewer { isIntakeMember } }",
    )
    .await;
    assert_eq!(intake["data"]["cases"]["totalCount"], 20, "{intake}");
    let statuses = graphql(
        &addr,
        &demo[0],
        "{ cases(first: 100) { nodes { status } } }",
    )
    .await;
    for status in [
        "REFERRED",
        "IN_INTAKE",
        "ACTIVE",
        "CLOSED",
        "REDIRECTED",
        "REJECTED",
    ] {
        assert!(
            statuses.to_string().contains(status),
            "the demo has a {status} case"
        );
    }
    let admin = graphql(
        &addr,
        &demo[4],
        "{ cases { totalCount } viewer { isAdmin } }",
    )
    .await;
    assert_eq!(admin["data"]["cases"]["totalCount"], 0);
    assert_eq!(admin["data"]["viewer"]["isAdmin"], true);
    let _ = server.kill().await;
}

#[tokio::test]
async fn create_admin_prints_a_working_token() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let output = run(
        dir.path(),
        &[
            "create-admin",
            "--organization",
            "Roskilde Kommune",
            "--name",
            "Ida Admin",
            "--email",
            "ida@roskilde.example",
        ],
    )
    .await;
    let token = tokens(&output)
        .pop()
        .unwrap_or_else(|| panic!("no token in {output}"));
    let (mut server, addr) = serve(dir.path()).await;
    let me = graphql(
        &addr,
        &token,
        "{ viewer { isAdmin professional { name subject } organization { name kind } } }",
    )
    .await;
    assert_eq!(me["data"]["viewer"]["isAdmin"], true, "{me}");
    assert_eq!(
        me["data"]["viewer"]["organization"]["name"],
        "Roskilde Kommune"
    );
    assert_eq!(
        me["data"]["viewer"]["professional"]["subject"],
        "ida@roskilde.example"
    );
    let _ = server.kill().await;
}

#[tokio::test]
async fn sigterm_lets_the_request_in_flight_finish() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let (mut server, addr) = serve(dir.path()).await;

    // A request whose body is still arriving when the signal comes.
    let body = json!({ "query": "{ viewer { isAdmin } }" }).to_string();
    let (first, rest) = body.split_at(5);
    let mut stream = tokio::net::TcpStream::connect(&addr)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let head = format!(
        "POST /graphql HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{first}",
        body.len()
    );
    stream
        .write_all(head.as_bytes())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    // The server has taken that connection once it has answered one opened after it
    // (connections are accepted in the order they arrive): no waiting on the clock.
    let health = reqwest::get(format!("http://{addr}/healthz"))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(health.status().is_success());

    let pid = server.id().unwrap_or_else(|| panic!("no pid")).to_string();
    let status = Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(status.success());
    // Shutting down: it stops taking new connections.
    tokio::time::timeout(PATIENCE, async {
        while tokio::net::TcpStream::connect(&addr).await.is_ok() {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
    .unwrap_or_else(|_| panic!("kit-api kept accepting connections after SIGTERM"));

    stream
        .write_all(rest.as_bytes())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let mut response = String::new();
    stream
        .read_to_string(&mut response)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        response.starts_with("HTTP/1.1 401"),
        "the request got its answer: {response}"
    );
    assert!(response.contains("UNAUTHENTICATED"));

    let exit = tokio::time::timeout(PATIENCE, server.wait())
        .await
        .unwrap_or_else(|_| panic!("kit-api did not stop"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(exit.success(), "{exit:?}");
    // New connections are refused once it has stopped.
    assert!(tokio::net::TcpStream::connect(&addr).await.is_err());
}
