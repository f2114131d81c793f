//! Amounts as QuickBooks compares them: decimal, to the cent.
//!
//! JSON numbers arrive as floats; going through their shortest decimal text (`12.1`, not
//! `12.0999999…`) keeps `Qty × UnitPrice = Amount` exact the way QuickBooks checks it.

use std::str::FromStr;

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};
use serde_json::Value;

/// The largest magnitude accepted for an amount, quantity or price: far above anything an
/// invoice holds, and low enough that `Qty × UnitPrice` and the sum of a million lines stay
/// inside `Decimal`'s range, so no arithmetic on accepted input can overflow.
const LIMIT: Decimal = Decimal::from_parts(1_316_134_912, 2_328, 0, false, 0); // 10^13

/// Reads a number (or a numeric string, which QuickBooks also accepts) as a decimal; `None` for
/// anything else, including magnitudes of 10^13 and more.
pub(crate) fn decimal(v: &Value) -> Option<Decimal> {
    let d = match v {
        Value::Number(n) => {
            Decimal::from_str(&n.to_string()).or_else(|_| Decimal::from_scientific(&n.to_string())).ok()
        }
        Value::String(s) => Decimal::from_str(s.trim()).ok(),
        _ => None,
    }?;
    (d.abs() < LIMIT).then_some(d)
}

/// Rounds half away from zero to two places, like a ledger.
pub(crate) fn cents(d: Decimal) -> Decimal {
    d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

/// A decimal as a JSON number (QuickBooks sends amounts as numbers).
pub(crate) fn to_json(d: Decimal) -> Value {
    let d = d.normalize();
    // Integral values print without a fraction; anything else goes through f64, which for
    // two-decimal amounts round-trips exactly in its shortest form.
    if d.fract().is_zero()
        && let Some(i) = d.to_i64()
    {
        return Value::from(i);
    }
    d.to_string().parse::<f64>().ok().and_then(serde_json::Number::from_f64).map(Value::Number).unwrap_or(Value::Null)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_floats_as_their_shortest_decimal() {
        assert_eq!(decimal(&json!(12.1)), Some(Decimal::new(121, 1)));
        assert_eq!(decimal(&json!("3.50")), Some(Decimal::new(350, 2)));
        assert_eq!(decimal(&json!(1e2)), Some(Decimal::new(100, 0)));
        assert_eq!(decimal(&json!(true)), None);
        assert_eq!(LIMIT, Decimal::new(10_000_000_000_000, 0));
        assert_eq!(decimal(&json!(1e13)), None);
        assert_eq!(decimal(&json!(1e300)), None);
        assert_eq!(decimal(&json!(-9_999_999_999_999.99)), Some(Decimal::new(-999_999_999_999_999, 2)));
    }

    #[test]
    fn writes_numbers() {
        assert_eq!(to_json(Decimal::new(1250, 2)), json!(12.5));
        assert_eq!(to_json(Decimal::new(1200, 2)), json!(12));
        assert_eq!(to_json(Decimal::new(-5, 0)), json!(-5));
    }
}
