//! Account and geography lists: services, pickup points, counties, cities, easybox
//! lockers and out-of-home locations.

use std::sync::Arc;

use flux_http::Method;
use serde::Deserialize;

use crate::SamedayClient;
use crate::error::SamedayError;
use crate::form;
use crate::types::{
    City, ContactPerson, County, Locker, NewPickupPoint, OohLocation, Page, PickupPoint, Service,
};

/// The answer to `POST /api/client/pickup-points`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CreatedPickupPoint {
    /// The new pickup point's id.
    pub id: i64,
    /// Its contacts, with their ids.
    #[serde(default)]
    pub contact_persons: Vec<ContactPerson>,
}

/// Filters for [`SamedayClient::cities`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct CityQuery {
    /// Only cities of this county id.
    pub county: Option<i64>,
    /// Cities whose name matches.
    pub name: Option<String>,
    /// Cities with this postal code.
    pub postal_code: Option<String>,
}

impl CityQuery {
    /// Cities of county `county_id`.
    pub fn in_county(county_id: i64) -> Self {
        Self {
            county: Some(county_id),
            ..Self::default()
        }
    }

    /// Also filter by name.
    #[must_use]
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Also filter by postal code.
    #[must_use]
    pub fn postal_code(mut self, postal_code: impl Into<String>) -> Self {
        self.postal_code = Some(postal_code.into());
        self
    }
}

fn id_list(ids: &[i64]) -> Option<String> {
    (!ids.is_empty()).then(|| {
        ids.iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(",")
    })
}

impl SamedayClient {
    /// The services of the account (`GET /api/client/services`), every page.
    ///
    /// # Errors
    /// Auth and transport errors.
    pub async fn services(&self) -> Result<Vec<Service>, SamedayError> {
        self.get_all_pages("api/client/services", &[]).await
    }

    /// The services, fetched once per client and cached (ids differ per environment but
    /// not over time). [`refresh_services`](Self::refresh_services) drops the cache.
    pub(crate) async fn cached_services(&self) -> Result<Arc<Vec<Service>>, SamedayError> {
        let mut cache = self.inner.services.lock().await;
        if let Some(services) = cache.as_ref() {
            return Ok(Arc::clone(services));
        }
        let services = Arc::new(self.services().await?);
        *cache = Some(Arc::clone(&services));
        Ok(services)
    }

    /// Forgets the cached services and default pickup point.
    pub async fn refresh_services(&self) {
        *self.inner.services.lock().await = None;
        *self.inner.default_pickup_point.lock().await = None;
    }

    /// The service with `code` (`24`, `LN`, `PP`, `6H`, ...) in this environment. Use its
    /// `id` as the AWB's `service`: ids differ between demo and production.
    ///
    /// # Errors
    /// [`SamedayError::InvalidInput`] naming the codes the account has, when `code` is
    /// not one of them.
    pub async fn service_by_code(&self, code: &str) -> Result<Service, SamedayError> {
        let services = self.cached_services().await?;
        let code = code.trim();
        services
            .iter()
            .find(|s| s.service_code.eq_ignore_ascii_case(code))
            .cloned()
            .ok_or_else(|| {
                let known: Vec<&str> = services.iter().map(|s| s.service_code.as_str()).collect();
                SamedayError::invalid(
                    "service",
                    format!(
                        "this Sameday account has no service {code:?} (it has: {})",
                        known.join(", ")
                    ),
                )
            })
    }

    /// The sender's pickup points (`GET /api/client/pickup-points`), every page.
    ///
    /// # Errors
    /// Auth and transport errors.
    pub async fn pickup_points(&self) -> Result<Vec<PickupPoint>, SamedayError> {
        self.get_all_pages("api/client/pickup-points", &[]).await
    }

    /// The default pickup point (cached), or the first active one.
    ///
    /// # Errors
    /// [`SamedayError::InvalidInput`] when the account has no pickup point.
    pub async fn default_pickup_point(&self) -> Result<PickupPoint, SamedayError> {
        let mut cache = self.inner.default_pickup_point.lock().await;
        if let Some(point) = cache.as_ref() {
            return Ok(point.clone());
        }
        let points = self.pickup_points().await?;
        let point = points
            .iter()
            .find(|p| p.default_pickup_point)
            .or_else(|| points.iter().find(|p| p.status))
            .or_else(|| points.first())
            .cloned()
            .ok_or_else(|| {
                SamedayError::invalid(
                    "sender_location_id",
                    "the Sameday account has no pickup point; create one first",
                )
            })?;
        *cache = Some(point.clone());
        Ok(point)
    }

    /// Adds a pickup point (`POST /api/client/pickup-points`).
    ///
    /// # Errors
    /// [`SamedayError::BadRequest`] with field paths.
    pub async fn create_pickup_point(
        &self,
        point: &NewPickupPoint,
    ) -> Result<CreatedPickupPoint, SamedayError> {
        let body = form::to_string(point)?;
        let created = self
            .execute_json(|http| {
                http.request(Method::POST, "api/client/pickup-points")
                    .body_bytes(body.clone(), "application/x-www-form-urlencoded")
            })
            .await?;
        *self.inner.default_pickup_point.lock().await = None;
        Ok(created)
    }

    /// Deletes a pickup point (`DELETE /api/client/pickup-points/{id}`).
    ///
    /// # Errors
    /// [`SamedayError::NotFound`] for an unknown id.
    pub async fn delete_pickup_point(&self, id: i64) -> Result<(), SamedayError> {
        let path = format!("api/client/pickup-points/{id}");
        self.execute(|http| http.request(Method::DELETE, &path))
            .await?;
        *self.inner.default_pickup_point.lock().await = None;
        Ok(())
    }

    /// Counties (`GET /api/geolocation/county`), optionally filtered by name.
    ///
    /// # Errors
    /// Auth and transport errors.
    pub async fn counties(&self, name: Option<&str>) -> Result<Vec<County>, SamedayError> {
        let query: Vec<(&str, String)> = name.map(|n| ("name", n.to_owned())).into_iter().collect();
        self.get_all_pages("api/geolocation/county", &query).await
    }

    /// Cities (`GET /api/geolocation/city`), every page. Filter by county: the whole
    /// country is thousands of cities.
    ///
    /// # Errors
    /// Auth and transport errors.
    pub async fn cities(&self, query: &CityQuery) -> Result<Vec<City>, SamedayError> {
        let mut q: Vec<(&str, String)> = Vec::new();
        if let Some(county) = query.county {
            q.push(("county", county.to_string()));
        }
        if let Some(name) = &query.name {
            q.push(("name", name.clone()));
        }
        if let Some(pc) = &query.postal_code {
            q.push(("postalCode", pc.clone()));
        }
        self.get_all_pages("api/geolocation/city", &q).await
    }

    /// easybox lockers (`GET /api/client/lockers`), all of them or those in `ids`
    /// (`lockersList=1,2`). Sameday answers a plain list (its SDK sends no pagination);
    /// a paginated answer is read too.
    ///
    /// # Errors
    /// Auth and transport errors.
    pub async fn lockers(&self, ids: &[i64]) -> Result<Vec<Locker>, SamedayError> {
        let query: Vec<(&str, String)> = id_list(ids)
            .map(|list| ("lockersList", list))
            .into_iter()
            .collect();
        let response = self
            .execute(|http| {
                http.request(Method::GET, "api/client/lockers")
                    .query(&query)
            })
            .await?;
        let bytes = response.bytes();
        let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
        if first == Some(&b'{') {
            Ok(response.json::<Page<Locker>>()?.data)
        } else {
            Ok(response.json::<Vec<Locker>>()?)
        }
    }

    /// Out-of-home locations, easybox lockers and PUDO points
    /// (`GET /api/client/ooh-locations`), all or those in `ids` (`locationsList`), every page.
    ///
    /// # Errors
    /// Auth and transport errors.
    pub async fn ooh_locations(&self, ids: &[i64]) -> Result<Vec<OohLocation>, SamedayError> {
        let query: Vec<(&str, String)> = id_list(ids)
            .map(|list| ("locationsList", list))
            .into_iter()
            .collect();
        self.get_all_pages("api/client/ooh-locations", &query).await
    }
}
