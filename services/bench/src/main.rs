//! `flux-bench`: Flux's benchmarks, printed as a table and as JSON (also written to a file).
//!
//! - `flux-bench ingest`: webhook ingest of flux (PostgreSQL, SQLite) beside the Node peer
//!   (`/work/shared/peers/shopify-node-webhook`), with resident memory idle and under load.
//! - `flux-bench pipeline`: N orders through AWB, fulfillment and invoice against the
//!   sandbox with per-call latency and the providers' real rate limits.
//!
//! Run from the workspace root after `cargo build --release -p flux-orchestrator -p
//! flux-bench`; see docs/PERFORMANCE.md.

// A benchmark prints its figures and computes ratios.
#![allow(clippy::print_stdout, clippy::float_arithmetic)]

mod flux;
mod ingest;
mod pipeline;
mod procs;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// Errors of the bench (reported and the process exits non-zero).
type Error = Box<dyn std::error::Error + Send + Sync>;

/// Flux benchmarks.
#[derive(Debug, Parser)]
#[command(name = "flux-bench", about)]
struct Cli {
    /// Where to write the JSON report (default: target/bench/<benchmark>.json).
    #[arg(long, global = true)]
    out: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Webhook ingest beside the Node peer, and memory.
    Ingest(ingest::IngestArgs),
    /// Orders through AWB, fulfillment and invoice against the sandbox.
    Pipeline(pipeline::PipelineArgs),
}

fn machine() -> serde_json::Value {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find_map(|l| l.strip_prefix("model name"))
                .map(|v| v.trim_start_matches([' ', '\t', ':']).to_owned())
        })
        .unwrap_or_default();
    let mem_kib = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines()
                .find_map(|l| l.strip_prefix("MemTotal:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        })
        .unwrap_or(0);
    serde_json::json!({
        "cpus": std::thread::available_parallelism().map_or(0, std::num::NonZero::get),
        "cpu_model": cpu,
        "mem_total_kib": mem_kib,
    })
}

fn emit(
    name: &str,
    out: Option<PathBuf>,
    table: &str,
    report: &impl serde::Serialize,
) -> Result<(), Error> {
    let json = serde_json::json!({
        "benchmark": name,
        "machine": machine(),
        "report": report,
    });
    let text = serde_json::to_string_pretty(&json)?;
    let path = out.unwrap_or_else(|| PathBuf::from(format!("target/bench/{name}.json")));
    if let Some(dir) = path.parent()
        && !dir.as_os_str().is_empty()
    {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(&path, &text)?;
    println!("{table}");
    println!("{text}");
    println!("JSON written to {}", path.display());
    Ok(())
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::Ingest(args) => match ingest::run(args).await {
            Ok(r) => emit("ingest", cli.out.clone(), &ingest::table(&r), &r),
            Err(e) => Err(e),
        },
        Command::Pipeline(args) => match pipeline::run(args).await {
            Ok(r) => emit("pipeline", cli.out.clone(), &pipeline::table(&r), &r),
            Err(e) => Err(e),
        },
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("flux-bench: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
