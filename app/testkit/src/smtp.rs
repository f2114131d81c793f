//! A real SMTP server for tests: scripts/smtp_sink.py (aiosmtpd) in a child process, storing each
//! accepted message as a file. It can be stopped and started again on the same port.

use mail_parser::{Message, MessageParser, MimeHeaders};
use std::{
    io::{BufRead, BufReader},
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
};

pub struct SmtpSink {
    child: Option<Child>,
    pub port: u16,
    pub dir: PathBuf,
    delay_ms: u64,
}

#[derive(Debug, Clone)]
pub struct Received {
    pub message_id: String,
    pub subject: String,
    pub to: String,
    pub cc: String,
    pub envelope_to: String,
    pub raw: String,
}

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/smtp_sink.py")
}

fn spawn(dir: &Path, port: u16, delay_ms: u64) -> (Child, u16) {
    let mut child = Command::new("python3")
        .arg(script())
        .arg(dir)
        .args(["--port", &port.to_string(), "--delay-ms", &delay_ms.to_string()])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start scripts/smtp_sink.py (needs python3 with aiosmtpd: scripts/setup-tools.sh --test)");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("sink stdout")).read_line(&mut line).expect("sink READY line");
    let port = line
        .strip_prefix("READY ")
        .and_then(|p| p.trim().parse().ok())
        .unwrap_or_else(|| panic!("SMTP sink did not start: {line:?}"));
    (child, port)
}

impl SmtpSink {
    pub fn start() -> SmtpSink {
        Self::start_with_delay(0)
    }

    /// `delay_ms` before each message is stored and accepted, to widen the window a crash can hit.
    pub fn start_with_delay(delay_ms: u64) -> SmtpSink {
        let dir =
            std::env::temp_dir().join(format!("pressrun-sink-{}-{:08x}", std::process::id(), rand::random::<u32>()));
        std::fs::create_dir_all(&dir).unwrap();
        let (child, port) = spawn(&dir, 0, delay_ms);
        SmtpSink { child: Some(child), port, dir, delay_ms }
    }

    /// A port nothing listens on yet, for a sink that starts "later".
    pub fn not_yet_started() -> SmtpSink {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let dir =
            std::env::temp_dir().join(format!("pressrun-sink-{}-{:08x}", std::process::id(), rand::random::<u32>()));
        std::fs::create_dir_all(&dir).unwrap();
        SmtpSink { child: None, port, dir, delay_ms: 0 }
    }

    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    pub fn resume(&mut self) {
        assert!(self.child.is_none(), "sink already running");
        let (child, port) = spawn(&self.dir, self.port, self.delay_ms);
        assert_eq!(port, self.port);
        self.child = Some(child);
    }

    pub fn smtp_settings(&self) -> app::backend::delivery::transport::SmtpSettings {
        app::backend::delivery::transport::SmtpSettings {
            host: "127.0.0.1".into(),
            port: self.port,
            tls: app::backend::delivery::transport::TlsMode::None,
            username: String::new(),
            password: String::new(),
        }
    }

    pub fn received(&self) -> Vec<Received> {
        let mut files: Vec<_> = std::fs::read_dir(&self.dir)
            .unwrap()
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "eml"))
            .collect();
        files.sort();
        files.into_iter().map(|p| parse(&std::fs::read_to_string(p).unwrap())).collect()
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A header's raw value with RFC 5322 folding undone (addresses are compared as written).
fn raw_header(message: &Message, name: &str) -> String {
    message.header_raw(name).map(|v| v.split_whitespace().collect::<Vec<_>>().join(" ")).unwrap_or_default()
}

impl Received {
    /// The text of every text/plain and text/html part, with quoted-printable and base64 undone,
    /// so tests can read links and values as a mail client shows them.
    pub fn decoded(&self) -> String {
        self.decoded_parts(&["text/plain", "text/html"])
    }

    /// Only the HTML part, decoded.
    pub fn html(&self) -> String {
        self.decoded_parts(&["text/html"])
    }

    /// The parts whose content type is one of `types` (e.g. `text/csv` for an attached statement),
    /// decoded and joined, each followed by a newline.
    pub fn decoded_parts(&self, types: &[&str]) -> String {
        let message = MessageParser::default().parse(self.raw.as_bytes()).expect("a MIME message");
        let mut out = String::new();
        for part in &message.parts {
            let Some(ct) = part.content_type() else { continue };
            let mime = format!("{}/{}", ct.ctype(), ct.subtype().unwrap_or_default()).to_ascii_lowercase();
            if !types.contains(&mime.as_str()) {
                continue;
            }
            match part.text_contents() {
                Some(text) => out.push_str(text),
                None => out.push_str(&String::from_utf8_lossy(part.contents())),
            }
            out.push('\n');
        }
        out
    }

    /// Every `http(s)://…/portal/…` link in the decoded text, in order.
    pub fn portal_links(&self) -> Vec<String> {
        let text = self.decoded();
        let mut links = Vec::new();
        for (i, _) in text.match_indices("/portal/") {
            let start = text[..i].rfind("http").unwrap_or(i);
            let end = text[i..]
                .find(|c: char| c.is_whitespace() || matches!(c, '"' | '<' | '>' | ')' | ']'))
                .map(|e| i + e)
                .unwrap_or(text.len());
            let link = text[start..end].to_string();
            if !links.contains(&link) {
                links.push(link);
            }
        }
        links
    }
}

/// Reads a stored message with `mail-parser`: the subject decoded (RFC 2047), the address
/// headers as written.
pub fn parse(raw: &str) -> Received {
    let message = MessageParser::default().parse(raw.as_bytes()).expect("a MIME message");
    Received {
        message_id: message.message_id().unwrap_or_default().to_string(),
        subject: message.subject().unwrap_or_default().to_string(),
        to: raw_header(&message, "To"),
        cc: raw_header(&message, "Cc"),
        envelope_to: raw_header(&message, "X-Envelope-To"),
        raw: raw.to_string(),
    }
}
