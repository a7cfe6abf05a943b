//! `flux-sandbox`: every provider simulated on local ports, until Ctrl-C.
//!
//! ```text
//! cargo run -p flux-sandbox -- [--bind 127.0.0.1:8900] [--latency-ms 100]
//! ```
#![allow(clippy::print_stdout)]

use std::net::SocketAddr;
use std::time::Duration;

use flux_sandbox::{Provider, Sandbox};

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let mut bind: SocketAddr = SocketAddr::from(([127, 0, 0, 1], 8900));
    let mut latency = Duration::ZERO;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--bind" => {
                bind = args.next().and_then(|v| v.parse().ok()).ok_or_else(|| {
                    std::io::Error::other("--bind needs an address such as 127.0.0.1:8900")
                })?;
            }
            "--latency-ms" => {
                let ms: u64 = args
                    .next()
                    .and_then(|v| v.parse().ok())
                    .ok_or_else(|| std::io::Error::other("--latency-ms needs a number"))?;
                latency = Duration::from_millis(ms);
            }
            other => {
                return Err(std::io::Error::other(format!(
                    "unknown argument {other}; use --bind ADDR or --latency-ms N"
                )));
            }
        }
    }
    let sandbox = Sandbox::builder()
        .bind(bind)
        .latency(latency)
        .start()
        .await?;
    println!("flux-sandbox listening on {}", sandbox.addr());
    for p in Provider::ALL {
        println!("  {:<11} {}", p.id(), sandbox.base_url(p));
    }
    tokio::signal::ctrl_c().await?;
    sandbox.stop().await;
    Ok(())
}
