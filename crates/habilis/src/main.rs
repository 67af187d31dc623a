//! Entry point: parse the command line, run, and end every error as one line.

use clap::Parser;

/// mimalloc (see `habilis_alloc` for why).
#[global_allocator]
static ALLOCATOR: habilis_alloc::MiMalloc = habilis_alloc::MiMalloc;

fn main() -> std::process::ExitCode {
    let cli = match habilis::cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            // Help and version are printed as clap formats them; a bad argument is one line.
            if matches!(
                error.kind(),
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion
            ) {
                let _ = error.print();
                return std::process::ExitCode::SUCCESS;
            }
            // clap spreads some messages over lines ("the following required arguments
            // were not provided:" then one line per argument); keep everything before the
            // usage and the tips, joined on one line.
            let text = error.to_string();
            let message = text
                .lines()
                .map(str::trim)
                .take_while(|line| !line.starts_with("Usage:") && !line.starts_with("For more"))
                .filter(|line| !line.is_empty() && !line.starts_with("tip:"))
                .collect::<Vec<_>>()
                .join(" ");
            let message = message.trim_start_matches("error: ");
            let message = if message.is_empty() {
                "invalid arguments"
            } else {
                message
            };
            eprintln!("habilis: {message} (see `habilis --help`)");
            return std::process::ExitCode::from(2);
        }
    };
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("HABILIS_LOG")
                .unwrap_or_else(|_| "habilis=info,tower_http=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("habilis: cannot start the runtime: {error}");
            return std::process::ExitCode::from(1);
        }
    };
    match runtime.block_on(habilis::cli::run(cli)) {
        Ok(code) => std::process::ExitCode::from(u8::try_from(code).unwrap_or(1)),
        Err(error) => {
            eprintln!("habilis: {error:#}");
            std::process::ExitCode::from(1)
        }
    }
}
