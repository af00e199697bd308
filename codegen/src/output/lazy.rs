//! Files whose text is rendered only when `output` needs it, identified by a key: the
//! SHA-256 of everything the text is made from, which the emitter hands over.
//!
//! An emitter stays a pure function of the model: instead of the text it returns how to
//! render it (a closure over owned data) and the key. `output` renders a lazy file when
//! it must write or compare it, one file at a time per core, streaming into the file, so
//! hundreds of MB of generated text are never held at once; and a warm run skips files
//! whose key and on-disk state match what an earlier run recorded
//! ([`super::render_cache`]).

use std::fmt;
use std::io::{self, Write};
use std::sync::{Arc, OnceLock};

use serde::Serialize;
use sha2::{Digest, Sha256};

type Render = dyn Fn(&mut dyn Write) -> io::Result<()> + Send + Sync;

/// A file's text, to be rendered on demand.
#[derive(Clone)]
pub struct Lazy {
    pub(crate) key: String,
    render: Arc<Render>,
    /// The text, once something asked for it whole (tests, `cargo xtask catalog`).
    text: Arc<OnceLock<String>>,
    /// The SHA-256 of the text, once known: taken as the file is written when another
    /// file lists it ([`Lazy::hashed`]), so that file needs no second rendering.
    sha: Arc<OnceLock<String>>,
    /// Whether another file lists this one's SHA-256.
    pub(crate) hashed: bool,
    /// Whether this file's text lists other files' SHA-256 ([`Lazy::after_others`]).
    pub(crate) last: bool,
}

impl Lazy {
    pub fn new(
        key: String,
        render: impl Fn(&mut dyn Write) -> io::Result<()> + Send + Sync + 'static,
    ) -> Lazy {
        Lazy {
            key,
            render: Arc::new(render),
            text: Arc::new(OnceLock::new()),
            sha: Arc::new(OnceLock::new()),
            hashed: false,
            last: false,
        }
    }

    /// Another file lists this one's SHA-256: `output` hashes the text as it writes it.
    pub fn hashed(mut self) -> Lazy {
        self.hashed = true;
        self
    }

    /// This file lists [hashed](Lazy::hashed) files' SHA-256: `output` writes it after
    /// every other file, when their sums are known.
    pub fn after_others(mut self) -> Lazy {
        self.last = true;
        self
    }

    /// Writes the text to `w`, keeping its SHA-256 if the file is [hashed](Lazy::hashed).
    pub(crate) fn write_to(&self, w: &mut dyn Write) -> io::Result<()> {
        if !self.hashed || self.sha.get().is_some() {
            return self.render_into(w);
        }
        let mut tee = Tee {
            inner: w,
            hasher: Sha256::new(),
        };
        self.render_into(&mut tee)?;
        let _ = self
            .sha
            .set(super::fingerprint::hex(&tee.hasher.finalize()));
        Ok(())
    }

    /// Writes the text to `w`.
    pub fn render_into(&self, w: &mut dyn Write) -> io::Result<()> {
        match self.text.get() {
            Some(t) => w.write_all(t.as_bytes()),
            None => (self.render)(w),
        }
    }

    /// The whole text, rendered once and kept.
    pub fn text(&self) -> &str {
        self.text.get_or_init(|| {
            let mut bytes = Vec::new();
            (self.render)(&mut bytes).expect("rendering into memory cannot fail");
            String::from_utf8(bytes).expect("emitters render UTF-8")
        })
    }

    /// The SHA-256 taken while writing the text, if it was.
    pub(crate) fn written_sha256(&self) -> Option<&str> {
        self.sha.get().map(String::as_str)
    }

    /// Lower-case hex SHA-256 of the text: as taken while writing it, or streamed (never
    /// held whole).
    pub fn sha256(&self) -> String {
        self.sha
            .get_or_init(|| {
                let mut hasher = HashWriter(Sha256::new());
                self.render_into(&mut hasher).expect("hashing cannot fail");
                super::fingerprint::hex(&hasher.0.finalize())
            })
            .clone()
    }
}

impl fmt::Debug for Lazy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Lazy({})", self.key)
    }
}

/// Two lazy files are equal when they render the same text (keys aside: determinism
/// tests compare what would be written).
impl PartialEq for Lazy {
    fn eq(&self, other: &Lazy) -> bool {
        self.key == other.key && self.text() == other.text()
    }
}

impl Eq for Lazy {}

struct HashWriter(Sha256);

impl Write for HashWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.update(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Writes through to `inner`, hashing what passes.
struct Tee<'a> {
    inner: &'a mut dyn Write,
    hasher: Sha256,
}

impl Write for Tee<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// A key: SHA-256 of what a text is made from, serialised (JSON, streamed into the
/// hash), after a label naming the kind of text.
pub fn content_key(label: &str, inputs: &impl Serialize) -> String {
    let mut hasher = HashWriter(Sha256::new());
    hasher.0.update(label.as_bytes());
    hasher.0.update([0]);
    serde_json::to_writer(&mut hasher, inputs).expect("model values serialise");
    super::fingerprint::hex(&hasher.0.finalize())
}
