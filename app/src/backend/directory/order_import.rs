//! Importing orders from a CSV file: a dry run that reports every problem by line and column,
//! and an import that re-checks the file and then writes all of it in one transaction, or
//! nothing. Rows with the same order_number form one order; each row is one line item. The
//! order and line rules are the domain's (`domain::order_input`), as for the editor and the API.

use std::{
    collections::{HashMap, HashSet},
    time::Instant,
};

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use crate::{
    backend::{Db, ServiceError, StoreError, directory::order_store::insert_line_items, platform::db::BeginWrite},
    domain::{
        ids::{AccountId, OrderId, ProductId},
        order_input::{LineItemInput, OrderInput, ValidLine, ValidOrder},
    },
    on_db,
    views::orders::{IMPORT_COLUMNS as COLUMNS, ImportProblem, ImportReport, ImportedOrderPreview},
};

pub const MAX_FILE_BYTES: usize = 5 * 1024 * 1024;
/// Problems listed in a report; the count covers them all.
pub const MAX_PROBLEMS_LISTED: usize = 200;
pub const PREVIEW_ORDERS: usize = 50;

const REQUIRED: [&str; 6] = ["order_number", "account", "ordered_on", "product", "run_date", "quantity"];

/// What rows are matched against.
struct Catalog {
    account_by_ref: HashMap<String, AccountId>,
    accounts_by_name: HashMap<String, Vec<AccountId>>,
    account_names: HashMap<AccountId, String>,
    product_by_code: HashMap<String, Vec<ProductId>>,
    product_by_name: HashMap<String, ProductId>,
    product_names: HashMap<ProductId, String>,
    prices: HashMap<ProductId, Decimal>,
}

impl Catalog {
    async fn load(db: &Db) -> Result<Catalog, StoreError> {
        let accounts = crate::backend::directory::order_store::all_account_choices(db).await?;
        let products = crate::backend::directory::order_store::product_choices(db).await?;
        let mut c = Catalog {
            account_by_ref: HashMap::new(),
            accounts_by_name: HashMap::new(),
            account_names: HashMap::new(),
            product_by_code: HashMap::new(),
            product_by_name: HashMap::new(),
            product_names: HashMap::new(),
            prices: crate::backend::directory::order_store::active_prices(&products),
        };
        for a in accounts {
            if let Some(r) = a.external_ref.as_deref().filter(|r| !r.is_empty()) {
                c.account_by_ref.insert(r.to_string(), a.id);
            }
            c.accounts_by_name.entry(a.name.clone()).or_default().push(a.id);
            c.account_names.insert(a.id, a.name);
        }
        for p in products {
            if !p.code.trim().is_empty() {
                c.product_by_code.entry(p.code.trim().to_lowercase()).or_default().push(p.id);
            }
            c.product_by_name.insert(p.name.clone(), p.id);
            c.product_names.insert(p.id, p.name);
        }
        Ok(c)
    }

    fn account(&self, s: &str) -> Result<AccountId, String> {
        if let Some(id) = self.account_by_ref.get(s) {
            return Ok(*id);
        }
        match self.accounts_by_name.get(s).map(Vec::as_slice) {
            Some([id]) => Ok(*id),
            Some(ids) if ids.len() > 1 => {
                Err(format!("'{s}' matches {} accounts; use the account's external reference", ids.len()))
            }
            _ => Err(format!("no account has the external reference or name '{s}'")),
        }
    }

    fn product(&self, s: &str) -> Result<ProductId, String> {
        let id = match self.product_by_code.get(&s.to_lowercase()).map(Vec::as_slice) {
            Some([id]) => *id,
            Some(_) => return Err(format!("several products have the code '{s}'; use the product's name")),
            None => *self.product_by_name.get(s).ok_or_else(|| format!("no product has the code or name '{s}'"))?,
        };
        if self.prices.contains_key(&id) { Ok(id) } else { Err(format!("product '{s}' is no longer sold")) }
    }
}

struct PlannedOrder {
    number: String,
    first_line: u64,
    line_numbers: Vec<u64>,
    order: Option<ValidOrder>,
}

struct Plan {
    rows: usize,
    orders: Vec<PlannedOrder>,
    problems: Vec<ImportProblem>,
}

fn problem(line: u64, field: &str, message: impl Into<String>) -> ImportProblem {
    let message = message.into();
    ImportProblem { line, field: field.to_string(), message: message.trim_end_matches('.').to_string() }
}

/// Order-level values as first seen, which every later row of the order must repeat.
struct Group {
    first_line: u64,
    account: String,
    ordered_on: String,
    status: String,
    account_id: Option<AccountId>,
    lines: Vec<LineItemInput>,
    line_numbers: Vec<u64>,
    unresolved_products: HashSet<usize>,
}

/// Reads and checks the whole file against the catalog, without the database.
fn plan(text: &str, catalog: &Catalog) -> Plan {
    let mut problems = Vec::new();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let headers: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(|c| c.trim().to_lowercase()).collect(),
        Err(e) => {
            problems.push(problem(1, "", format!("the header row cannot be read: {e}")));
            return Plan { rows: 0, orders: Vec::new(), problems };
        }
    };
    let mut index: HashMap<&str, usize> = HashMap::new();
    for (i, h) in headers.iter().enumerate() {
        match COLUMNS.iter().find(|c| *c == h) {
            Some(c) if index.contains_key(c) => problems.push(problem(1, h, "this column appears twice")),
            Some(c) => {
                index.insert(c, i);
            }
            None if h.is_empty() => problems.push(problem(1, "", format!("column {} has no name", i + 1))),
            None => problems.push(problem(1, h, format!("unknown column; the columns are {}", COLUMNS.join(", ")))),
        }
    }
    for r in REQUIRED {
        if !index.contains_key(r) {
            problems.push(problem(1, r, "this column is missing from the header row"));
        }
    }
    if !problems.is_empty() {
        return Plan { rows: 0, orders: Vec::new(), problems };
    }

    let mut groups: Vec<(String, Group)> = Vec::new();
    let mut group_of: HashMap<String, usize> = HashMap::new();
    let mut seen_rows: HashMap<Vec<String>, u64> = HashMap::new();
    let mut rows = 0;
    let mut record = csv::StringRecord::new();
    loop {
        let line = reader.position().line();
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                problems.push(problem(line, "", format!("this row cannot be read: {e}")));
                break;
            }
        }
        rows += 1;
        let line = record.position().map(|p| p.line()).unwrap_or(line);
        let get = |c: &str| index.get(c).and_then(|i| record.get(*i)).unwrap_or("").to_string();
        if record.len() > headers.len() {
            problems.push(problem(
                line,
                "",
                format!("this row has {} values; the header has {}", record.len(), headers.len()),
            ));
            continue;
        }
        let number = get("order_number");
        if number.is_empty() {
            problems.push(problem(
                line,
                "order_number",
                "enter the order number; rows with the same number form one order",
            ));
            continue;
        }
        let key: Vec<String> = COLUMNS.iter().map(|c| get(c)).collect();
        if let Some(first) = seen_rows.get(&key) {
            problems.push(problem(line, "", format!("this row duplicates line {first}")));
            continue;
        }
        seen_rows.insert(key, line);

        let g = match group_of.get(&number) {
            Some(i) => {
                let g = &mut groups[*i].1;
                for (column, first) in [("account", &g.account), ("ordered_on", &g.ordered_on), ("status", &g.status)] {
                    let value = get(column);
                    if &value != first {
                        problems.push(problem(
                            line,
                            column,
                            format!("'{value}' differs from line {} ('{first}') of order '{number}'", g.first_line),
                        ));
                    }
                }
                g
            }
            None => {
                let account = get("account");
                let account_id = if account.is_empty() {
                    problems.push(problem(line, "account", "enter the account's external reference or name"));
                    None
                } else {
                    catalog.account(&account).map_err(|m| problems.push(problem(line, "account", m))).ok()
                };
                group_of.insert(number.clone(), groups.len());
                groups.push((
                    number.clone(),
                    Group {
                        first_line: line,
                        account,
                        ordered_on: get("ordered_on"),
                        status: get("status"),
                        account_id,
                        lines: Vec::new(),
                        line_numbers: Vec::new(),
                        unresolved_products: HashSet::new(),
                    },
                ));
                &mut groups.last_mut().expect("just pushed").1
            }
        };
        let product = get("product");
        let product_id = if product.is_empty() {
            problems.push(problem(line, "product", "enter the product's code or name"));
            None
        } else {
            catalog.product(&product).map_err(|m| problems.push(problem(line, "product", m))).ok()
        };
        if product_id.is_none() {
            g.unresolved_products.insert(g.lines.len());
        }
        g.lines.push(LineItemInput {
            id: None,
            product_id: product_id.unwrap_or_default(),
            run_date: get("run_date"),
            description: get("description"),
            quantity: get("quantity"),
            unit_price: get("unit_price"),
            discount: get("discount"),
        });
        g.line_numbers.push(line);
    }

    let mut orders = Vec::with_capacity(groups.len());
    for (number, g) in groups {
        let input = OrderInput {
            account_id: g.account_id.unwrap_or_default(),
            order_number: number.clone(),
            status: g.status.clone(),
            ordered_on: g.ordered_on.clone(),
            notes: String::new(),
            external_ref: String::new(),
            lines: g.lines,
        };
        let order = match input.validate(|id| catalog.prices.get(&id).copied()) {
            Ok(o) => Some(o),
            Err(errors) => {
                for e in errors {
                    let (line, column) = match e.field.strip_prefix("lines[").and_then(|r| r.split_once("].")) {
                        Some((i, field)) => {
                            let i: usize = i.parse().unwrap_or_default();
                            if field == "product_id" && g.unresolved_products.contains(&i) {
                                continue;
                            }
                            let column = if field == "product_id" { "product" } else { field };
                            (g.line_numbers.get(i).copied().unwrap_or(g.first_line), column.to_string())
                        }
                        None if e.field == "account_id" => {
                            if g.account_id.is_none() {
                                continue;
                            }
                            (g.first_line, "account".to_string())
                        }
                        None => (g.first_line, e.field.clone()),
                    };
                    problems.push(problem(line, &column, e.message));
                }
                None
            }
        };
        orders.push(PlannedOrder { number, first_line: g.first_line, line_numbers: g.line_numbers, order });
    }
    Plan { rows, orders, problems }
}

/// Order numbers among `numbers` that already exist, asked in chunks of bound parameters.
macro_rules! existing_numbers {
    ($conn:expr, $numbers:expr) => {{
        let mut found: HashSet<String> = HashSet::new();
        for chunk in $numbers.chunks(crate::backend::directory::order_store::INSERT_CHUNK) {
            let mut qb = sqlx::QueryBuilder::new("SELECT order_number FROM orders WHERE order_number IN (");
            let mut sep = qb.separated(", ");
            for n in chunk {
                sep.push_bind(n.as_str());
            }
            qb.push(")");
            let rows: Vec<(String,)> = qb.build_query_as().fetch_all(&mut *$conn).await.map_err(StoreError::from)?;
            found.extend(rows.into_iter().map(|r| r.0));
        }
        found
    }};
}

fn report(plan: &Plan, catalog: &Catalog, currency: &str, started: Instant) -> ImportReport {
    let mut problems = plan.problems.clone();
    problems.sort_by_key(|p| (p.line, COLUMNS.iter().position(|c| *c == p.field).unwrap_or(usize::MAX)));
    let problem_count = problems.len();
    problems.truncate(MAX_PROBLEMS_LISTED);
    let valid: Vec<&ValidOrder> = plan.orders.iter().filter_map(|o| o.order.as_ref()).collect();
    ImportReport {
        rows: plan.rows,
        orders: plan.orders.len(),
        line_items: plan.orders.iter().map(|o| o.line_numbers.len()).sum(),
        total: valid.iter().map(|o| o.total()).sum(),
        currency: currency.to_string(),
        problems,
        problem_count,
        preview: plan
            .orders
            .iter()
            .filter_map(|p| p.order.as_ref().map(|o| (p, o)))
            .take(PREVIEW_ORDERS)
            .map(|(p, o)| ImportedOrderPreview {
                order_number: p.number.clone(),
                account: catalog.account_names.get(&o.account_id).cloned().unwrap_or_default(),
                status: o.status,
                ordered_on: o.ordered_on,
                line_items: o.lines.len(),
                total: o.total(),
            })
            .collect(),
        imported: false,
        elapsed_ms: started.elapsed().as_millis() as u64,
    }
}

fn too_large(text: &str) -> Option<ServiceError> {
    (text.len() > MAX_FILE_BYTES).then(|| {
        ServiceError::field(
            "file",
            format!(
                "The file is {:.1} MB; files up to {} MB can be imported. Split it into smaller files.",
                text.len() as f64 / 1_048_576.0,
                MAX_FILE_BYTES / 1_048_576
            ),
        )
    })
}

fn already_exists(plan: &mut Plan, existing: &HashSet<String>) {
    for o in &plan.orders {
        if existing.contains(&o.number) {
            plan.problems.push(problem(o.first_line, "order_number", format!("order '{}' already exists", o.number)));
        }
    }
}

/// The dry run: everything the import would check, and what it would create. Writes nothing.
pub async fn check(db: &Db, text: &str, currency: &str) -> Result<ImportReport, ServiceError> {
    let started = Instant::now();
    if let Some(e) = too_large(text) {
        return Err(e);
    }
    let catalog = Catalog::load(db).await?;
    let mut plan = plan(text, &catalog);
    let numbers: Vec<String> = plan.orders.iter().map(|o| o.number.clone()).collect();
    let existing = on_db!(db, p => {
        let mut conn = p.acquire().await.map_err(StoreError::from)?;
        existing_numbers!(conn, numbers)
    });
    already_exists(&mut plan, &existing);
    Ok(report(&plan, &catalog, currency, started))
}

/// Checks the file again and, only if it is clean, creates all its orders and line items in one
/// transaction. A file with problems comes back as a report with `imported: false`.
pub async fn import(db: &Db, now: DateTime<Utc>, text: &str, currency: &str) -> Result<ImportReport, ServiceError> {
    let started = Instant::now();
    if let Some(e) = too_large(text) {
        return Err(e);
    }
    let catalog = Catalog::load(db).await?;
    let mut plan = plan(text, &catalog);
    if !plan.problems.is_empty() {
        return Ok(report(&plan, &catalog, currency, started));
    }
    let numbers: Vec<String> = plan.orders.iter().map(|o| o.number.clone()).collect();
    let committed = on_db!(db, pool => {
        let mut tx = pool.begin_write().await?;
        // Inside the write transaction, so a file imported twice at once still lands once.
        let existing = existing_numbers!(tx, numbers);
        if existing.is_empty() {
            let valid: Vec<&ValidOrder> = plan.orders.iter().filter_map(|o| o.order.as_ref()).collect();
            let mut ids: HashMap<String, OrderId> = HashMap::with_capacity(valid.len());
            for chunk in valid.chunks(crate::backend::directory::order_store::INSERT_CHUNK) {
                let mut qb = sqlx::QueryBuilder::new(
                    "INSERT INTO orders (order_number, account_id, status, ordered_on, notes, external_ref, created_at, updated_at) ",
                );
                qb.push_values(chunk, |mut b, o| {
                    b.push_bind(o.order_number.clone().unwrap_or_default())
                        .push_bind(o.account_id)
                        .push_bind(o.status.as_str())
                        .push_bind(o.ordered_on)
                        .push_bind(o.notes.clone())
                        .push_bind(o.external_ref.clone())
                        .push_bind(now)
                        .push_bind(now);
                });
                qb.push(" RETURNING id, order_number");
                let rows: Vec<(OrderId, String)> = qb.build_query_as().fetch_all(&mut *tx).await.map_err(StoreError::from)?;
                ids.extend(rows.into_iter().map(|(id, n)| (n, id)));
            }
            let mut lines: Vec<(OrderId, &ValidLine)> = Vec::with_capacity(plan.rows);
            for o in &valid {
                let id = ids[o.order_number.as_deref().unwrap_or_default()];
                lines.extend(o.lines.iter().map(|l| (id, l)));
            }
            insert_line_items!(tx, lines, now)?;
            tx.commit().await.map_err(StoreError::from)?;
            None
        } else {
            Some(existing)
        }
    });
    if let Some(existing) = committed {
        already_exists(&mut plan, &existing);
        return Ok(report(&plan, &catalog, currency, started));
    }
    let mut r = report(&plan, &catalog, currency, started);
    r.imported = true;
    tracing::info!(orders = r.orders, line_items = r.line_items, elapsed_ms = r.elapsed_ms, "orders imported");
    Ok(r)
}
