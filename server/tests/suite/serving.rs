//! How responses travel: no Nagle stall on accepted sockets, precompressed and cached site
//! files, compressed pages and answers, a public favicon. (PDFs go uncompressed: `documents_http`.)

use std::io::Write;

use axum::{body::Body, serve::Listener};
use http::{Request, StatusCode, header};
use testkit::on_both_engines;
use tower::ServiceExt;

use crate::serve;

#[tokio::test]
async fn accepted_connections_have_no_nagle_delay() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let mut listener = server::serving::no_delay(listener);
    let client = tokio::net::TcpStream::connect(addr).await.unwrap();
    let (accepted, peer) = listener.accept().await;
    assert_eq!(peer, client.local_addr().unwrap());
    assert!(accepted.nodelay().unwrap(), "TCP_NODELAY on the server side of the connection");
}

/// A site package directory as `cargo leptos build --release --precompress` leaves it.
fn package_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let write =
        |name: &str, bytes: &[u8]| std::fs::File::create(dir.path().join(name)).unwrap().write_all(bytes).unwrap();
    write("pressrun.9f86d081884c7d65.js", b"console.log('plain')");
    write("pressrun.9f86d081884c7d65.js.br", b"BROTLI-BYTES");
    write("pressrun.9f86d081884c7d65.js.gz", b"GZIP-BYTES");
    write("pressrun.css", b"body{}");
    dir
}

async fn get(app: axum::Router, path: &str, accept_encoding: Option<&str>) -> (StatusCode, http::HeaderMap, Vec<u8>) {
    let mut req = Request::get(path);
    if let Some(e) = accept_encoding {
        req = req.header(header::ACCEPT_ENCODING, e);
    }
    let res = app.oneshot(req.body(Body::empty()).unwrap()).await.unwrap();
    let (parts, body) = res.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap().to_vec();
    (parts.status, parts.headers, bytes)
}

#[tokio::test]
async fn hashed_site_files_are_sent_precompressed_and_cached_for_a_year() {
    let dir = package_dir();
    let app = || axum::Router::new().nest("/pkg", server::serving::site_package(dir.path(), true));

    let (status, headers, body) = get(app(), "/pkg/pressrun.9f86d081884c7d65.js", Some("gzip, deflate, br")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_ENCODING], "br");
    assert_eq!(body, b"BROTLI-BYTES");
    assert_eq!(headers[header::CACHE_CONTROL], "public, max-age=31536000, immutable");
    assert!(headers[header::CONTENT_TYPE].to_str().unwrap().contains("javascript"));

    let (_, headers, body) = get(app(), "/pkg/pressrun.9f86d081884c7d65.js", Some("gzip")).await;
    assert_eq!(headers[header::CONTENT_ENCODING], "gzip");
    assert_eq!(body, b"GZIP-BYTES");

    let (_, headers, body) = get(app(), "/pkg/pressrun.9f86d081884c7d65.js", None).await;
    assert!(!headers.contains_key(header::CONTENT_ENCODING));
    assert_eq!(body, b"console.log('plain')");

    // A name that is not there must not be remembered as missing for a year.
    let (status, headers, _) = get(app(), "/pkg/pressrun.0000000000000000.js", Some("br")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(!headers.contains_key(header::CACHE_CONTROL));
}

#[tokio::test]
async fn unhashed_site_files_are_revalidated() {
    let dir = package_dir();
    let app = axum::Router::new().nest("/pkg", server::serving::site_package(dir.path(), false));
    let (status, headers, body) = get(app, "/pkg/pressrun.css", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CACHE_CONTROL], "no-cache");
    assert_eq!(body, b"body{}");
}

on_both_engines!(pages_and_answers_are_compressed, |db| async move {
    let now = chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 11, 24, 17, 0, 0).unwrap();
    let base = serve::serve_demo(&db, now).await;
    let c = serve::signed_in(&base, "billing@pressrun.example", "pressrun-billing").await;

    let page =
        c.get(format!("{base}/accounting/invoices")).header(header::ACCEPT_ENCODING, "gzip").send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert_eq!(page.headers()[header::CONTENT_ENCODING], "gzip");

    let answer = c
        .post(format!("{base}/api/get_current_user"))
        .header(header::ACCEPT_ENCODING, "br")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body("")
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::OK);
    assert_eq!(answer.headers()[header::CONTENT_ENCODING], "br");
});

#[tokio::test]
async fn the_favicon_is_public() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("favicon.svg"), "<svg xmlns='http://www.w3.org/2000/svg'/>").unwrap();
    let app = || server::serving::favicon::<()>(dir.path());
    let (status, headers, _) = get(app(), "/favicon.ico", None).await;
    assert_eq!(status, StatusCode::PERMANENT_REDIRECT);
    assert_eq!(headers[header::LOCATION], "/favicon.svg");
    let (status, headers, body) = get(app(), "/favicon.svg", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "image/svg+xml");
    assert_eq!(headers[header::CACHE_CONTROL], "public, max-age=86400");
    assert!(body.starts_with(b"<svg"));
    assert!(server::guard::is_public("/favicon.ico") && server::guard::is_public("/favicon.svg"));
}
