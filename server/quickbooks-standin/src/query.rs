//! The query language subset (`GET /query?query=…`):
//!
//! ```text
//! SELECT * | COUNT(*) | field[, field…] FROM Entity
//!   [WHERE cond [AND cond…]]
//!   [ORDERBY field [ASC|DESC][, …]]        (also "ORDER BY")
//!   [STARTPOSITION n] [MAXRESULTS m]       (either order)
//! cond := field (= | != | < | <= | > | >=) literal | field IN (literal, …) | field LIKE 'pattern'
//! literal := 'text' (\' escapes a quote) | number | true | false
//! ```
//!
//! As in QuickBooks: keywords are case-insensitive, there is no `OR` (a parse error, 4000), `LIKE`
//! knows only `%`, `STARTPOSITION` is 1-based, `MAXRESULTS` defaults to 100 and is capped at 1000,
//! and name lists return only active records unless the query mentions `Active`. Strings compare
//! case-insensitively; a reference such as `CustomerRef` compares by its `value`; times compare as
//! instants. Parsing never panics on any input (property-tested).

use std::cmp::Ordering;

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, TimeZone};
use rust_decimal::Decimal;
use serde_json::{Map, Value, json};

use crate::entity::EntityKind;
use crate::fault::Fault;

#[derive(Clone, Debug, PartialEq)]
pub struct Query {
    pub entity: String,
    pub select: Select,
    pub conditions: Vec<Condition>,
    /// Field and whether descending.
    pub order: Vec<(String, bool)>,
    pub start_position: Option<u64>,
    pub max_results: Option<u64>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Select {
    All,
    Count,
    Fields(Vec<String>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Condition {
    pub field: String,
    pub test: Test,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Test {
    Compare(CmpOp, Literal),
    In(Vec<Literal>),
    Like(String),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Literal {
    Text(String),
    Number(String),
    Bool(bool),
}

/// Why a query was refused; becomes fault 4000 (parse) or 4001 (validation).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    #[error("Encountered \"{found}\" at line 1, column {column}. {expected}")]
    Parse { found: String, column: usize, expected: String },
    #[error("{0}")]
    Invalid(String),
}

impl From<QueryError> for Fault {
    fn from(e: QueryError) -> Self {
        match e {
            QueryError::Parse { .. } => Fault::query_parse(e.to_string()),
            QueryError::Invalid(m) => Fault::query_invalid(m),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Word(String),
    Text(String),
    Number(String),
    Star,
    Comma,
    Open,
    Close,
    Op(CmpOp),
}

impl Tok {
    fn show(&self) -> String {
        match self {
            Tok::Word(w) => w.clone(),
            Tok::Text(t) => format!("'{t}'"),
            Tok::Number(n) => n.clone(),
            Tok::Star => "*".into(),
            Tok::Comma => ",".into(),
            Tok::Open => "(".into(),
            Tok::Close => ")".into(),
            Tok::Op(op) => match op {
                CmpOp::Eq => "=",
                CmpOp::Ne => "!=",
                CmpOp::Lt => "<",
                CmpOp::Le => "<=",
                CmpOp::Gt => ">",
                CmpOp::Ge => ">=",
            }
            .into(),
        }
    }
}

/// Splits the query into tokens with their 1-based columns.
fn lex(input: &str) -> Result<Vec<(Tok, usize)>, QueryError> {
    let chars: Vec<char> = input.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let err =
        |found: String, column: usize, expected: &str| QueryError::Parse { found, column, expected: expected.into() };
    while i < chars.len() {
        let c = chars[i];
        let col = i + 1;
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        match c {
            '*' => {
                out.push((Tok::Star, col));
                i += 1;
            }
            ',' => {
                out.push((Tok::Comma, col));
                i += 1;
            }
            '(' => {
                out.push((Tok::Open, col));
                i += 1;
            }
            ')' => {
                out.push((Tok::Close, col));
                i += 1;
            }
            '=' => {
                out.push((Tok::Op(CmpOp::Eq), col));
                i += 1;
            }
            '!' if chars.get(i + 1) == Some(&'=') => {
                out.push((Tok::Op(CmpOp::Ne), col));
                i += 2;
            }
            '<' => match chars.get(i + 1) {
                Some('=') => {
                    out.push((Tok::Op(CmpOp::Le), col));
                    i += 2;
                }
                Some('>') => {
                    out.push((Tok::Op(CmpOp::Ne), col));
                    i += 2;
                }
                _ => {
                    out.push((Tok::Op(CmpOp::Lt), col));
                    i += 1;
                }
            },
            '>' => {
                if chars.get(i + 1) == Some(&'=') {
                    out.push((Tok::Op(CmpOp::Ge), col));
                    i += 2;
                } else {
                    out.push((Tok::Op(CmpOp::Gt), col));
                    i += 1;
                }
            }
            '\'' => {
                let mut text = String::new();
                i += 1;
                loop {
                    match chars.get(i) {
                        None => return Err(err("<EOF>".into(), chars.len() + 1, "Unterminated string literal.")),
                        Some('\\') => match chars.get(i + 1) {
                            Some('\'') => {
                                text.push('\'');
                                i += 2;
                            }
                            Some('\\') => {
                                text.push('\\');
                                i += 2;
                            }
                            _ => {
                                text.push('\\');
                                i += 1;
                            }
                        },
                        Some('\'') => {
                            i += 1;
                            break;
                        }
                        Some(&ch) => {
                            text.push(ch);
                            i += 1;
                        }
                    }
                }
                out.push((Tok::Text(text), col));
            }
            c if c.is_ascii_digit() || (c == '-' && chars.get(i + 1).is_some_and(|d| d.is_ascii_digit())) => {
                let start = i;
                i += 1;
                while chars.get(i).is_some_and(|d| d.is_ascii_digit() || *d == '.') {
                    i += 1;
                }
                out.push((Tok::Number(chars[start..i].iter().collect()), col));
            }
            c if c.is_ascii_alphabetic() || c == '_' => {
                let start = i;
                while chars.get(i).is_some_and(|d| d.is_ascii_alphanumeric() || *d == '_' || *d == '.') {
                    i += 1;
                }
                out.push((Tok::Word(chars[start..i].iter().collect()), col));
            }
            other => return Err(err(other.to_string(), col, "Unexpected character.")),
        }
    }
    Ok(out)
}

struct Parser {
    toks: Vec<(Tok, usize)>,
    pos: usize,
    end_col: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos).map(|(t, _)| t)
    }

    fn fail<T>(&self, expected: &str) -> Result<T, QueryError> {
        let (found, column) = match self.toks.get(self.pos) {
            Some((t, c)) => (t.show(), *c),
            None => ("<EOF>".into(), self.end_col),
        };
        Err(QueryError::Parse { found, column, expected: format!("Was expecting {expected}.") })
    }

    fn is_kw(&self, kw: &str) -> bool {
        matches!(self.peek(), Some(Tok::Word(w)) if w.eq_ignore_ascii_case(kw))
    }

    fn keyword(&mut self, kw: &str) -> Result<(), QueryError> {
        if self.is_kw(kw) {
            self.pos += 1;
            Ok(())
        } else {
            self.fail(kw)
        }
    }

    fn eat(&mut self, tok: &Tok) -> bool {
        if self.peek() == Some(tok) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    /// A field name; keywords cannot be field names.
    fn field(&mut self) -> Result<String, QueryError> {
        const RESERVED: [&str; 14] = [
            "select",
            "from",
            "where",
            "and",
            "or",
            "not",
            "in",
            "like",
            "orderby",
            "order",
            "startposition",
            "maxresults",
            "asc",
            "desc",
        ];
        match self.peek() {
            Some(Tok::Word(w))
                if !RESERVED.iter().any(|r| w.eq_ignore_ascii_case(r))
                    && !w.starts_with('.')
                    && !w.ends_with('.')
                    && !w.contains("..") =>
            {
                let w = w.clone();
                self.pos += 1;
                Ok(w)
            }
            _ => self.fail("a field name"),
        }
    }

    fn literal(&mut self) -> Result<Literal, QueryError> {
        let lit = match self.peek() {
            Some(Tok::Text(t)) => Literal::Text(t.clone()),
            Some(Tok::Number(n)) => Literal::Number(n.clone()),
            Some(Tok::Word(w)) if w.eq_ignore_ascii_case("true") => Literal::Bool(true),
            Some(Tok::Word(w)) if w.eq_ignore_ascii_case("false") => Literal::Bool(false),
            _ => return self.fail("a quoted value"),
        };
        self.pos += 1;
        Ok(lit)
    }

    fn number(&mut self) -> Result<u64, QueryError> {
        match self.peek() {
            Some(Tok::Number(n)) => match n.parse::<u64>() {
                Ok(v) => {
                    self.pos += 1;
                    Ok(v)
                }
                Err(_) => self.fail("a whole number"),
            },
            _ => self.fail("a whole number"),
        }
    }

    fn condition(&mut self) -> Result<Condition, QueryError> {
        let field = self.field()?;
        let test = match self.peek() {
            Some(Tok::Op(op)) => {
                let op = *op;
                self.pos += 1;
                Test::Compare(op, self.literal()?)
            }
            Some(Tok::Word(w)) if w.eq_ignore_ascii_case("in") => {
                self.pos += 1;
                if !self.eat(&Tok::Open) {
                    return self.fail("\"(\"");
                }
                let mut values = vec![self.literal()?];
                while self.eat(&Tok::Comma) {
                    values.push(self.literal()?);
                }
                if !self.eat(&Tok::Close) {
                    return self.fail("\")\"");
                }
                Test::In(values)
            }
            Some(Tok::Word(w)) if w.eq_ignore_ascii_case("like") => {
                self.pos += 1;
                match self.literal()? {
                    Literal::Text(t) => Test::Like(t),
                    _ => {
                        self.pos -= 1;
                        return self.fail("a quoted pattern");
                    }
                }
            }
            _ => return self.fail("an operator (=, <, >, <=, >=, !=, IN, LIKE)"),
        };
        Ok(Condition { field, test })
    }

    fn query(&mut self) -> Result<Query, QueryError> {
        self.keyword("select")?;
        let select = if self.eat(&Tok::Star) {
            Select::All
        } else if self.is_kw("count") {
            self.pos += 1;
            if !(self.eat(&Tok::Open) && self.eat(&Tok::Star) && self.eat(&Tok::Close)) {
                return self.fail("\"(*)\"");
            }
            Select::Count
        } else {
            let mut fields = vec![self.field()?];
            while self.eat(&Tok::Comma) {
                fields.push(self.field()?);
            }
            Select::Fields(fields)
        };
        self.keyword("from")?;
        let entity = match self.peek() {
            Some(Tok::Word(w)) if !w.contains('.') => w.clone(),
            _ => return self.fail("an entity name"),
        };
        self.pos += 1;
        let mut q = Query {
            entity,
            select,
            conditions: Vec::new(),
            order: Vec::new(),
            start_position: None,
            max_results: None,
        };
        if self.is_kw("where") {
            self.pos += 1;
            q.conditions.push(self.condition()?);
            while self.is_kw("and") {
                self.pos += 1;
                q.conditions.push(self.condition()?);
            }
        }
        if self.is_kw("orderby") || self.is_kw("order") {
            if self.is_kw("order") {
                self.pos += 1;
                self.keyword("by")?;
            } else {
                self.pos += 1;
            }
            loop {
                let f = self.field()?;
                let desc = if self.is_kw("desc") {
                    self.pos += 1;
                    true
                } else {
                    if self.is_kw("asc") {
                        self.pos += 1;
                    }
                    false
                };
                q.order.push((f, desc));
                if !self.eat(&Tok::Comma) {
                    break;
                }
            }
        }
        loop {
            if self.is_kw("startposition") && q.start_position.is_none() {
                self.pos += 1;
                q.start_position = Some(self.number()?);
            } else if self.is_kw("maxresults") && q.max_results.is_none() {
                self.pos += 1;
                q.max_results = Some(self.number()?);
            } else {
                break;
            }
        }
        if self.peek().is_some() {
            return self.fail("<EOF>");
        }
        Ok(q)
    }
}

/// Parses a query; any input gives `Ok` or a `QueryError`, never a panic.
pub fn parse(input: &str) -> Result<Query, QueryError> {
    let toks = lex(input)?;
    let end_col = input.chars().count() + 1;
    Parser { toks, pos: 0, end_col }.query()
}

/// Fields every entity can be queried on, beyond those present on some record.
fn known_fields(kind: EntityKind) -> &'static [&'static str] {
    match kind {
        EntityKind::Customer | EntityKind::Vendor | EntityKind::Employee => &[
            "DisplayName",
            "GivenName",
            "MiddleName",
            "FamilyName",
            "CompanyName",
            "FullyQualifiedName",
            "PrimaryEmailAddr",
            "Active",
            "Balance",
        ],
        EntityKind::Item => &["Name", "Type", "Active", "FullyQualifiedName", "UnitPrice", "Sku"],
        EntityKind::Invoice => {
            &["DocNumber", "CustomerRef", "TxnDate", "DueDate", "TotalAmt", "Balance", "PrivateNote"]
        }
        EntityKind::Payment => &["CustomerRef", "TxnDate", "TotalAmt", "UnappliedAmt", "PaymentRefNum"],
        EntityKind::CreditMemo => &["DocNumber", "CustomerRef", "TxnDate", "TotalAmt", "Balance", "RemainingCredit"],
    }
}

/// Looks a dotted path up case-insensitively; a reference object stands for its `value`.
fn resolve<'a>(row: &'a Value, path: &str) -> Option<&'a Value> {
    let mut cur = row;
    for part in path.split('.') {
        let obj = cur.as_object()?;
        cur = obj.get(part).or_else(|| obj.iter().find(|(k, _)| k.eq_ignore_ascii_case(part)).map(|(_, v)| v))?;
    }
    match cur {
        Value::Object(m) => m.get("value"),
        v => Some(v),
    }
}

fn field_known(kind: EntityKind, rows: &[Value], path: &str) -> bool {
    let top = path.split('.').next().unwrap_or(path);
    ["Id", "SyncToken", "MetaData"].iter().any(|f| f.eq_ignore_ascii_case(top))
        || known_fields(kind).iter().any(|f| f.eq_ignore_ascii_case(top))
        || rows.iter().any(|r| resolve(r, path).is_some())
}

fn parse_time(s: &str, offset: FixedOffset) -> Option<DateTime<FixedOffset>> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t);
    }
    for fmt in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M"] {
        if let Ok(n) = NaiveDateTime::parse_from_str(s, fmt) {
            return offset.from_local_datetime(&n).single();
        }
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .and_then(|n| offset.from_local_datetime(&n).single())
}

/// A number as text that means the number (so "007" stays a string, as DocNumbers must).
fn plain_number(s: &str) -> Option<Decimal> {
    let digits = s.strip_prefix('-').unwrap_or(s);
    if digits.len() > 1 && digits.starts_with('0') && !digits.starts_with("0.") {
        return None;
    }
    s.parse().ok()
}

/// Orders a record's value against a literal, or `None` when they cannot be compared.
fn compare(actual: &Value, lit: &Literal, offset: FixedOffset) -> Option<Ordering> {
    let lit_text = match lit {
        Literal::Text(t) | Literal::Number(t) => t.clone(),
        Literal::Bool(b) => b.to_string(),
    };
    match actual {
        Value::Null => None,
        Value::Bool(b) => match lit_text.to_ascii_lowercase().as_str() {
            "true" => Some(b.cmp(&true)),
            "false" => Some(b.cmp(&false)),
            _ => None,
        },
        Value::Number(n) => {
            let a: Decimal = n.to_string().parse().ok()?;
            let b: Decimal = lit_text.trim().parse().ok()?;
            Some(a.cmp(&b))
        }
        Value::String(s) => {
            if let (Some(a), Some(b)) = (plain_number(s), plain_number(&lit_text)) {
                return Some(a.cmp(&b));
            }
            // Only text long enough to be a date is tried as a time.
            if s.len() >= 10
                && lit_text.len() >= 10
                && let (Some(a), Some(b)) = (parse_time(s, offset), parse_time(&lit_text, offset))
            {
                return Some(a.cmp(&b));
            }
            Some(s.to_lowercase().cmp(&lit_text.to_lowercase()))
        }
        Value::Array(_) | Value::Object(_) => None,
    }
}

/// `%` matches any run of characters; everything else matches itself, ignoring case.
fn like(text: &str, pattern: &str) -> bool {
    let text: Vec<char> = text.to_lowercase().chars().collect();
    let parts: Vec<Vec<char>> = pattern.to_lowercase().split('%').map(|p| p.chars().collect()).collect();
    let (first, rest) = match parts.split_first() {
        Some(x) => x,
        None => return text.is_empty(),
    };
    if !text.starts_with(first) {
        return false;
    }
    let mut pos = first.len();
    if rest.is_empty() {
        return pos == text.len();
    }
    let (last, middle) = match rest.split_last() {
        Some(x) => x,
        None => return true,
    };
    for part in middle {
        if part.is_empty() {
            continue;
        }
        match text[pos..].windows(part.len()).position(|w| w == part.as_slice()) {
            Some(at) => pos += at + part.len(),
            None => return false,
        }
    }
    text.len() >= pos + last.len() && text.ends_with(last)
}

fn matches(row: &Value, cond: &Condition, offset: FixedOffset) -> bool {
    let Some(actual) = resolve(row, &cond.field) else { return false };
    match &cond.test {
        Test::Compare(op, lit) => compare(actual, lit, offset).is_some_and(|o| match op {
            CmpOp::Eq => o == Ordering::Equal,
            CmpOp::Ne => o != Ordering::Equal,
            CmpOp::Lt => o == Ordering::Less,
            CmpOp::Le => o != Ordering::Greater,
            CmpOp::Gt => o == Ordering::Greater,
            CmpOp::Ge => o != Ordering::Less,
        }),
        Test::In(lits) => lits.iter().any(|l| compare(actual, l, offset) == Some(Ordering::Equal)),
        Test::Like(p) => actual.as_str().is_some_and(|s| like(s, p)),
    }
}

/// Orders two records by one field: numbers as numbers, times as times, text ignoring case;
/// records without the field sort last.
fn order_by(a: &Value, b: &Value, field: &str, offset: FixedOffset) -> Ordering {
    match (resolve(a, field), resolve(b, field)) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Greater,
        (Some(_), None) => Ordering::Less,
        (Some(x), Some(y)) => {
            let lit = match y {
                Value::String(s) => Literal::Text(s.clone()),
                Value::Bool(b) => Literal::Bool(*b),
                other => Literal::Number(other.to_string()),
            };
            compare(x, &lit, offset).unwrap_or(Ordering::Equal)
        }
    }
}

/// Runs a parsed query over the live records of its entity and returns the `QueryResponse` object.
pub(crate) fn execute(q: &Query, kind: EntityKind, rows: Vec<Value>, offset: FixedOffset) -> Result<Value, QueryError> {
    let mentioned: Vec<&str> = q
        .conditions
        .iter()
        .map(|c| c.field.as_str())
        .chain(q.order.iter().map(|(f, _)| f.as_str()))
        .chain(match &q.select {
            Select::Fields(f) => f.iter().map(String::as_str).collect::<Vec<_>>(),
            _ => Vec::new(),
        })
        .collect();
    if let Some(bad) = mentioned.iter().find(|f| !field_known(kind, &rows, f)) {
        return Err(QueryError::Invalid(format!("property '{bad}' is not queryable for entity {}", kind.name())));
    }
    let mentions_active = q.conditions.iter().any(|c| c.field.eq_ignore_ascii_case("Active"));
    let mut hits: Vec<Value> = rows
        .into_iter()
        .filter(|r| mentions_active || !kind.is_name_list() || r.get("Active").and_then(Value::as_bool).unwrap_or(true))
        .filter(|r| q.conditions.iter().all(|c| matches(r, c, offset)))
        .collect();
    if q.select == Select::Count {
        return Ok(json!({"totalCount": hits.len()}));
    }
    // Records arrive in Id order; a stable sort keeps it as the tie-breaker.
    if !q.order.is_empty() {
        hits.sort_by(|a, b| {
            q.order.iter().fold(Ordering::Equal, |acc, (f, desc)| {
                acc.then_with(|| {
                    let o = order_by(a, b, f, offset);
                    if *desc { o.reverse() } else { o }
                })
            })
        });
    }
    let start = q.start_position.unwrap_or(1).max(1);
    let max = q.max_results.unwrap_or(100).min(1000);
    let page: Vec<Value> = hits
        .into_iter()
        .skip(usize::try_from(start - 1).unwrap_or(usize::MAX))
        .take(usize::try_from(max).unwrap_or(usize::MAX))
        .map(|r| project(r, &q.select))
        .collect();
    if page.is_empty() {
        return Ok(json!({}));
    }
    let mut resp = Map::new();
    resp.insert("startPosition".into(), json!(start));
    resp.insert("maxResults".into(), json!(page.len()));
    resp.insert(kind.name().into(), Value::Array(page));
    Ok(Value::Object(resp))
}

fn project(row: Value, select: &Select) -> Value {
    let Select::Fields(fields) = select else { return row };
    let Value::Object(obj) = row else { return row };
    let mut out = Map::new();
    for f in fields {
        let top = f.split('.').next().unwrap_or(f);
        if let Some((k, v)) = obj.iter().find(|(k, _)| k.eq_ignore_ascii_case(top)) {
            out.insert(k.clone(), v.clone());
        }
    }
    out.insert("domain".into(), json!("QBO"));
    out.insert("sparse".into(), json!(true));
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_documented_forms() {
        let q = parse("select * from Invoice where DocNumber = '1001' STARTPOSITION 1 MAXRESULTS 10").unwrap();
        assert_eq!(q.entity, "Invoice");
        assert_eq!(q.conditions[0].test, Test::Compare(CmpOp::Eq, Literal::Text("1001".into())));
        assert_eq!((q.start_position, q.max_results), (Some(1), Some(10)));

        let q =
            parse("SELECT COUNT(*) FROM Customer WHERE DisplayName LIKE '%o\\'Brien%' AND Id IN ('1', '2')").unwrap();
        assert_eq!(q.select, Select::Count);
        assert_eq!(q.conditions[0].test, Test::Like("%o'Brien%".into()));
        assert_eq!(q.conditions[1].test, Test::In(vec![Literal::Text("1".into()), Literal::Text("2".into())]));

        let q = parse("select Id, DisplayName from Customer order by DisplayName desc maxresults 5").unwrap();
        assert_eq!(q.order, vec![("DisplayName".into(), true)]);
    }

    #[test]
    fn refuses_or_and_garbage() {
        for bad in [
            "select * from Invoice where DocNumber = '1' or DocNumber = '2'",
            "select * from",
            "select * from Invoice where",
            "select * from Invoice where DocNumber = '1",
            "select * from Invoice maxresults -1",
            "delete from Invoice",
            "",
            "select * from Invoice where DocNumber == '1'",
        ] {
            assert!(matches!(parse(bad), Err(QueryError::Parse { .. })), "{bad}");
        }
    }

    #[test]
    fn like_handles_wildcards() {
        assert!(like("Acme Widgets", "%widget%"));
        assert!(like("Acme Widgets", "acme%"));
        assert!(!like("Acme Widgets", "%acme"));
        assert!(like("Acme", "Acme"));
        assert!(like("a%b", "a%b"));
        assert!(like("", "%"));
        assert!(!like("abc", "%abcd%"));
        assert!(like("abcabc", "%bc%bc"));
    }
}
