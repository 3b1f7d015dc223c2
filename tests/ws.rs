//! A minimal `graphql-transport-ws` client for subscription tests.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// A connected, acknowledged subscription client.
pub struct WsClient {
    socket: WebSocketStream<MaybeTlsStream<TcpStream>>,
    next_id: u32,
    /// The operation of each subscription, by id: every event is checked against the schema.
    operations: std::collections::HashMap<String, String>,
}

/// How a connection attempt ended.
#[derive(Debug)]
pub enum Connect {
    /// The server acknowledged the connection.
    Acknowledged(Box<WsClient>),
    /// The server closed it, with this close code and reason.
    Closed(u16, String),
}

impl std::fmt::Debug for WsClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WsClient").finish_non_exhaustive()
    }
}

impl WsClient {
    /// Connects to `url` (`ws://…/graphql/ws`) and sends `connection_init` with `payload`.
    ///
    /// # Panics
    /// When the server cannot be reached or answers outside the protocol.
    pub async fn connect(url: &str, payload: Value) -> Connect {
        let mut request = url
            .into_client_request()
            .unwrap_or_else(|e| panic!("bad url {url}: {e}"));
        request.headers_mut().insert(
            "Sec-WebSocket-Protocol",
            "graphql-transport-ws"
                .parse()
                .unwrap_or_else(|e| panic!("{e}")),
        );
        let (mut socket, _) = tokio_tungstenite::connect_async(request)
            .await
            .unwrap_or_else(|e| panic!("cannot connect to {url}: {e}"));
        socket
            .send(Message::text(
                json!({ "type": "connection_init", "payload": payload }).to_string(),
            ))
            .await
            .unwrap_or_else(|e| panic!("cannot send: {e}"));
        loop {
            let message = tokio::time::timeout(crate::harness::PATIENCE, socket.next())
                .await
                .unwrap_or_else(|_| panic!("no answer to connection_init"));
            match message {
                Some(Ok(Message::Text(text))) => {
                    let v: Value = serde_json::from_str(&text).unwrap_or_default();
                    if v["type"] == "connection_ack" {
                        return Connect::Acknowledged(Box::new(Self {
                            socket,
                            next_id: 1,
                            operations: std::collections::HashMap::new(),
                        }));
                    }
                }
                Some(Ok(Message::Close(frame))) => {
                    return match frame {
                        Some(f) => Connect::Closed(u16::from(f.code), f.reason.to_string()),
                        None => Connect::Closed(0, String::new()),
                    };
                }
                Some(Ok(_)) => {}
                Some(Err(e)) => panic!("websocket error: {e}"),
                None => return Connect::Closed(0, String::new()),
            }
        }
    }

    /// Waits for the server to close the connection (answering pings on the way); returns
    /// the close code and reason.
    ///
    /// # Panics
    /// When nothing closes it within `timeout`.
    pub async fn closed(&mut self, timeout: Duration) -> (u16, String) {
        wait_close(&mut self.socket, timeout).await
    }

    /// Opens a connection and sends nothing: for the `connection_init` timeout. Returns the
    /// close code and reason the server ends it with.
    ///
    /// # Panics
    /// When the server cannot be reached or does not close within `timeout`.
    pub async fn silent(url: &str, timeout: Duration) -> (u16, String) {
        let mut request = url
            .into_client_request()
            .unwrap_or_else(|e| panic!("bad url {url}: {e}"));
        request.headers_mut().insert(
            "Sec-WebSocket-Protocol",
            "graphql-transport-ws"
                .parse()
                .unwrap_or_else(|e| panic!("{e}")),
        );
        let (mut socket, _) = tokio_tungstenite::connect_async(request)
            .await
            .unwrap_or_else(|e| panic!("cannot connect to {url}: {e}"));
        wait_close(&mut socket, timeout).await
    }

    /// Starts a subscription; returns its id.
    ///
    /// # Panics
    /// When the message cannot be sent.
    pub async fn subscribe(&mut self, query: &str) -> String {
        let id = self.next_id.to_string();
        self.next_id += 1;
        self.operations.insert(id.clone(), query.to_owned());
        self.socket
            .send(Message::text(
                json!({ "id": id, "type": "subscribe", "payload": { "query": query } }).to_string(),
            ))
            .await
            .unwrap_or_else(|e| panic!("cannot send: {e}"));
        id
    }

    /// The next `next` payload's `data`, asserting it holds no errors.
    ///
    /// # Panics
    /// When nothing arrives within `timeout`, the payload holds errors, the server reports
    /// an error, or the connection closes.
    pub async fn next_data(&mut self, timeout: Duration) -> Value {
        let payload = self.next_payload(timeout).await;
        if let Some(errors) = payload.get("errors") {
            panic!("subscription error: {errors}");
        }
        payload["data"].clone()
    }

    /// The refusal of a subscription: the payload of an `error` message, or of a `next` that
    /// carries errors.
    ///
    /// # Panics
    /// When nothing arrives within `timeout`, or the connection closes.
    pub async fn next_error(&mut self, timeout: Duration) -> Value {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let message = tokio::time::timeout_at(deadline, self.socket.next())
                .await
                .unwrap_or_else(|_| panic!("no refusal within {timeout:?}"));
            match message {
                Some(Ok(Message::Text(text))) => {
                    let v: Value = serde_json::from_str(&text).unwrap_or_default();
                    match v["type"].as_str() {
                        Some("error") => return v["payload"].clone(),
                        Some("next") if v["payload"].get("errors").is_some() => {
                            return v["payload"].clone();
                        }
                        Some("next") => panic!("the subscription was not refused: {v}"),
                        _ => {}
                    }
                }
                Some(Ok(Message::Close(frame))) => panic!("connection closed: {frame:?}"),
                Some(Ok(_)) => {}
                Some(Err(e)) => panic!("websocket error: {e}"),
                None => panic!("connection ended"),
            }
        }
    }

    /// The next `next` payload, `data` and `errors`, answering pings on the way.
    ///
    /// # Panics
    /// When nothing arrives within `timeout`, the server reports an error, or the
    /// connection closes.
    pub async fn next_payload(&mut self, timeout: Duration) -> Value {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let message = tokio::time::timeout_at(deadline, self.socket.next())
                .await
                .unwrap_or_else(|_| panic!("no subscription event within {timeout:?}"));
            match message {
                Some(Ok(Message::Text(text))) => {
                    let v: Value = serde_json::from_str(&text).unwrap_or_default();
                    match v["type"].as_str() {
                        Some("next") => {
                            if let Some(query) =
                                v["id"].as_str().and_then(|id| self.operations.get(id))
                            {
                                crate::harness::conform(&json!({ "query": query }), &v["payload"]);
                            }
                            return v["payload"].clone();
                        }
                        Some("ping") => {
                            let _ = self
                                .socket
                                .send(Message::text(json!({ "type": "pong" }).to_string()))
                                .await;
                        }
                        Some("error") => panic!("subscription refused: {v}"),
                        Some("complete") => panic!("subscription completed: {v}"),
                        _ => {}
                    }
                }
                Some(Ok(Message::Close(frame))) => panic!("connection closed: {frame:?}"),
                Some(Ok(_)) => {}
                Some(Err(e)) => panic!("websocket error: {e}"),
                None => panic!("connection ended"),
            }
        }
    }
}

async fn wait_close(
    socket: &mut WebSocketStream<MaybeTlsStream<TcpStream>>,
    timeout: Duration,
) -> (u16, String) {
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        let message = tokio::time::timeout_at(deadline, socket.next())
            .await
            .unwrap_or_else(|_| panic!("the server did not close the connection"));
        match message {
            Some(Ok(Message::Close(frame))) => {
                return frame.map_or((0, String::new()), |f| {
                    (u16::from(f.code), f.reason.to_string())
                });
            }
            Some(Ok(Message::Text(text))) => {
                let v: Value = serde_json::from_str(&text).unwrap_or_default();
                if v["type"] == "ping" {
                    let _ = socket
                        .send(Message::text(json!({ "type": "pong" }).to_string()))
                        .await;
                }
            }
            Some(Ok(_)) => {}
            Some(Err(e)) => panic!("websocket error: {e}"),
            None => return (0, String::new()),
        }
    }
}
