//! The command line of API.md.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use clap::{Parser, Subcommand};
use habilis_core::{Caller, Services, SystemClock};
use habilis_domain::{Email, NationalNumber};
use habilis_store::Db;

use crate::config::{Config, DEFAULT_DATABASE};

#[derive(Debug, Parser)]
#[command(
    name = "habilis",
    version,
    about = "Delegated role administration and authorization",
    disable_help_subcommand = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Runs the server (SQLite file ./habilis.db unless --database says otherwise).
    Serve {
        #[arg(long, env = "HABILIS_CONFIG")]
        config: Option<PathBuf>,
        #[arg(long, env = "HABILIS_LISTEN")]
        listen: Option<String>,
        #[arg(long, env = "HABILIS_DATABASE")]
        database: Option<String>,
        /// Loads the demo data set if the database is empty and prints how to log in.
        #[arg(long)]
        demo: bool,
    },
    /// Creates the platform's first operator and prints a personal API token for them.
    Init {
        #[arg(long, env = "HABILIS_DATABASE", default_value = DEFAULT_DATABASE)]
        database: String,
        #[arg(long)]
        operator_email: String,
        #[arg(long)]
        operator_national_number: Option<String>,
    },
    /// Applies the database migrations and exits.
    Migrate {
        #[arg(long, env = "HABILIS_DATABASE", default_value = DEFAULT_DATABASE)]
        database: String,
    },
    /// Loads the demo data set (idempotent) and prints each persona with a token.
    Demo {
        #[arg(long, env = "HABILIS_DATABASE", default_value = DEFAULT_DATABASE)]
        database: String,
    },
    /// Personal API tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Local accounts of the web interface (when enabled: `local_accounts = true`).
    Account {
        #[command(subcommand)]
        command: AccountCommand,
    },
    /// Application credentials.
    Client {
        #[command(subcommand)]
        command: ClientCommand,
    },
    /// The audit trail.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// The benchmark of BENCH.md: Habilis next to bare hash-map chains, in one run.
    Bench(crate::bench::BenchArgs),
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Prints a new personal API token for a user (Habilis id, national number or e-mail).
    Create {
        #[arg(long)]
        user: String,
        #[arg(long, env = "HABILIS_DATABASE", default_value = DEFAULT_DATABASE)]
        database: String,
        /// The security level the token acts at (default: the highest).
        #[arg(long)]
        level: Option<String>,
        #[arg(long, default_value = "created with habilis token create")]
        label: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum AccountCommand {
    /// Sets a user's password, read from the first line of standard input; with
    /// `--security-code`, also a new authenticator secret, printed once.
    Password {
        #[arg(long)]
        user: String,
        #[arg(long, env = "HABILIS_DATABASE", default_value = DEFAULT_DATABASE)]
        database: String,
        #[arg(long)]
        security_code: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum ClientCommand {
    /// Prints a new API credential for an application.
    Create {
        #[arg(long)]
        application: String,
        #[arg(long, env = "HABILIS_DATABASE", default_value = DEFAULT_DATABASE)]
        database: String,
        #[arg(long, default_value = "created with habilis client create")]
        label: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Walks the hash chain: exit 0 when intact, 1 with the first broken event.
    Verify {
        #[arg(long, env = "HABILIS_DATABASE", default_value = DEFAULT_DATABASE)]
        database: String,
    },
}

async fn open(database: &str) -> anyhow::Result<Arc<Services>> {
    let db = Db::connect(database)
        .await
        .with_context(|| format!("cannot open database `{}`", redact(database)))?;
    db.migrate().await.context("cannot migrate the database")?;
    Services::open(db, Arc::new(SystemClock))
        .await
        .map_err(|e| anyhow::format_err!("{e}"))
}

/// A database URL without its password, for messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let credentials = url.get(scheme_end + 3..at).unwrap_or_default();
            match credentials.split_once(':') {
                Some((user, _)) => format!(
                    "{}{}:***{}",
                    url.get(..scheme_end + 3).unwrap_or_default(),
                    user,
                    url.get(at..).unwrap_or_default()
                ),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

fn core_error(error: habilis_core::Error) -> anyhow::Error {
    anyhow::format_err!("{error}")
}

/// Runs a command; the exit code is the answer (0 success, 1 failure or broken chain).
pub async fn run(cli: Cli) -> anyhow::Result<i32> {
    match cli.command {
        Command::Serve {
            config,
            listen,
            database,
            demo,
        } => {
            let config = Config::load(config.as_deref(), listen, database)?;
            serve(config, demo).await?;
            Ok(0)
        }
        Command::Init {
            database,
            operator_email,
            operator_national_number,
        } => {
            let email = Email::parse(&operator_email)
                .map_err(|e| anyhow::format_err!("--operator-email: {}", e.detail))?;
            let national_number = operator_national_number
                .as_deref()
                .map(NationalNumber::parse)
                .transpose()
                .map_err(|e| anyhow::format_err!("--operator-national-number: {}", e.detail))?;
            let services = open(&database).await?;
            let committed = services
                .init_operator(email, national_number)
                .await
                .map_err(core_error)?;
            let (user, secret) = committed.value;
            eprintln!(
                "Created operator {} ({}). Their personal API token, shown once:",
                user.id, operator_email
            );
            println!("{}", secret.expose());
            Ok(0)
        }
        Command::Migrate { database } => {
            let db = Db::connect(&database)
                .await
                .with_context(|| format!("cannot open database `{}`", redact(&database)))?;
            db.migrate().await.context("cannot migrate the database")?;
            eprintln!("Database `{}` is up to date.", redact(&database));
            Ok(0)
        }
        Command::Account {
            command:
                AccountCommand::Password {
                    user,
                    database,
                    security_code,
                },
        } => {
            let mut password = String::new();
            std::io::stdin()
                .read_line(&mut password)
                .context("cannot read the password from standard input")?;
            let password = password.trim_end_matches(['\r', '\n']);
            let services = open(&database).await?;
            let committed = services
                .set_local_password(&Caller::system(), &user, password, security_code)
                .await
                .map_err(core_error)?;
            eprintln!("Password set for {user}.");
            if let Some(secret) = committed.value {
                eprintln!("Authenticator secret (base32, shown once; add it to the person's app):");
                println!("{}", secret.expose());
            }
            Ok(0)
        }
        Command::Demo { database } => {
            let services = open(&database).await?;
            print_demo(&services, None).await?;
            Ok(0)
        }
        Command::Token {
            command:
                TokenCommand::Create {
                    user,
                    database,
                    level,
                    label,
                },
        } => {
            let services = open(&database).await?;
            let secret = services
                .create_token(&user, &label, level.as_deref())
                .await
                .map_err(core_error)?
                .value;
            eprintln!("A personal API token for `{user}`, shown once:");
            println!("{}", secret.expose());
            Ok(0)
        }
        Command::Client {
            command:
                ClientCommand::Create {
                    application,
                    database,
                    label,
                },
        } => {
            let services = open(&database).await?;
            let secret = services
                .create_client(&application, &label)
                .await
                .map_err(core_error)?
                .value;
            eprintln!("An API credential for application `{application}`, shown once:");
            println!("{}", secret.expose());
            Ok(0)
        }
        Command::Bench(args) => {
            crate::bench::run(&args).await?;
            Ok(0)
        }
        Command::Audit {
            command: AuditCommand::Verify { database },
        } => {
            let db = Db::connect(&database)
                .await
                .with_context(|| format!("cannot open database `{}`", redact(&database)))?;
            let verification = db
                .verify_audit()
                .await
                .context("cannot read the audit trail")?;
            match verification.first_broken {
                None => {
                    println!("audit trail intact: {} events", verification.events);
                    Ok(0)
                }
                Some(seq) => {
                    println!(
                        "audit trail broken at event {seq} (of {} events)",
                        verification.events
                    );
                    Ok(1)
                }
            }
        }
    }
}

async fn print_demo(services: &Services, url: Option<&str>) -> anyhow::Result<()> {
    let (personas, client) = services.load_demo().await.map_err(core_error)?;
    println!("Demo personas (each token is a personal API token, shown once):");
    for persona in &personas {
        println!(
            "  {:<26} {:<28} {}",
            persona.role,
            persona.name,
            persona.token.expose()
        );
    }
    println!(
        "  {:<26} {:<28} {}",
        "application client",
        "guichet",
        client.expose()
    );
    if let Some(url) = url {
        println!();
        println!(
            "Web interface: {url}/  (log in with a persona's e-mail and the password `{}`)",
            habilis_core::commands::DEMO_PASSWORD
        );
        for persona in &personas {
            if let Some(login) = &persona.login {
                println!("  {:<26} {login}", persona.role);
            }
        }
        println!();
        println!("Try:  curl -H 'Authorization: Bearer <token>' {url}/api/v1/users/me");
    }
    Ok(())
}

async fn serve(mut config: Config, demo: bool) -> anyhow::Result<()> {
    // The demo is tried in a browser without an identity provider: its personas log in
    // with local accounts.
    config.web.local_accounts |= demo;
    let services = open(&config.database).await?;
    // What the load decoded and freed is not needed again.
    habilis_alloc::release_freed_memory();
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.listen))?;
    let address = listener
        .local_addr()
        .context("cannot read the listening address")?;
    let url = format!("http://{address}");
    if demo {
        print_demo(&services, Some(&url)).await?;
    }
    services.spawn_follower(Duration::from_millis(config.follow_interval_ms));
    services.spawn_review_closer(Duration::from_secs(60));
    println!(
        "Habilis is listening on {url} (database `{}`)",
        redact(&config.database)
    );
    if !demo {
        println!(
            "Log in with a personal API token: `habilis token create --user <e-mail>` (or start with `--demo`)."
        );
    }
    if config.web.oidc.is_none() && !config.web.local_accounts {
        println!(
            "The web interface has no way to log in yet: set HABILIS_OIDC_ISSUER and HABILIS_OIDC_CLIENT_ID (or [oidc] in the config file), or enable local accounts (local_accounts = true, HABILIS_LOCAL_ACCOUNTS=true)."
        );
    }
    let web = habilis_web::router(Arc::clone(&services), config.web.clone())?;
    let settings = habilis_server::ServerSettings {
        public_url: config.public_url.clone(),
    };
    let app = habilis_server::router_with(services, settings).merge(web);
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown())
    .await
    .context("the server stopped")?;
    Ok(())
}

async fn shutdown() {
    let _ = tokio::signal::ctrl_c().await;
}
