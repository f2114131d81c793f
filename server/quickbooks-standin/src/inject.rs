//! Faults a test asks for, and the per-company throttle.
//!
//! A rule matches requests by method, entity and operation (each optional) and fires for its next
//! `times` matching requests, then disappears. Rules are tried in the order they were pushed;
//! the first match wins.

use std::collections::VecDeque;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::config::ThrottleLimits;
use crate::entity::EntityKind;
use crate::fault::Fault;

/// What a request does, for matching rules and counting.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Operation {
    Create,
    Read,
    Update,
    Delete,
    Void,
    Query,
    Cdc,
    /// The token endpoint (either grant type).
    Token,
    Revoke,
}

/// What an injected rule does to the request it matches.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum FaultAction {
    /// Answer with this status and fault instead of doing anything. Fields left out default by
    /// status (5xx → ServiceFault, 429 → ThrottleExceeded, otherwise ValidationFault 6000). On the
    /// token endpoint the body is `{"error": code}` (code defaults to `server_error`).
    Respond {
        status: u16,
        #[serde(default)]
        code: Option<String>,
        #[serde(default)]
        message: Option<String>,
        #[serde(default)]
        detail: Option<String>,
        #[serde(default)]
        fault_type: Option<String>,
        /// Send the fault as XML, as the real service sometimes does.
        #[serde(default)]
        xml: bool,
    },
    /// Do the work (the write is committed, a refresh rotates), then close the connection without
    /// an answer: the client sees a connection error and cannot know the outcome.
    CommitThenDrop,
    /// Close the connection without doing anything.
    Drop,
    /// Wait this long, then handle the request normally.
    Delay { ms: u64 },
    /// Answer 429 in the configured throttle format.
    Throttle,
}

impl FaultAction {
    /// The fault an API `Respond` sends.
    pub(crate) fn api_fault(
        status: u16,
        code: &Option<String>,
        message: &Option<String>,
        detail: &Option<String>,
        fault_type: &Option<String>,
    ) -> Fault {
        let mut f = match status {
            429 => Fault::throttled(),
            s if s >= 500 => Fault::service(s),
            s => {
                let mut f = Fault::business("Injected by the stand-in");
                f.status = s;
                f
            }
        };
        if let Some(c) = code {
            f.code = c.clone();
        }
        if let Some(m) = message {
            f.message = m.clone();
        }
        if let Some(d) = detail {
            f.detail = d.clone();
        }
        if let Some(t) = fault_type {
            f.fault_type = t.clone();
        }
        f
    }
}

/// A fault rule. Build with [`FaultRule::new`] and the `on_*` / `times` helpers, or post it as JSON
/// to `/__standin/faults`: `{"entity":"Invoice","operation":"create","times":1,"action":{"type":"commit_then_drop"}}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FaultRule {
    /// `GET` or `POST`; absent matches both.
    #[serde(default)]
    pub method: Option<String>,
    /// An entity name (`Invoice`), case-insensitive; absent matches every request, including the
    /// query, change-feed and token endpoints.
    #[serde(default)]
    pub entity: Option<EntityKind>,
    #[serde(default)]
    pub operation: Option<Operation>,
    /// How many matching requests it fires for.
    #[serde(default = "one")]
    pub times: u32,
    pub action: FaultAction,
}

fn one() -> u32 {
    1
}

impl FaultRule {
    /// A one-shot rule matching every request until narrowed.
    pub fn new(action: FaultAction) -> Self {
        Self { method: None, entity: None, operation: None, times: 1, action }
    }

    pub fn on_entity(mut self, entity: EntityKind) -> Self {
        self.entity = Some(entity);
        self
    }

    pub fn on_operation(mut self, op: Operation) -> Self {
        self.operation = Some(op);
        self
    }

    pub fn on_method(mut self, method: &str) -> Self {
        self.method = Some(method.to_ascii_uppercase());
        self
    }

    pub fn times(mut self, n: u32) -> Self {
        self.times = n;
        self
    }

    fn matches(&self, method: &str, entity: Option<EntityKind>, op: Operation) -> bool {
        self.method.as_ref().is_none_or(|m| m.eq_ignore_ascii_case(method))
            && self.entity.is_none_or(|e| Some(e) == entity)
            && self.operation.is_none_or(|o| o == op)
    }
}

#[derive(Default)]
pub(crate) struct Rules {
    pub(crate) pending: Vec<FaultRule>,
}

impl Rules {
    /// Takes one shot of the first matching rule.
    pub(crate) fn take(&mut self, method: &str, entity: Option<EntityKind>, op: Operation) -> Option<FaultAction> {
        let i = self.pending.iter().position(|r| r.times > 0 && r.matches(method, entity, op))?;
        let rule = &mut self.pending[i];
        rule.times -= 1;
        let action = rule.action.clone();
        if rule.times == 0 {
            self.pending.remove(i);
        }
        Some(action)
    }
}

/// Sliding one-minute window of accepted API requests for the company.
#[derive(Default)]
pub(crate) struct Throttle {
    recent: VecDeque<DateTime<Utc>>,
}

impl Throttle {
    /// Records the request and says whether it is over a limit. Refused requests do not count
    /// towards the window, so a client that backs off gets through again.
    pub(crate) fn admit(&mut self, limits: ThrottleLimits, now: DateTime<Utc>) -> bool {
        while self.recent.front().is_some_and(|t| *t <= now - Duration::minutes(1)) {
            self.recent.pop_front();
        }
        let last_second = self.recent.iter().filter(|t| **t > now - Duration::seconds(1)).count();
        if self.recent.len() >= limits.per_minute as usize || last_second >= limits.per_second as usize {
            return false;
        }
        self.recent.push_back(now);
        true
    }
}
