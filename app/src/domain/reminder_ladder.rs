//! The past-due reminder ladder: which step an invoice should get today, and when the next one
//! comes. Dates are local dates in the organisation's zone, so DST changes cannot move a step;
//! the caller turns "now" into today's local date once.
//!
//! The rule that keeps a server that was down for weeks from sending a burst: only the highest
//! step an invoice has reached is ever a candidate, and never once it or a higher step was
//! decided. Lower steps that were skipped stay skipped.

use crate::domain::ids::TemplateId;
use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};

use super::settings::FieldError;

/// Days past due on `today`: 0 on the due date, 1 the day after.
pub fn days_past_due(due: NaiveDate, today: NaiveDate) -> i64 {
    (today - due).num_days().max(0)
}

/// The step to queue today for an invoice due on `due`, given the rule days and the steps
/// already decided for it (queued, sent, cancelled or failed — each is decided once).
pub fn step_due(rules: &[i64], due: NaiveDate, today: NaiveDate, decided: &[i64]) -> Option<i64> {
    let late = days_past_due(due, today);
    let reached = rules.iter().copied().filter(|d| *d > 0 && *d <= late).max()?;
    let highest_decided = decided.iter().copied().max().unwrap_or_default();
    (reached > highest_decided).then_some(reached)
}

/// The next step an invoice will get and the local date it is due: today when a step is due
/// now, otherwise the first rule beyond everything reached or decided.
pub fn next_step(rules: &[i64], due: NaiveDate, today: NaiveDate, decided: &[i64]) -> Option<(i64, NaiveDate)> {
    if let Some(step) = step_due(rules, due, today, decided) {
        return Some((step, today));
    }
    let late = days_past_due(due, today);
    let floor = decided.iter().copied().max().unwrap_or_default().max(late);
    rules.iter().copied().filter(|d| *d > floor).min().map(|d| (d, due + Duration::days(d)))
}

/// The step a "Send reminder" button sends: the one due now, else the highest reached but not
/// yet decided, else the first step not decided (a reminder sent early counts as that step).
pub fn manual_step(rules: &[i64], due: NaiveDate, today: NaiveDate, decided: &[i64]) -> Option<i64> {
    let late = days_past_due(due, today);
    let open = |d: &i64| !decided.contains(d);
    let mut sorted: Vec<i64> = rules.iter().copied().filter(|d| *d > 0).collect();
    sorted.sort_unstable();
    sorted.iter().copied().filter(|d| *d <= late).filter(open).max().or_else(|| sorted.iter().copied().find(open))
}

/// How reminders reach clients.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReminderStyle {
    /// One email per invoice step, to the account's invoice contacts.
    PerInvoice,
    /// At most one email per contact per day, listing all of the account's past-due invoices.
    PerContactDaily,
}

impl ReminderStyle {
    pub fn as_str(self) -> &'static str {
        match self {
            ReminderStyle::PerInvoice => "per_invoice",
            ReminderStyle::PerContactDaily => "per_contact_daily",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "per_invoice" => Some(ReminderStyle::PerInvoice),
            "per_contact_daily" => Some(ReminderStyle::PerContactDaily),
            _ => None,
        }
    }
}

/// A ladder rule as staff enter it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReminderRuleForm {
    pub days: String,
    pub template_id: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReminderRuleInput {
    pub days: i64,
    pub template_id: Option<TemplateId>,
}

impl ReminderRuleForm {
    /// Checks the form against the other rules' days (`others` excludes the rule being edited).
    pub fn validate(&self, others: &[i64]) -> Result<ReminderRuleInput, Vec<FieldError>> {
        let mut errors = Vec::new();
        let days = match self.days.trim().parse::<i64>() {
            Ok(d) if d <= 0 => {
                errors.push(FieldError::new("days", "Enter a whole number of days greater than 0."));
                0
            }
            Ok(d) if d > 3650 => {
                errors.push(FieldError::new("days", "Enter at most 3650 days (ten years)."));
                0
            }
            Ok(d) if others.contains(&d) => {
                errors.push(FieldError::new("days", format!("There is already a reminder at {d} days past due.")));
                0
            }
            Ok(d) => d,
            Err(_) => {
                errors.push(FieldError::new("days", "Enter a whole number of days, such as 7 or 30."));
                0
            }
        };
        let template_id = match self.template_id.trim() {
            "" => None,
            t => match t.parse::<i64>() {
                Ok(id) => Some(id),
                Err(_) => {
                    errors.push(FieldError::new("template_id", "Choose a template from the list."));
                    None
                }
            },
        };
        if errors.is_empty() {
            Ok(ReminderRuleInput { days, template_id: template_id.map(TemplateId) })
        } else {
            Err(errors)
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    const LADDER: [i64; 3] = [7, 30, 90];

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn each_step_once_in_order() {
        let due = d(2026, 1, 10);
        let mut decided = Vec::new();
        let mut sent_on = Vec::new();
        for offset in 0..200 {
            let today = due + Duration::days(offset);
            if let Some(step) = step_due(&LADDER, due, today, &decided) {
                decided.push(step);
                sent_on.push((step, offset));
            }
        }
        assert_eq!(sent_on, [(7, 7), (30, 30), (90, 90)]);
    }

    #[test]
    fn catch_up_sends_only_the_highest_step() {
        let due = d(2026, 1, 10);
        assert_eq!(step_due(&LADDER, due, due + Duration::days(100), &[]), Some(90));
        assert_eq!(step_due(&LADDER, due, due + Duration::days(100), &[90]), None);
        assert_eq!(step_due(&LADDER, due, due + Duration::days(45), &[7]), Some(30));
        assert_eq!(step_due(&LADDER, due, due + Duration::days(6), &[]), None);
        assert_eq!(step_due(&LADDER, due, due - Duration::days(3), &[]), None);
    }

    #[test]
    fn a_manual_higher_step_suppresses_lower_ones() {
        let due = d(2026, 1, 10);
        // Staff sent the day-30 notice early, on day 10: day 7 and day 30 are done.
        assert_eq!(step_due(&LADDER, due, due + Duration::days(12), &[30]), None);
        assert_eq!(step_due(&LADDER, due, due + Duration::days(31), &[30]), None);
        assert_eq!(next_step(&LADDER, due, due + Duration::days(31), &[30]), Some((90, due + Duration::days(90))));
    }

    #[test]
    fn next_step_dates() {
        let due = d(2026, 1, 10);
        assert_eq!(next_step(&LADDER, due, due, &[]), Some((7, d(2026, 1, 17))));
        assert_eq!(next_step(&LADDER, due, d(2026, 1, 17), &[]), Some((7, d(2026, 1, 17))));
        assert_eq!(next_step(&LADDER, due, d(2026, 1, 17), &[7]), Some((30, d(2026, 2, 9))));
        assert_eq!(next_step(&LADDER, due, d(2026, 6, 1), &[90]), None);
        assert_eq!(next_step(&[], due, d(2026, 6, 1), &[]), None);
    }

    #[test]
    fn manual_step_choice() {
        let due = d(2026, 1, 10);
        assert_eq!(manual_step(&LADDER, due, due - Duration::days(2), &[]), Some(7), "before any step: the first");
        assert_eq!(manual_step(&LADDER, due, due + Duration::days(40), &[7]), Some(30));
        assert_eq!(manual_step(&LADDER, due, due + Duration::days(40), &[7, 30]), Some(90), "early next step");
        assert_eq!(manual_step(&LADDER, due, due + Duration::days(100), &[7, 30, 90]), None);
    }

    #[test]
    fn leap_days() {
        // Due on Feb 29 2028: day 7 is March 7, day 30 is March 30.
        let due = d(2028, 2, 29);
        assert_eq!(next_step(&LADDER, due, due, &[]), Some((7, d(2028, 3, 7))));
        assert_eq!(step_due(&LADDER, due, d(2028, 3, 6), &[]), None);
        assert_eq!(step_due(&LADDER, due, d(2028, 3, 7), &[]), Some(7));
        assert_eq!(step_due(&LADDER, due, d(2028, 3, 30), &[7]), Some(30));
        // Due Feb 28 in a leap year: the 29th is day 1.
        assert_eq!(days_past_due(d(2028, 2, 28), d(2028, 3, 1)), 2);
        assert_eq!(days_past_due(d(2027, 2, 28), d(2027, 3, 1)), 1);
        assert_eq!(step_due(&[1], d(2028, 2, 28), d(2028, 2, 29), &[]), Some(1));
    }

    #[test]
    fn rule_form_errors() {
        let form = |days: &str| ReminderRuleForm { days: days.into(), template_id: String::new() };
        assert_eq!(form("14").validate(&[7, 30]).unwrap().days, 14);
        for bad in ["0", "-3", "seven", "", "1.5"] {
            let errs = form(bad).validate(&[]).unwrap_err();
            assert_eq!(errs[0].field, "days", "{bad}");
        }
        assert!(form("30").validate(&[7, 30]).unwrap_err()[0].message.contains("already"));
        let t = ReminderRuleForm { days: "5".into(), template_id: "x".into() };
        assert_eq!(t.validate(&[]).unwrap_err()[0].field, "template_id");
    }

    fn ladder() -> impl Strategy<Value = Vec<i64>> {
        proptest::collection::btree_set(1i64..400, 1..6).prop_map(|s| s.into_iter().collect())
    }

    proptest! {
        /// However the ticks are spaced (downtime of any length), each tick sends at most one
        /// step, steps only go up, and a step is never sent twice.
        #[test]
        fn never_a_burst(rules in ladder(), gaps in proptest::collection::vec(1i64..120, 1..40), due_offset in 0i64..3000) {
            let due = d(2024, 1, 1) + Duration::days(due_offset);
            let mut today = due - Duration::days(5);
            let mut decided: Vec<i64> = Vec::new();
            for gap in gaps {
                today += Duration::days(gap);
                let before = decided.len();
                if let Some(step) = step_due(&rules, due, today, &decided) {
                    prop_assert!(!decided.contains(&step));
                    prop_assert!(decided.iter().all(|s| *s < step));
                    prop_assert!(step <= days_past_due(due, today));
                    // The step is the highest one reached.
                    prop_assert!(rules.iter().all(|r| *r <= step || *r > days_past_due(due, today)));
                    decided.push(step);
                }
                prop_assert!(decided.len() <= before + 1);
                prop_assert_eq!(step_due(&rules, due, today, &decided), None, "a second tick the same day sends nothing");
            }
        }

        /// The next step's date is never in the past and is the step `step_due` gives on it.
        #[test]
        fn next_step_is_what_gets_sent(rules in ladder(), due_offset in 0i64..1500, at in 0i64..500, leap in any::<bool>()) {
            let base = if leap { d(2028, 2, 29) } else { d(2027, 2, 28) };
            let due = base + Duration::days(due_offset % 3);
            let today = due + Duration::days(at) - Duration::days(10);
            let decided: Vec<i64> = rules.iter().copied().filter(|r| *r <= days_past_due(due, today)).collect();
            if let Some((step, date)) = next_step(&rules, due, today, &decided) {
                prop_assert!(date >= today);
                prop_assert_eq!(step_due(&rules, due, date, &decided), Some(step));
                prop_assert_eq!(date, due + Duration::days(step));
            }
        }
    }
}
