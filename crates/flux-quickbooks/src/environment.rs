//! Production and sandbox hosts.

/// Which Intuit environment a company lives in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Environment {
    /// Real companies: `https://quickbooks.api.intuit.com`.
    #[default]
    Production,
    /// Sandbox companies: `https://sandbox-quickbooks.api.intuit.com`.
    Sandbox,
}

impl Environment {
    /// The Accounting API host of this environment.
    pub fn api_base_url(self) -> &'static str {
        match self {
            Self::Production => "https://quickbooks.api.intuit.com",
            Self::Sandbox => "https://sandbox-quickbooks.api.intuit.com",
        }
    }
}
