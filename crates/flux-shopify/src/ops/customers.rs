//! Customers.

use futures::Stream;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::error::ShopifyError;
use crate::graphql::AdminClient;
use crate::ops::orders::OrderCustomer;
use crate::types::MailingAddress;

/// A `Customer` (names, emails, phones and addresses need protected customer data
/// approval outside development stores).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Customer {
    /// Id, names, default email and phone.
    #[serde(flatten)]
    pub contact: OrderCustomer,
    /// Number of orders (an `UnsignedInt64` string).
    #[serde(default)]
    pub number_of_orders: Option<String>,
    /// Default address.
    #[serde(default)]
    pub default_address: Option<MailingAddress>,
}

const CUSTOMER_FIELDS: &str = "id firstName lastName defaultEmailAddress { emailAddress } defaultPhoneNumber { phoneNumber } numberOfOrders defaultAddress { name firstName lastName company address1 address2 city province provinceCode zip country countryCodeV2 phone }";

impl AdminClient {
    /// One customer by GID.
    ///
    /// # Errors
    /// Those of [`graphql`](Self::graphql).
    pub async fn customer(&self, id: &str) -> Result<Option<Customer>, ShopifyError> {
        let query =
            format!("query FluxCustomer($id: ID!) {{ customer(id: $id) {{ {CUSTOMER_FIELDS} }} }}");
        self.query_at(&query, json!({ "id": id }), &["customer"])
            .await
    }

    /// Customers matching a search query (e.g. `"email:ana@example.com"`), 50 per page.
    pub fn customers(
        &self,
        search: Option<&str>,
    ) -> impl Stream<Item = Result<Customer, ShopifyError>> + Send + 'static + use<> {
        let query = format!(
            "query FluxCustomers($after: String, $query: String) {{ customers(first: 50, after: $after, query: $query) {{ nodes {{ {CUSTOMER_FIELDS} }} pageInfo {{ hasNextPage endCursor }} }} }}"
        );
        self.paginate(&query, json!({ "query": search }), &["customers"])
    }
}
