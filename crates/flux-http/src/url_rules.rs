//! Rules every URL must pass before a request leaves the process, and the
//! redacted form of a URL that logs and errors may show.

use url::{Host, Url};

/// Why a URL was refused by [`check_transport`].
pub(crate) fn check_transport(url: &Url) -> Result<(), &'static str> {
    match url.scheme() {
        "https" => {}
        "http" if is_loopback(url) => {}
        "http" => {
            return Err("plain http is only allowed for loopback hosts \
                        (127.0.0.0/8, localhost, [::1]); use https");
        }
        _ => return Err("the scheme must be https (or http for a loopback host)"),
    }
    if url.host().is_none() {
        return Err("the URL has no host");
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("the URL must not carry credentials; pass them as a SecretString");
    }
    Ok(())
}

/// Whether the URL's host is a loopback address: `127.0.0.0/8`, `localhost`, or `[::1]`.
pub(crate) fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Domain(domain)) => domain.eq_ignore_ascii_case("localhost"),
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// Scheme, host and port are the same.
pub(crate) fn same_origin(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme()
        && a.host_str() == b.host_str()
        && a.port_or_known_default() == b.port_or_known_default()
}

/// The URL without credentials, query string or fragment: safe for logs and errors
/// (query strings often carry API keys).
pub(crate) fn redacted(url: &Url) -> String {
    let mut out = String::with_capacity(url.as_str().len());
    out.push_str(url.scheme());
    out.push_str("://");
    if let Some(host) = url.host_str() {
        out.push_str(host);
    }
    if let Some(port) = url.port() {
        out.push(':');
        out.push_str(&port.to_string());
    }
    out.push_str(url.path());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn https_and_loopback_http_pass() {
        for ok in [
            "https://api.example.com",
            "http://127.0.0.1:1234",
            "http://127.3.4.5/x",
            "http://localhost:8080/",
            "http://[::1]:9000/",
        ] {
            assert!(check_transport(&url(ok)).is_ok(), "{ok}");
        }
    }

    #[test]
    fn plain_http_and_credentials_fail() {
        for bad in [
            "http://api.example.com",
            "http://10.0.0.1",
            "http://localhost.evil.com",
            "ftp://api.example.com",
            "https://user:pw@api.example.com",
        ] {
            assert!(check_transport(&url(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn redacted_drops_query_and_credentials() {
        let u = url("https://user:pw@api.example.com:8443/v1/awb?key=SECRET#frag");
        assert_eq!(redacted(&u), "https://api.example.com:8443/v1/awb");
    }
}
