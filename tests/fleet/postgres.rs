//! A PostgreSQL server of the run's own: a fresh cluster in a temporary directory on a free
//! port, made with the installed server's `initdb` and driven with its `pg_ctl`, so the run
//! can stop and start it without touching any other database on the machine.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// The cluster; stopped and removed when dropped.
pub struct Postgres {
    bin: PathBuf,
    dir: tempfile::TempDir,
    port: u16,
}

impl Postgres {
    /// Makes a cluster (trust authentication for `postgres` on 127.0.0.1) and starts it.
    ///
    /// # Panics
    /// When PostgreSQL's server programs are not installed or the cluster cannot start.
    #[must_use]
    pub fn start() -> Self {
        let bin = server_programs();
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("no temp dir: {e}"));
        // The server refuses to run as root: as root, it runs as the `postgres` user that
        // Debian's package creates, in a directory that user owns.
        if is_root() {
            run(Command::new("chown").arg("postgres").arg(dir.path()));
        }
        let cluster = Self {
            bin,
            dir,
            port: crate::fleet::free_port(),
        };
        run(cluster
            .as_server_user("initdb")
            .arg("-D")
            .arg(cluster.data())
            .args(["-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"]));
        cluster.pg_ctl("start");
        cluster
    }

    /// The URL of its `postgres` database, for creating test databases on it.
    #[must_use]
    pub fn admin_url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// Stops the server (fast shutdown: sessions are ended, transactions roll back, as
    /// `pg_ctlcluster … restart` does), waits `down`, and starts it again.
    pub fn restart(&self, down: Duration) {
        self.pg_ctl("stop");
        std::thread::sleep(down);
        self.pg_ctl("start");
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn pg_ctl(&self, action: &str) {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c max_connections=200",
            self.port,
            self.dir.path().display()
        );
        run(self
            .as_server_user("pg_ctl")
            .arg("-D")
            .arg(self.data())
            .args(["-m", "fast", "-w", "-t", "60", "-o", &options, "-l"])
            .arg(self.dir.path().join("server.log"))
            .arg(action));
    }

    fn as_server_user(&self, program: &str) -> Command {
        let program = self.bin.join(program);
        let mut command = if is_root() {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(program);
            c
        } else {
            Command::new(program)
        };
        // The run's own clock settings (a moved date) stay out of the database server.
        command.env_remove("LD_PRELOAD").env_remove("FAKETIME");
        command
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let _ = self
            .as_server_user("pg_ctl")
            .arg("-D")
            .arg(self.data())
            .args(["-m", "immediate", "stop"])
            .output();
    }
}

/// The directory of the newest installed server's programs (`/usr/lib/postgresql/N/bin`).
fn server_programs() -> PathBuf {
    let root = Path::new("/usr/lib/postgresql");
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir(root)
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .filter_map(|e| {
            let version = e.file_name().to_string_lossy().parse().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").exists().then_some((version, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin).unwrap_or_else(|| {
        panic!("PostgreSQL's server is not installed: apt-get install postgresql")
    })
}

fn is_root() -> bool {
    std::fs::metadata("/proc/self").is_ok_and(|m| std::os::unix::fs::MetadataExt::uid(&m) == 0)
}

fn run(command: &mut Command) {
    let out = command
        .output()
        .unwrap_or_else(|e| panic!("cannot run {command:?}: {e}"));
    assert!(
        out.status.success(),
        "{command:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
