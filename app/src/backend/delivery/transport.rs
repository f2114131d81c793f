//! Getting a composed message to a mail server — or, when no SMTP server is configured, into an
//! `.eml` file in the data directory so nothing is lost and staff can see what would have gone.
//! The outbox worker decides what to send and when; this module only sends.

use std::{fmt, path::PathBuf, time::Duration};

use lettre::{
    AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
    message::{Attachment, Mailbox, MultiPart, SinglePart, header::ContentType},
    transport::smtp::{PoolConfig, authentication::Credentials, client::Tls, client::TlsParameters},
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum TlsMode {
    /// Plain SMTP: local relays and test servers only.
    None,
    /// Connect in plain text, then upgrade (port 587).
    StartTls,
    /// TLS from the first byte (port 465).
    Tls,
}

impl TlsMode {
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "none" | "plain" | "off" => Some(TlsMode::None),
            "starttls" => Some(TlsMode::StartTls),
            "tls" | "smtps" | "implicit" => Some(TlsMode::Tls),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            TlsMode::None => "none",
            TlsMode::StartTls => "starttls",
            TlsMode::Tls => "tls",
        }
    }
}

#[derive(Clone, PartialEq, Eq)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub tls: TlsMode,
    pub username: String,
    pub password: String,
}

/// Never prints the password, so settings can be logged.
impl fmt::Debug for SmtpSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpSettings")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("tls", &self.tls)
            .field("username", &self.username)
            .field("password", &if self.password.is_empty() { "" } else { "***" })
            .finish()
    }
}

/// Where mail goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MailRoute {
    Smtp(SmtpSettings),
    /// No SMTP server configured: each message becomes `<folder>/<message id>.eml`.
    Folder(PathBuf),
}

/// A message ready to hand over, with its fixed Message-ID.
#[derive(Debug, Clone)]
pub struct OutgoingEmail {
    /// Without angle brackets; the same on every attempt so a re-send is recognisable.
    pub message_id: String,
    pub from: String,
    pub to: Vec<String>,
    pub cc: Vec<String>,
    pub subject: String,
    pub html: String,
    pub text: String,
    pub attachments: Vec<EmailAttachment>,
}

#[derive(Debug, Clone)]
pub struct EmailAttachment {
    pub filename: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MailError {
    /// Worth retrying: a 4xx reply, a refused or dropped connection, a timeout.
    #[error("temporary failure: {0}")]
    Transient(String),
    /// Retrying will not help: a 5xx reply, an address the server will never accept.
    #[error("permanent failure: {0}")]
    Permanent(String),
}

impl OutgoingEmail {
    pub fn to_message(&self) -> Result<Message, MailError> {
        let bad = |what: &str, e: &dyn fmt::Display| MailError::Permanent(format!("{what}: {e}"));
        let from: Mailbox = self.from.parse().map_err(|e| bad(&format!("sender address {:?}", self.from), &e))?;
        let mut builder = Message::builder()
            .message_id(Some(format!("<{}>", self.message_id)))
            .from(from)
            .subject(self.subject.clone());
        for to in &self.to {
            builder = builder.to(to.parse().map_err(|e| bad(&format!("recipient {to:?}"), &e))?);
        }
        for cc in &self.cc {
            builder = builder.cc(cc.parse().map_err(|e| bad(&format!("recipient {cc:?}"), &e))?);
        }
        let body = MultiPart::alternative()
            .singlepart(SinglePart::plain(self.text.clone()))
            .singlepart(SinglePart::html(self.html.clone()));
        let message = if self.attachments.is_empty() {
            builder.multipart(body)
        } else {
            let mut mixed = MultiPart::mixed().multipart(body);
            for a in &self.attachments {
                let content_type =
                    ContentType::parse(&a.content_type).map_err(|e| bad("attachment content type", &e))?;
                mixed = mixed.singlepart(Attachment::new(a.filename.clone()).body(a.bytes.clone(), content_type));
            }
            builder.multipart(mixed)
        };
        message.map_err(|e| bad("message", &e))
    }
}

/// Sends through one route; cheap to clone (the SMTP connection pool is shared).
#[derive(Clone)]
pub struct Mailer {
    route: MailRoute,
    smtp: Option<AsyncSmtpTransport<Tokio1Executor>>,
}

impl fmt::Debug for Mailer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Mailer").field("route", &self.route).finish()
    }
}

impl Mailer {
    pub fn new(route: MailRoute) -> Result<Self, MailError> {
        let smtp = match &route {
            MailRoute::Folder(_) => None,
            MailRoute::Smtp(s) => {
                let tls = || {
                    TlsParameters::new(s.host.clone())
                        .map_err(|e| MailError::Permanent(format!("TLS settings for {}: {e}", s.host)))
                };
                let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&s.host)
                    .port(s.port)
                    .timeout(Some(Duration::from_secs(30)))
                    .pool_config(PoolConfig::new().max_size(8).idle_timeout(Duration::from_secs(60)));
                builder = match s.tls {
                    TlsMode::None => builder.tls(Tls::None),
                    TlsMode::StartTls => builder.tls(Tls::Required(tls()?)),
                    TlsMode::Tls => builder.tls(Tls::Wrapper(tls()?)),
                };
                if !s.username.is_empty() {
                    builder = builder.credentials(Credentials::new(s.username.clone(), s.password.clone()));
                }
                Some(builder.build())
            }
        };
        Ok(Self { route, smtp })
    }

    pub fn route(&self) -> &MailRoute {
        &self.route
    }

    /// Hands the message over. `Ok` carries the server's reply (or the file written).
    pub async fn send(&self, email: &OutgoingEmail) -> Result<String, MailError> {
        let message = email.to_message()?;
        match (&self.route, &self.smtp) {
            (MailRoute::Smtp(_), Some(smtp)) => match smtp.send(message).await {
                Ok(reply) => Ok(format!("{} {}", reply.code(), reply.message().collect::<Vec<_>>().join(" "))),
                Err(e) if e.is_permanent() => Err(MailError::Permanent(smtp_error_text(&e))),
                Err(e) => Err(MailError::Transient(smtp_error_text(&e))),
            },
            (MailRoute::Folder(dir), _) => write_eml(dir, &email.message_id, &message.formatted()).await,
            (MailRoute::Smtp(_), None) => Err(MailError::Permanent("SMTP transport not built".into())),
        }
    }
}

fn smtp_error_text(e: &lettre::transport::smtp::Error) -> String {
    // lettre's Display already includes the server's code and text; keep it short for the UI.
    let text = e.to_string();
    text.chars().take(500).collect()
}

/// Written under a name derived from the Message-ID, through a temporary file and a rename,
/// so a retried message replaces its own file instead of adding a second one.
async fn write_eml(dir: &std::path::Path, message_id: &str, bytes: &[u8]) -> Result<String, MailError> {
    let safe: String =
        message_id.chars().map(|c| if c.is_ascii_alphanumeric() || matches!(c, '-' | '.') { c } else { '_' }).collect();
    let io = |e: std::io::Error| MailError::Transient(format!("could not write to {}: {e}", dir.display()));
    tokio::fs::create_dir_all(dir).await.map_err(io)?;
    let path = dir.join(format!("{safe}.eml"));
    let tmp = dir.join(format!(".{safe}.eml.tmp"));
    tokio::fs::write(&tmp, bytes).await.map_err(io)?;
    tokio::fs::rename(&tmp, &path).await.map_err(io)?;
    Ok(format!("written to {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn email() -> OutgoingEmail {
        OutgoingEmail {
            message_id: "outbox-7.abc@pressrun.example".into(),
            from: "Valley Courier <billing@valley.example>".into(),
            to: vec!["Ann <ann@client.example>".into()],
            cc: vec!["ops@client.example".into()],
            subject: "Invoice INV-2026-00001".into(),
            html: "<p>Hello</p>".into(),
            text: "Hello".into(),
            attachments: vec![EmailAttachment {
                filename: "INV-2026-00001.pdf".into(),
                content_type: "application/pdf".into(),
                bytes: b"%PDF-1.7".to_vec(),
            }],
        }
    }

    #[test]
    fn message_carries_fixed_id_both_parts_and_attachment() {
        let raw = String::from_utf8(email().to_message().unwrap().formatted()).unwrap();
        assert!(raw.contains("Message-ID: <outbox-7.abc@pressrun.example>"), "{raw}");
        assert!(raw.contains("multipart/alternative"));
        assert!(raw.contains("text/plain"));
        assert!(raw.contains("text/html"));
        assert!(raw.contains("filename=\"INV-2026-00001.pdf\""));
        assert!(raw.contains("Cc: ops@client.example"));
    }

    #[test]
    fn bad_recipient_is_permanent() {
        let mut e = email();
        e.to = vec!["not an address".into()];
        assert!(matches!(e.to_message(), Err(MailError::Permanent(_))));
    }

    #[test]
    fn debug_hides_the_password() {
        let s = SmtpSettings {
            host: "smtp.example".into(),
            port: 587,
            tls: TlsMode::StartTls,
            username: "u".into(),
            password: "hunter2".into(),
        };
        assert!(!format!("{s:?}").contains("hunter2"));
    }
}
