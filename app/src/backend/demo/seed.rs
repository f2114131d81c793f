//! Demo data: a regional publisher with a realistic catalogue, ~50 advertisers, a few
//! agencies, and ~300 orders whose ads run from 90 days ago to 90 days ahead.
//! Deterministic (fixed RNG seed) so screenshots and tests see the same data.

use chrono::{DateTime, Days, NaiveDate, Utc};
use rand::{Rng, SeedableRng, rngs::StdRng, seq::SliceRandom};
use rust_decimal::Decimal;

use crate::{
    backend::{
        Db, ServiceError, auth,
        platform::{clock::parse_time_zone, db::BeginWrite, fixed},
    },
    domain::{ids::OrderId, role::Role, settings::OrganisationSettings},
    on_db,
};

pub const DEMO_USERS: [(&str, &str, Role, &str); 3] = [
    ("admin@pressrun.example", "Avery Admin", Role::Admin, "pressrun-admin"),
    ("billing@pressrun.example", "Blake Billing", Role::Billing, "pressrun-billing"),
    ("viewer@pressrun.example", "Vic Viewer", Role::Viewer, "pressrun-viewer"),
];

/// Is there nothing a person entered yet?
pub async fn is_empty(db: &Db) -> Result<bool, ServiceError> {
    let accounts = on_db!(db, p => sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM accounts").fetch_one(p).await.map_err(crate::backend::StoreError::from)?);
    Ok(accounts == 0 && crate::backend::auth::users::count(db).await? == 0)
}

struct ProductSpec {
    name: &'static str,
    code: &'static str,
    category: &'static str,
    rule: &'static str,
    days: i32,
    price: i64,
    auto: bool,
}

const PRODUCTS: &[ProductSpec] = &[
    ProductSpec {
        name: "Full Page Color (Print)",
        code: "PR-FP",
        category: "Print display",
        rule: "days_before",
        days: 7,
        price: 2400,
        auto: true,
    },
    ProductSpec {
        name: "Half Page Color (Print)",
        code: "PR-HP",
        category: "Print display",
        rule: "days_before",
        days: 7,
        price: 1350,
        auto: true,
    },
    ProductSpec {
        name: "Quarter Page (Print)",
        code: "PR-QP",
        category: "Print display",
        rule: "days_before",
        days: 5,
        price: 720,
        auto: true,
    },
    ProductSpec {
        name: "Front Page Strip (Print)",
        code: "PR-FS",
        category: "Print display",
        rule: "days_before",
        days: 3,
        price: 950,
        auto: false,
    },
    ProductSpec {
        name: "Classified Line Ad",
        code: "CL-LN",
        category: "Classifieds",
        rule: "immediately",
        days: 0,
        price: 45,
        auto: true,
    },
    ProductSpec {
        name: "Legal Notice",
        code: "CL-LG",
        category: "Classifieds",
        rule: "immediately",
        days: 0,
        price: 180,
        auto: false,
    },
    ProductSpec {
        name: "Obituary",
        code: "CL-OB",
        category: "Classifieds",
        rule: "immediately",
        days: 0,
        price: 150,
        auto: true,
    },
    ProductSpec {
        name: "Leaderboard Banner (1k impressions)",
        code: "DG-LB",
        category: "Digital",
        rule: "days_after",
        days: 30,
        price: 12,
        auto: true,
    },
    ProductSpec {
        name: "Medium Rectangle (1k impressions)",
        code: "DG-MR",
        category: "Digital",
        rule: "days_after",
        days: 30,
        price: 10,
        auto: true,
    },
    ProductSpec {
        name: "Homepage Takeover (day)",
        code: "DG-HT",
        category: "Digital",
        rule: "days_after",
        days: 1,
        price: 1800,
        auto: false,
    },
    ProductSpec {
        name: "Newsletter Sponsorship",
        code: "NL-SP",
        category: "Newsletter",
        rule: "days_after",
        days: 0,
        price: 650,
        auto: true,
    },
    ProductSpec {
        name: "Radio Spot :30",
        code: "RD-30",
        category: "Radio",
        rule: "days_after",
        days: 14,
        price: 85,
        auto: true,
    },
    ProductSpec {
        name: "Radio Spot :60",
        code: "RD-60",
        category: "Radio",
        rule: "days_after",
        days: 14,
        price: 140,
        auto: true,
    },
    ProductSpec {
        name: "Sponsored Content Package",
        code: "SC-PK",
        category: "Digital",
        rule: "days_before",
        days: 14,
        price: 3200,
        auto: false,
    },
    ProductSpec {
        name: "House Ad (no charge)",
        code: "HS-AD",
        category: "Internal",
        rule: "do_not_invoice",
        days: 0,
        price: 0,
        auto: false,
    },
];

const BUSINESSES: &[&str] = &[
    "Riverside Dental",
    "Maple Street Bakery",
    "Henderson Ford",
    "Bluewater Realty",
    "Summit Outdoor Supply",
    "Oak & Iron Furniture",
    "Lakeside Family Medicine",
    "Valley Credit Union",
    "Peak Fitness",
    "Golden Dragon Restaurant",
    "Corner Hardware",
    "Northside Veterinary Clinic",
    "Brightview Eye Care",
    "Harbor Lights Theater",
    "Green Acres Garden Center",
    "Miller & Sons Plumbing",
    "Sunrise Senior Living",
    "Cedar Ridge Winery",
    "Parkway Toyota",
    "First Street Books",
    "Hillcrest Bank",
    "Tri-County Fair",
    "Lindqvist Law Office",
    "Fresh Market Grocers",
    "Westgate Mall",
    "Bella Vista Salon",
    "Redwood Roofing",
    "Cascade Insurance Group",
    "Mountain View College",
    "Pine Hollow Golf Club",
    "Silver Spoon Diner",
    "Anchor Marine",
    "Prairie Wind Energy",
    "County Animal Shelter",
    "Elm Street Pharmacy",
    "Jensen Heating & Air",
    "Starlight Cinema",
    "Harvest Moon Brewing",
    "Clearwater Pools",
    "Heritage Museum",
    "Blue Heron Inn",
    "Keystone Builders",
    "Main Street Jewelers",
    "Willow Creek Dentistry",
    "Evergreen Landscaping",
    "Union Station Grill",
    "Stone Bridge Apartments",
    "Copper Kettle Cafe",
    "Metro Auto Glass",
    "Little Sprouts Daycare",
];

const AGENCIES: &[&str] = &["Brightline Media Buying", "Northstar Agency", "Crescent Creative", "Tall Pines Marketing"];

const FIRST: &[&str] =
    &["Alex", "Jordan", "Sam", "Taylor", "Morgan", "Casey", "Riley", "Jamie", "Drew", "Pat", "Robin", "Lee"];
const LAST: &[&str] = &[
    "Garcia", "Nguyen", "Smith", "Patel", "Johnson", "Kowalski", "Okafor", "Larsen", "Rossi", "Chen", "Brown", "Meyer",
];

fn slug(name: &str) -> String {
    name.to_lowercase().chars().filter(|c| c.is_ascii_alphanumeric()).collect()
}

/// Loads the demo organisation, users and data. Refuses on a database that has data.
pub async fn seed_demo(db: &Db, now: DateTime<Utc>) -> Result<SeedSummary, ServiceError> {
    if !is_empty(db).await? {
        return Err(ServiceError::Conflict(
            "The database already has data; demo data is only loaded into an empty one.".into(),
        ));
    }
    let org = OrganisationSettings {
        name: "Valley Courier Media".into(),
        address: "400 River Road\nMillbrook, OR 97301".into(),
        logo_url: String::new(),
        currency: "USD".into(),
        time_zone: "America/Los_Angeles".into(),
        invoice_number_format: "INV-{YYYY}-{SEQ:5}".into(),
        default_terms_days: 30,
        email_from: "billing@valleycourier.example".into(),
    };
    crate::backend::platform::organisation::save(db, &org, now).await?;
    let tz = parse_time_zone(&org.time_zone).expect("demo zone is valid");
    let today = now.with_timezone(&tz).date_naive();

    for (email, name, role, password) in DEMO_USERS {
        auth::create_user(db, now, email, name, role, password).await?;
    }

    let mut rng = StdRng::seed_from_u64(20261124);
    let summary = on_db!(db, p => {
        let mut tx = p.begin_write().await?;
        let mut product_ids = Vec::new();
        for spec in PRODUCTS {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO products (name, code, category, billing_rule, rule_days, auto_invoice, unit_price, tax_rate, active, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, 0, TRUE, $8, $8) RETURNING id")
                .bind(spec.name).bind(spec.code).bind(spec.category).bind(spec.rule).bind(spec.days)
                .bind(spec.auto).bind(fixed::to_db(Decimal::from(spec.price))?).bind(now)
                .fetch_one(&mut *tx).await.map_err(crate::backend::StoreError::from)?;
            product_ids.push((id, spec));
        }

        let mut agency_ids = Vec::new();
        for name in AGENCIES {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO accounts (name, kind, payment_terms_days, email, phone, address, created_at)
                 VALUES ($1, 'agency', 45, $2, $3, $4, $5) RETURNING id")
                .bind(*name).bind(format!("ap@{}.example", slug(name))).bind(format!("(541) 555-{:04}", rng.gen_range(1000..9999)))
                .bind(format!("{} Commerce Way\nMillbrook, OR", rng.gen_range(100..999))).bind(now)
                .fetch_one(&mut *tx).await.map_err(crate::backend::StoreError::from)?;
            for (i, role) in ["to", "cc"].iter().enumerate() {
                let first = FIRST[(agency_ids.len() * 2 + i) % FIRST.len()];
                let last = LAST[(agency_ids.len() * 3 + i) % LAST.len()];
                sqlx::query("INSERT INTO contacts (account_id, name, email, phone, invoice_role, created_at) VALUES ($1, $2, $3, '', $4, $5)")
                    .bind(id).bind(format!("{first} {last}")).bind(format!("{}.{}@{}.example", first.to_lowercase(), last.to_lowercase(), slug(name)))
                    .bind(*role).bind(now).execute(&mut *tx).await.map_err(crate::backend::StoreError::from)?;
            }
            agency_ids.push(id);
        }

        let mut advertiser_ids = Vec::new();
        for (n, name) in BUSINESSES.iter().enumerate() {
            // Every sixth advertiser buys through an agency and is billed there.
            let bill_to = if n % 6 == 5 { Some(agency_ids[n % agency_ids.len()]) } else { None };
            let terms: Option<i32> = match n % 7 { 0 => Some(15), 3 => Some(0), 5 => Some(60), _ => None };
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO accounts (name, kind, bill_to_account_id, payment_terms_days, email, phone, address, created_at)
                 VALUES ($1, 'advertiser', $2, $3, $4, $5, $6, $7) RETURNING id")
                .bind(*name).bind(bill_to).bind(terms).bind(format!("office@{}.example", slug(name)))
                .bind(format!("(541) 555-{:04}", rng.gen_range(1000..9999)))
                .bind(format!("{} {} St\nMillbrook, OR", rng.gen_range(10..2999), ["Oak", "Main", "Elm", "River", "Mill"][n % 5]))
                .bind(now).fetch_one(&mut *tx).await.map_err(crate::backend::StoreError::from)?;
            // Two advertisers have no invoice recipient so the warning has something to show.
            let roles: &[&str] = match n { 7 | 22 => &["none"], _ if n % 4 == 0 => &["to", "cc"], _ => &["to"] };
            for (i, role) in roles.iter().enumerate() {
                let first = FIRST[(n + i * 5) % FIRST.len()];
                let last = LAST[(n * 7 + i) % LAST.len()];
                sqlx::query("INSERT INTO contacts (account_id, name, email, phone, invoice_role, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
                    .bind(id).bind(format!("{first} {last}"))
                    .bind(format!("{}.{}@{}.example", first.to_lowercase(), last.to_lowercase(), slug(name)))
                    .bind(format!("(541) 555-{:04}", rng.gen_range(1000..9999))).bind(*role).bind(now)
                    .execute(&mut *tx).await.map_err(crate::backend::StoreError::from)?;
            }
            advertiser_ids.push(id);
        }

        let mut orders = 0;
        let mut line_items = 0;
        for n in 0..300 {
            let account = *advertiser_ids.choose(&mut rng).expect("advertisers");
            let first_run = today + chrono::Duration::days(rng.gen_range(-90..=90));
            let ordered_on = (first_run - chrono::Duration::days(rng.gen_range(3..30))).min(today);
            let status = match rng.gen_range(0..100) { 0..=3 => "draft", 4..=5 => "cancelled", _ => "confirmed" };
            let order_id: OrderId = sqlx::query_scalar(
                "INSERT INTO orders (order_number, account_id, status, ordered_on, notes, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, '', $5, $5) RETURNING id")
                .bind(format!("ORD-{}", 10001 + n)).bind(account).bind(status).bind(ordered_on).bind(now)
                .fetch_one(&mut *tx).await.map_err(crate::backend::StoreError::from)?;
            orders += 1;
            let (product_id, spec) = product_ids[rng.gen_range(0..product_ids.len())];
            let runs = rng.gen_range(1..=4u64);
            let cadence = if spec.category == "Radio" || spec.category == "Classifieds" { 1 } else { 7 };
            for r in 0..runs {
                let run_date: NaiveDate = first_run + Days::new(r * cadence);
                if run_date > today + Days::new(90) {
                    break;
                }
                let (quantity, unit_price) = match spec.category {
                    "Digital" if spec.price < 100 => (Decimal::from(rng.gen_range(20..200) * 5), Decimal::from(spec.price)),
                    "Radio" => (Decimal::from(rng.gen_range(4..20)), Decimal::from(spec.price)),
                    "Classifieds" if spec.price < 100 => (Decimal::from(rng.gen_range(1..4)), Decimal::from(spec.price)),
                    _ => (Decimal::ONE, Decimal::from(spec.price)),
                };
                let discount = if rng.gen_range(0..5) == 0 { crate::domain::money::round_cents(quantity * unit_price / Decimal::from(10)) } else { Decimal::ZERO };
                let description = format!("{} — run {} of {}", spec.name, r + 1, runs);
                sqlx::query(
                    "INSERT INTO line_items (order_id, product_id, run_date, description, quantity, unit_price, discount, created_at, updated_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)")
                    .bind(order_id).bind(product_id).bind(run_date).bind(description)
                    .bind(fixed::to_db(quantity)?).bind(fixed::to_db(unit_price)?).bind(fixed::to_db(discount)?).bind(now)
                    .execute(&mut *tx).await.map_err(crate::backend::StoreError::from)?;
                line_items += 1;
            }
        }
        tx.commit().await.map_err(crate::backend::StoreError::from)?;
        SeedSummary { accounts: (AGENCIES.len() + BUSINESSES.len()) as i64, orders, line_items }
    });
    tracing::info!(
        accounts = summary.accounts,
        orders = summary.orders,
        line_items = summary.line_items,
        "demo data loaded"
    );
    Ok(summary)
}

#[derive(Debug, Clone, Copy)]
pub struct SeedSummary {
    pub accounts: i64,
    pub orders: i64,
    pub line_items: i64,
}
