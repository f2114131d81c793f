//! The `pressrun` command line against a real database of each engine: the way back in for an
//! admin who is locked out.

use std::{
    io::Write,
    process::{Command, Stdio},
};

use app::{
    backend::auth::{self, AuthConfig},
    domain::role::Role,
};
use chrono::Utc;
use testkit::{Engine, TestDb};

fn pressrun(t: &TestDb, args: &[&str], stdin: &str) -> (bool, String) {
    let data_dir = std::env::temp_dir().join(format!("pressrun-cli-{}", std::process::id()));
    let mut child = Command::new(env!("CARGO_BIN_EXE_pressrun"))
        .args(args)
        .env("DATABASE_URL", t.url())
        .env("PRESSRUN_DATA_DIR", &data_dir)
        .env_remove("PRESSRUN_NEW_PASSWORD")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run pressrun");
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    (out.status.success(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

async fn reset_password_lets_a_locked_out_admin_back_in(engine: Engine) {
    let t = TestDb::new(engine).await;
    let now = Utc::now();
    app::backend::platform::organisation::ensure(&t.db, now).await.unwrap();
    auth::create_user(&t.db, now, "ada@example.com", "Ada", Role::Admin, "forgotten password").await.unwrap();
    let cfg = AuthConfig::default();
    let old = auth::sign_in(&t.db, &cfg, now, "ada@example.com", "forgotten password", "").await.unwrap();

    let (ok, out) = pressrun(&t, &["reset-password", "--email", "nobody@example.com"], "whatever password\n");
    assert!(!ok && out.contains("no user nobody@example.com"), "{out}");
    let (ok, out) = pressrun(&t, &["reset-password", "--email", "ADA@example.com"], "short\n");
    assert!(!ok && out.contains("at least 10 characters"), "{out}");
    let (ok, out) = pressrun(&t, &["reset-password", "--email", "ADA@example.com"], "remembered at last\n");
    assert!(ok, "{out}");
    assert!(!out.contains("remembered at last"), "the password is never echoed: {out}");

    assert!(auth::resolve_session(&t.db, &cfg, now, &old.token).await.unwrap().is_none(), "old sessions end");
    assert!(auth::sign_in(&t.db, &cfg, now, "ada@example.com", "forgotten password", "").await.is_err());
    auth::sign_in(&t.db, &cfg, now, "ada@example.com", "remembered at last", "").await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reset_password_lets_a_locked_out_admin_back_in_sqlite() {
    reset_password_lets_a_locked_out_admin_back_in(Engine::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reset_password_lets_a_locked_out_admin_back_in_postgres() {
    reset_password_lets_a_locked_out_admin_back_in(Engine::Postgres).await;
}
