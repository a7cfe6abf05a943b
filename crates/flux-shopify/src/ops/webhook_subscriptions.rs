//! Shop-specific webhook subscriptions (prefer app-specific ones in
//! `shopify.app.toml`; compliance topics can only be subscribed there).

use futures::Stream;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::error::ShopifyError;
use crate::graphql::AdminClient;
use crate::webhooks::WebhookTopic;

/// A `WebhookSubscription`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct WebhookSubscription {
    /// GID.
    pub id: String,
    /// Topic as the GraphQL enum (`ORDERS_CREATE`); see [`WebhookSubscription::topic`].
    #[serde(rename = "topic")]
    pub topic_name: String,
    /// Endpoint URI (HTTPS, `pubsub://…` or an EventBridge ARN).
    pub uri: String,
    /// Fields included in payloads (empty: all).
    #[serde(default)]
    pub include_fields: Vec<String>,
    /// Filter (search syntax).
    #[serde(default)]
    pub filter: Option<String>,
}

impl WebhookSubscription {
    /// The topic.
    pub fn topic(&self) -> WebhookTopic {
        WebhookTopic::from_graphql_name(&self.topic_name)
    }
}

const SUB_FIELDS: &str = "id topic uri includeFields filter";

impl AdminClient {
    /// The app's shop-specific subscriptions, 50 per page.
    pub fn webhook_subscriptions(
        &self,
    ) -> impl Stream<Item = Result<WebhookSubscription, ShopifyError>> + Send + 'static + use<>
    {
        let query = format!(
            "query FluxWebhookSubscriptions($after: String) {{ webhookSubscriptions(first: 50, after: $after) {{ nodes {{ {SUB_FIELDS} }} pageInfo {{ hasNextPage endCursor }} }} }}"
        );
        self.paginate(&query, json!({}), &["webhookSubscriptions"])
    }

    /// Subscribes `uri` to `topic` (`webhookSubscriptionCreate` with the unified `uri`
    /// field). Compliance topics are refused locally: Shopify only accepts them in the
    /// app configuration.
    ///
    /// # Errors
    /// [`ShopifyError::UserErrors`], and those of [`graphql`](Self::graphql).
    pub async fn create_webhook_subscription(
        &self,
        topic: &WebhookTopic,
        uri: &str,
        include_fields: &[&str],
    ) -> Result<WebhookSubscription, ShopifyError> {
        if topic.is_compliance() {
            return Err(ShopifyError::UserErrors {
                errors: vec![crate::graphql::UserError {
                    field: vec!["topic".into()],
                    message: format!(
                        "{topic} is a compliance topic: subscribe it in shopify.app.toml (compliance_topics)"
                    ),
                    code: None,
                }],
            });
        }
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Payload {
            webhook_subscription: WebhookSubscription,
        }
        let mut subscription = json!({ "uri": uri, "format": "JSON" });
        if !include_fields.is_empty() {
            subscription["includeFields"] = json!(include_fields);
        }
        let query = format!(
            "mutation FluxWebhookCreate($topic: WebhookSubscriptionTopic!, $webhookSubscription: WebhookSubscriptionInput!) {{ webhookSubscriptionCreate(topic: $topic, webhookSubscription: $webhookSubscription) {{ webhookSubscription {{ {SUB_FIELDS} }} userErrors {{ field message }} }} }}"
        );
        let p: Payload = self
            .mutation(
                &query,
                json!({ "topic": topic.graphql_name(), "webhookSubscription": subscription }),
                "webhookSubscriptionCreate",
            )
            .await?;
        Ok(p.webhook_subscription)
    }

    /// Deletes a subscription; returns the deleted id.
    ///
    /// # Errors
    /// [`ShopifyError::UserErrors`], and those of [`graphql`](Self::graphql).
    pub async fn delete_webhook_subscription(&self, id: &str) -> Result<String, ShopifyError> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Payload {
            deleted_webhook_subscription_id: String,
        }
        const QUERY: &str = "mutation FluxWebhookDelete($id: ID!) { webhookSubscriptionDelete(id: $id) { deletedWebhookSubscriptionId userErrors { field message } } }";
        let p: Payload = self
            .mutation(QUERY, json!({ "id": id }), "webhookSubscriptionDelete")
            .await?;
        Ok(p.deleted_webhook_subscription_id)
    }
}
