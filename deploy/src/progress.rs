//! Progress of a long apply on a terminal: one line on stderr, rewritten in place
//! (`[12/130] create workflow flow`). Nothing when stderr is not a terminal: the report
//! lines on stdout say what was done.

use std::io::{IsTerminal, Write};

pub struct Progress {
    tty: bool,
    total: usize,
}

impl Progress {
    /// On stderr, when it is a terminal.
    pub fn stderr(total: usize) -> Progress {
        Progress {
            tty: std::io::stderr().is_terminal(),
            total,
        }
    }

    /// Step `index` (from 1) is under way.
    pub fn show(&self, index: usize, what: &str) {
        if self.tty {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r\x1b[K[{index}/{}] {what}…", self.total);
            let _ = err.flush();
        }
    }

    /// Clears the line (before anything else is printed).
    pub fn clear(&self) {
        if self.tty {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r\x1b[K");
            let _ = err.flush();
        }
    }
}
