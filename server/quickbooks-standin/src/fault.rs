//! The error bodies of the Accounting API, built in one place so every code has one wording.
//!
//! Shapes (see /work/shared/quickbooks.md):
//! - API faults: `{"Fault":{"Error":[{"Message","Detail","code","element"}],"type":…},"time":…}`.
//! - Authentication on API calls: lowercase keys, `{"fault":{"error":[{"message","detail","code"}],"type":"AUTHENTICATION"}}`.
//! - Throttling may come back as XML (`<IntuitResponse><Fault type="SERVICE"><Error code="3001">`).
//!
//! Message texts follow what public issue threads quote from the real service where one was found
//! (6240, 3001, 610, 10000, 500 "Unsupported Operation", 2010); the others are plausible wordings
//! and a client must branch on `code`, never on the text.

use serde_json::{Value, json};

/// One API fault: an HTTP status plus the single `Error` element QuickBooks puts in `Fault`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("HTTP {status} {fault_type} {code}: {message} ({detail})")]
pub struct Fault {
    pub status: u16,
    /// `ValidationFault`, `SERVICE`, `ServiceFault`, `SystemFault`, …
    pub fault_type: String,
    pub code: String,
    pub message: String,
    pub detail: String,
    /// The offending field, where QuickBooks names one (2500, 2050, 2040).
    pub element: Option<String>,
}

impl Fault {
    pub fn new(status: u16, fault_type: &str, code: &str, message: &str, detail: impl Into<String>) -> Self {
        Self {
            status,
            fault_type: fault_type.into(),
            code: code.into(),
            message: message.into(),
            detail: detail.into(),
            element: None,
        }
    }

    fn validation(code: &str, message: &str, detail: impl Into<String>) -> Self {
        Self::new(400, "ValidationFault", code, message, detail)
    }

    pub fn with_element(mut self, element: impl Into<String>) -> Self {
        self.element = Some(element.into());
        self
    }

    /// 2010: malformed body or unsupported parameter.
    pub fn invalid_property(detail: impl Into<String>) -> Self {
        Self::validation("2010", "Request has invalid or unsupported property", detail)
    }

    /// 2020: a required field is missing.
    pub fn required(field: &str) -> Self {
        Self::validation(
            "2020",
            "Required param missing, need to supply the required value for the API",
            format!("Required parameter {field} is missing in the request"),
        )
        .with_element(field)
    }

    /// 2040: a name with a character QuickBooks refuses (the colon separates sub-customers).
    pub fn invalid_string(field: &str, value: &str) -> Self {
        Self::validation(
            "2040",
            "Invalid String",
            format!("String contains an invalid character (a colon, tab or newline) : {field}={value}"),
        )
        .with_element(field)
    }

    /// 2050: a string longer than the field allows.
    pub fn too_long(field: &str, max: usize, len: usize) -> Self {
        Self::validation(
            "2050",
            "String length is either shorter or longer than supported by specification",
            format!(
                "String length specified does not match the supported length. Min:0 Max:{max} supplied length:{len}"
            ),
        )
        .with_element(field)
    }

    /// 2500: a reference to something that does not exist or is inactive.
    pub fn invalid_reference(element: &str, id: &str) -> Self {
        Self::validation(
            "2500",
            "Invalid Reference Id",
            format!(
                "Invalid Reference Id : Something you're trying to use has been made inactive. Check the fields with accounts, customers, items, vendors or employees. ({element} {id})"
            ),
        )
        .with_element(element)
    }

    /// 610: no such object (read, update, delete of an unknown or deleted Id).
    pub fn not_found(entity: &str, id: &str) -> Self {
        Self::validation(
            "610",
            "Object Not Found",
            format!(
                "Object Not Found : Something you're trying to use has been made inactive. Check the fields with accounts, customers, items, vendors or employees. ({entity} Id={id})"
            ),
        )
    }

    /// 5010: the SyncToken is not the current one.
    pub fn stale(entity: &str, id: &str, sent: &str, current: u64) -> Self {
        Self::validation(
            "5010",
            "Stale Object Error",
            format!(
                "Stale Object Error : You and QuickBooks were working on this at the same time. QuickBooks finished before you did, so your work was not saved. ({entity} Id={id}: SyncToken {sent} is not the current {current})"
            ),
        )
    }

    /// 6000: a generic business rule.
    pub fn business(detail: impl Into<String>) -> Self {
        Self::validation("6000", "A business validation error has occurred while processing your request", detail)
    }

    /// 6070: a line's Amount is not Qty × UnitPrice.
    pub fn amount_mismatch(line: usize, amount: &str, expected: &str) -> Self {
        Self::validation(
            "6070",
            "Business Validation Error: Amount is not equal to UnitPrice * Qty",
            format!(
                "Amount is not equal to UnitPrice * Qty. Supplied value:{amount}, expected {expected} (Line {line})"
            ),
        )
        .with_element("Line.Amount")
    }

    /// 6140: the DocNumber is already used by another transaction of the type.
    pub fn duplicate_doc_number(doc: &str, txn_type: &str, txn_id: &str) -> Self {
        Self::validation(
            "6140",
            "Duplicate Document Number Error",
            format!(
                "Duplicate Document Number Error : You must specify a different number. This number has already been used. DocNumber={doc} is assigned to TxnType={txn_type} with TxnId={txn_id}"
            ),
        )
    }

    /// 6240: the DisplayName (or Item Name) is taken. The detail names the holder's Id.
    pub fn duplicate_name(existing_id: &str) -> Self {
        Self::validation(
            "6240",
            "Duplicate Name Exists Error",
            format!("The name supplied already exists. : Id={existing_id}"),
        )
    }

    /// 4000: the query does not parse.
    pub fn query_parse(detail: impl Into<String>) -> Self {
        Self::validation("4000", "Error parsing query", format!("QueryParserError: {}", detail.into()))
    }

    /// 4001: the query parses but asks for something that does not exist.
    pub fn query_invalid(detail: impl Into<String>) -> Self {
        Self::validation("4001", "Invalid query", format!("QueryValidationError: {}", detail.into()))
    }

    /// 500 "Unsupported Operation" (code 500 with HTTP 400, as quoted in minimul/qbo_api#81).
    pub fn unsupported(detail: impl Into<String>) -> Self {
        Self::validation("500", "Unsupported Operation", detail)
    }

    /// 3001 ThrottleExceeded (HTTP 429).
    pub fn throttled() -> Self {
        Self::new(
            429,
            "SERVICE",
            "3001",
            "message=ThrottleExceeded; errorCode=003001; statusCode=429",
            "The request limit was reached.  Try again later",
        )
    }

    /// The default body for an injected 5xx.
    pub fn service(status: u16) -> Self {
        let (code, name) = if status == 503 { ("3003", "ServiceUnavailable") } else { ("3100", "InternalServerError") };
        Self::new(
            status,
            "ServiceFault",
            code,
            &format!("message={name}; errorCode=00{code}; statusCode={status}"),
            "An application error has occurred while processing your request",
        )
    }

    /// The JSON body with its `time`.
    pub fn to_json(&self, time: &str) -> Value {
        let mut error = json!({"Message": self.message, "Detail": self.detail, "code": self.code});
        if let Some(e) = &self.element {
            error["element"] = Value::String(e.clone());
        } else {
            error["element"] = Value::String(String::new());
        }
        json!({"Fault": {"Error": [error], "type": self.fault_type}, "time": time})
    }

    /// The XML body the service uses for throttling (and, historically, for everything).
    pub fn to_xml(&self, time: &str) -> String {
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<IntuitResponse xmlns=\"http://schema.intuit.com/finance/v3\" time=\"{}\">\n  <Fault type=\"{}\">\n    <Error code=\"{}\">\n      <Message>{}</Message>\n      <Detail>{}</Detail>\n    </Error>\n  </Fault>\n</IntuitResponse>\n",
            xml_escape(time),
            xml_escape(&self.fault_type),
            xml_escape(&self.code),
            xml_escape(&self.message),
            xml_escape(&self.detail)
        )
    }
}

/// Why an API call was not authenticated; rendered in the lowercase `fault` shape.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum AuthProblem {
    Missing,
    Unknown,
    Expired,
    Revoked,
}

/// 401 body for API calls (lowercase keys, as the real service sends them).
pub(crate) fn auth_fault_json(problem: AuthProblem, token: &str) -> Value {
    // Only a prefix of the token: the real service echoes a fragment, never the whole secret.
    let frag: String = token.chars().take(12).collect();
    let detail = match problem {
        AuthProblem::Missing => "Authorization header is missing or not a Bearer token".to_string(),
        AuthProblem::Unknown => format!("Token invalid: {frag}…"),
        AuthProblem::Expired => format!("Token expired: {frag}…"),
        AuthProblem::Revoked => format!("Token revoked: {frag}…"),
    };
    json!({"fault": {"error": [{
        "message": "message=AuthenticationFailed; errorCode=003200; statusCode=401",
        "detail": detail,
        "code": "3200"
    }], "type": "AUTHENTICATION"}})
}

/// 403 body for a token that is valid but not for this company.
pub(crate) fn authorization_fault_json(realm: &str) -> Value {
    json!({"fault": {"error": [{
        "message": "message=ApplicationAuthorizationFailed; errorCode=003100; statusCode=403",
        "detail": format!("The application is not authorized to access company {realm}"),
        "code": "3100"
    }], "type": "AUTHORIZATION"}})
}

pub(crate) fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}
