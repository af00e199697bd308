//! Any text a spec may hold (Unicode, quotes, backslashes, `$$`, `%`, `;`, newlines…)
//! survives the generated SQL byte for byte on both engines: property tests against the
//! real servers.

mod sql_db;

use codegen::emit::sql::{self, script, Step, Target};
use codegen::model::{
    Action, Dialect, Implementation, Input, InputType, Microversion, Origin, Output, Project,
    SchemaGeneration,
};
use proptest::prelude::*;
use serde_json::Value;
use sql_db::Db;

/// Fragments that break naive quoting, mixed with arbitrary non-NUL characters (the spec
/// reader refuses control characters other than tab and newlines; we try them anyway).
fn text() -> impl Strategy<Value = String> {
    let fragment = prop_oneof![
        Just("'".to_string()),
        Just("''".to_string()),
        Just("\\".to_string()),
        Just("\\'".to_string()),
        Just("$$".to_string()),
        Just("$ma$".to_string()),
        Just("%".to_string()),
        Just("%s %%".to_string()),
        Just(";".to_string()),
        Just("\n".to_string()),
        Just("\r\n".to_string()),
        Just("\t".to_string()),
        Just("-- ".to_string()),
        Just("/*".to_string()),
        Just("\"".to_string()),
        Just(":var".to_string()),
        Just("<% $.x %>".to_string()),
        Just("😀".to_string()),
        Just("\u{2028}\u{feff}\u{ffff}\u{85}".to_string()),
        Just("  ".to_string()),
        any::<char>()
            .prop_filter("no NUL", |c| *c != '\0')
            .prop_map(String::from),
    ];
    proptest::collection::vec(fragment, 0..12).prop_map(|v| v.concat())
}

fn action(description: &str, default: &str) -> Action {
    Action {
        name: "int32bit.escaping.probe".into(),
        origin: Origin {
            file: "specs/actions/escaping.yaml".into(),
            line: 1,
        },
        description: format!("{description}x"),
        inputs: vec![
            Input {
                name: "plain".into(),
                ty: InputType::String,
                default: None,
                enum_values: None,
                secret: false,
                description: String::new(),
            },
            Input {
                name: "tricky".into(),
                ty: InputType::String,
                default: Some(Value::String(default.to_string())),
                enum_values: None,
                secret: false,
                description: String::new(),
            },
        ],
        output: Output {
            ty: InputType::Any,
            description: String::new(),
        },
        tags: vec![],
        deprecated: None,
        implementation: Implementation::GetField(codegen::kinds::get_field::GetField {
            service: "compute".into(),
            path: "/x".into(),
            field: "y".into(),
        }),
        microversions: vec![Microversion {
            service: "compute".into(),
            version: "2.1".into(),
        }],
        examples: vec![],
    }
}

fn round_trips(dialect: Dialect) {
    let generation = SchemaGeneration::VictoriaTo2026;
    let db = Db::new(&dialect, &generation, "escaping");
    let target = Target {
        dialect: dialect.clone(),
        generation,
    };
    let project = Project::default();
    let config = ProptestConfig {
        cases: 48,
        failure_persistence: None,
        ..ProptestConfig::default()
    };
    // The classic breakers first, every run; then random mixtures.
    for tricky in [
        "\r\n",
        "a\rb\r",
        "it's",
        "\\",
        "\\'",
        "$$",
        "$ma$;",
        "%%",
        "😀",
        "\u{2028}\u{85}\u{ffff}",
        "trailing  ",
    ] {
        let row = codegen::registration::registration(&project, &action(tricky, tricky)).unwrap();
        let steps = [Step::Upsert(vec![&row])];
        db.apply(&script::render(&target, &[], &steps)).unwrap();
        let rows = db.snapshot();
        for (column, value) in row.texts() {
            assert_eq!(
                rows[0][column].as_deref(),
                value,
                "{dialect:?} {tricky:?}: column {column}"
            );
        }
        db.apply(&sql::clear(&target)).unwrap();
    }
    proptest!(config, |(description in text(), default in text())| {
        let row = codegen::registration::registration(&project, &action(&description, &default)).unwrap();
        let steps = [Step::Guard { names: vec![&row.name], takeover: false }, Step::Upsert(vec![&row])];
        let script = script::render(&target, &["escaping probe".to_string()], &steps);
        db.apply(&script).map_err(|e| TestCaseError::fail(format!("apply: {e}")))?;
        let rows = db.snapshot();
        prop_assert_eq!(rows.len(), 1);
        for (column, value) in row.texts() {
            prop_assert_eq!(rows[0][column].as_deref(), value, "column {}", column);
        }
        // And what went in is what the specs said.
        prop_assert!(rows[0]["description"].as_deref().unwrap().starts_with(description.trim_end()));
        let spec: Value = serde_json::from_str(rows[0]["spec"].as_deref().unwrap()).unwrap();
        prop_assert_eq!(&spec["input"][1]["tricky"], &Value::String(default.clone()));
        db.apply(&sql::unregister(&target, std::slice::from_ref(&row.name))).map_err(TestCaseError::fail)?;
    });
}

#[test]
fn any_text_round_trips_through_postgresql() {
    round_trips(Dialect::Postgresql);
}

#[test]
fn any_text_round_trips_through_mariadb() {
    round_trips(Dialect::Mysql);
}

#[test]
fn nul_is_refused_at_generate_time() {
    let err =
        codegen::registration::registration(&Project::default(), &action("a\0b", "c")).unwrap_err();
    assert!(err.to_string().contains("NUL"), "{err}");
}
