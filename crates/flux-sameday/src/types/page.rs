use serde::Deserialize;

use crate::de;

/// One page of a paginated Sameday list (`?page=&countPerPage=`).
///
/// `total` and `pages` are missing from some lists (status sync).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Page<T> {
    /// How many items exist in all pages.
    #[serde(default, deserialize_with = "de::opt_i64")]
    pub total: Option<i64>,
    /// This page's number, from 1.
    #[serde(default, deserialize_with = "de::opt_i64")]
    pub current_page: Option<i64>,
    /// How many pages exist.
    #[serde(default, deserialize_with = "de::opt_i64")]
    pub pages: Option<i64>,
    /// Items per page.
    #[serde(default, deserialize_with = "de::opt_i64")]
    pub per_page: Option<i64>,
    /// The items.
    #[serde(default = "Vec::new")]
    pub data: Vec<T>,
}

impl<T> Page<T> {
    /// Whether another page follows this one: `pages` says so, or (when Sameday omits it)
    /// this page is full.
    pub fn has_next(&self, requested_per_page: u32) -> bool {
        match (self.current_page, self.pages) {
            (Some(current), Some(pages)) => current < pages,
            _ => {
                let per_page = self.per_page.unwrap_or(i64::from(requested_per_page));
                per_page > 0 && self.data.len() as i64 >= per_page
            }
        }
    }
}
