//! Settings, in layers: defaults, then a TOML file (`--config`), then `HABILIS_*` environment
//! variables, then command-line flags. The result is validated before anything starts; a bad
//! setting is a one-line error naming it.

use std::net::SocketAddr;
use std::path::Path;

use anyhow::Context as _;
use serde::Deserialize;

/// The settings as a file may give them; every field optional.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub listen: Option<String>,
    pub database: Option<String>,
    pub follow_interval_ms: Option<u64>,
    /// The address users reach the web interface at.
    pub public_url: Option<String>,
    /// Whether the web interface offers local accounts (password, security code).
    pub local_accounts: Option<bool>,
    pub oidc: Option<FileOidc>,
    pub session: Option<FileSession>,
}

/// `[oidc]`: the identity provider of the web interface's login.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileOidc {
    pub issuer: Option<String>,
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
    pub scopes: Option<Vec<String>>,
    pub national_number_claim: Option<String>,
    /// People without a national number claim are found by the provider's `sub` among
    /// this application's linked subject ids.
    pub subject_application: Option<String>,
}

/// `[session]`: browser session time-outs, in minutes.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileSession {
    pub idle_minutes: Option<u64>,
    pub absolute_minutes: Option<u64>,
}

/// Validated settings.
#[derive(Clone, Debug)]
pub struct Config {
    pub listen: SocketAddr,
    pub database: String,
    pub follow_interval_ms: u64,
    /// `public_url` as configured (the web interface falls back to the listening address
    /// when it is not): the address the AuthZEN metadata announces.
    pub public_url: Option<String>,
    pub web: habilis_web::WebConfig,
}

pub const DEFAULT_DATABASE: &str = "sqlite://habilis.db";
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";

impl Config {
    /// Merges the layers. `flag_*` are the command-line values (clap also reads the
    /// `HABILIS_*` variables into them).
    pub fn load(
        file: Option<&Path>,
        flag_listen: Option<String>,
        flag_database: Option<String>,
    ) -> anyhow::Result<Config> {
        let from_file = match file {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("cannot read config file `{}`", path.display()))?;
                toml::from_str::<FileConfig>(&text).map_err(|e| {
                    anyhow::format_err!("config file `{}`: {}", path.display(), e.message())
                })?
            }
            None => FileConfig::default(),
        };
        let listen_text = flag_listen
            .or(from_file.listen.clone())
            .unwrap_or_else(|| DEFAULT_LISTEN.to_owned());
        let listen: SocketAddr = listen_text.parse().map_err(|_| {
            anyhow::format_err!("listen: `{listen_text}` is not an address like 127.0.0.1:8080")
        })?;
        let database = flag_database
            .or(from_file.database.clone())
            .unwrap_or_else(|| DEFAULT_DATABASE.to_owned());
        let follow_interval_ms = from_file
            .follow_interval_ms
            .unwrap_or(250)
            .clamp(10, 60_000);
        let public_url = configured_public_url(&from_file)?;
        let web = web_config(&from_file, public_url.as_deref(), listen)?;
        Ok(Config {
            listen,
            database,
            follow_interval_ms,
            public_url,
            web,
        })
    }
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// `HABILIS_PUBLIC_URL` over the file's `public_url`, without a trailing `/`; it must be an
/// http or https address.
fn configured_public_url(file: &FileConfig) -> anyhow::Result<Option<String>> {
    let Some(public_url) = env("HABILIS_PUBLIC_URL").or(file.public_url.clone()) else {
        return Ok(None);
    };
    let public_url = public_url.trim_end_matches('/').to_owned();
    if !(public_url.starts_with("http://") || public_url.starts_with("https://")) {
        anyhow::bail!("public_url: `{public_url}` must start with http:// or https://");
    }
    if public_url.parse::<axum::http::Uri>().is_err() {
        anyhow::bail!("public_url: `{public_url}` is not an address");
    }
    // It is the AuthZEN metadata's `policy_decision_point`, which has neither.
    if public_url.contains(['?', '#']) {
        anyhow::bail!(
            "public_url: `{public_url}` must be an address without a query or a fragment"
        );
    }
    Ok(Some(public_url))
}

/// The web interface's settings: the public address (else the listening one) and
/// `HABILIS_OIDC_*` over the file's `[oidc]` and `[session]`. Without an issuer there is no
/// login (the pages say so); an issuer without a client id is an error.
fn web_config(
    file: &FileConfig,
    public_url: Option<&str>,
    listen: SocketAddr,
) -> anyhow::Result<habilis_web::WebConfig> {
    let public_url = public_url.map_or_else(|| format!("http://{listen}"), str::to_owned);
    let oidc_file = file.oidc.clone().unwrap_or_default();
    let issuer = env("HABILIS_OIDC_ISSUER").or(oidc_file.issuer);
    let oidc = match issuer {
        None => None,
        Some(issuer) => {
            let client_id = env("HABILIS_OIDC_CLIENT_ID")
                .or(oidc_file.client_id)
                .ok_or_else(|| {
                    anyhow::format_err!(
                        "oidc: an issuer needs a client_id (HABILIS_OIDC_CLIENT_ID)"
                    )
                })?;
            Some(habilis_web::oidc::OidcConfig {
                issuer,
                client_id,
                client_secret: env("HABILIS_OIDC_CLIENT_SECRET").or(oidc_file.client_secret),
                redirect_url: format!("{public_url}/auth/callback"),
                scopes: oidc_file.scopes.unwrap_or_else(|| {
                    ["profile", "email", "national_number"]
                        .map(str::to_owned)
                        .to_vec()
                }),
                national_number_claim: oidc_file
                    .national_number_claim
                    .unwrap_or_else(|| "national_number".to_owned()),
                subject_application: env("HABILIS_OIDC_SUBJECT_APPLICATION")
                    .or(oidc_file.subject_application),
            })
        }
    };
    let session = file.session.clone().unwrap_or_default();
    let defaults = habilis_web::session::Timeouts::default();
    let minutes = |value: Option<u64>, default: std::time::Duration| {
        value.map_or(default, |m| {
            std::time::Duration::from_secs(m.clamp(1, 7 * 24 * 60) * 60)
        })
    };
    let local_accounts = match env("HABILIS_LOCAL_ACCOUNTS") {
        Some(text) => match text.to_ascii_lowercase().as_str() {
            "1" | "true" | "yes" | "on" => true,
            "0" | "false" | "no" | "off" => false,
            _ => anyhow::bail!("HABILIS_LOCAL_ACCOUNTS: `{text}` is not true or false"),
        },
        None => file.local_accounts.unwrap_or(false),
    };
    Ok(habilis_web::WebConfig {
        public_url,
        oidc,
        local_accounts,
        timeouts: habilis_web::session::Timeouts {
            idle: minutes(session.idle_minutes, defaults.idle),
            absolute: minutes(session.absolute_minutes, defaults.absolute),
        },
    })
}
