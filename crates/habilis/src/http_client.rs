//! A small HTTP/1.1 client over one keep-alive TCP connection: what the benchmark's load
//! generator and the interoperability tests need to talk to a real server over the network,
//! as applications and gateways do.

use std::net::SocketAddr;

use anyhow::Context as _;
use axum::body::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::SendRequest;
use hyper::{HeaderMap, Method, Request, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

/// The part of a connection that reads and writes its socket.
type Driver = hyper::client::conn::http1::Connection<TokioIo<TcpStream>, Full<Bytes>>;

/// One connection, reused for every request sent through it. Its socket is driven by the task
/// that sends, while it waits for its answer, rather than by a task of its own: each request
/// then wakes one task instead of two handing it over, so that the load generator takes as
/// little as it can of the CPU it shares with the server it measures.
pub struct Connection {
    sender: SendRequest<Full<Bytes>>,
    /// `None` once the connection has ended.
    driver: Option<Driver>,
    host: String,
}

/// A response, read whole.
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Reply {
    /// The body as JSON (`Null` when it is not JSON).
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or(serde_json::Value::Null)
    }
}

impl Connection {
    pub async fn open(address: SocketAddr) -> anyhow::Result<Connection> {
        let stream = TcpStream::connect(address)
            .await
            .with_context(|| format!("cannot connect to {address}"))?;
        stream.set_nodelay(true)?;
        let (sender, driver) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .context("HTTP handshake")?;
        Ok(Connection {
            sender,
            driver: Some(driver),
            host: address.to_string(),
        })
    }

    /// Sends one request and reads the whole response. `body` is sent as JSON.
    pub async fn send(
        &mut self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Bytes>,
    ) -> anyhow::Result<Reply> {
        let mut request = Request::builder()
            .method(method)
            .uri(path)
            .header(hyper::header::HOST, &self.host);
        if let Some(token) = token {
            request = request.header(hyper::header::AUTHORIZATION, format!("Bearer {token}"));
        }
        if body.is_some() {
            request = request.header(hyper::header::CONTENT_TYPE, "application/json");
        }
        let request = request.body(Full::new(body.unwrap_or_default()))?;
        let Some(driver) = self.driver.as_mut() else {
            anyhow::bail!("the connection has ended");
        };
        let sender = &mut self.sender;
        let exchange = async move {
            sender.ready().await.context("connection closed")?;
            let response = sender.send_request(request).await?;
            let status = response.status();
            let headers = response.headers().clone();
            let body = response.into_body().collect().await?.to_bytes();
            Ok(Reply {
                status,
                headers,
                body,
            })
        };
        // The socket is driven until the whole answer is read.
        let mut exchange = std::pin::pin!(exchange);
        let ended = tokio::select! {
            biased;
            reply = &mut exchange => return reply,
            ended = driver => ended,
        };
        // The connection ended, perhaps just after reading the whole answer (a server may close
        // once it has answered): once the driver is dropped, the exchange has the answer or
        // fails at once.
        self.driver = None;
        match (exchange.await, ended) {
            (Ok(reply), _) => Ok(reply),
            (Err(error), Ok(())) => Err(error).context("the server closed the connection"),
            (Err(_), Err(error)) => Err(error).context("the connection failed"),
        }
    }

    /// `POST path` with a JSON body.
    pub async fn post_json(
        &mut self,
        path: &str,
        token: &str,
        body: &serde_json::Value,
    ) -> anyhow::Result<Reply> {
        let bytes = Bytes::from(serde_json::to_vec(body)?);
        self.send(Method::POST, path, Some(token), Some(bytes))
            .await
    }
}
