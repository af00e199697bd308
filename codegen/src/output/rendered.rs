//! Files whose text `output` renders only when it needs it: an emitter hands over the
//! file's inputs ([`super::inputs`]) and a plain function that writes the text from them
//! (it receives the inputs and nothing else, so it cannot read more than was declared).
//!
//! `output` renders such a file when it must write or compare it, one file at a time per
//! core, streaming into the file, so hundreds of MB of generated text are never held at
//! once; a warm run skips files whose key (the inputs' digest) and on-disk state match
//! what an earlier run recorded ([`super::render_cache`]).

use std::fmt;
use std::io::{self, Write};
use std::sync::{Arc, OnceLock};

use serde::{Serialize, Serializer};
use sha2::{Digest as _, Sha256};

use super::fingerprint::hex;
use super::inputs::{HashWriter, Keys};

/// Writes a file's text from its inputs.
pub type Render<I> = fn(&I, &mut dyn Write) -> io::Result<()>;

/// Inputs bound to their renderer, their type erased.
trait Source: Send + Sync {
    fn render(&self, w: &mut dyn Write) -> io::Result<()>;
    /// The inputs serialised into `w` (with whatever key memo is in force).
    fn serialize_inputs(&self, w: &mut dyn Write);
}

struct Bound<I> {
    inputs: I,
    render: Render<I>,
}

impl<I: Serialize + Send + Sync> Source for Bound<I> {
    fn render(&self, w: &mut dyn Write) -> io::Result<()> {
        (self.render)(&self.inputs, w)
    }
    fn serialize_inputs(&self, w: &mut dyn Write) {
        serde_json::to_writer(w, &self.inputs).expect("inputs serialise");
    }
}

/// A file's text, to be rendered on demand.
#[derive(Clone)]
pub(crate) struct Rendered {
    source: Arc<dyn Source>,
    /// The text, once something asked for it whole (tests, `cargo xtask catalog`).
    text: Arc<OnceLock<String>>,
    /// The SHA-256 of the text, once known: taken as the file is written when another
    /// file lists it ([`Rendered::hashed`]), so that file needs no second rendering.
    sha: Arc<OnceLock<String>>,
    /// Whether another file lists this one's SHA-256.
    pub(crate) hashed: bool,
    /// Whether this file's text lists other files' SHA-256 (written after every other).
    pub(crate) last: bool,
}

impl Rendered {
    pub(crate) fn new<I: Serialize + Send + Sync + 'static>(
        inputs: I,
        render: Render<I>,
    ) -> Rendered {
        Rendered {
            source: Arc::new(Bound { inputs, render }),
            text: Arc::new(OnceLock::new()),
            sha: Arc::new(OnceLock::new()),
            hashed: false,
            last: false,
        }
    }

    /// The render cache's key: SHA-256 of the inputs, each shared part hashed once per
    /// `keys`.
    pub(crate) fn key(&self, keys: &Arc<Keys>) -> String {
        keys.with(|| self.inputs_digest())
    }

    fn inputs_digest(&self) -> String {
        let mut hasher = HashWriter(Sha256::new());
        self.source.serialize_inputs(&mut hasher);
        hex(&hasher.0.finalize())
    }

    /// Writes the text to `w`, keeping its SHA-256 if the file is [hashed](Rendered::hashed).
    pub(crate) fn write_to(&self, w: &mut dyn Write) -> io::Result<()> {
        if !self.hashed || self.sha.get().is_some() {
            return self.render_into(w);
        }
        let mut tee = Tee {
            inner: w,
            hasher: Sha256::new(),
        };
        self.render_into(&mut tee)?;
        let _ = self.sha.set(hex(&tee.hasher.finalize()));
        Ok(())
    }

    /// Writes the text to `w`.
    pub(crate) fn render_into(&self, w: &mut dyn Write) -> io::Result<()> {
        match self.text.get() {
            Some(t) => w.write_all(t.as_bytes()),
            None => self.source.render(w),
        }
    }

    /// The whole text, rendered once and kept.
    pub(crate) fn text(&self) -> &str {
        self.text.get_or_init(|| {
            let mut bytes = Vec::new();
            self.source
                .render(&mut bytes)
                .expect("rendering into memory cannot fail");
            String::from_utf8(bytes).expect("emitters render UTF-8")
        })
    }

    /// The SHA-256 taken while writing the text, if it was.
    pub(crate) fn written_sha256(&self) -> Option<&str> {
        self.sha.get().map(String::as_str)
    }

    /// Lower-case hex SHA-256 of the text: as taken while writing it, or streamed (never
    /// held whole).
    pub(crate) fn sha256(&self) -> String {
        self.sha
            .get_or_init(|| {
                let mut hasher = HashWriter(Sha256::new());
                self.render_into(&mut hasher).expect("hashing cannot fail");
                hex(&hasher.0.finalize())
            })
            .clone()
    }
}

impl fmt::Debug for Rendered {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Rendered")
    }
}

/// Two rendered files are equal when they render the same text (determinism tests
/// compare what would be written).
impl PartialEq for Rendered {
    fn eq(&self, other: &Rendered) -> bool {
        self.text() == other.text()
    }
}

impl Eq for Rendered {}

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

/// The SHA-256 of another file of the set, for the inputs of a file that lists it
/// ([`super::FileSet::sha256_of`]). As an input it counts as what the file is made of
/// (its sum when known, else its inputs' digest), so listing it costs no rendering.
#[derive(Clone, Debug)]
pub struct Sha256Of(pub(crate) SumOf);

#[derive(Clone, Debug)]
pub(crate) enum SumOf {
    Known(String),
    File(Rendered),
}

impl Sha256Of {
    /// Lower-case hex SHA-256 of the file's bytes: as declared or taken while it was
    /// written, else rendered into the hash.
    pub fn get(&self) -> String {
        match &self.0 {
            SumOf::Known(sum) => sum.clone(),
            SumOf::File(file) => file.sha256(),
        }
    }
}

impl Serialize for Sha256Of {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match &self.0 {
            SumOf::Known(sum) => s.serialize_str(&format!("sha256:{sum}")),
            SumOf::File(file) => s.serialize_str(&format!("inputs:{}", file.inputs_digest())),
        }
    }
}
