//! Serves the real router on a real socket for HTTP tests, with the clock standing still.

#![allow(dead_code)]

use std::{net::SocketAddr, sync::Arc};

use app::backend::{AppState, Db, clock::ManualClock, seed, state::AuthConfig};
use chrono::{DateTime, Utc};
use reqwest::{Client, StatusCode, redirect::Policy};

/// Starts the router over `db` at `now` and returns its base URL (`http://127.0.0.1:port`).
pub async fn serve(db: &Db, now: DateTime<Utc>) -> String {
    serve_with_mail(db, now, Default::default()).await
}

/// [`serve`] with a mail configuration (an SMTP sink, a public URL).
pub async fn serve_with_mail(
    db: &Db,
    now: DateTime<Utc>,
    mail: app::backend::mail_settings::MailEnvironment,
) -> String {
    let state = AppState {
        db: db.clone(),
        clock: Arc::new(ManualClock::new(now)),
        auth: AuthConfig::default(),
        mail: Arc::new(mail),
        outbox_wake: Default::default(),
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = server::routes::router(state, server::routes::leptos_options("target/site", addr));
    tokio::spawn(async move {
        axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).await.unwrap();
    });
    format!("http://{addr}")
}

/// The demo publisher, then [`serve`].
pub async fn serve_demo(db: &Db, now: DateTime<Utc>) -> String {
    seed::seed_demo(db, now).await.unwrap();
    serve(db, now).await
}

/// A client that keeps cookies and does not follow redirects, like a browser tab we inspect.
pub fn browser() -> Client {
    Client::builder().cookie_store(true).redirect(Policy::none()).build().unwrap()
}

pub async fn signed_in(base: &str, email: &str, password: &str) -> Client {
    let c = browser();
    let r = c
        .post(format!("{base}/api/sign_in"))
        .form(&[("email", email), ("password", password), ("next", "/")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "sign in as {email}");
    c
}
