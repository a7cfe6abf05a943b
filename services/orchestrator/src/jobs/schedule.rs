//! Recurring jobs: every replica tries to enqueue the job for the current period, and the
//! unique job key lets exactly one of them succeed.

use std::time::Duration;

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbErr};
use tokio_util::sync::CancellationToken;

use super::queue::{NewJob, enqueue};

/// A job that should run once every `every`.
#[derive(Debug, Clone)]
pub struct Recurring {
    /// The job kind.
    pub kind: &'static str,
    /// The period.
    pub every: Duration,
}

/// The key of `kind`'s job for the period containing `now`: the same on every replica.
pub fn period_key(kind: &str, every: Duration, now: DateTime<Utc>) -> String {
    let secs = every.as_secs().max(1) as i64;
    let slot = now.timestamp().div_euclid(secs);
    format!("recurring:{kind}:{slot}")
}

/// Enqueues each recurring job for the current period (no-op when another replica did).
pub async fn enqueue_due<C: ConnectionTrait>(
    db: &C,
    jobs: &[Recurring],
    now: DateTime<Utc>,
) -> Result<usize, DbErr> {
    let mut created = 0;
    for job in jobs {
        let key = period_key(job.kind, job.every, now);
        if enqueue(
            db,
            NewJob::new(job.kind, serde_json::json!({}))
                .key(key)
                .max_attempts(3),
        )
        .await?
        .is_some()
        {
            created += 1;
        }
    }
    Ok(created)
}

/// Runs the scheduler until `stop`: checks every `tick`.
pub async fn run_scheduler(
    db: sea_orm::DatabaseConnection,
    jobs: Vec<Recurring>,
    tick: Duration,
    stop: CancellationToken,
) {
    if jobs.is_empty() {
        return;
    }
    loop {
        if let Err(e) = enqueue_due(&db, &jobs, Utc::now()).await {
            tracing::warn!(error = %e, "scheduling recurring jobs failed");
        }
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = tokio::time::sleep(tick) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn period_keys_are_shared_within_a_period() {
        let every = Duration::from_secs(300);
        let a = DateTime::parse_from_rfc3339("2026-11-22T10:00:01Z")
            .unwrap()
            .with_timezone(&Utc);
        let b = DateTime::parse_from_rfc3339("2026-11-22T10:04:59Z")
            .unwrap()
            .with_timezone(&Utc);
        let c = DateTime::parse_from_rfc3339("2026-11-22T10:05:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(
            period_key("sales.track", every, a),
            period_key("sales.track", every, b)
        );
        assert_ne!(
            period_key("sales.track", every, b),
            period_key("sales.track", every, c)
        );
    }
}
