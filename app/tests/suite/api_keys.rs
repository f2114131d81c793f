//! API keys on both engines: only a hash is stored, keys authenticate until revoked, and
//! "last used" is written at most once a minute.
#![cfg(feature = "ssr")]

use testkit::on_both_engines;

use app::{
    backend::{
        Db, ServiceError,
        auth::{self, api_keys},
    },
    domain::{
        api_key::{self, ApiKeyScope},
        ids::{ApiKeyId, UserId},
        role::Role,
    },
    on_db,
};
use chrono::{DateTime, Duration, TimeZone, Utc};

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 24, 17, 0, 0).unwrap()
}

async fn admin(db: &Db) -> UserId {
    app::backend::platform::organisation::ensure(db, t0()).await.unwrap();
    auth::create_user(db, t0(), "ada@example.com", "Ada Admin", Role::Admin, "correct horse battery").await.unwrap()
}

async fn last_used(db: &Db, id: ApiKeyId) -> Option<DateTime<Utc>> {
    app::backend::auth::api_key_store::list(db).await.unwrap().into_iter().find(|k| k.id == id).unwrap().last_used_at
}

on_both_engines!(keys_are_stored_only_as_a_hash, |db| async move {
    let ada = admin(&db).await;
    let created = api_keys::create(&db, t0(), ada, "  Ad order system ", ApiKeyScope::Write).await.unwrap();
    assert_eq!(created.name, "Ad order system");
    assert_eq!(api_key::prefix_of(&created.key), Some(created.prefix.as_str()), "{created:?}");
    assert!(!format!("{created:?}").contains(&created.key), "Debug never prints the key");

    let secret = created.key.rsplit('_').next().unwrap().to_string();
    let rows: Vec<(String, String, String)> = on_db!(&db, p => sqlx::query_as(
        "SELECT name, key_prefix, key_hash FROM api_keys").fetch_all(p).await.unwrap());
    assert_eq!(rows.len(), 1);
    let (name, prefix, hash) = &rows[0];
    assert_eq!((name.as_str(), prefix.as_str()), ("Ad order system", created.prefix.as_str()));
    assert_eq!(hash, &auth::token_hash(&created.key), "SHA-256 of the whole key");
    for stored in [name, prefix, hash] {
        assert!(!stored.contains(&secret), "the secret part is not stored");
    }

    let listed = app::backend::auth::api_key_store::list(&db).await.unwrap();
    assert_eq!(listed[0].created_by.as_deref(), Some("Ada Admin"));
    assert!(listed[0].last_used_at.is_none() && listed[0].revoked_at.is_none());

    let other = api_keys::create(&db, t0(), ada, "CRM", ApiKeyScope::Write).await.unwrap();
    assert_ne!(other.key, created.key);
    assert_ne!(auth::token_hash(&other.key), auth::token_hash(&created.key));
});

on_both_engines!(a_key_works_until_revoked, |db| async move {
    let ada = admin(&db).await;
    let key = api_keys::create(&db, t0(), ada, "Ad order system", ApiKeyScope::Write).await.unwrap();
    let caller = api_keys::authenticate(&db, t0(), &key.key).await.unwrap().expect("a fresh key authenticates");
    assert_eq!((caller.key_id, caller.prefix.as_str()), (key.id, key.prefix.as_str()));

    // A key of the right shape that was never issued, and the real key with one character changed.
    let mut forged = key.key.clone();
    let last = forged.pop().unwrap();
    forged.push(if last == 'A' { 'B' } else { 'A' });
    assert!(api_keys::authenticate(&db, t0(), &forged).await.unwrap().is_none());
    assert!(api_keys::authenticate(&db, t0(), "prk_nope").await.unwrap().is_none());
    assert!(api_keys::authenticate(&db, t0(), "").await.unwrap().is_none());

    api_keys::revoke(&db, t0() + Duration::hours(1), ada, key.id).await.unwrap();
    assert!(api_keys::authenticate(&db, t0() + Duration::hours(2), &key.key).await.unwrap().is_none());
    // Revoking twice keeps the first time; an unknown id is reported.
    api_keys::revoke(&db, t0() + Duration::hours(3), ada, key.id).await.unwrap();
    let listed = app::backend::auth::api_key_store::list(&db).await.unwrap();
    assert_eq!(listed[0].revoked_at, Some(t0() + Duration::hours(1)));
    assert!(matches!(api_keys::revoke(&db, t0(), ada, ApiKeyId(9_999)).await, Err(ServiceError::NotFound(_))));
});

on_both_engines!(last_used_is_written_at_most_once_a_minute, |db| async move {
    let ada = admin(&db).await;
    let key = api_keys::create(&db, t0(), ada, "Ad order system", ApiKeyScope::Write).await.unwrap();
    assert_eq!(last_used(&db, key.id).await, None);
    api_keys::authenticate(&db, t0(), &key.key).await.unwrap().unwrap();
    assert_eq!(last_used(&db, key.id).await, Some(t0()));
    api_keys::authenticate(&db, t0() + Duration::seconds(59), &key.key).await.unwrap().unwrap();
    assert_eq!(last_used(&db, key.id).await, Some(t0()), "not rewritten within the minute");
    let later = t0() + Duration::seconds(61);
    api_keys::authenticate(&db, later, &key.key).await.unwrap().unwrap();
    assert_eq!(last_used(&db, key.id).await, Some(later));
});

on_both_engines!(key_names_are_validated, |db| async move {
    let ada = admin(&db).await;
    match api_keys::create(&db, t0(), ada, "   ", ApiKeyScope::Write).await {
        Err(ServiceError::Invalid(f)) => assert_eq!(f[0].field, "name"),
        other => panic!("expected a field error, got {other:?}"),
    }
    assert!(app::backend::auth::api_key_store::list(&db).await.unwrap().is_empty());
});

on_both_engines!(a_key_carries_its_scope_and_leaves_with_the_admin_who_made_it, |db| async move {
    let ada = admin(&db).await;
    let reader = api_keys::create(&db, t0(), ada, "Reporting", ApiKeyScope::Read).await.unwrap();
    let caller = api_keys::authenticate(&db, t0(), &reader.key).await.unwrap().unwrap();
    assert_eq!(caller.scope, ApiKeyScope::Read);
    let writer = api_keys::create(&db, t0(), ada, "Ad order system", ApiKeyScope::Write).await.unwrap();

    // A second admin demotes Ada: her keys stop working with her admin rights.
    let bo = auth::create_user(&db, t0(), "bo@example.com", "Bo", Role::Admin, "another long password").await.unwrap();
    let bo = app::views::common::CurrentUser {
        id: bo,
        email: "bo@example.com".into(),
        name: "Bo".into(),
        role: Role::Admin,
    };
    auth::update_access(&db, &bo, ada, Role::Billing, true, t0()).await.unwrap();
    assert!(api_keys::authenticate(&db, t0(), &reader.key).await.unwrap().is_none());
    assert!(api_keys::authenticate(&db, t0(), &writer.key).await.unwrap().is_none());
    // Bo's own keys are untouched by that.
    let bos = api_keys::create(&db, t0(), bo.id, "CRM", ApiKeyScope::Write).await.unwrap();
    auth::update_access(&db, &bo, ada, Role::Billing, false, t0()).await.unwrap();
    assert!(api_keys::authenticate(&db, t0(), &bos.key).await.unwrap().is_some());
});
