//! A recording HTTP proxy between `mistral-actions` and Mistral: every request the tool
//! sends is counted here, independently of what the tool says it sent. Each request is
//! forwarded on a fresh upstream connection with `Connection: close`, and the answer is
//! handed back as it came (Mistral then says `Connection: close` too, so the tool opens
//! a connection per request: nothing is missed between requests).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread;

pub struct Proxy {
    /// `http://127.0.0.1:<port>/v2`: pass it as `--url`.
    pub api_root: String,
    seen: Arc<Mutex<Vec<String>>>,
}

impl Proxy {
    /// A proxy to the Mistral at `api_root` (`http://host:port/v2`).
    pub fn to(api_root: &str) -> Proxy {
        let rest = api_root
            .strip_prefix("http://")
            .expect("Mistral over plain HTTP");
        let (upstream, path) = rest.split_once('/').expect("an API root with a path");
        let upstream = upstream.to_string();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        thread::spawn(move || {
            for client in listener.incoming().flatten() {
                let (upstream, log) = (upstream.clone(), log.clone());
                thread::spawn(move || serve(client, &upstream, &log));
            }
        });
        Proxy {
            api_root: format!("http://127.0.0.1:{port}/{path}"),
            seen,
        }
    }

    /// Every request so far, `METHOD /path?query`, and forgets them.
    pub fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.seen.lock().unwrap())
    }

    /// The write requests (anything but GET) of [`Self::take`].
    pub fn take_writes(&self) -> Vec<String> {
        self.take()
            .into_iter()
            .filter(|r| !r.starts_with("GET "))
            .collect()
    }
}

fn serve(client: TcpStream, upstream: &str, log: &Mutex<Vec<String>>) {
    let mut reader = BufReader::new(client.try_clone().unwrap());
    let mut client = client;
    loop {
        let mut request_line = String::new();
        if reader.read_line(&mut request_line).unwrap_or(0) == 0 {
            return;
        }
        let mut head = Vec::new();
        let mut length = 0usize;
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            if line == "\r\n" {
                break;
            }
            let lower = line.to_ascii_lowercase();
            if let Some(v) = lower.strip_prefix("content-length:") {
                length = v.trim().parse().unwrap_or(0);
            }
            if !lower.starts_with("connection:") {
                head.push(line);
            }
        }
        let mut body = vec![0u8; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let mut words = request_line.split_whitespace();
        let (method, target) = (words.next().unwrap_or(""), words.next().unwrap_or(""));
        log.lock().unwrap().push(format!("{method} {target}"));
        let Ok(mut up) = TcpStream::connect(upstream) else {
            return;
        };
        let mut sent = request_line.into_bytes();
        for line in &head {
            sent.extend_from_slice(line.as_bytes());
        }
        sent.extend_from_slice(b"Connection: close\r\n\r\n");
        sent.extend_from_slice(&body);
        if up.write_all(&sent).is_err() {
            return;
        }
        let mut answer = Vec::new();
        if up.read_to_end(&mut answer).is_err() || client.write_all(&answer).is_err() {
            return;
        }
        // Mistral closes after each answer (we asked it to, and said so to the tool).
        let head_end = answer
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .unwrap_or(answer.len());
        let closes = String::from_utf8_lossy(&answer[..head_end])
            .to_ascii_lowercase()
            .contains("connection: close");
        if closes {
            return;
        }
    }
}
