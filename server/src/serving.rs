//! How bytes leave the server: sockets without Nagle's delay, the site's static files
//! precompressed and cached as long as their names allow, everything else compressed on the fly.

use std::{net::SocketAddr, path::Path};

use axum::{
    Router,
    extract::Request,
    middleware::{self, Next},
    response::{Redirect, Response},
    routing::get,
    serve::{ListenerExt, TapIo},
};
use http::{HeaderValue, StatusCode, header};
use tokio::net::{TcpListener, TcpStream};
use tower_http::{
    compression::{
        CompressionLayer,
        predicate::{DefaultPredicate, NotForContentType, Predicate},
    },
    services::ServeDir,
};

/// Accepts connections with `TCP_NODELAY`. Without it a keep-alive connection stalls each
/// small response behind the client's delayed ACK (~40 ms), so browsers, which reuse
/// connections, waited that long for every page and server-function call.
pub async fn bind(addr: SocketAddr) -> std::io::Result<NoDelay> {
    Ok(no_delay(TcpListener::bind(addr).await?))
}

/// A named type (not `impl Listener`) so axum's connect-info for `TapIo` applies.
pub type NoDelay = TapIo<TcpListener, fn(&mut TcpStream)>;

pub fn no_delay(listener: TcpListener) -> NoDelay {
    listener.tap_io(set_no_delay as fn(&mut TcpStream))
}

fn set_no_delay(stream: &mut TcpStream) {
    if let Err(e) = stream.set_nodelay(true) {
        tracing::debug!(error = %e, "could not set TCP_NODELAY on an accepted connection");
    }
}

/// The file cargo-leptos writes beside the server binary when it names the site's files by
/// their content (`hash-files`). Leptos reads it to link the hashed names.
pub fn hash_file_beside_binary() -> Option<std::path::PathBuf> {
    let path = std::env::current_exe().ok()?.parent()?.join("hash.txt");
    path.is_file().then_some(path)
}

/// `/pkg/*`: the WASM, its JS glue and the stylesheet. A precompressed sibling (`.br`, `.gz`,
/// written by `cargo leptos build --release --precompress`) is sent when the browser accepts
/// it. Names that carry a content hash never change meaning, so browsers keep them for a
/// year without asking; unhashed names (debug builds) are revalidated on every use.
pub fn site_package<S: Clone + Send + Sync + 'static>(pkg_dir: &Path, hashed_names: bool) -> Router<S> {
    let files = ServeDir::new(pkg_dir).precompressed_br().precompressed_gzip();
    let cache_control =
        HeaderValue::from_static(if hashed_names { "public, max-age=31536000, immutable" } else { "no-cache" });
    Router::new().fallback_service(files).layer(middleware::from_fn(move |req: Request, next: Next| {
        let cache_control = cache_control.clone();
        async move { cached_when_found(next.run(req).await, cache_control) }
    }))
}

/// The icon browsers ask for on their own, before any page names one. Public, like the
/// sign-in page, and cached for a day.
pub fn favicon<S: Clone + Send + Sync + 'static>(site_root: &Path) -> Router<S> {
    let svg = site_root.join("favicon.svg");
    Router::new()
        .route("/favicon.ico", get(|| async { Redirect::permanent("/favicon.svg") }))
        .route_service("/favicon.svg", tower_http::services::ServeFile::new(svg))
        .layer(middleware::from_fn(|req: Request, next: Next| async move {
            cached_when_found(next.run(req).await, HeaderValue::from_static("public, max-age=86400"))
        }))
}

fn cached_when_found(mut res: Response, cache_control: HeaderValue) -> Response {
    // A 404 cached for a year would outlive the deploy that adds the file.
    if matches!(res.status(), StatusCode::OK | StatusCode::PARTIAL_CONTENT | StatusCode::NOT_MODIFIED) {
        res.headers_mut().insert(header::CACHE_CONTROL, cache_control);
    }
    res
}

/// Compresses pages, server-function answers and API JSON for browsers that accept it. PDFs
/// are compressed already and precompressed files carry their own encoding.
pub fn compression() -> CompressionLayer<impl Predicate> {
    CompressionLayer::new().compress_when(DefaultPredicate::new().and(NotForContentType::const_new("application/pdf")))
}
