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
}

/// Validated settings.
#[derive(Clone, Debug)]
pub struct Config {
    pub listen: SocketAddr,
    pub database: String,
    pub follow_interval_ms: u64,
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
            .or(from_file.listen)
            .unwrap_or_else(|| DEFAULT_LISTEN.to_owned());
        let listen: SocketAddr = listen_text.parse().map_err(|_| {
            anyhow::format_err!("listen: `{listen_text}` is not an address like 127.0.0.1:8080")
        })?;
        let database = flag_database
            .or(from_file.database)
            .unwrap_or_else(|| DEFAULT_DATABASE.to_owned());
        let follow_interval_ms = from_file
            .follow_interval_ms
            .unwrap_or(250)
            .clamp(10, 60_000);
        Ok(Config {
            listen,
            database,
            follow_interval_ms,
        })
    }
}
