//! A real SMTP server for tests: scripts/smtp_sink.py (aiosmtpd) in a child process, storing each
//! accepted message as a file. It can be stopped and started again on the same port.

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

/// Header lookup with RFC 5322 folding undone.
fn header(raw: &str, name: &str) -> String {
    let head = raw.split("\r\n\r\n").next().unwrap_or(raw);
    let unfolded = head.replace("\r\n ", " ").replace("\r\n\t", " ").replace("\n ", " ");
    let prefix = format!("{}:", name.to_ascii_lowercase());
    unfolded
        .lines()
        .find(|l| l.to_ascii_lowercase().starts_with(&prefix))
        .map(|l| l[prefix.len()..].trim().to_string())
        .unwrap_or_default()
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
        use base64::Engine;
        let mut out = String::new();
        for part in self.raw.split("\r\n--") {
            let (head, body) = part.split_once("\r\n\r\n").unwrap_or(("", ""));
            let head_l = head.to_ascii_lowercase();
            if !types.iter().any(|t| head_l.contains(&format!("content-type: {t}"))) {
                continue;
            }
            let body = body.rsplit_once("\r\n--").map(|(b, _)| b).unwrap_or(body);
            if head_l.contains("content-transfer-encoding: base64") {
                let joined: String = body.split_whitespace().collect();
                let bytes = base64::engine::general_purpose::STANDARD.decode(joined.trim()).unwrap_or_default();
                out.push_str(&String::from_utf8_lossy(&bytes));
            } else if head_l.contains("content-transfer-encoding: quoted-printable") {
                out.push_str(&quoted_printable(body));
            } else {
                out.push_str(body);
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

fn quoted_printable(body: &str) -> String {
    let joined = body.replace("=\r\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'='
            && i + 2 < bytes.len()
            && let Some(b) = std::str::from_utf8(&bytes[i + 1..i + 3]).ok().and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

pub fn parse(raw: &str) -> Received {
    Received {
        message_id: header(raw, "Message-ID").trim_matches(['<', '>']).to_string(),
        subject: header(raw, "Subject"),
        to: header(raw, "To"),
        cc: header(raw, "Cc"),
        envelope_to: header(raw, "X-Envelope-To"),
        raw: raw.to_string(),
    }
}
