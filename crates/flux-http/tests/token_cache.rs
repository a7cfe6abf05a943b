//! Single-flight token refresh and invalidate-once.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use flux_http::secret::{ExposeSecret, SecretString};
use flux_http::{HttpError, Token, TokenCache};

type Cache = Arc<TokenCache<HttpError>>;

async fn login(calls: &AtomicUsize, value: &str) -> Result<Token, HttpError> {
    calls.fetch_add(1, Ordering::SeqCst);
    // Slow enough that every caller arrives while the refresh is in flight.
    tokio::time::sleep(Duration::from_millis(50)).await;
    Ok(Token::expires_in(
        SecretString::from(value),
        Duration::from_secs(3600),
    ))
}

async fn fifty<F, Fut, T>(task: F) -> Vec<T>
where
    F: Fn() -> Fut,
    Fut: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let handles: Vec<_> = (0..50).map(|_| tokio::spawn(task())).collect();
    let mut out = Vec::new();
    for handle in handles {
        out.push(handle.await.unwrap());
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_concurrent_callers_cause_one_refresh_and_fifty_401s_one_relogin() {
    let cache: Cache = Arc::new(TokenCache::new());
    let calls = Arc::new(AtomicUsize::new(0));

    let tokens = fifty(|| {
        let (cache, calls) = (Arc::clone(&cache), Arc::clone(&calls));
        async move { cache.get_or_refresh(|| login(&calls, "t1")).await.unwrap() }
    })
    .await;
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    assert!(tokens.iter().all(|t| t.secret().expose_secret() == "t1"));

    // Every caller gets a 401 with t1, invalidates it and asks again.
    let first = tokens[0].clone();
    let tokens = fifty(|| {
        let (cache, calls, failed) = (Arc::clone(&cache), Arc::clone(&calls), first.clone());
        async move {
            cache.invalidate(&failed).await;
            cache.get_or_refresh(|| login(&calls, "t2")).await.unwrap()
        }
    })
    .await;
    assert_eq!(calls.load(Ordering::SeqCst), 2, "one re-login, not fifty");
    assert!(tokens.iter().all(|t| t.secret().expose_secret() == "t2"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_refresh_is_shared_with_the_callers_that_waited_for_it() {
    let cache: Cache = Arc::new(TokenCache::new());
    let calls = Arc::new(AtomicUsize::new(0));

    // Callers count themselves in right before asking (in the same poll, so they are
    // already waiting when the count reaches 50); the failing login waits for all of them.
    let arrived = Arc::new(AtomicUsize::new(0));
    let results = fifty(|| {
        let (cache, calls, arrived) =
            (Arc::clone(&cache), Arc::clone(&calls), Arc::clone(&arrived));
        async move {
            arrived.fetch_add(1, Ordering::SeqCst);
            cache
                .get_or_refresh(|| async move {
                    calls.fetch_add(1, Ordering::SeqCst);
                    while arrived.load(Ordering::SeqCst) < 50 {
                        tokio::time::sleep(Duration::from_millis(1)).await;
                    }
                    Err::<Token, _>(HttpError::Status {
                        request: "POST https://api.example.com/login".into(),
                        status: flux_http::StatusCode::UNAUTHORIZED,
                        retry_after: None,
                        request_id: None,
                        body: "bad password".into(),
                    })
                })
                .await
        }
    })
    .await;

    assert_eq!(
        calls.load(Ordering::SeqCst),
        1,
        "one failed login, not fifty"
    );
    assert!(
        results
            .iter()
            .all(|r| r.as_ref().is_err_and(HttpError::is_auth))
    );
}

#[tokio::test]
async fn an_expired_token_is_refreshed() {
    let cache: TokenCache = TokenCache::new().with_refresh_margin(Duration::ZERO);
    let calls = AtomicUsize::new(0);
    let short = || async {
        calls.fetch_add(1, Ordering::SeqCst);
        Ok(Token::expires_in(
            SecretString::from("short"),
            Duration::from_millis(50),
        ))
    };
    cache.get_or_refresh(short).await.unwrap();
    cache.get_or_refresh(short).await.unwrap();
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    tokio::time::sleep(Duration::from_millis(80)).await;
    cache.get_or_refresh(short).await.unwrap();
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}
