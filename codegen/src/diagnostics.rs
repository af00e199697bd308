//! Located problems found in specs. The library collects them and renders them
//! ([`render`]); the CLI prints what it renders.

mod render;

use std::fmt;
use std::path::{Path, PathBuf};

pub use render::{render, render_styled};

use crate::yaml::Pos;

/// Every problem the generator can report, with a stable code users can search for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Code {
    /// The file is not valid YAML.
    YamlSyntax,
    /// A mapping key that the format does not define.
    UnknownKey,
    /// A value of the wrong YAML type.
    WrongType,
    /// A key that must be present is missing.
    MissingKey,
    /// The same key twice in one mapping.
    DuplicateKey,
    /// Two actions with one name, in one file or across files.
    DuplicateAction,
    /// An action name that Mistral already uses for a builtin action.
    BuiltinCollision,
    /// An action name Mistral cannot store or call.
    InvalidActionName,
    /// An action name longer than `action_definitions_v2.name` holds.
    ActionNameTooLong,
    /// An explicit `name:` that differs from the name derived from the file path.
    NameMismatch,
    /// An input name that is not an identifier.
    InvalidInputName,
    /// Two inputs with one name.
    DuplicateInput,
    /// An input name that is a Python or YAQL keyword.
    KeywordInputName,
    /// An input both `required: true` and with a `default`.
    RequiredWithDefault,
    /// A default that is not of the input's declared type.
    DefaultTypeMismatch,
    /// A default that is not one of the input's `enum` values.
    DefaultNotInEnum,
    /// A secret input with a default (the default would be published in SQL and docs).
    SecretWithDefault,
    /// NUL or another control character in a spec.
    ControlCharacter,
    /// A spec file that is not UTF-8.
    NotUtf8,
    /// A spec file larger than the configured limit.
    FileTooLarge,
    /// YAML aliases expanding past the node budget.
    AliasBomb,
    /// A value outside what the field accepts (an unknown input type, an empty string…).
    InvalidValue,
    /// An implementation that refers to inputs or code that do not exist.
    InvalidImplementation,
    /// A `custom` implementation naming a runtime function that does not exist (or takes
    /// other parameters than the action's inputs).
    UnknownCustomFunction,
    /// A file that cannot be read.
    Io,
    /// A workflow task's `action` names no spec'd action and no Mistral builtin.
    UnknownAction,
    /// A workflow task's `workflow` names no workflow in the specs.
    UnknownWorkflow,
    /// A task passes a parameter the action or workflow does not take.
    UnknownParameter,
    /// A task leaves out a required parameter.
    MissingParameter,
    /// A literal passed to a typed input is not of its type (or not among its `enum`).
    ParameterTypeMismatch,
    /// A transition or `requires` names no task and no engine command.
    UnknownTransitionTarget,
    /// A task of a direct workflow no start task leads to (or no start task at all).
    UnreachableTask,
    /// Tasks of a reverse workflow requiring each other in a cycle.
    RequiresCycle,
    /// An expression opened and not closed (`<% … %>`, `{{ … }}`), or closed and not opened.
    UnbalancedExpression,
    /// `$.name` or `_.name` where no input, var or publish declares `name` (warning).
    UndeclaredVariable,
    /// A deprecated action used by a workflow (warning).
    DeprecatedAction,
    /// Two workflows with one name.
    DuplicateWorkflow,
    /// A workflow Mistral would refuse: bad task name, both `action` and `workflow`, …
    InvalidWorkflow,
    /// An inline parameter Mistral's parser silently drops (`force=True`) (warning).
    IgnoredInlineParameter,
    /// A schedule's pattern Mistral 23's croniter refuses.
    InvalidCronPattern,
    /// A schedule's pattern that can never fire (`0 0 31 2 *`): Mistral answers 500.
    CronNeverFires,
    /// A schedule's pattern longer than `cron_triggers_v2.pattern` holds (100).
    CronPatternTooLong,
    /// A schedule naming a workflow the specs do not define.
    ScheduleUnknownWorkflow,
    /// A schedule naming an environment the specs do not define.
    ScheduleUnknownEnvironment,
    /// A schedule input the workflow does not take.
    ScheduleUnknownInput,
    /// A required workflow input a schedule leaves out.
    ScheduleMissingInput,
    /// A schedule input literal of the wrong type for the typed action input the workflow
    /// hands it to.
    ScheduleInputTypeMismatch,
    /// Two schedules, or two environments, with one name.
    DuplicateDeploymentName,
    /// Two schedules Mistral's unique key on cron triggers would refuse together.
    ScheduleCollision,
    /// A schedule or environment name Mistral cannot store or tell from an id.
    InvalidDeploymentName,
    /// A `first_execution_time` that is not `YYYY-MM-DD HH:MM` (UTC) or no such time.
    InvalidFirstExecutionTime,
    /// An environment variable's `from_env` / `from_file` reference that is malformed.
    InvalidVariableReference,
}

impl Code {
    /// The code as printed: `MA` and a number that never changes meaning.
    pub fn as_str(self) -> &'static str {
        match self {
            Code::YamlSyntax => "MA001",
            Code::UnknownKey => "MA002",
            Code::WrongType => "MA003",
            Code::MissingKey => "MA004",
            Code::DuplicateKey => "MA005",
            Code::DuplicateAction => "MA010",
            Code::BuiltinCollision => "MA011",
            Code::InvalidActionName => "MA012",
            Code::ActionNameTooLong => "MA013",
            Code::NameMismatch => "MA014",
            Code::InvalidInputName => "MA020",
            Code::DuplicateInput => "MA021",
            Code::KeywordInputName => "MA022",
            Code::RequiredWithDefault => "MA023",
            Code::DefaultTypeMismatch => "MA024",
            Code::DefaultNotInEnum => "MA025",
            Code::SecretWithDefault => "MA026",
            Code::ControlCharacter => "MA030",
            Code::NotUtf8 => "MA031",
            Code::FileTooLarge => "MA032",
            Code::AliasBomb => "MA033",
            Code::InvalidValue => "MA040",
            Code::InvalidImplementation => "MA041",
            Code::UnknownCustomFunction => "MA042",
            Code::Io => "MA090",
            Code::UnknownAction => "MA100",
            Code::UnknownWorkflow => "MA101",
            Code::UnknownParameter => "MA102",
            Code::MissingParameter => "MA103",
            Code::ParameterTypeMismatch => "MA104",
            Code::UnknownTransitionTarget => "MA105",
            Code::UnreachableTask => "MA106",
            Code::RequiresCycle => "MA107",
            Code::UnbalancedExpression => "MA108",
            Code::UndeclaredVariable => "MA109",
            Code::DeprecatedAction => "MA110",
            Code::DuplicateWorkflow => "MA111",
            Code::InvalidWorkflow => "MA112",
            Code::IgnoredInlineParameter => "MA113",
            Code::InvalidCronPattern => "MA200",
            Code::CronNeverFires => "MA201",
            Code::CronPatternTooLong => "MA202",
            Code::ScheduleUnknownWorkflow => "MA203",
            Code::ScheduleUnknownEnvironment => "MA204",
            Code::ScheduleUnknownInput => "MA205",
            Code::ScheduleMissingInput => "MA206",
            Code::ScheduleInputTypeMismatch => "MA207",
            Code::DuplicateDeploymentName => "MA208",
            Code::ScheduleCollision => "MA209",
            Code::InvalidDeploymentName => "MA210",
            Code::InvalidFirstExecutionTime => "MA211",
            Code::InvalidVariableReference => "MA212",
        }
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

/// One problem: where, what, and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub code: Code,
    /// Path relative to the project root, with `/` separators.
    pub file: PathBuf,
    pub pos: Pos,
    pub message: String,
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn error(code: Code, file: impl AsRef<Path>, pos: Pos, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            code,
            file: file.as_ref().to_path_buf(),
            pos,
            message: message.into(),
            help: None,
        }
    }

    pub fn warning(
        code: Code,
        file: impl AsRef<Path>,
        pos: Pos,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, file, pos, message)
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

impl fmt::Display for Diagnostic {
    /// The one-line form: `file:line:col: error[MA010]: message`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(
            f,
            "{}:{}:{}: {level}[{}]: {}",
            self.file.display(),
            self.pos.line,
            self.pos.col,
            self.code,
            self.message
        )?;
        if let Some(help) = &self.help {
            write!(f, " (help: {help})")?;
        }
        Ok(())
    }
}

/// All problems of one run, in file and position order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    pub fn push(&mut self, d: Diagnostic) {
        self.0.push(d);
    }

    pub fn has_errors(&self) -> bool {
        self.0.iter().any(|d| d.severity == Severity::Error)
    }

    /// `--strict`: every warning becomes an error.
    pub fn strict(mut self) -> Self {
        for d in &mut self.0 {
            d.severity = Severity::Error;
        }
        self
    }

    pub fn sorted(mut self) -> Self {
        self.0.sort_by(|a, b| {
            (&a.file, a.pos.line, a.pos.col, a.code).cmp(&(&b.file, b.pos.line, b.pos.col, b.code))
        });
        self.0.dedup();
        self
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in &self.0 {
            writeln!(f, "{d}")?;
        }
        Ok(())
    }
}
