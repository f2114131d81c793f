//! Background work inside a server instance: the scheduler tick on an interval and the outbox
//! worker, plus the single-instance lock for SQLite deployments.

use std::{path::PathBuf, time::Duration};

use app::backend::{
    AppState, Db,
    delivery::{
        outbox::{self, Backoff},
        worker::{Courier, DeliveryConfig},
    },
    messages::{self, Messages},
    scheduler,
};
use tokio::sync::watch;

use crate::config::{Config, JobsConfig};

pub fn delivery_config(jobs: &JobsConfig) -> DeliveryConfig {
    DeliveryConfig {
        lease: chrono::Duration::seconds(jobs.lease_seconds),
        backoff: Backoff { base: chrono::Duration::seconds(jobs.retry_base_seconds) },
        ..DeliveryConfig::default()
    }
}

pub fn courier(state: &AppState, jobs: &JobsConfig) -> Courier<Messages> {
    messages::courier(
        state.db.clone(),
        state.mail.clone(),
        state.clock.clone(),
        jobs.instance.clone(),
        delivery_config(jobs),
    )
}

/// Holds an exclusive lock on `<database>.lock` for the life of the process. SQLite has one
/// writer and one server per file: a second server on the same file is refused rather than left
/// to compete with the first for its scheduler slots and leases.
pub struct InstanceLock {
    _file: std::fs::File,
    pub path: PathBuf,
}

#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error(
        "another Pressrun server is already using {0} (lock held on {1}). SQLite deployments run one server; use PostgreSQL (DATABASE_URL=postgres://…) for several instances"
    )]
    Held(String, String),
    #[error("could not open the lock file {0}: {1}")]
    Io(String, std::io::Error),
}

/// `<database>.lock` beside the SQLite file, or `None` on PostgreSQL. The path is made absolute
/// and canonical first, so `data/pressrun.db`, `./data/pressrun.db` and the same file reached
/// through a symlink share one lock instead of letting two servers in.
pub fn sqlite_lock_path(config: &Config) -> Option<PathBuf> {
    sqlite_file(&config.database_url).map(|db| suffixed(&db, ".lock"))
}

/// `<database>.leases`: shared by every process that may hold outbox leases on the file (the
/// server and any `pressrun tick`), taken exclusively only to release crashed leases.
pub fn sqlite_lease_lock_path(config: &Config) -> Option<PathBuf> {
    sqlite_file(&config.database_url).map(|db| suffixed(&db, ".leases"))
}

fn suffixed(path: &std::path::Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

fn sqlite_file(url: &str) -> Option<PathBuf> {
    let path = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    let path = PathBuf::from(path.split('?').next().unwrap_or(path));
    Some(canonical(&path))
}

/// The canonical form of a path whose file may not exist yet: its directory resolved, its name kept.
fn canonical(path: &std::path::Path) -> PathBuf {
    if let Ok(p) = std::fs::canonicalize(path) {
        return p;
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    match (std::fs::canonicalize(&dir), path.file_name()) {
        (Ok(dir), Some(name)) => dir.join(name),
        _ => path.to_path_buf(),
    }
}

/// A shared hold on `<database>.leases` for the life of a process that claims outbox rows.
pub struct LeaseHold {
    _file: std::fs::File,
}

impl LeaseHold {
    /// Takes the hold. When no other process holds one, rows left in flight can only be a
    /// crashed process's, so they are released first (while the lock is exclusive). A server
    /// restarting while a `pressrun tick` is still sending finds the tick's hold and leaves its
    /// leases alone; they expire on their own if the tick dies.
    pub async fn take(path: PathBuf, db: &Db, now: chrono::DateTime<chrono::Utc>) -> Result<LeaseHold, LockError> {
        let io = |e: std::io::Error| LockError::Io(path.display().to_string(), e);
        let file = std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(&path).map_err(io)?;
        if file.try_lock().is_ok() {
            release_crashed_leases(db, now).await;
            file.unlock().map_err(io)?;
        }
        // Waits only while another process is releasing its own crashed leases.
        let file = tokio::task::spawn_blocking(move || file.lock_shared().map(|()| file))
            .await
            .map_err(|e| io(std::io::Error::other(e)))?
            .map_err(io)?;
        Ok(LeaseHold { _file: file })
    }
}

impl InstanceLock {
    pub fn try_acquire(path: PathBuf) -> Result<InstanceLock, LockError> {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| LockError::Io(path.display().to_string(), e))?;
        match file.try_lock() {
            Ok(()) => Ok(InstanceLock { _file: file, path }),
            Err(std::fs::TryLockError::WouldBlock) => {
                let db = path.display().to_string().trim_end_matches(".lock").to_string();
                Err(LockError::Held(db, path.display().to_string()))
            }
            Err(std::fs::TryLockError::Error(e)) => Err(LockError::Io(path.display().to_string(), e)),
        }
    }
}

/// Runs the scheduler every `tick_seconds` until `stop` changes, waking the worker when a
/// tick queued anything.
pub async fn run_scheduler(state: AppState, jobs: JobsConfig, mut stop: watch::Receiver<bool>) {
    if jobs.tick_seconds == 0 {
        tracing::info!("in-server scheduler off (PRESSRUN_TICK_SECONDS=0); run `pressrun tick` from cron");
        return;
    }
    let mut interval = tokio::time::interval(Duration::from_secs(jobs.tick_seconds));
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = interval.tick() => {}
            _ = stop.changed() => return,
        }
        match scheduler::tick(&state.db, state.clock.now(), &jobs.instance).await {
            Ok(report) => {
                if report.invoices_created > 0
                    || report.batch_queued.is_some_and(|n| n > 0)
                    || report.reminders.emails > 0
                {
                    state.outbox_wake.notify_one();
                }
            }
            Err(e) => tracing::error!(error = %e, "scheduler tick failed; the next tick retries"),
        }
        if let Err(e) = app::backend::auth::prune(&state.db, state.clock.now()).await {
            tracing::warn!(error = %e, "could not prune expired sessions; the next tick retries");
        }
    }
}

/// Delivers due outbox messages; sleeps until woken, the poll interval, or the next retry.
pub async fn run_outbox_worker(state: AppState, jobs: JobsConfig, mut stop: watch::Receiver<bool>) {
    let courier = courier(&state, &jobs);
    let poll = Duration::from_millis(jobs.outbox_poll_ms);
    loop {
        if let Err(e) = courier.deliver_due().await {
            tracing::error!(error = %e, "outbox worker: delivery round failed; retrying after the poll interval");
        }
        let wait = match outbox::next_due(&state.db).await {
            Ok(Some(at)) => (at - state.clock.now()).to_std().unwrap_or(Duration::ZERO).min(poll),
            _ => poll,
        };
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = state.outbox_wake.notified() => {}
            _ = stop.changed() => return,
        }
    }
}

/// Called by [`LeaseHold::take`] when no other process holds outbox leases on the SQLite file.
async fn release_crashed_leases(db: &Db, now: chrono::DateTime<chrono::Utc>) {
    match outbox::release_orphaned_leases(db, now).await {
        Ok(0) => {}
        Ok(n) => tracing::warn!(
            released = n,
            "outbox messages were in flight when the previous process stopped; they will be retried with the same Message-ID"
        ),
        Err(e) => tracing::error!(error = %e, "could not release crashed outbox leases; they expire on their own"),
    }
}

pub fn spawn(state: &AppState, config: &Config) -> (watch::Sender<bool>, Vec<tokio::task::JoinHandle<()>>) {
    let (tx, rx) = watch::channel(false);
    let handles = vec![
        tokio::spawn(run_scheduler(state.clone(), config.jobs.clone(), rx.clone())),
        tokio::spawn(run_outbox_worker(state.clone(), config.jobs.clone(), rx)),
    ];
    (tx, handles)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_sqlite_file_has_one_lock_however_it_is_spelled() {
        let dir = std::env::temp_dir().join(format!("pressrun-lock-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("data")).unwrap();
        std::fs::write(dir.join("data/pressrun.db"), b"").unwrap();
        let plain = sqlite_file(&format!("sqlite://{}/data/pressrun.db", dir.display())).unwrap();
        let dotted = sqlite_file(&format!("sqlite:{}/data/./pressrun.db?mode=rwc", dir.display())).unwrap();
        let up = sqlite_file(&format!("sqlite://{}/data/../data/pressrun.db", dir.display())).unwrap();
        assert_eq!(plain, dotted);
        assert_eq!(plain, up);
        // A file not created yet still resolves through its directory.
        let fresh = sqlite_file(&format!("sqlite://{}/data/./new.db", dir.display())).unwrap();
        assert_eq!(fresh, plain.with_file_name("new.db"));
        assert!(sqlite_file("postgres://localhost/pressrun").is_none());
        let _ = std::fs::remove_dir_all(dir);
    }
}
