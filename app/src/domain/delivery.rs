//! Auto-invoicing and delivery settings, batch schedules and retry backoff: the decisions the
//! scheduler and the outbox worker make, without I/O so they can be tested by the minute.

use crate::domain::ids::TemplateId;
use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Weekday};
use serde::{Deserialize, Serialize};

use super::settings::FieldError;

/// What auto-invoicing does once it has created an invoice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AutoInvoiceMode {
    GenerateOnly,
    GenerateAndEmail,
}

impl AutoInvoiceMode {
    pub fn as_str(self) -> &'static str {
        match self {
            AutoInvoiceMode::GenerateOnly => "generate_only",
            AutoInvoiceMode::GenerateAndEmail => "generate_and_email",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "generate_only" => Some(AutoInvoiceMode::GenerateOnly),
            "generate_and_email" => Some(AutoInvoiceMode::GenerateAndEmail),
            _ => None,
        }
    }
}

/// When generated invoices are emailed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Delivery {
    /// As soon as generated: the email is queued in the invoice's own transaction.
    Automatic,
    /// Invoices wait in "Ready to send" until staff send them.
    Manual,
    /// Invoices wait until the next batch slot sends everything ready.
    Batch(BatchSchedule),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum BatchFrequency {
    Daily,
    /// ISO weekday, Monday = 1.
    Weekly(u8),
    /// Day of month 1–28, so every month has it.
    Monthly(u8),
}

/// A batch slot is a local date and time in the organisation's zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchSchedule {
    pub frequency: BatchFrequency,
    pub at: NaiveTime,
}

impl BatchSchedule {
    fn runs_on(&self, date: NaiveDate) -> bool {
        match self.frequency {
            BatchFrequency::Daily => true,
            BatchFrequency::Weekly(d) => date.weekday().number_from_monday() == u32::from(d),
            BatchFrequency::Monthly(d) => date.day() == u32::from(d),
        }
    }

    /// The latest slot at or before `now` (local wall-clock time), looking back at most 62
    /// days. A server that was down over several slots runs only this one: a batch sends
    /// everything that became ready since the previous batch, so one run catches up.
    pub fn latest_slot(&self, now: NaiveDateTime) -> Option<NaiveDateTime> {
        let mut date = now.date();
        for _ in 0..=62 {
            if self.runs_on(date) {
                let slot = date.and_time(self.at);
                if slot <= now {
                    return Some(slot);
                }
            }
            date = date.pred_opt()?;
        }
        None
    }

    /// The first slot strictly after `now`, for "next batch" displays.
    pub fn next_slot(&self, now: NaiveDateTime) -> Option<NaiveDateTime> {
        let mut date = now.date();
        for _ in 0..=62 {
            if self.runs_on(date) {
                let slot = date.and_time(self.at);
                if slot > now {
                    return Some(slot);
                }
            }
            date = date.succ_opt()?;
        }
        None
    }

    pub fn describe(&self) -> String {
        let at = self.at.format("%H:%M");
        match self.frequency {
            BatchFrequency::Daily => format!("every day at {at}"),
            BatchFrequency::Weekly(d) => format!("every {} at {at}", weekday_name(d)),
            BatchFrequency::Monthly(d) => format!("on day {d} of every month at {at}"),
        }
    }
}

pub fn weekday_name(iso: u8) -> &'static str {
    match Weekday::try_from(iso.saturating_sub(1)).unwrap_or(Weekday::Mon) {
        Weekday::Mon => "Monday",
        Weekday::Tue => "Tuesday",
        Weekday::Wed => "Wednesday",
        Weekday::Thu => "Thursday",
        Weekday::Fri => "Friday",
        Weekday::Sat => "Saturday",
        Weekday::Sun => "Sunday",
    }
}

/// The Automation > Accounting settings as people enter them (strings in, field errors out).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AutomationForm {
    pub mode: String,
    pub delivery: String,
    pub batch_frequency: String,
    pub batch_weekday: String,
    pub batch_month_day: String,
    pub batch_time: String,
    pub template_id: Option<TemplateId>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AutomationSettings {
    pub mode: AutoInvoiceMode,
    pub delivery: Delivery,
    pub template_id: Option<TemplateId>,
}

impl AutomationSettings {
    /// What happens to an invoice the scheduler has just generated.
    pub fn after_generate(&self) -> AfterGenerate {
        match (self.mode, self.delivery) {
            (AutoInvoiceMode::GenerateOnly, _) => AfterGenerate::Nothing,
            (AutoInvoiceMode::GenerateAndEmail, Delivery::Automatic) => AfterGenerate::QueueEmail,
            (AutoInvoiceMode::GenerateAndEmail, _) => AfterGenerate::MarkReady,
        }
    }

    pub fn batch(&self) -> Option<BatchSchedule> {
        match (self.mode, self.delivery) {
            (AutoInvoiceMode::GenerateAndEmail, Delivery::Batch(b)) => Some(b),
            _ => None,
        }
    }

    /// Reassembles settings from the stored columns (all validated on the way in).
    pub fn from_columns(
        mode: &str,
        delivery: &str,
        frequency: &str,
        weekday: i32,
        month_day: i32,
        time: &str,
        template_id: Option<TemplateId>,
    ) -> Option<Self> {
        let mode = AutoInvoiceMode::parse(mode)?;
        let delivery = match delivery {
            "automatic" => Delivery::Automatic,
            "manual" => Delivery::Manual,
            "batch" => Delivery::Batch(BatchSchedule {
                frequency: match frequency {
                    "daily" => BatchFrequency::Daily,
                    "weekly" => BatchFrequency::Weekly(u8::try_from(weekday).ok().filter(|d| (1..=7).contains(d))?),
                    "monthly" => {
                        BatchFrequency::Monthly(u8::try_from(month_day).ok().filter(|d| (1..=28).contains(d))?)
                    }
                    _ => return None,
                },
                at: NaiveTime::parse_from_str(time, "%H:%M").ok()?,
            }),
            _ => return None,
        };
        Some(Self { mode, delivery, template_id })
    }

    /// The stored columns: (mode, delivery, frequency, weekday, month day, time).
    pub fn columns(&self) -> (&'static str, &'static str, &'static str, i32, i32, String) {
        let (delivery, frequency, weekday, month_day, at) = match self.delivery {
            Delivery::Automatic => ("automatic", "daily", 1, 1, NaiveTime::from_hms_opt(9, 0, 0).unwrap_or_default()),
            Delivery::Manual => ("manual", "daily", 1, 1, NaiveTime::from_hms_opt(9, 0, 0).unwrap_or_default()),
            Delivery::Batch(b) => match b.frequency {
                BatchFrequency::Daily => ("batch", "daily", 1, 1, b.at),
                BatchFrequency::Weekly(d) => ("batch", "weekly", i32::from(d), 1, b.at),
                BatchFrequency::Monthly(d) => ("batch", "monthly", 1, i32::from(d), b.at),
            },
        };
        (self.mode.as_str(), delivery, frequency, weekday, month_day, at.format("%H:%M").to_string())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterGenerate {
    Nothing,
    MarkReady,
    QueueEmail,
}

impl AutomationForm {
    pub fn validate(&self) -> Result<AutomationSettings, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mode = AutoInvoiceMode::parse(self.mode.trim());
        if mode.is_none() {
            errors.push(FieldError::new("mode", "Choose Generate only or Generate and email."));
        }
        let at = match NaiveTime::parse_from_str(self.batch_time.trim(), "%H:%M") {
            Ok(t) => Some(t),
            Err(_) if self.delivery != "batch" => NaiveTime::from_hms_opt(9, 0, 0),
            Err(_) => {
                errors.push(FieldError::new("batch_time", "Enter the batch time as HH:MM, like 09:00."));
                None
            }
        };
        let delivery = match self.delivery.trim() {
            "automatic" => Some(Delivery::Automatic),
            "manual" => Some(Delivery::Manual),
            "batch" => {
                let frequency = match self.batch_frequency.trim() {
                    "daily" => Some(BatchFrequency::Daily),
                    "weekly" => match self.batch_weekday.trim().parse::<u8>() {
                        Ok(d) if (1..=7).contains(&d) => Some(BatchFrequency::Weekly(d)),
                        _ => {
                            errors.push(FieldError::new("batch_weekday", "Choose the weekday the batch goes out."));
                            None
                        }
                    },
                    "monthly" => match self.batch_month_day.trim().parse::<u8>() {
                        Ok(d) if (1..=28).contains(&d) => Some(BatchFrequency::Monthly(d)),
                        _ => {
                            errors.push(FieldError::new(
                                "batch_month_day",
                                "Enter a day of the month from 1 to 28 (every month has it).",
                            ));
                            None
                        }
                    },
                    _ => {
                        errors.push(FieldError::new("batch_frequency", "Choose daily, weekly or monthly."));
                        None
                    }
                };
                match (frequency, at) {
                    (Some(frequency), Some(at)) => Some(Delivery::Batch(BatchSchedule { frequency, at })),
                    _ => None,
                }
            }
            _ => {
                errors.push(FieldError::new("delivery", "Choose automatically, manually or in scheduled batches."));
                None
            }
        };
        match (mode, delivery) {
            (Some(mode), Some(delivery)) if errors.is_empty() => {
                Ok(AutomationSettings { mode, delivery, template_id: self.template_id })
            }
            _ => Err(errors),
        }
    }
}

/// How long the outbox waits before attempt `attempt + 1` after a transient failure:
/// 30 s doubling to at most 1 h, so a mail server that is down for an afternoon is retried
/// about a dozen times, not thousands.
pub fn retry_delay(attempt: u32, base: Duration) -> Duration {
    let factor = 1i64 << attempt.saturating_sub(1).min(16);
    let delay = base * i32::try_from(factor).unwrap_or(i32::MAX);
    delay.min(Duration::hours(1).max(base))
}

/// After this many transient failures a message is marked failed for a person to look at.
pub const MAX_ATTEMPTS: i32 = 12;

#[cfg(test)]
mod tests {
    use super::*;

    fn dt(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    fn schedule(frequency: BatchFrequency, at: &str) -> BatchSchedule {
        BatchSchedule { frequency, at: NaiveTime::parse_from_str(at, "%H:%M").unwrap() }
    }

    #[test]
    fn daily_slot_is_today_once_the_time_has_passed() {
        let s = schedule(BatchFrequency::Daily, "09:00");
        assert_eq!(s.latest_slot(dt("2026-12-03 08:59")), Some(dt("2026-12-02 09:00")));
        assert_eq!(s.latest_slot(dt("2026-12-03 09:00")), Some(dt("2026-12-03 09:00")));
        assert_eq!(s.next_slot(dt("2026-12-03 09:00")), Some(dt("2026-12-04 09:00")));
    }

    #[test]
    fn weekly_and_monthly_slots_catch_up_to_the_latest_only() {
        // 2026-12-07 is a Monday.
        let weekly = schedule(BatchFrequency::Weekly(1), "07:30");
        assert_eq!(weekly.latest_slot(dt("2026-12-20 12:00")), Some(dt("2026-12-14 07:30")));
        let monthly = schedule(BatchFrequency::Monthly(28), "18:00");
        assert_eq!(monthly.latest_slot(dt("2027-03-01 00:00")), Some(dt("2027-02-28 18:00")));
        assert_eq!(monthly.next_slot(dt("2027-02-28 18:00")), Some(dt("2027-03-28 18:00")));
    }

    #[test]
    fn backoff_doubles_and_is_capped() {
        let base = Duration::seconds(30);
        assert_eq!(retry_delay(1, base), Duration::seconds(30));
        assert_eq!(retry_delay(2, base), Duration::seconds(60));
        assert_eq!(retry_delay(5, base), Duration::seconds(480));
        assert_eq!(retry_delay(40, base), Duration::hours(1));
    }

    #[test]
    fn form_reports_each_bad_field() {
        let form = AutomationForm {
            mode: "generate_and_email".into(),
            delivery: "batch".into(),
            batch_frequency: "monthly".into(),
            batch_weekday: "1".into(),
            batch_month_day: "31".into(),
            batch_time: "9am".into(),
            template_id: None,
        };
        let errors = form.validate().unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["batch_time", "batch_month_day"]);
    }

    #[test]
    fn settings_round_trip_through_columns() {
        let s = AutomationSettings {
            mode: AutoInvoiceMode::GenerateAndEmail,
            delivery: Delivery::Batch(schedule(BatchFrequency::Weekly(5), "16:45")),
            template_id: Some(TemplateId(3)),
        };
        let (m, d, f, w, md, t) = s.columns();
        assert_eq!(AutomationSettings::from_columns(m, d, f, w, md, &t, Some(TemplateId(3))), Some(s));
        assert_eq!(s.after_generate(), AfterGenerate::MarkReady);
    }
}
