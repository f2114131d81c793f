//! Serves the real router on a real socket for HTTP tests, with the clock standing still.

#![allow(dead_code)]

use std::{net::SocketAddr, sync::Arc};

use app::backend::{
    AppState, Db, auth::AuthConfig, delivery::mail_settings::MailEnvironment, demo::seed, payments::checkout::Payments,
    platform::clock::ManualClock,
};
use chrono::{DateTime, Utc};
use reqwest::{Client, StatusCode, redirect::Policy};

/// Starts the router over `db` at `now` and returns its base URL (`http://127.0.0.1:port`).
/// The portal takes payments with the built-in test provider.
pub async fn serve(db: &Db, now: DateTime<Utc>) -> String {
    serve_with(db, Arc::new(ManualClock::new(now)), Payments::test).await
}

/// [`serve`] with a mail configuration (an SMTP sink); links point at this server unless
/// `mail.public_url` says otherwise.
pub async fn serve_with_mail(db: &Db, now: DateTime<Utc>, mail: MailEnvironment) -> String {
    serve_full(db, Arc::new(ManualClock::new(now)), mail, Payments::test).await
}

/// [`serve`] with a clock the test moves and the payment provider it chooses (given the base URL).
pub async fn serve_with(db: &Db, clock: Arc<ManualClock>, payments: impl FnOnce(&str) -> Payments) -> String {
    serve_full(db, clock, MailEnvironment::default(), payments).await
}

async fn serve_full(
    db: &Db,
    clock: Arc<ManualClock>,
    mail: MailEnvironment,
    payments: impl FnOnce(&str) -> Payments,
) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let base = format!("http://{addr}");
    let state = AppState {
        db: db.clone(),
        clock,
        auth: AuthConfig::default(),
        mail: Arc::new(MailEnvironment {
            public_url: if mail.public_url.is_empty() { base.clone() } else { mail.public_url.clone() },
            ..mail
        }),
        outbox_wake: Default::default(),
        payments: payments(&base),
    };
    let app = server::routes::router(state, server::routes::leptos_options("target/site", addr));
    tokio::spawn(async move {
        axum::serve(server::serving::no_delay(listener), app.into_make_service_with_connect_info::<SocketAddr>())
            .await
            .unwrap();
    });
    base
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
