//! `kit-api`: with no arguments, migrates the database and serves the GraphQL API.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context as _;
use chrono::TimeDelta;
use clap::{Parser, Subcommand, ValueEnum};
use kit_api::{App, Config, cli, db, demo, graphql, shutdown_signal, telemetry};
use kit_entity::SystemClock;
use kit_entity::domain::enums::OrganizationKind;
use kit_entity::ops::access_log;

/// mimalloc instead of the system allocator: a GraphQL response is built from many small
/// allocations (values, maps, strings, futures), and with glibc's malloc a fifth of a caseload
/// page's CPU went to allocating and freeing (BENCHMARKS.md, "Where the time goes").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    version,
    about = "KIT: coordinated pathways for children across sectors"
)]
struct Args {
    /// Configuration file, read after the defaults and before `KIT_*` variables.
    #[arg(long, env = "KIT_CONFIG", default_value = "kit.toml", global = true)]
    config: PathBuf,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Clone, Copy, ValueEnum)]
enum Kind {
    RegionalChildPsychiatry,
    Municipality,
    GeneralPractice,
    HospitalWard,
    SchoolOrDayCare,
    Other,
}

impl From<Kind> for OrganizationKind {
    fn from(k: Kind) -> Self {
        match k {
            Kind::RegionalChildPsychiatry => Self::RegionalChildPsychiatry,
            Kind::Municipality => Self::Municipality,
            Kind::GeneralPractice => Self::GeneralPractice,
            Kind::HospitalWard => Self::HospitalWard,
            Kind::SchoolOrDayCare => Self::SchoolOrDayCare,
            Kind::Other => Self::Other,
        }
    }
}

#[derive(Subcommand)]
enum Command {
    /// Migrate the database and serve (the default).
    Serve,
    /// Create the first administrator (and their organization and unit) and print a token.
    CreateAdmin {
        /// The organization's name; created if new.
        #[arg(long)]
        organization: String,
        /// The organization's kind, if it is created.
        #[arg(long, value_enum, default_value = "municipality")]
        kind: Kind,
        /// The administrator's unit; created if new.
        #[arg(long, default_value = "Administration")]
        unit: String,
        /// The administrator's full name.
        #[arg(long)]
        name: String,
        /// The administrator's e-mail address.
        #[arg(long)]
        email: String,
        /// The administrator's job title.
        #[arg(long, default_value = "Administrator")]
        title: String,
        /// Login subject at the identity provider; defaults to the e-mail address.
        #[arg(long)]
        subject: Option<String>,
        /// How long the printed token is valid.
        #[arg(long, default_value_t = 12)]
        token_hours: i64,
    },
    /// Print a local token for an existing professional.
    Token {
        /// The professional's login subject.
        subject: String,
        /// How long the token is valid.
        #[arg(long, default_value_t = 12)]
        hours: i64,
    },
    /// Load demo data (`--demo`), or generate a whole region's (`--region`).
    Seed {
        /// Load the fictional Syddjurs demo and print tokens for its users.
        #[arg(long, required_unless_present = "region", conflicts_with = "region")]
        demo: bool,
        /// Generate a region into an empty database: its municipalities and child psychiatry,
        /// their professionals, years of cases with everything in them, and the access log —
        /// the same rows for the same seed, sizes and `--until`.
        #[arg(long)]
        region: bool,
        /// Municipalities in the region.
        #[arg(long, default_value_t = 29, requires = "region")]
        municipalities: u32,
        /// Cases over the years.
        #[arg(long, default_value_t = 30_000, requires = "region")]
        cases: u32,
        /// Professionals in the region.
        #[arg(long, default_value_t = 3_000, requires = "region")]
        professionals: u32,
        /// Access-log rows.
        #[arg(long, default_value_t = 50_000_000, requires = "region")]
        access_log_rows: u64,
        /// Years of history.
        #[arg(long, default_value_t = 3, requires = "region")]
        years: u32,
        /// The number every draw starts from.
        #[arg(long, default_value_t = 1, requires = "region")]
        seed: u64,
        /// The history's last day (`YYYY-MM-DD`); today when left out.
        #[arg(long, requires = "region")]
        until: Option<chrono::NaiveDate>,
        /// How long the printed tokens are valid (at most `KIT_AUTH_MAX_TOKEN_HOURS`).
        #[arg(long, default_value_t = 12)]
        token_hours: i64,
    },
    /// Print the GraphQL schema (SDL).
    PrintSchema,
    /// Check or prune the access log.
    Audit {
        #[command(subcommand)]
        action: AuditAction,
    },
    /// Manage the key CPR numbers are encrypted with.
    Cpr {
        #[command(subcommand)]
        action: CprAction,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum ExportFormat {
    Json,
    Html,
}

#[derive(Subcommand)]
enum CprAction {
    /// Print a new random key (base64 of 32 bytes) for `KIT_CPR_KEY`.
    NewKey,
    /// Re-encrypt every stored CPR number under `KIT_CPR_KEY`, opening those sealed under
    /// the keys in `KIT_CPR_OLD_KEYS`; afterwards the old keys may be removed.
    Rotate,
}

#[derive(Subcommand)]
enum AuditAction {
    /// Recompute the access log's hash chains and name every row where one breaks (an edited,
    /// removed or reordered row, rows cut from a chain's end, a checkpointed row changed).
    /// Exits with status 1 when it finds one.
    Verify {
        /// Check only the rows since this day (`YYYY-MM-DD`, UTC): each chain from its last
        /// checkpoint before it, trusting the checkpoints for what came earlier.
        #[arg(long)]
        since: Option<chrono::NaiveDate>,
    },
    /// Verify each chain from its last checkpoint and record a new checkpoint of every chain
    /// (the worker does this once a day).
    Checkpoint,
    /// Print every checkpoint, one JSON object per line, oldest first: the copy to hand to an
    /// outside witness, who can later tell a rewritten log from the one they were shown.
    Checkpoints,
    /// Everything the access log holds about one child — who looked at or changed what,
    /// when, on what basis — for a subject access request (GDPR art. 15), on standard output.
    Export {
        /// The child's CPR number (`DDMMYY-XXXX` or ten digits).
        #[arg(long)]
        cpr: String,
        /// `json`, or `html` for a Danish page to print or send.
        #[arg(long, value_enum, default_value = "json")]
        format: ExportFormat,
    },
    /// Remove the rows older than `KIT_AUDIT_RETENTION_DAYS` (on PostgreSQL whole months, once
    /// all of a month is that old), recording the prune (the worker does this by itself,
    /// checking every minute).
    Prune,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    // The commands that need neither the configuration nor the database.
    match args.command {
        Some(Command::PrintSchema) => {
            print!("{}", graphql::sdl());
            return Ok(());
        }
        Some(Command::Cpr {
            action: CprAction::NewKey,
        }) => {
            println!("{}", kit_entity::cpr::vault::CprVault::generate_key());
            return Ok(());
        }
        _ => {}
    }
    // Serving: the handlers go in before the slow start (migrations, sealing), so that a
    // SIGTERM meanwhile ends the server cleanly instead of killing it mid-way. The one-shot
    // commands keep the default: Ctrl-C stops them at once.
    let shutdown = matches!(args.command, None | Some(Command::Serve)).then(shutdown_signal);
    let config = Config::load(&args.config).context("reading the configuration")?;
    let _telemetry = telemetry::init_with(
        config.settings.log_format,
        config.settings.otlp_endpoint.as_deref(),
        "kit-api",
    )
    .map_err(anyhow::Error::msg)?;
    let db = db::connect(&config.settings).await.with_context(|| {
        format!(
            "connecting to {}",
            kit_api::config::redact_url(&config.settings.database_url)
        )
    })?;
    let app = App::start(db, config.clone(), Arc::new(SystemClock)).await?;
    match args.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(app, &config, shutdown).await,
        command @ Command::CreateAdmin { .. } => create_admin(&app, command).await,
        Command::Token { subject, hours } => {
            print_token(&app, &subject, hours).await;
            Ok(())
        }
        Command::Seed {
            region: true,
            municipalities,
            cases,
            professionals,
            access_log_rows,
            years,
            seed,
            until,
            token_hours,
            ..
        } => {
            let mut options = kit_api::region::Options::region(match until {
                Some(day) => day.and_hms_opt(12, 0, 0).unwrap_or_default().and_utc(),
                None => app.state.clock.now(),
            });
            options.municipalities = municipalities;
            options.cases = cases;
            options.professionals = professionals;
            options.access_log_rows = access_log_rows;
            options.years = years;
            options.seed = seed;
            options.chains = config.settings.audit_chains;
            seed_region(&app, &options, token_hours).await
        }
        Command::Seed { token_hours, .. } => seed_demo(&app, token_hours).await,
        Command::Audit { action } => audit(&app, &config, action).await,
        Command::Cpr { action } => cpr(&app, action).await,
        Command::PrintSchema => Ok(()),
    }
}

/// Serves the API, with the worker in the process unless `KIT_WORKER=off`.
async fn serve(
    app: App,
    config: &Config,
    shutdown: Option<impl std::future::Future<Output = ()> + Send + 'static>,
) -> anyhow::Result<()> {
    let app = app.start_worker().await?;
    if let Some(addr) = config.settings.metrics_listen {
        // Ends with the process.
        kit_worker::metrics::serve(
            addr,
            app.state.db.clone(),
            config.settings.db_max_connections,
            std::future::pending(),
        )
        .await
        .with_context(|| format!("listening for metrics on {addr}"))?;
    }
    let listen = config.listen;
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("binding {listen}"))?;
    tracing::info!(listen = %listener.local_addr()?, public_url = %config.settings.public_url, "serving GraphQL at /graphql");
    match shutdown {
        Some(shutdown) => app.serve(listener, shutdown).await?,
        None => app.serve(listener, shutdown_signal()).await?,
    }
    Ok(())
}

/// `kit-api create-admin`.
async fn create_admin(app: &App, command: Command) -> anyhow::Result<()> {
    let Command::CreateAdmin {
        organization,
        kind,
        unit,
        name,
        email,
        title,
        subject,
        token_hours,
    } = command
    else {
        return Ok(());
    };
    let created = cli::create_admin(
        &app.state,
        cli::NewAdmin {
            organization,
            kind: kind.into(),
            unit,
            name,
            email,
            title,
            subject,
        },
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    let subject = &created.professional.subject;
    if created.existed {
        println!("{subject} already existed and is now an active administrator.");
    } else {
        println!(
            "Created administrator {} ({subject}).",
            created.professional.name
        );
    }
    print_token(app, subject, token_hours).await;
    Ok(())
}

/// `kit-api seed --demo`.
async fn seed_region(
    app: &App,
    options: &kit_api::region::Options,
    token_hours: i64,
) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let seeded = kit_api::region::seed(&app.state.db, &app.state.cpr, options)
        .await
        .map_err(|e| anyhow::anyhow!("{}", e.report()))?;
    println!(
        "Generated a region of {} municipalities and {} cases in {:.0} s (seed {}, until {}):",
        options.municipalities,
        options.cases,
        started.elapsed().as_secs_f64(),
        options.seed,
        options.until.date_naive()
    );
    for (table, rows) in &seeded.tables {
        println!("  {table:<28} {rows:>12}");
    }
    println!(
        "The access log's {} rows spread over {} chains.\n",
        seeded.log.rows, seeded.log.chains
    );
    println!("Tokens (valid {token_hours} hours) — send as `Authorization: Bearer <token>`:\n");
    for (subject, description) in seeded.users {
        println!("# {description}");
        print_token(app, &subject, token_hours).await;
        println!();
    }
    Ok(())
}

async fn seed_demo(app: &App, token_hours: i64) -> anyhow::Result<()> {
    let (users, loaded) = demo::seed(&app.state)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    println!(
        "{}",
        if loaded {
            "Loaded the demo."
        } else {
            "The demo was already loaded."
        }
    );
    println!("Tokens (valid {token_hours} hours) — send as `Authorization: Bearer <token>`:\n");
    for user in users {
        println!("# {}", user.description);
        print_token(app, &user.subject, token_hours).await;
        println!();
    }
    Ok(())
}

/// `kit-api audit verify|export|prune`.
async fn audit(app: &App, config: &Config, action: AuditAction) -> anyhow::Result<()> {
    match action {
        AuditAction::Verify { since } => {
            let found = match since {
                None => access_log::verify(&app.state.db).await?,
                Some(day) => {
                    let since = day.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc();
                    access_log::verify_since(&app.state.db, since).await?
                }
            };
            println!(
                "{} access-log rows in {} chains, {} prunes and {} checkpoints checked.",
                found.rows, found.chains, found.prunes, found.checkpoints
            );
            if !found.intact() {
                for b in &found.breaks {
                    println!("{} row {}: {}", b.table, b.id, b.problem);
                }
                anyhow::bail!("the access log has been tampered with");
            }
            println!("The chain is intact.");
        }
        AuditAction::Export { cpr, format } => {
            let cpr = kit_entity::domain::validate::cpr("--cpr", &cpr, None)?;
            let report = kit_api::subject_access::report(
                &app.state.db,
                &app.state.cpr,
                cpr.as_digits(),
                None,
                app.state.clock.now(),
            )
            .await?;
            tracing::warn!(
                cases = ?report.cases,
                entries = report.entries.len(),
                "subject access export by an operator"
            );
            match format {
                ExportFormat::Json => println!("{}", report.to_json()?),
                ExportFormat::Html => print!("{}", report.to_html()),
            }
        }
        AuditAction::Checkpoint => {
            let done = access_log::checkpoint(
                &app.state.db,
                app.state.clock.now(),
                "kit-api audit checkpoint",
            )
            .await?;
            for c in &done.made {
                println!(
                    "Chain {} checkpointed through row {} ({} rows since its last).",
                    c.chain, c.through_id, c.rows
                );
            }
            if !done.breaks.is_empty() {
                for b in &done.breaks {
                    println!("{} row {}: {}", b.table, b.id, b.problem);
                }
                anyhow::bail!("the access log has been tampered with");
            }
            println!("{} rows verified.", done.rows);
        }
        AuditAction::Checkpoints => {
            for c in access_log::checkpoints(&app.state.db).await? {
                println!(
                    "{}",
                    serde_json::json!({
                        "id": c.id,
                        "madeAt": c.made_at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
                        "chain": c.chain,
                        "throughId": c.through_id,
                        "throughAt": c.through_at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
                        "headHash": c.head_hash,
                        "rows": c.rows,
                        "madeBy": c.made_by,
                        "prevHash": c.prev_hash,
                        "hash": c.hash,
                    })
                );
            }
        }
        AuditAction::Prune => {
            let days = config.settings.audit_retention_days;
            match access_log::prune(
                &app.state.db,
                app.state.clock.now(),
                days,
                "kit-api audit prune",
            )
            .await?
            {
                Some(p) if p.months.is_empty() => println!(
                    "Pruned {} rows older than {days} days, through row {}.",
                    p.rows, p.through.0
                ),
                Some(p) => println!(
                    "Pruned {} rows older than {days} days, through row {}: the months {}.",
                    p.rows,
                    p.through.0,
                    p.months.join(", ")
                ),
                None => println!("No row is older than {days} days."),
            }
        }
    }
    Ok(())
}

/// `kit-api cpr rotate` (`new-key` needs no database and is answered before).
async fn cpr(app: &App, action: CprAction) -> anyhow::Result<()> {
    if let CprAction::Rotate = action {
        let done = kit_entity::cpr::reseal(&app.state.db, &app.state.cpr, false).await?;
        println!(
            "Re-encrypted {} children's and {} referrals' CPR numbers and {} stored answers \
             under key {}.",
            done.children,
            done.referrals,
            done.answers,
            app.state.cpr.current_id()
        );
    }
    Ok(())
}

async fn print_token(app: &App, subject: &str, hours: i64) {
    match cli::token_for(&app.state, subject, TimeDelta::hours(hours)).await {
        Ok(token) => println!("{token}"),
        Err(e) => {
            println!("(no local token: {e}; log in through your identity provider as {subject})")
        }
    }
}
