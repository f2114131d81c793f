//! `?page=&per_page=` for every list, and the envelope lists are returned in.

use app::domain::settings::FieldError;
use serde::{Deserialize, Serialize};

use super::ApiError;

pub const DEFAULT_PER_PAGE: i64 = 50;
pub const MAX_PER_PAGE: i64 = 200;

#[derive(Debug, Clone, Copy, Deserialize)]
pub struct Paging {
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

impl Paging {
    /// The page and page size, or a 422 naming the bad parameter.
    pub fn resolve(self) -> Result<(i64, i64), ApiError> {
        let page = self.page.unwrap_or(1);
        let per_page = self.per_page.unwrap_or(DEFAULT_PER_PAGE);
        let mut errors = Vec::new();
        if page < 1 {
            errors.push(FieldError::new("page", "Pages are numbered from 1."));
        }
        if !(1..=MAX_PER_PAGE).contains(&per_page) {
            errors.push(FieldError::new("per_page", format!("Ask for 1 to {MAX_PER_PAGE} items per page.")));
        }
        if errors.is_empty() { Ok((page, per_page)) } else { Err(ApiError::invalid(errors)) }
    }
}

#[derive(Debug, Serialize)]
pub struct Listing<T> {
    pub items: Vec<T>,
    pub page: i64,
    pub per_page: i64,
    pub total: i64,
}
