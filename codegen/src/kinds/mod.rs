//! Implementation kinds: what the action server does for an action. Each kind is one
//! module here, holding one part per stage of the pipeline:
//!
//! - its fields, the model (`implementation:` in the spec, validated);
//! - `read`: reading them from the spec and checking them, as the rest of `spec` does
//!   (every problem located, all reported);
//! - `line`: its line in the catalog;
//! - `call`: the expression the generated handler awaits, built with the Rust emitter's
//!   syntax helpers ([`crate::emit::rust`]).
//!
//! The runtime gives each kind its behaviour (`runtime/src/helpers.rs`). [`kinds!`] lists
//! them: a new kind is a module, a line there, and its function in the runtime.

use serde::Serialize;
use syn::Expr;

use crate::emit::rust::action::Inputs;
use crate::model::Input;
use crate::spec::reader::{Ctx, Fields};

pub(crate) mod checks;

/// What every kind provides besides its fields and `read`.
pub(crate) trait Kind {
    /// The catalog service type a declarative kind calls (`None` for `custom`, whose
    /// services are listed as [`Kind::more_services`] and its microversions).
    fn service(&self) -> Option<&str>;
    /// Services it calls besides [`Kind::service`] and its microversions.
    fn more_services(&self) -> &[String] {
        &[]
    }
    /// Its line in the catalog (markdown).
    fn line(&self) -> String;
    /// The expression the generated handler awaits: its runtime function called with the
    /// spec's constants and the inputs (`ctx` is the call's context).
    fn call(&self, inputs: &Inputs) -> Expr;
}

macro_rules! kinds {
    ($($variant:ident($module:ident)),* $(,)?) => {
        $(pub mod $module;)*

        /// An action's implementation, one variant per kind.
        #[derive(Debug, Clone, PartialEq, Serialize)]
        #[serde(tag = "kind", rename_all = "snake_case")]
        pub enum Implementation {
            $($variant($module::$variant),)*
        }

        impl Implementation {
            /// The `kind:` words, as the spec writes them.
            pub const WORDS: &'static [&'static str] = &[$($module::WORD,)*];

            /// Its `kind:` word.
            pub fn word(&self) -> &'static str {
                match self {
                    $(Implementation::$variant(_) => $module::WORD,)*
                }
            }

            /// The keys the kind `word` reads under `implementation:`, besides `kind`
            /// and `microversions`.
            pub(crate) fn keys(word: &str) -> &'static [&'static str] {
                $(if word == $module::WORD {
                    return $module::KEYS;
                })*
                &[]
            }

            /// Reads the fields of the kind `word` (`kind` and `microversions` already
            /// taken from `f`; the caller reports the keys left); `None` when `word` is
            /// no kind.
            pub(crate) fn read(
                word: &str,
                ctx: &mut Ctx,
                f: &mut Fields,
                inputs: &[Input],
            ) -> Option<Option<Implementation>> {
                $(if word == $module::WORD {
                    return Some($module::read(ctx, f, inputs).map(Implementation::$variant));
                })*
                None
            }

            pub(crate) fn kind(&self) -> &dyn Kind {
                match self {
                    $(Implementation::$variant(k) => k,)*
                }
            }
        }
    };
}

kinds! {
    GetField(get_field),
    AssertField(assert_field),
    ListFilter(list_filter),
    Custom(custom),
    Request(request),
}

impl Implementation {
    /// See [`Kind::service`].
    pub fn service(&self) -> Option<&str> {
        self.kind().service()
    }

    /// See [`Kind::more_services`].
    pub fn more_services(&self) -> &[String] {
        self.kind().more_services()
    }

    /// See [`Kind::line`].
    pub fn line(&self) -> String {
        self.kind().line()
    }

    /// See [`Kind::call`].
    pub(crate) fn call(&self, inputs: &Inputs) -> Expr {
        self.kind().call(inputs)
    }
}
