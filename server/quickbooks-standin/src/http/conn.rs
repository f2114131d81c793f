//! Serving with the ability to cut a connection without answering.
//!
//! "Commit then drop" must look to the client exactly like a network failure after the request
//! was sent: no status line, just a closed socket. A handler cannot do that through axum, so the
//! listener wraps every accepted socket in [`CuttableIo`] and hands the handler a [`ConnControl`]
//! (as connect info). Cutting sets a flag; from then on every read and write on the socket fails,
//! so hyper abandons the response it was about to write and drops the socket, which is closed with
//! an RST (zero linger) — the client's `send()` fails with a connection error.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};

use axum::extract::connect_info::Connected;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::serve::{IncomingStream, Listener};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};

/// A TCP listener whose connections can be cut from inside a handler.
pub(crate) struct CuttableListener {
    inner: TcpListener,
}

/// An accepted socket plus its cut flag.
pub(crate) struct CuttableIo {
    stream: TcpStream,
    cut: Arc<AtomicBool>,
}

/// Handed to handlers as connect info: cuts the connection the request came on.
#[derive(Clone, Debug)]
pub(crate) struct ConnControl {
    cut: Arc<AtomicBool>,
}

impl ConnControl {
    pub(crate) fn cut(&self) {
        self.cut.store(true, Ordering::SeqCst);
    }
}

/// Extracts the request's [`ConnControl`], if it came through [`CuttableListener`].
pub(crate) struct Conn(pub(crate) Option<ConnControl>);

impl<S: Send + Sync> FromRequestParts<S> for Conn {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Conn(parts.extensions.get::<ConnectInfo<ConnControl>>().map(|c| c.0.clone())))
    }
}

impl Listener for CuttableListener {
    type Io = CuttableIo;
    type Addr = std::net::SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            match self.inner.accept().await {
                Ok((stream, addr)) => {
                    let _ = stream.set_nodelay(true);
                    return (CuttableIo { stream, cut: Arc::new(AtomicBool::new(false)) }, addr);
                }
                Err(e) => {
                    // Per-connection errors (the peer went away) are not worth a pause; running
                    // out of file descriptors is, or the loop would spin.
                    if !matches!(
                        e.kind(),
                        io::ErrorKind::ConnectionAborted
                            | io::ErrorKind::ConnectionReset
                            | io::ErrorKind::ConnectionRefused
                    ) {
                        tracing::warn!("quickbooks stand-in: accept failed: {e}");
                        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                    }
                }
            }
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        self.inner.local_addr()
    }
}

impl Connected<IncomingStream<'_, CuttableListener>> for ConnControl {
    fn connect_info(stream: IncomingStream<'_, CuttableListener>) -> Self {
        ConnControl { cut: stream.io().cut.clone() }
    }
}

impl CuttableIo {
    fn check(&self) -> io::Result<()> {
        if self.cut.load(Ordering::SeqCst) {
            // An RST rather than a FIN: the client cannot mistake it for an orderly close.
            let _ = self.stream.set_zero_linger();
            Err(io::Error::new(io::ErrorKind::ConnectionAborted, "connection cut by the QuickBooks stand-in"))
        } else {
            Ok(())
        }
    }
}

impl AsyncRead for CuttableIo {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        self.check()?;
        Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for CuttableIo {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        self.check()?;
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.check()?;
        Pin::new(&mut self.stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.check()?;
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.check()?;
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

pub(crate) async fn serve(listener: TcpListener, router: axum::Router) -> io::Result<()> {
    axum::serve(CuttableListener { inner: listener }, router.into_make_service_with_connect_info::<ConnControl>()).await
}

/// Cuts the connection a request came on. Without the stand-in's listener (the router mounted
/// elsewhere) the only way to end the connection without an answer is to unwind the connection
/// task; `resume_unwind` does so without running the panic hook, so nothing is printed.
pub(crate) fn cut(conn: Option<&ConnControl>) {
    match conn {
        Some(c) => c.cut(),
        None => std::panic::resume_unwind(Box::new("quickbooks stand-in: connection dropped on purpose")),
    }
}
