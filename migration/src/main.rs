//! `kit-migrate`: applies, rolls back or reports the database migrations.
//!
//! The server migrates on start; this tool is for operators who want to migrate before
//! rolling out new `kit-api` processes.

use clap::{Parser, Subcommand};
use kit_migration::{Migrator, MigratorTrait};
use sea_orm_migration::sea_orm::{ConnectOptions, Database};

#[derive(Parser)]
#[command(version, about = "Apply or inspect the KIT database migrations")]
struct Cli {
    /// Database URL, as for `kit-api`.
    #[arg(
        long,
        env = "KIT_DATABASE_URL",
        default_value = "sqlite://data/kit.db?mode=rwc"
    )]
    database_url: String,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Apply all pending migrations.
    Up,
    /// Roll back the last `steps` migrations.
    Down {
        /// How many migrations to roll back.
        #[arg(default_value_t = 1)]
        steps: u32,
    },
    /// List every migration and whether it is applied.
    Status,
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let cli = Cli::parse();
    if let Some(path) = cli
        .database_url
        .strip_prefix("sqlite://")
        .and_then(|rest| rest.split('?').next())
        && let Some(dir) = std::path::Path::new(path).parent()
        && !dir.as_os_str().is_empty()
    {
        std::fs::create_dir_all(dir)?;
    }
    let db = Database::connect(ConnectOptions::new(cli.database_url)).await?;
    match cli.command {
        Command::Up => Migrator::up(&db, None).await?,
        Command::Down { steps } => Migrator::down(&db, Some(steps)).await?,
        Command::Status => {
            for m in Migrator::get_migration_with_status(&db).await? {
                println!("{:?}\t{}", m.status(), m.name());
            }
        }
    }
    Ok(())
}
