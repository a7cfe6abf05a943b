//! `flux`: the Flux service's command line.

use clap::{Parser, Subcommand};
use flux_orchestrator::config::Settings;
use flux_orchestrator::startup::Application;

/// jemalloc instead of glibc's malloc. glibc keeps what a burst of load freed in its
/// per-thread arenas for good (the service stayed at 57 to 64 MiB after webhook load,
/// against 35 MiB fresh; docs/PERFORMANCE.md, *Memory*). jemalloc's background thread
/// returns freed pages to the system about a second after they were freed
/// (`.cargo/config.toml` bakes in its options).
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// Flux: FluxSales and FluxOrders on one service.
#[derive(Debug, Parser)]
#[command(name = "flux", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the API and run the job worker (the default).
    Serve,
    /// Apply database migrations and exit.
    Migrate,
    /// Run the whole product locally, every provider simulated, and serve until Ctrl-C.
    Demo(flux_orchestrator::demo::DemoArgs),
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let command = match cli.command {
        Some(Command::Demo(args)) => return flux_orchestrator::demo::run_cli(args).await,
        other => other.unwrap_or(Command::Serve),
    };
    let settings = match Settings::load() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("flux: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    flux_orchestrator::telemetry::init_logging(settings.log_format);
    let result = match command {
        Command::Serve => match Application::builder(settings).build().await {
            Ok(app) => app.run_until_stopped().await,
            Err(e) => Err(e),
        },
        Command::Demo(_) => unreachable!("handled above"),
        Command::Migrate => {
            async {
                let db = flux_orchestrator::db::connect(&settings.database_url(), 1).await?;
                flux_orchestrator::db::migrate(&db).await?;
                tracing::info!("migrations applied");
                Ok(())
            }
            .await
        }
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = %e, "flux stopped with an error");
            eprintln!("flux: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
