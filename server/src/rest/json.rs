//! Request bodies and the JSON representation of amounts.
//!
//! Bodies are read with the router's size limit and decoded with the path of the offending
//! field, so `{"lines": [{}, {"quantity": true}]}` is answered with `lines[1].quantity`.

use axum::{
    body::Bytes,
    extract::{FromRequest, Request},
};
use http::{StatusCode, header};
use rust_decimal::Decimal;
use serde::de::DeserializeOwned;

use super::error::ApiError;
use app::domain::settings::FieldError;

pub const MAX_BODY_BYTES: usize = 1024 * 1024;

pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(|m| {
                let m = m.trim().to_ascii_lowercase();
                m == "application/json" || (m.starts_with("application/") && m.ends_with("+json"))
            })
            .unwrap_or(false);
        if !is_json {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "Send the body as JSON with `Content-Type: application/json`.",
            ));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "payload_too_large",
                    format!("The body is larger than {} KB.", MAX_BODY_BYTES / 1024),
                )
            } else {
                ApiError::bad_request(e.body_text())
            }
        })?;
        decode(&bytes).map(ApiJson)
    }
}

pub fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize::<_, T>(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if inner.is_data() && path != "." {
            ApiError {
                fields: vec![FieldError::new(&path, inner.to_string())],
                ..ApiError::bad_request(format!("The field `{path}` has the wrong type or value."))
            }
        } else {
            ApiError::bad_request(format!("The body is not valid JSON for this endpoint: {inner}."))
        }
    })?;
    de.end().map_err(|e| ApiError::bad_request(format!("The body is not valid JSON: {e}.")))?;
    Ok(value)
}

/// Money as a decimal string with at least two places ("1250.00", "0.125"), never a JSON
/// number: a float would lose cents.
pub fn money(amount: Decimal) -> String {
    let n = amount.normalize();
    if n.scale() < 2 { format!("{n:.2}") } else { n.to_string() }
}

/// A quantity as a plain decimal string ("2", "1.5").
pub fn quantity(q: Decimal) -> String {
    q.normalize().to_string()
}

/// Decodes part of a body already parsed, naming bad fields from `prefix` (`contacts[1].email`).
pub fn from_value<T: DeserializeOwned>(value: serde_json::Value, prefix: &str) -> Result<T, ApiError> {
    serde_path_to_error::deserialize::<_, T>(value).map_err(|e| {
        let inner = e.path().to_string();
        let path = match (prefix.is_empty(), inner == ".") {
            (true, _) => inner,
            (false, true) => prefix.to_string(),
            (false, false) if inner.starts_with('[') => format!("{prefix}{inner}"),
            (false, false) => format!("{prefix}.{inner}"),
        };
        let message = e.into_inner().to_string();
        if path == "." {
            ApiError::bad_request(format!("The body does not fit this endpoint: {message}."))
        } else {
            ApiError {
                fields: vec![FieldError::new(&path, message)],
                ..ApiError::bad_request(format!("The field `{path}` has the wrong type or value."))
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn money_keeps_every_digit_and_at_least_cents() {
        for (raw, shown) in [("1250", "1250.00"), ("1250.5000", "1250.50"), ("0.1250", "0.125"), ("-3", "-3.00")] {
            assert_eq!(money(Decimal::from_str(raw).unwrap()), shown);
        }
        assert_eq!(quantity(Decimal::from_str("2.0000").unwrap()), "2");
    }

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Order {
        lines: Vec<Line>,
    }

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Line {
        quantity: Option<String>,
    }

    #[test]
    fn wrong_types_name_their_field() {
        let e = decode::<Order>(br#"{"lines": [{}, {"quantity": true}]}"#).unwrap_err();
        assert_eq!(e.status, StatusCode::BAD_REQUEST);
        assert_eq!(e.fields[0].field, "lines[1].quantity");
        let e = decode::<Order>(b"{\"lines\": [").unwrap_err();
        assert_eq!(e.status, StatusCode::BAD_REQUEST);
        assert!(e.fields.is_empty());
        assert!(decode::<Order>(br#"{"lines": []} x"#).is_err(), "trailing garbage");
    }
}
