//! Database connection, migration and write transactions, shared by `kit-api` and
//! `kit-worker`.
//!
//! The same code runs on SQLite (the embedded default) and PostgreSQL (scale-out); the URL
//! decides. SQLite runs in WAL mode so readers never block the writer, with a busy timeout so
//! concurrent writers — in this process or another — wait instead of failing, foreign keys
//! enforced, and `synchronous=FULL` so a committed change survives a power cut, not only a
//! crash. Write transactions on SQLite begin `IMMEDIATE`, taking the write lock up front: two
//! writers never deadlock upgrading from a read. The job queue lives in the same database:
//! its tables are created by apalis's own migrations, run after the product's.

use std::time::Duration;

use kit_migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbBackend,
    DbErr, SqliteTransactionMode, TransactionOptions, TransactionTrait,
};

use crate::infra::settings::Settings;

/// How long a SQLite writer waits for the write lock before giving up.
pub const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Rows SQLite samples per index when it refreshes its planner statistics.
const ANALYSIS_LIMIT: u32 = 1000;

/// The table apalis records its SQLite migrations in, apart from any other sqlx migrator.
const APALIS_SQLITE_MIGRATIONS: &str = "_apalis_migrations";

/// How long a PostgreSQL connection may have been idle in the pool and still be used without a
/// ping first.
const PING_WHEN_IDLE_FOR: Duration = Duration::from_secs(1);

/// Opens the connection pool described by `settings`, creating the SQLite directory if
/// needed.
///
/// # Errors
/// When the directory cannot be created or the database cannot be reached.
pub async fn connect(settings: &Settings) -> Result<DatabaseConnection, DbErr> {
    if let Some(dir) = settings.sqlite_dir()
        && !dir.as_os_str().is_empty()
    {
        std::fs::create_dir_all(&dir)
            .map_err(|e| DbErr::Custom(format!("cannot create {}: {e}", dir.display())))?;
    }
    let mut options = ConnectOptions::new(settings.database_url.clone());
    options
        .max_connections(settings.db_max_connections.max(2))
        .min_connections(1)
        .connect_timeout(Duration::from_secs(10))
        .acquire_timeout(settings.db_acquire_timeout_secs.duration())
        .sqlx_logging(false)
        // A pool at its limit is reported once per episode by the API's load shedding, not by
        // sqlx once per acquire.
        //
        // A connection taken from the pool is pinged (a round trip) only when it has been idle
        // long enough for the server or the network to have dropped it; one that ran a
        // statement within the last second is used as it is. sqlx pings before every acquire by
        // default: ten extra round trips for a caseload page. A SQLite connection is a file
        // handle that cannot be dropped from the other end: never pinged.
        .map_sqlx_postgres_pool_opts(|o| {
            o.acquire_slow_level(log::LevelFilter::Off)
                .test_before_acquire(false)
                .before_acquire(|conn, meta| {
                    Box::pin(async move {
                        if meta.idle_for > PING_WHEN_IDLE_FOR {
                            sea_orm::sqlx::Connection::ping(conn).await?;
                        }
                        Ok(true)
                    })
                })
        })
        .map_sqlx_sqlite_pool_opts(|o| {
            o.acquire_slow_level(log::LevelFilter::Off)
                .test_before_acquire(false)
        })
        .map_sqlx_sqlite_opts(|o| {
            o.journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Full)
                .busy_timeout(SQLITE_BUSY_TIMEOUT)
                .foreign_keys(true)
                .analysis_limit(ANALYSIS_LIMIT)
                .optimize_on_close(true, ANALYSIS_LIMIT)
        });
    let mut db = Database::connect(options).await?;
    // Every statement counts towards the request that made it (`kit_graphql_request_statements`).
    db.set_metric_callback(|_| crate::infra::metrics::count_statement());
    Ok(db)
}

/// Applies every pending migration of the product and of the job queue, then lets SQLite
/// refresh the planner statistics it needs (`PRAGMA optimize`). Without statistics SQLite
/// may, for example, sort every case of a municipality to show the newest fifty.
/// PostgreSQL keeps its own statistics (autovacuum).
///
/// # Errors
/// When a migration fails.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    Migrator::up(db, None).await?;
    let queue =
        |e: sea_orm::sqlx::migrate::MigrateError| DbErr::Migration(format!("job queue: {e}"));
    match db.get_database_backend() {
        DbBackend::Sqlite => {
            let mut migrator = apalis_sqlite::SqliteStorage::<()>::migrations();
            migrator.dangerous_set_table_name(APALIS_SQLITE_MIGRATIONS);
            migrator
                .run(db.get_sqlite_connection_pool())
                .await
                .map_err(queue)?;
        }
        DbBackend::Postgres => {
            apalis_postgres::PostgresStorage::<()>::migrations()
                .run(db.get_postgres_connection_pool())
                .await
                .map_err(queue)?;
        }
        other => return Err(DbErr::Custom(format!("unsupported database {other:?}"))),
    }
    optimize(db).await
}

/// Refreshes SQLite's planner statistics where they are missing or stale; a no-op on
/// PostgreSQL.
///
/// # Errors
/// When the database fails.
pub async fn optimize(db: &DatabaseConnection) -> Result<(), DbErr> {
    if db.get_database_backend() == DbBackend::Sqlite {
        db.execute_unprepared("PRAGMA optimize=0x10002").await?;
    }
    Ok(())
}

/// True when every migration this build knows is applied.
///
/// # Errors
/// When the database cannot be read.
pub async fn is_migrated(db: &DatabaseConnection) -> Result<bool, DbErr> {
    Ok(Migrator::get_pending_migrations(db).await?.is_empty())
}

/// Begins a transaction that will write. On SQLite it takes the write lock at once.
///
/// # Errors
/// When the database cannot start a transaction (on SQLite: the lock stayed busy).
pub async fn begin_write(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    let sqlite_transaction_mode = (db.get_database_backend() == DbBackend::Sqlite)
        .then_some(SqliteTransactionMode::Immediate);
    let started = std::time::Instant::now();
    let txn = db
        .begin_with_options(TransactionOptions {
            sqlite_transaction_mode,
            ..TransactionOptions::default()
        })
        .await;
    crate::infra::metrics::METRICS
        .write_begin_seconds
        .observe(started.elapsed().as_secs_f64());
    txn
}

/// `query` locking the rows it reads until the transaction ends (`FOR UPDATE`) on
/// PostgreSQL, where transactions run side by side. SQLite needs no row lock: a write
/// transaction holds the database's one write lock from its start.
#[must_use]
pub fn for_update<E: sea_orm::EntityTrait>(
    query: sea_orm::Select<E>,
    backend: DbBackend,
) -> sea_orm::Select<E> {
    use sea_orm::QuerySelect;
    if backend == DbBackend::Postgres {
        query.lock_exclusive()
    } else {
        query
    }
}
