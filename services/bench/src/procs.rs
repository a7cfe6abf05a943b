//! Child processes (flux, the Node peer, wrk) and their resident memory.

use std::path::Path;
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use tokio::process::{Child, Command};

/// Resident set size of one process in KiB, from `/proc/<pid>/status` (`VmRSS`).
pub(crate) fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// Anonymous resident memory (`RssAnon`: heap, stacks; not the mapped binary) of a
/// process and all its descendants, KiB.
pub(crate) fn tree_anon_kib(pid: u32) -> u64 {
    let own = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("RssAnon:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0);
    own + children(pid).into_iter().map(tree_anon_kib).sum::<u64>()
}

/// The direct children of `pid` (scanning `/proc/*/stat` for the parent pid).
pub(crate) fn children(pid: u32) -> Vec<u32> {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    dir.filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|child| {
            std::fs::read_to_string(format!("/proc/{child}/stat"))
                .ok()
                .and_then(|s| {
                    // `pid (comm) state ppid ...`; comm may hold spaces, so split after ')'.
                    let rest = &s[s.rfind(')')? + 1..];
                    rest.split_whitespace().nth(1)?.parse::<u32>().ok()
                })
                == Some(pid)
        })
        .collect()
}

/// RSS of a process and all its descendants, KiB.
pub(crate) fn tree_rss_kib(pid: u32) -> u64 {
    let mut total = rss_kib(pid).unwrap_or(0);
    for c in children(pid) {
        total += tree_rss_kib(c);
    }
    total
}

/// Samples the tree RSS of `pid` every 100 ms until stopped; returns (peak, mean) KiB.
pub(crate) struct RssSampler {
    stop: Arc<AtomicBool>,
    task: tokio::task::JoinHandle<(u64, u64)>,
}

impl RssSampler {
    pub(crate) fn start(pid: u32) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let task = tokio::spawn(async move {
            let (mut peak, mut sum, mut n) = (0u64, 0u64, 0u64);
            while !flag.load(Ordering::Relaxed) {
                let v = tree_rss_kib(pid);
                peak = peak.max(v);
                sum += v;
                n += 1;
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            (peak, sum.checked_div(n).unwrap_or(0))
        });
        Self { stop, task }
    }

    pub(crate) async fn finish(self) -> (u64, u64) {
        self.stop.store(true, Ordering::Relaxed);
        self.task.await.unwrap_or((0, 0))
    }
}

/// Spawns a long-running child with its output appended to `log`.
pub(crate) fn spawn(
    mut cmd: Command,
    log: &Path,
) -> Result<Child, Box<dyn std::error::Error + Send + Sync>> {
    let out = std::fs::File::create(log)?;
    let err = out.try_clone()?;
    cmd.stdin(Stdio::null())
        .stdout(Stdio::from(out))
        .stderr(Stdio::from(err))
        .kill_on_drop(true);
    Ok(cmd.spawn()?)
}

/// Waits until `GET url` answers (any status), up to `limit`.
pub(crate) async fn wait_http(url: &str, limit: Duration) -> bool {
    let Ok(client) = flux_http::HttpClient::builder("bench")
        .retry_policy(flux_http::RetryPolicy::none())
        .timeout(Duration::from_secs(2))
        .build()
    else {
        return false;
    };
    let Ok(parsed) = url.parse::<flux_http::Url>() else {
        return false;
    };
    let deadline = tokio::time::Instant::now() + limit;
    while tokio::time::Instant::now() < deadline {
        if client
            .request_url(flux_http::Method::GET, parsed.clone())
            .send_raw()
            .await
            .is_ok()
        {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

/// Stops a child with SIGTERM (by its pid), then kills it after `grace`.
pub(crate) async fn stop(mut child: Child, grace: Duration) {
    if let Some(pid) = child.id() {
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(pid.to_string())
            .status()
            .await;
        if tokio::time::timeout(grace, child.wait()).await.is_ok() {
            return;
        }
    }
    let _ = child.kill().await;
}

/// A free local TCP port.
pub(crate) fn free_port() -> std::io::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}
