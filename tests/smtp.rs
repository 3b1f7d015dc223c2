//! A real SMTP server on loopback for the tests: it records every message it accepts, can
//! refuse service (an outage), and can run a hook after a message's DATA arrives and before
//! it answers — to kill a sender mid-batch, for example.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;

/// One accepted message: the envelope and the raw DATA (dot-unstuffed).
#[derive(Clone, Debug)]
pub struct Received {
    /// MAIL FROM.
    pub mail_from: String,
    /// RCPT TO.
    pub rcpt_to: Vec<String>,
    /// The message.
    pub data: Vec<u8>,
}

/// Called after the final "." of DATA, before the reply. `Some(line)` replaces the `250`;
/// the message is recorded only if the reply starts with `2`.
pub type DataHook =
    Arc<dyn Fn(Received) -> Pin<Box<dyn Future<Output = Option<String>> + Send>> + Send + Sync>;

#[derive(Default)]
struct State {
    messages: Mutex<Vec<Received>>,
    failure: Mutex<Option<String>>,
    hook: Mutex<Option<DataHook>>,
    arrived: Notify,
}

/// The server; stops when dropped.
pub struct SmtpSink {
    /// The port it listens on, on 127.0.0.1.
    pub port: u16,
    state: Arc<State>,
    task: tokio::task::JoinHandle<()>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl SmtpSink {
    /// Starts a server on a free port.
    ///
    /// # Panics
    /// When no port can be bound.
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let port = listener
            .local_addr()
            .unwrap_or_else(|e| panic!("{e}"))
            .port();
        let state = Arc::new(State::default());
        let shared = Arc::clone(&state);
        let task = tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                // Replies go out at once, as from a real MTA (no Nagle delay on loopback).
                let _ = socket.set_nodelay(true);
                let state = Arc::clone(&shared);
                tokio::spawn(async move {
                    let _ = session(socket, state).await;
                });
            }
        });
        Self { port, state, task }
    }

    /// The URL to configure as `KIT_SMTP_URL`.
    #[must_use]
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// `Some("421 …")`: refuse service from now on; `None`: serve again.
    pub fn set_failure(&self, reply: Option<&str>) {
        *lock(&self.state.failure) = reply.map(str::to_owned);
    }

    /// Installs (or removes) the DATA hook.
    pub fn set_data_hook(&self, hook: Option<DataHook>) {
        *lock(&self.state.hook) = hook;
    }

    /// Every message accepted so far.
    #[must_use]
    pub fn messages(&self) -> Vec<Received> {
        lock(&self.state.messages).clone()
    }

    /// Waits until at least `n` messages are accepted, or `timeout` passes; returns them all.
    pub async fn wait_for(&self, n: usize, timeout: Duration) -> Vec<Received> {
        let _ = tokio::time::timeout(timeout, async {
            loop {
                let arrived = self.state.arrived.notified();
                tokio::pin!(arrived);
                arrived.as_mut().enable();
                if lock(&self.state.messages).len() >= n {
                    return;
                }
                arrived.await;
            }
        })
        .await;
        self.messages()
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn path_arg(line: &str) -> String {
    let rest = line.split_once(':').map(|(_, r)| r.trim()).unwrap_or("");
    let path = rest.split_whitespace().next().unwrap_or("");
    path.trim_start_matches('<')
        .trim_end_matches('>')
        .to_owned()
}

async fn session(socket: TcpStream, state: Arc<State>) -> std::io::Result<()> {
    let (reader, mut writer) = socket.into_split();
    let mut reader = BufReader::new(reader);
    let failure = || lock(&state.failure).clone();
    if let Some(f) = failure() {
        writer.write_all(format!("{f}\r\n").as_bytes()).await?;
        return Ok(());
    }
    writer.write_all(b"220 sink.test ESMTP ready\r\n").await?;
    let (mut from, mut rcpts): (Option<String>, Vec<String>) = (None, Vec::new());
    let mut line = String::new();
    loop {
        line.clear();
        if reader.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let command = line.trim_end().to_owned();
        let verb = command.get(..4).unwrap_or(&command).to_ascii_uppercase();
        let reply: String = match verb.as_str() {
            "EHLO" => "250-sink.test\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250 SIZE 10485760".into(),
            "HELO" => "250 sink.test".into(),
            "MAIL" => match failure() {
                Some(f) => f,
                None => {
                    from = Some(path_arg(&command));
                    rcpts.clear();
                    "250 2.1.0 OK".into()
                }
            },
            "RCPT" if from.is_some() => {
                rcpts.push(path_arg(&command));
                "250 2.1.5 OK".into()
            }
            "DATA" if from.is_some() && !rcpts.is_empty() => {
                writer
                    .write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                    .await?;
                let mut data = Vec::new();
                let mut buf = Vec::new();
                loop {
                    buf.clear();
                    if reader.read_until(b'\n', &mut buf).await? == 0 {
                        return Ok(());
                    }
                    if buf == b".\r\n" || buf == b".\n" {
                        break;
                    }
                    let body = if buf.starts_with(b".") {
                        &buf[1..]
                    } else {
                        &buf[..]
                    };
                    data.extend_from_slice(body);
                }
                let message = Received {
                    mail_from: from.take().unwrap_or_default(),
                    rcpt_to: std::mem::take(&mut rcpts),
                    data,
                };
                let hook = lock(&state.hook).clone();
                let replaced = match hook {
                    Some(h) => h(message.clone()).await,
                    None => None,
                };
                let reply = replaced.unwrap_or_else(|| "250 2.0.0 OK queued".into());
                if reply.starts_with('2') {
                    lock(&state.messages).push(message);
                    state.arrived.notify_waiters();
                }
                reply
            }
            "RCPT" | "DATA" => "503 5.5.1 Bad sequence of commands".into(),
            "RSET" => {
                from = None;
                rcpts.clear();
                "250 2.0.0 OK".into()
            }
            "NOOP" => "250 2.0.0 OK".into(),
            "QUIT" => {
                writer.write_all(b"221 2.0.0 Bye\r\n").await?;
                return Ok(());
            }
            _ => "502 5.5.2 Command not implemented".into(),
        };
        writer.write_all(format!("{reply}\r\n").as_bytes()).await?;
    }
}
