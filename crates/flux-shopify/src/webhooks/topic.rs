//! [`WebhookTopic`].

open_enum! {
    /// A webhook topic, as in the `X-Shopify-Topic` header (`orders/create`).
    WebhookTopic {
        /// `orders/create`.
        OrdersCreate = "orders/create",
        /// `orders/updated` (may fire with no visible change).
        OrdersUpdated = "orders/updated",
        /// `orders/paid`.
        OrdersPaid = "orders/paid",
        /// `orders/cancelled`.
        OrdersCancelled = "orders/cancelled",
        /// `fulfillments/create`.
        FulfillmentsCreate = "fulfillments/create",
        /// `fulfillments/update`.
        FulfillmentsUpdate = "fulfillments/update",
        /// `fulfillment_orders/order_routing_complete`: fulfillment orders are ready.
        FulfillmentOrdersOrderRoutingComplete = "fulfillment_orders/order_routing_complete",
        /// `inventory_levels/update`.
        InventoryLevelsUpdate = "inventory_levels/update",
        /// `bulk_operations/finish`.
        BulkOperationsFinish = "bulk_operations/finish",
        /// `app/uninstalled`: the token is already revoked when this arrives.
        AppUninstalled = "app/uninstalled",
        /// `customers/data_request` (compliance).
        CustomersDataRequest = "customers/data_request",
        /// `customers/redact` (compliance).
        CustomersRedact = "customers/redact",
        /// `shop/redact` (compliance; 48 h after uninstall).
        ShopRedact = "shop/redact",
    }
}

impl WebhookTopic {
    /// The GraphQL `WebhookSubscriptionTopic` value (`orders/create` → `ORDERS_CREATE`).
    pub fn graphql_name(&self) -> String {
        self.as_str().to_ascii_uppercase().replace(['/', '.'], "_")
    }

    /// Parses a GraphQL `WebhookSubscriptionTopic` (`ORDERS_CREATE`) back into a topic.
    /// Topics whose REST name contains `_` cannot be told apart from the enum; the known
    /// ones are mapped explicitly.
    pub fn from_graphql_name(name: &str) -> Self {
        const KNOWN: &[&str] = &[
            "orders/create",
            "orders/updated",
            "orders/paid",
            "orders/cancelled",
            "fulfillments/create",
            "fulfillments/update",
            "fulfillment_orders/order_routing_complete",
            "inventory_levels/update",
            "bulk_operations/finish",
            "app/uninstalled",
            "customers/data_request",
            "customers/redact",
            "shop/redact",
        ];
        KNOWN
            .iter()
            .map(|t| Self::from(*t))
            .find(|t| t.graphql_name() == name)
            .unwrap_or_else(|| Self::Other(name.to_owned()))
    }

    /// Whether this is one of the three mandatory compliance topics (subscribed only in
    /// the app configuration, never through the API).
    pub fn is_compliance(&self) -> bool {
        matches!(
            self,
            Self::CustomersDataRequest | Self::CustomersRedact | Self::ShopRedact
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn graphql_names_round_trip() {
        assert_eq!(WebhookTopic::OrdersCreate.graphql_name(), "ORDERS_CREATE");
        assert_eq!(
            WebhookTopic::from_graphql_name("CUSTOMERS_DATA_REQUEST"),
            WebhookTopic::CustomersDataRequest
        );
        assert_eq!(
            WebhookTopic::from("carts/create"),
            WebhookTopic::Other("carts/create".into())
        );
    }
}
