//! Webhook ingest: flux (PostgreSQL and SQLite) beside the Node peer, the same signed
//! `orders/create` load from wrk with the peer's `post.lua`, in one run; memory idle and
//! under load; every acknowledged webhook counted in the database afterwards.

use std::path::{Path, PathBuf};
use std::time::Duration;

use flux_sandbox::Sandbox;
use flux_shopify::webhooks::WebhookVerifier;
use secrecy::SecretString;
use serde::Serialize;
use tokio::process::Command;

use crate::Error;
use crate::flux::{Backend, Flux, FluxOptions};
use crate::procs::{self, RssSampler};

/// Options of the ingest benchmark.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct IngestArgs {
    /// The peer's directory (post.lua, server.mjs, orders_create.json).
    #[arg(long, default_value = "/work/shared/peers/shopify-node-webhook")]
    peer_src: PathBuf,
    /// Where the peer's node_modules are installed (npm install per the peer's README).
    #[arg(long, default_value = "/tmp/peers/node")]
    peer_dir: PathBuf,
    /// The release flux binary.
    #[arg(long, default_value = "target/release/flux")]
    flux_bin: PathBuf,
    /// PostgreSQL admin URL (the peer's table lives in this database; flux gets a fresh one).
    #[arg(long, default_value = "postgres://postgres@127.0.0.1:5432/postgres")]
    postgres: String,
    /// Seconds of measured load per server.
    #[arg(long, default_value_t = 15)]
    secs: u32,
    /// Seconds after the measured run (its end) at which the settled memory is read.
    #[arg(long, default_value_t = 10)]
    settle_secs: u32,
    /// Seconds of warm-up load per server before the measured run.
    #[arg(long, default_value_t = 3)]
    warmup_secs: u32,
    /// wrk connections.
    #[arg(long, default_value_t = 64)]
    connections: u32,
    /// wrk threads.
    #[arg(long, default_value_t = 2)]
    threads: u32,
    /// flux's database pool size (the peer uses 2 workers x 16).
    #[arg(long, default_value_t = 32)]
    flux_db_connections: u32,
    /// flux's `RUST_LOG` during the run (the peer logs nothing per request).
    #[arg(long, default_value = "warn")]
    flux_log: String,
    /// Also run flux on SQLite.
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set)]
    sqlite: bool,
    /// Run flux's job worker during the load (off: ingest alone, as the peer does).
    #[arg(long, default_value_t = false)]
    flux_worker: bool,
    /// The app secret (the peer's default).
    #[arg(long, default_value = "hush")]
    secret: String,
    /// Scratch directory (databases, logs).
    #[arg(long, default_value = "/tmp/flux-bench")]
    workdir: PathBuf,
}

/// What wrk reported for one run.
#[derive(Debug, Clone, Default, Serialize)]
pub(crate) struct WrkResult {
    pub(crate) requests: u64,
    pub(crate) non_2xx: u64,
    pub(crate) socket_errors: u64,
    pub(crate) secs: f64,
    pub(crate) rps: f64,
    pub(crate) p50_ms: f64,
    pub(crate) p90_ms: f64,
    pub(crate) p99_ms: f64,
    pub(crate) max_ms: f64,
}

/// One server's figures.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ServerResult {
    pub(crate) server: String,
    pub(crate) database: String,
    pub(crate) wrk: WrkResult,
    /// 2xx responses wrk counted.
    pub(crate) acknowledged: u64,
    /// Rows stored during the measured run.
    pub(crate) rows_stored: i64,
    /// Every acknowledged webhook is stored (rows >= 2xx; the surplus, at most one per
    /// connection, is requests in flight when wrk stopped counting).
    pub(crate) durable_ok: bool,
    /// Started (and, for flux, the shop installed), before any load.
    pub(crate) rss_fresh_kib: u64,
    /// The anonymous part of `rss_fresh_kib` (heap and stacks, without the mapped binary).
    pub(crate) anon_fresh_kib: u64,
    /// Idle after the warm-up load.
    pub(crate) rss_idle_kib: u64,
    /// The anonymous part of `rss_idle_kib`.
    pub(crate) anon_idle_kib: u64,
    pub(crate) rss_load_peak_kib: u64,
    pub(crate) rss_load_mean_kib: u64,
    /// `--settle-secs` after the measured run: what the server keeps once the load is gone.
    pub(crate) rss_settled_kib: u64,
    /// The anonymous part of `rss_settled_kib`.
    pub(crate) anon_settled_kib: u64,
}

/// The whole ingest report.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct IngestReport {
    pub(crate) connections: u32,
    pub(crate) secs: u32,
    pub(crate) body_bytes: usize,
    pub(crate) results: Vec<ServerResult>,
    /// flux (PostgreSQL) requests/s divided by the peer's.
    pub(crate) throughput_ratio_pg: f64,
    /// flux (PostgreSQL) p99 divided by the peer's.
    pub(crate) p99_ratio_pg: f64,
}

fn parse_ms(v: &str) -> Option<f64> {
    let v = v.trim();
    let (num, mult) = if let Some(n) = v.strip_suffix("us") {
        (n, 0.001)
    } else if let Some(n) = v.strip_suffix("ms") {
        (n, 1.0)
    } else if let Some(n) = v.strip_suffix('s') {
        (n, 1000.0)
    } else if let Some(n) = v.strip_suffix('m') {
        (n, 60_000.0)
    } else {
        (v, 1.0)
    };
    num.parse::<f64>().ok().map(|n| n * mult)
}

/// Parses wrk's `--latency` text output.
pub(crate) fn parse_wrk(out: &str) -> WrkResult {
    let mut r = WrkResult::default();
    for line in out.lines() {
        let t = line.trim();
        let mut words = t.split_whitespace();
        match (words.next(), words.next()) {
            (Some("50%"), Some(v)) => r.p50_ms = parse_ms(v).unwrap_or(0.0),
            (Some("90%"), Some(v)) => r.p90_ms = parse_ms(v).unwrap_or(0.0),
            (Some("99%"), Some(v)) => r.p99_ms = parse_ms(v).unwrap_or(0.0),
            (Some("Latency"), Some(_avg)) => {
                if let Some(max) = t.split_whitespace().nth(3) {
                    r.max_ms = parse_ms(max).unwrap_or(0.0);
                }
            }
            (Some("Requests/sec:"), Some(v)) => r.rps = v.parse().unwrap_or(0.0),
            (Some("Non-2xx"), _) => {
                r.non_2xx = t
                    .rsplit(' ')
                    .next()
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(0);
            }
            (Some("Socket"), _) => {
                r.socket_errors = t
                    .split(',')
                    .filter_map(|p| p.split_whitespace().last()?.parse::<u64>().ok())
                    .sum();
            }
            (Some(n), Some("requests")) => {
                r.requests = n.parse().unwrap_or(0);
                if let Some(secs) = t.split_whitespace().nth(3) {
                    r.secs = parse_ms(secs.trim_end_matches(',')).unwrap_or(0.0) / 1000.0;
                }
            }
            _ => {}
        }
    }
    r
}

struct Load<'a> {
    args: &'a IngestArgs,
    body: &'a Path,
    sig: &'a str,
    /// A wrapper around the peer's `post.lua` that seeds `math.random` per run: unseeded,
    /// every wrk run repeats the same webhook ids, and the measured run's deliveries
    /// would be duplicates of the warm-up's (dropped by both servers' dedupe).
    script: &'a Path,
    seed: std::sync::atomic::AtomicU64,
}

const WRAPPER_LUA: &str = "math.randomseed(tonumber(os.getenv(\"BENCH_SEED\")) or 0)\n\
dofile(os.getenv(\"POST_LUA\"))\n";

impl Load<'_> {
    async fn wrk(&self, origin: &str, path: &str, secs: u32) -> Result<(WrkResult, String), Error> {
        let out = Command::new("wrk")
            .arg(format!("-t{}", self.args.threads))
            .arg(format!("-c{}", self.args.connections))
            .arg(format!("-d{secs}s"))
            .arg("--latency")
            .arg("-s")
            .arg(self.script)
            .arg(origin)
            .env("POST_LUA", self.args.peer_src.join("post.lua"))
            .env(
                "BENCH_SEED",
                self.seed
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
                    .to_string(),
            )
            .env("BODY_FILE", self.body)
            .env("SIG", self.sig)
            .env("WEBHOOK_PATH", path)
            .output()
            .await?;
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        if !out.status.success() {
            return Err(format!(
                "wrk failed: {}{}",
                text,
                String::from_utf8_lossy(&out.stderr)
            )
            .into());
        }
        Ok((parse_wrk(&text), text))
    }

    /// Warm-up, idle RSS, measured run with RSS sampling, rows counted before and after.
    async fn measure<F, Fut>(
        &self,
        server: &str,
        database: &str,
        origin: &str,
        path: &str,
        pid: u32,
        rows: F,
    ) -> Result<ServerResult, Error>
    where
        F: Fn() -> Fut,
        Fut: std::future::Future<Output = Result<i64, Error>>,
    {
        tokio::time::sleep(Duration::from_secs(2)).await;
        let rss_fresh_kib = procs::tree_rss_kib(pid);
        let anon_fresh_kib = procs::tree_anon_kib(pid);
        if self.args.warmup_secs > 0 {
            self.wrk(origin, path, self.args.warmup_secs).await?;
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
        let rss_idle_kib = procs::tree_rss_kib(pid);
        let anon_idle_kib = procs::tree_anon_kib(pid);
        let before = rows().await?;
        let sampler = RssSampler::start(pid);
        let (wrk, text) = self.wrk(origin, path, self.args.secs).await?;
        let (peak, mean) = sampler.finish().await;
        // Let requests in flight when wrk stopped finish.
        tokio::time::sleep(Duration::from_secs(2)).await;
        let stored = rows().await? - before;
        tokio::time::sleep(Duration::from_secs(
            u64::from(self.args.settle_secs).saturating_sub(2),
        ))
        .await;
        let rss_settled_kib = procs::tree_rss_kib(pid);
        let anon_settled_kib = procs::tree_anon_kib(pid);
        let acknowledged = wrk.requests.saturating_sub(wrk.non_2xx);
        let ack = i64::try_from(acknowledged).unwrap_or(i64::MAX);
        let durable_ok = stored >= ack && stored - ack <= i64::from(self.args.connections);
        eprintln!("--- wrk against {server} ({database}):\n{text}");
        Ok(ServerResult {
            server: server.to_owned(),
            database: database.to_owned(),
            wrk,
            acknowledged,
            rows_stored: stored,
            durable_ok,
            rss_fresh_kib,
            anon_fresh_kib,
            rss_idle_kib,
            anon_idle_kib,
            rss_load_peak_kib: peak,
            rss_load_mean_kib: mean,
            rss_settled_kib,
            anon_settled_kib,
        })
    }
}

async fn run_flux(
    args: &IngestArgs,
    load: &Load<'_>,
    backend: Backend,
) -> Result<ServerResult, Error> {
    let sandbox = Sandbox::builder().start().await?;
    sandbox.sims().shopify.register_app(
        crate::flux::API_KEY,
        &args.secret,
        flux_sandbox::shopify::DEFAULT_SCOPES,
    );
    sandbox
        .sims()
        .shopify
        .create_shop(crate::flux::SHOP, "Bench shop");
    backend.reset().await?;
    let flux = Flux::start(FluxOptions {
        binary: &args.flux_bin,
        backend: &backend,
        secret: &args.secret,
        workdir: &args.workdir,
        sandbox: &sandbox,
        worker: args.flux_worker,
        max_connections: args.flux_db_connections,
        log_filter: &args.flux_log,
    })
    .await?;
    flux.install(&sandbox).await?;
    let result = load
        .measure(
            "flux",
            backend.name(),
            &flux.base(),
            "/sales/webhooks/shopify",
            flux.pid(),
            || flux.count("SELECT count(*) FROM sales_webhook_events"),
        )
        .await;
    flux.stop().await;
    sandbox.stop().await;
    let _ = backend.drop_db().await;
    result
}

async fn run_peer(args: &IngestArgs, load: &Load<'_>) -> Result<ServerResult, Error> {
    if !args
        .peer_dir
        .join("node_modules/@shopify/shopify-api")
        .exists()
    {
        return Err(format!(
            "the peer is not installed in {}: see the peer's README (npm install)",
            args.peer_dir.display()
        )
        .into());
    }
    std::fs::copy(
        args.peer_src.join("server.mjs"),
        args.peer_dir.join("server.mjs"),
    )?;
    let admin = sea_orm::Database::connect(args.postgres.as_str()).await?;
    let port = procs::free_port()?;
    let mut cmd = Command::new("node");
    cmd.arg("server.mjs")
        .current_dir(&args.peer_dir)
        .env("SHOPIFY_API_SECRET", &args.secret)
        .env("PORT", port.to_string())
        .env("DATABASE_URL", &args.postgres);
    let child = procs::spawn(cmd, &args.workdir.join("peer.log"))?;
    let origin = format!("http://127.0.0.1:{port}");
    if !procs::wait_http(&format!("{origin}/"), Duration::from_secs(30)).await {
        return Err("the peer did not start; see peer.log".into());
    }
    let pid = child.id().unwrap_or(0);
    let result = load
        .measure("node-peer", "postgres", &origin, "/webhooks", pid, || {
            crate::flux::count(&admin, "SELECT count(*) FROM peer_webhooks")
        })
        .await;
    procs::stop(child, Duration::from_secs(5)).await;
    let _ = admin.close().await;
    result
}

/// Runs the ingest benchmark.
pub(crate) async fn run(args: &IngestArgs) -> Result<IngestReport, Error> {
    std::fs::create_dir_all(&args.workdir)?;
    let body_path = args.peer_src.join("orders_create.json");
    let body = std::fs::read(&body_path)?;
    let sig = WebhookVerifier::new(SecretString::from(args.secret.clone())).sign(&body);
    let script = args.workdir.join("post-seeded.lua");
    std::fs::write(&script, WRAPPER_LUA)?;
    let load = Load {
        args,
        body: &body_path,
        sig: &sig,
        script: &script,
        seed: std::sync::atomic::AtomicU64::new(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(1, |d| d.as_secs()),
        ),
    };
    let mut results = Vec::new();
    let pg = Backend::Postgres {
        admin_url: args.postgres.clone(),
        db: "flux_bench_ingest".into(),
    };
    results.push(run_flux(args, &load, pg).await?);
    results.push(run_peer(args, &load).await?);
    if args.sqlite {
        let lite = Backend::Sqlite {
            path: args.workdir.join("flux-ingest.sqlite"),
        };
        results.push(run_flux(args, &load, lite).await?);
    }
    let flux_pg = &results[0].wrk;
    let peer = &results[1].wrk;
    Ok(IngestReport {
        connections: args.connections,
        secs: args.secs,
        body_bytes: body.len(),
        throughput_ratio_pg: ratio(flux_pg.rps, peer.rps),
        p99_ratio_pg: ratio(flux_pg.p99_ms, peer.p99_ms),
        results,
    })
}

fn ratio(a: f64, b: f64) -> f64 {
    if b > 0.0 { a / b } else { 0.0 }
}

/// The report as a table.
pub(crate) fn table(r: &IngestReport) -> String {
    let mut s = format!(
        "Webhook ingest: signed orders/create ({} bytes), wrk {} connections, {} s per server\n",
        r.body_bytes, r.connections, r.secs
    );
    s.push_str(&format!(
        "{:<10} {:<9} {:>9} {:>8} {:>8} {:>8} {:>9} {:>9} {:>7} {:>9} {:>9} {:>9} {:>11}\n",
        "server",
        "db",
        "req/s",
        "p50 ms",
        "p99 ms",
        "max ms",
        "2xx",
        "rows",
        "stored",
        "fresh MiB",
        "idle MiB",
        "load MiB",
        "settled MiB"
    ));
    for x in &r.results {
        s.push_str(&format!(
            "{:<10} {:<9} {:>9.0} {:>8.2} {:>8.2} {:>8.1} {:>9} {:>9} {:>7} {:>9.1} {:>9.1} {:>9.1} {:>11.1}\n",
            x.server,
            x.database,
            x.wrk.rps,
            x.wrk.p50_ms,
            x.wrk.p99_ms,
            x.wrk.max_ms,
            x.acknowledged,
            x.rows_stored,
            if x.durable_ok { "ok" } else { "MISSING" },
            kib_to_mib(x.rss_fresh_kib),
            kib_to_mib(x.rss_idle_kib),
            kib_to_mib(x.rss_load_peak_kib),
            kib_to_mib(x.rss_settled_kib),
        ));
    }
    s.push_str(&format!(
        "flux/peer on PostgreSQL: throughput x{:.2}, p99 x{:.2}\n",
        r.throughput_ratio_pg, r.p99_ratio_pg
    ));
    s
}

pub(crate) fn kib_to_mib(k: u64) -> f64 {
    // Exact for any RSS this bench sees (< 2^53 KiB).
    #[allow(clippy::cast_precision_loss)]
    let k = k as f64;
    k / 1024.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_wrk_output() {
        let out = "Running 15s test @ http://127.0.0.1:3900
  2 threads and 64 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    15.23ms    5.12ms 180.00ms   75.00%
    Req/Sec     2.10k   200.00     2.50k    70.00%
  Latency Distribution
     50%  850.00us
     75%   17.00ms
     90%   21.00ms
     99%    1.20s
  63000 requests in 15.00s, 5.00MB read
  Socket errors: connect 0, read 2, write 0, timeout 3
  Non-2xx or 3xx responses: 5
Requests/sec:   4200.00
Transfer/sec:    340.00KB
";
        let r = parse_wrk(out);
        assert_eq!(r.requests, 63000);
        assert_eq!(r.non_2xx, 5);
        assert_eq!(r.socket_errors, 5);
        assert!((r.rps - 4200.0).abs() < 1e-9);
        assert!((r.p50_ms - 0.85).abs() < 1e-9);
        assert!((r.p99_ms - 1200.0).abs() < 1e-9);
        assert!((r.max_ms - 180.0).abs() < 1e-9);
        assert!((r.secs - 15.0).abs() < 1e-9);
    }
}
