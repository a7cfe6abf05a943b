//! Nomenclature: countries, counties, localities and streets (DOC p.14–15).

use serde::Deserialize;

use crate::client::CargusClient;
use crate::error::CargusError;
use crate::serde_util::{de_opt_id, de_text};

/// A country (`GET Countries`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct Country {
    /// Its id (Romania is 1).
    #[serde(default, deserialize_with = "de_opt_id")]
    pub country_id: Option<i64>,
    /// Its name.
    #[serde(default, deserialize_with = "de_text")]
    pub country_name: String,
    /// Its code.
    #[serde(default)]
    pub abbreviation: Option<String>,
}

/// A county (`GET Counties`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct CargusCounty {
    /// Its id.
    #[serde(default, deserialize_with = "de_opt_id")]
    pub county_id: Option<i64>,
    /// Its name.
    #[serde(default, deserialize_with = "de_text")]
    pub name: String,
    /// Its code (`"AG"`).
    #[serde(default)]
    pub abbreviation: Option<String>,
}

/// A locality (`GET Localities`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct Locality {
    /// Its id.
    #[serde(default, deserialize_with = "de_opt_id")]
    pub locality_id: Option<i64>,
    /// Its name.
    #[serde(default, deserialize_with = "de_text")]
    pub name: String,
    /// The territorial agency's id.
    #[serde(default, deserialize_with = "de_opt_id")]
    pub parent_id: Option<i64>,
    /// The territorial agency's name.
    #[serde(default)]
    pub parent_name: Option<String>,
    /// Chargeable extra kilometres.
    #[serde(default)]
    pub extra_km: Option<rust_decimal::Decimal>,
    /// Whether it is in Cargus's own network.
    #[serde(default)]
    pub in_network: Option<bool>,
    /// County id.
    #[serde(default, deserialize_with = "de_opt_id")]
    pub county_id: Option<i64>,
    /// Country id.
    #[serde(default, deserialize_with = "de_opt_id")]
    pub country_id: Option<i64>,
    /// Postal code.
    #[serde(default)]
    pub cod_postal: Option<String>,
    /// Latest pickup hour.
    #[serde(default)]
    pub max_hour: Option<serde_json::Value>,
}

/// A street (`GET Streets`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct Street {
    /// Its id.
    #[serde(default, deserialize_with = "de_opt_id")]
    pub street_id: Option<i64>,
    /// Its name.
    #[serde(default, deserialize_with = "de_text")]
    pub name: String,
}

impl CargusClient {
    /// `GET Countries`.
    ///
    /// # Errors
    /// As any call.
    pub async fn countries(&self) -> Result<Vec<Country>, CargusError> {
        self.get_list("Countries", crate::NO_QUERY).await
    }

    /// `GET Counties?countryId=…` (Romania is 1).
    ///
    /// # Errors
    /// As any call.
    pub async fn counties(&self, country_id: i64) -> Result<Vec<CargusCounty>, CargusError> {
        self.get_list("Counties", &[("countryId", country_id.to_string())])
            .await
    }

    /// `GET Localities?countryId=…&countyId=…`.
    ///
    /// # Errors
    /// As any call.
    pub async fn localities(
        &self,
        country_id: i64,
        county_id: i64,
    ) -> Result<Vec<Locality>, CargusError> {
        self.get_list(
            "Localities",
            &[
                ("countryId", country_id.to_string()),
                ("countyId", county_id.to_string()),
            ],
        )
        .await
    }

    /// `GET Streets?localityId=…`.
    ///
    /// # Errors
    /// As any call.
    pub async fn streets(&self, locality_id: i64) -> Result<Vec<Street>, CargusError> {
        self.get_list("Streets", &[("localityId", locality_id.to_string())])
            .await
    }
}
