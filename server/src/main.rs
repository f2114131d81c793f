//! `pressrun [serve|migrate|tick|seed-demo|create-admin|reset-password]`. Configuration comes from the environment
//! (see README); this file only wires the parts together.

// The order editor's view type is deeper than the default limit when the server lays it out.
#![recursion_limit = "256"]

use std::{io::BufRead, process::ExitCode, sync::Arc};

use app::{
    backend::{AppState, Db, auth, demo::seed, payments::checkout::Payments, platform::clock::SystemClock},
    domain::role::Role,
};
use server::{
    config::{Config, PaymentsConfig},
    jobs, routes,
};

const USAGE: &str = "\
Usage: pressrun [COMMAND]

Commands:
  serve          Migrate the database and serve the app (default)
  migrate        Apply database migrations and exit
  tick           Run one scheduler tick and deliver what it queued, then exit.
                 --today YYYY-MM-DD  pretend it is that day (organisation's zone)
                 --at HH:MM          with --today: the local time (default 12:00)
  seed-demo      Load the demo publisher into an empty database
  create-admin   Create an admin user: --email E --name N (password from
                 PRESSRUN_ADMIN_PASSWORD or the first line of standard input)
  reset-password Set a user's password and sign them out everywhere: --email E
                 (password from PRESSRUN_NEW_PASSWORD or the first line of
                 standard input); for an admin who is locked out

Configuration is read from environment variables; see README.md.";

#[derive(Debug, thiserror::Error)]
enum CliError {
    #[error(transparent)]
    Config(#[from] server::config::ConfigError),
    #[error("database: {0}")]
    Store(#[from] app::backend::StoreError),
    #[error("{0}")]
    Service(String),
    #[error("{0}")]
    Usage(String),
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error(transparent)]
    Lock(#[from] jobs::LockError),
}

impl From<app::backend::ServiceError> for CliError {
    fn from(e: app::backend::ServiceError) -> Self {
        match e {
            app::backend::ServiceError::Invalid(fields) => CliError::Service(
                fields.iter().map(|f| format!("{}: {}", f.field, f.message)).collect::<Vec<_>>().join("; "),
            ),
            other => CliError::Service(other.to_string()),
        }
    }
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn,tower_http=info".into()),
        )
        .init();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio runtime");
    match runtime.block_on(run(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(CliError::Usage(msg)) => {
            eprintln!("{msg}\n\n{USAGE}");
            ExitCode::from(2)
        }
        Err(e) => {
            eprintln!("pressrun: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: Vec<String>) -> Result<(), CliError> {
    let command = args.first().map(String::as_str).unwrap_or("serve");
    if matches!(command, "-h" | "--help" | "help") {
        println!("{USAGE}");
        return Ok(());
    }
    let config = Config::from_env()?;
    let db = open_database(&config).await?;
    let result = match command {
        "serve" => serve(config, db.clone()).await,
        "tick" => tick(config, &db, &args[1..]).await,
        "migrate" => Ok(()),
        "seed-demo" => seed_demo(&db).await,
        "create-admin" => create_admin(&db, &args[1..]).await,
        "reset-password" => reset_password(&db, &args[1..]).await,
        other => Err(CliError::Usage(format!("Unknown command \"{other}\"."))),
    };
    db.close().await;
    result
}

async fn open_database(config: &Config) -> Result<Db, CliError> {
    if !config.database_url.starts_with("postgres") {
        std::fs::create_dir_all(&config.data_dir)?;
    }
    let db = Db::connect(&config.database_url).await?;
    db.migrate().await?;
    tracing::info!(engine = db.engine_name(), url = %app::backend::platform::db::redact_url(&config.database_url), "database ready");
    Ok(db)
}

async fn seed_demo(db: &Db) -> Result<(), CliError> {
    if !seed::is_empty(db).await? {
        return Err(CliError::Service(
            "The database already has data; demo data is only loaded into an empty one.".into(),
        ));
    }
    let s = seed::seed_demo(db, chrono::Utc::now()).await?;
    println!("Loaded the demo publisher: {} accounts, {} orders, {} line items.", s.accounts, s.orders, s.line_items);
    print_demo_sign_in();
    Ok(())
}

fn print_demo_sign_in() {
    let (email, _, _, password) = seed::DEMO_USERS[0];
    println!("Demo admin sign-in: {email} / {password}");
}

async fn create_admin(db: &Db, args: &[String]) -> Result<(), CliError> {
    let mut email = None;
    let mut name = None;
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let value = it.next().ok_or_else(|| CliError::Usage(format!("{flag} needs a value.")))?;
        match flag.as_str() {
            "--email" => email = Some(value.clone()),
            "--name" => name = Some(value.clone()),
            other => return Err(CliError::Usage(format!("Unknown option \"{other}\"."))),
        }
    }
    let email = email.ok_or_else(|| CliError::Usage("create-admin needs --email.".into()))?;
    let name = name.unwrap_or_else(|| email.split('@').next().unwrap_or("Admin").to_string());
    // Never from argv: command lines end up in shell history and `ps`.
    let password = read_password("PRESSRUN_ADMIN_PASSWORD", &email)?;
    app::backend::platform::organisation::ensure(db, chrono::Utc::now()).await?;
    let id = auth::create_user(db, chrono::Utc::now(), &email, &name, Role::Admin, &password).await?;
    println!("Created admin {email} (user {id}).");
    Ok(())
}

/// A password from `var`, else the first line of standard input.
fn read_password(var: &str, email: &str) -> Result<String, CliError> {
    Ok(match std::env::var(var) {
        Ok(p) if !p.is_empty() => p,
        _ => {
            eprintln!("Password for {email} (at least 10 characters), then Enter:");
            let mut line = String::new();
            std::io::stdin().lock().read_line(&mut line)?;
            line.trim_end_matches(['\r', '\n']).to_string()
        }
    })
}

async fn reset_password(db: &Db, args: &[String]) -> Result<(), CliError> {
    let email = match args {
        [flag, value] if flag == "--email" => auth::normalise_email(value),
        _ => return Err(CliError::Usage("reset-password needs --email E.".into())),
    };
    let user = auth::users::find_by_email(db, &email)
        .await?
        .ok_or_else(|| CliError::Service(format!("There is no user {email}.")))?;
    let password = read_password("PRESSRUN_NEW_PASSWORD", &email)?;
    auth::passwords::reset(db, user.id, &password).await?;
    println!("Password of {email} set; their sessions were ended.");
    Ok(())
}

async fn serve(config: Config, db: Db) -> Result<(), CliError> {
    let _lock = match jobs::sqlite_lock_path(&config) {
        Some(path) => Some(jobs::InstanceLock::try_acquire(path)?),
        None => None,
    };
    app::backend::platform::organisation::ensure(&db, chrono::Utc::now()).await?;
    if config.load_demo && seed::is_empty(&db).await? {
        let now = chrono::Utc::now();
        let s = seed::seed_demo(&db, now).await?;
        let today = app::backend::platform::organisation::today(&db, now).await?;
        let h = app::backend::demo::history::seed(&db, now, today).await?;
        tracing::info!(
            accounts = s.accounts,
            orders = s.orders,
            invoices = h.invoices,
            payments = h.payments,
            "demo data loaded on first start"
        );
    }
    let _leases = match jobs::sqlite_lease_lock_path(&config) {
        Some(path) => Some(jobs::LeaseHold::take(path, &db, chrono::Utc::now()).await?),
        None => None,
    };
    let state = state(&config, db);
    let (stop, workers) = jobs::spawn(&state, &config);
    let options = routes::leptos_options(&config.site_root, config.addr);
    let app = routes::router_with(state, options, config.portal_rate_per_minute, config.trusted_proxies.clone());
    let listener = server::serving::bind(config.addr).await?;
    println!("Pressrun is running at http://{}", config.addr);
    if config.load_demo {
        print_demo_sign_in();
    }
    axum::serve(listener, app.into_make_service_with_connect_info::<std::net::SocketAddr>())
        .with_graceful_shutdown(shutdown_signal())
        .await?;
    let _ = stop.send(true);
    for w in workers {
        // A send in progress finishes and is recorded; a stuck one is left to its lease.
        let _ = tokio::time::timeout(std::time::Duration::from_secs(20), w).await;
    }
    tracing::info!("shut down cleanly");
    Ok(())
}

fn state(config: &Config, db: Db) -> AppState {
    AppState {
        db,
        clock: Arc::new(SystemClock),
        auth: config.auth.clone(),
        mail: Arc::new(config.mail.clone()),
        outbox_wake: Default::default(),
        payments: match &config.payments {
            PaymentsConfig::Off => Payments::default(),
            PaymentsConfig::Test => {
                tracing::warn!(
                    "TEST PAYMENTS ARE ON: clients can \"pay\" with test card 4242 4242 4242 4242 and invoices are marked paid. \
                     Set PRESSRUN_TEST_PAYMENTS=0 or Stripe keys before real clients use this server."
                );
                Payments::test(&config.mail.public_url)
            }
            PaymentsConfig::Stripe(stripe) => Payments::stripe(stripe.clone()),
        },
    }
}

/// One tick plus delivery of everything due, for cron users and for tests that move the date.
async fn tick(config: Config, db: &Db, args: &[String]) -> Result<(), CliError> {
    let mut today = None;
    let mut at = None;
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let value = it.next().ok_or_else(|| CliError::Usage(format!("{flag} needs a value.")))?;
        match flag.as_str() {
            "--today" => {
                today =
                    Some(chrono::NaiveDate::parse_from_str(value, "%Y-%m-%d").map_err(|_| {
                        CliError::Usage(format!("--today wants a date like 2026-12-01, not \"{value}\"."))
                    })?)
            }
            "--at" => {
                at = Some(
                    chrono::NaiveTime::parse_from_str(value, "%H:%M")
                        .map_err(|_| CliError::Usage(format!("--at wants a time like 09:30, not \"{value}\".")))?,
                )
            }
            other => return Err(CliError::Usage(format!("Unknown option \"{other}\"."))),
        }
    }
    let org = app::backend::platform::organisation::ensure(db, chrono::Utc::now()).await?;
    let now = match today {
        None => chrono::Utc::now(),
        Some(day) => {
            let tz = app::backend::platform::clock::parse_time_zone(&org.time_zone).unwrap_or(chrono_tz::UTC);
            let local =
                day.and_time(at.unwrap_or_else(|| chrono::NaiveTime::from_hms_opt(12, 0, 0).unwrap_or_default()));
            app::backend::scheduler::local_to_utc(&tz, local)
        }
    };
    // A tick beside a running server is fine (claims are transactional). Its lease hold keeps a
    // restarting server from taking the rows it is sending for crashed ones, and it releases
    // crashed rows itself only when nothing else holds leases.
    let _leases = match jobs::sqlite_lease_lock_path(&config) {
        Some(path) => Some(jobs::LeaseHold::take(path, db, now).await?),
        None => None,
    };
    let mut state = state(&config, db.clone());
    state.clock = Arc::new(app::backend::platform::clock::ManualClock::new(now));
    let report = app::backend::scheduler::tick(db, now, &config.jobs.instance).await?;
    if today.is_none() {
        // Only on the real date: pruning "80 days from now" would sign every user out.
        app::backend::auth::prune(db, now).await?;
    }
    let delivered = jobs::courier(&state, &config.jobs).deliver_due().await?;
    println!(
        "Tick for {}: {} invoice(s) created for {} line item(s){}; {} reminder step(s) queued; emails: {} delivered, {} to retry, {} failed, {} cancelled.",
        report.today.map(|d| d.to_string()).unwrap_or_else(|| "-".into()),
        report.invoices_created,
        report.line_items_invoiced,
        match report.batch_queued {
            Some(n) => format!("; batch queued {n} email(s)"),
            None => String::new(),
        },
        report.reminders.steps,
        delivered.delivered,
        delivered.retrying,
        delivered.failed,
        delivered.cancelled,
    );
    Ok(())
}

/// Ctrl-C or SIGTERM: stop accepting, let requests in flight finish.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutdown requested");
}
