//! Sender pickup locations (`PickupLocations`, DOC p.16–20). Each AWB joins the open
//! courier order of its sender location; headquarters is location 0.

use serde::{Deserialize, Serialize};

use crate::client::CargusClient;
use crate::error::CargusError;
use crate::serde_util::{bare_string, de_opt_id, value_bool};

/// A sender pickup location.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct PickupLocation {
    /// Its id (absent when creating one).
    #[serde(
        default,
        deserialize_with = "de_opt_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub location_id: Option<i64>,
    /// Its name.
    #[serde(default)]
    pub name: Option<String>,
    /// County id.
    #[serde(
        default,
        deserialize_with = "de_opt_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub county_id: Option<i64>,
    /// County name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub county_name: Option<String>,
    /// Locality id.
    #[serde(
        default,
        deserialize_with = "de_opt_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub locality_id: Option<i64>,
    /// Locality name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locality_name: Option<String>,
    /// Street id.
    #[serde(
        default,
        deserialize_with = "de_opt_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub street_id: Option<i64>,
    /// Street name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub street_name: Option<String>,
    /// Street number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub building_number: Option<String>,
    /// Address line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address_text: Option<String>,
    /// Contact person.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_person: Option<String>,
    /// Phone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<String>,
    /// Email.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Postal code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cod_postal: Option<String>,
    /// When the open order closes by itself each day (`"17:30"`).
    #[serde(
        default,
        rename = "AutomaticEOD",
        skip_serializing_if = "Option::is_none"
    )]
    pub automatic_eod: Option<String>,
}

impl CargusClient {
    /// `GET PickupLocations/GetForClient`: every pickup location of the customer.
    ///
    /// # Errors
    /// As any call.
    pub async fn pickup_locations_for_client(&self) -> Result<Vec<PickupLocation>, CargusError> {
        self.get_list("PickupLocations/GetForClient", crate::NO_QUERY)
            .await
    }

    /// `GET PickupLocations`: the locations active for this user.
    ///
    /// # Errors
    /// As any call.
    pub async fn pickup_locations(&self) -> Result<Vec<PickupLocation>, CargusError> {
        self.get_list("PickupLocations", crate::NO_QUERY).await
    }

    /// `POST PickupLocations`: creates a location and returns its id.
    ///
    /// # Errors
    /// As any call; [`CargusError::UnexpectedResponse`] when no id comes back.
    pub async fn create_pickup_location(
        &self,
        location: &PickupLocation,
    ) -> Result<i64, CargusError> {
        let response = self
            .call(|http| http.post("PickupLocations").json(location))
            .await?;
        let text = bare_string(&response.text());
        text.parse().map_err(|_| CargusError::UnexpectedResponse {
            message: format!("PickupLocations answered {text:?} instead of an id"),
            maybe_sent: true,
        })
    }

    /// `PUT PickupLocations`: modifies a location (its `location_id` must be set).
    ///
    /// # Errors
    /// [`CargusError::Validation`] without a `location_id`; as any call.
    pub async fn update_pickup_location(
        &self,
        location: &PickupLocation,
    ) -> Result<(), CargusError> {
        if location.location_id.is_none() {
            return Err(CargusError::validation(
                "LocationId",
                "the location to modify needs its id",
            ));
        }
        let response = self
            .call(|http| http.put("PickupLocations").json(location))
            .await?;
        let value = serde_json::from_slice::<serde_json::Value>(&response.bytes()).ok();
        match value.as_ref().and_then(value_bool) {
            Some(false) => Err(CargusError::UnexpectedResponse {
                message: "PUT PickupLocations answered false".into(),
                maybe_sent: false,
            }),
            _ => Ok(()),
        }
    }
}
