//! Money, quantities and rates are stored as BIGINT with four implied decimals, so both
//! engines store and add them exactly. These are the only two conversions.

use rust_decimal::Decimal;

use crate::backend::StoreError;

pub const SCALE: u32 = 4;

pub fn to_db(value: Decimal) -> Result<i64, StoreError> {
    let mut v = value.round_dp(SCALE);
    v.rescale(SCALE);
    i64::try_from(v.mantissa()).map_err(|_| StoreError::Invalid(format!("amount {value} is too large")))
}

pub fn from_db(raw: i64) -> Decimal {
    Decimal::new(raw, SCALE)
}

/// A line charge from its stored columns (quantity, unit price, discount, tax rate).
pub fn line_charge(quantity: i64, unit_price: i64, discount: i64, tax_rate: i64) -> crate::domain::invoice::LineCharge {
    crate::domain::invoice::LineCharge {
        quantity: from_db(quantity),
        unit_price: from_db(unit_price),
        discount: from_db(discount),
        tax_rate: from_db(tax_rate),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn round_trips() {
        for s in ["0", "1", "12.5", "-3.1415", "0.0001", "922337203685477.5807"] {
            let d = Decimal::from_str(s).unwrap();
            assert_eq!(from_db(to_db(d).unwrap()), d, "{s}");
        }
        assert_eq!(to_db(Decimal::from_str("12.5").unwrap()).unwrap(), 125_000);
        assert!(to_db(Decimal::from_str("922337203685477.5808").unwrap()).is_err());
    }
}
