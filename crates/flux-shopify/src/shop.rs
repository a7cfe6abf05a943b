//! [`ShopDomain`]: a validated `{name}.myshopify.com` store domain.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};

use crate::error::ShopifyError;

/// A validated shop domain such as `example-store.myshopify.com`.
///
/// Only `*.myshopify.com` stores are accepted (Shopify's other domains are internal dev
/// environments). The unified-admin form `admin.shopify.com/store/{name}` is converted
/// to `{name}.myshopify.com`. Never build a URL from a shop name that did not go through
/// here: a shop parameter is attacker-controlled until validated.
///
/// ```
/// use flux_shopify::ShopDomain;
///
/// let shop = ShopDomain::parse("https://Example-Store.myshopify.com/").unwrap();
/// assert_eq!(shop.as_str(), "example-store.myshopify.com");
/// let shop = ShopDomain::parse("admin.shopify.com/store/example-store").unwrap();
/// assert_eq!(shop.as_str(), "example-store.myshopify.com");
/// assert!(ShopDomain::parse("evil.com/x.myshopify.com").is_err());
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct ShopDomain(String);

const SUFFIX: &str = ".myshopify.com";

impl ShopDomain {
    /// Validates and normalizes a shop domain (lower-cases it, strips `https://` and
    /// trailing slashes).
    ///
    /// # Errors
    /// [`ShopifyError::InvalidShop`] for anything that is not a `*.myshopify.com` store.
    pub fn parse(input: &str) -> Result<Self, ShopifyError> {
        let invalid = || ShopifyError::InvalidShop(input.chars().take(100).collect());
        let mut s = input.trim().to_ascii_lowercase();
        for scheme in ["https://", "http://"] {
            if let Some(rest) = s.strip_prefix(scheme) {
                s = rest.to_owned();
            }
        }
        let s = s.trim_end_matches('/');
        let candidate = if let Some(name) = s.strip_prefix("admin.shopify.com/store/") {
            format!("{name}{SUFFIX}")
        } else {
            s.to_owned()
        };
        let name = candidate.strip_suffix(SUFFIX).ok_or_else(invalid)?;
        let mut chars = name.chars();
        let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphanumeric());
        let rest_ok = chars.all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !first_ok || !rest_ok || name.len() > 255 {
            return Err(invalid());
        }
        Ok(Self(candidate))
    }

    /// The domain, e.g. `example-store.myshopify.com`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The store handle, e.g. `example-store`.
    pub fn handle(&self) -> &str {
        self.0.strip_suffix(SUFFIX).unwrap_or(&self.0)
    }

    /// The offline session id Shopify's libraries use: `offline_{shop}`.
    pub fn offline_session_id(&self) -> String {
        format!("offline_{}", self.0)
    }
}

impl fmt::Display for ShopDomain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for ShopDomain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ShopDomain({})", self.0)
    }
}

impl std::str::FromStr for ShopDomain {
    type Err = ShopifyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl<'de> Deserialize<'de> for ShopDomain {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        Self::parse(&raw).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_store_domains() {
        for ok in [
            "shop1.myshopify.com",
            "SHOP-1.myshopify.com",
            "my_shop.myshopify.com/",
            "https://shop1.myshopify.com",
        ] {
            assert!(ShopDomain::parse(ok).is_ok(), "{ok}");
        }
        assert_eq!(
            ShopDomain::parse("shop1.myshopify.com").unwrap().handle(),
            "shop1"
        );
    }

    #[test]
    fn rejects_everything_else() {
        for bad in [
            "",
            "myshopify.com",
            ".myshopify.com",
            "-shop.myshopify.com",
            "shop.myshopify.com.evil.com",
            "evil.com",
            "shop@evil.com/.myshopify.com",
            "shop.myshopify.io",
            "a/b.myshopify.com",
            "shop.myshopify.com:8080",
            "admin.shopify.com/store/",
            "admin.shopify.com/store/a/b",
        ] {
            assert!(ShopDomain::parse(bad).is_err(), "{bad}");
        }
    }
}
