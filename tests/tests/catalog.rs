//! The Action Catalog as a reader sees it: parsed with pulldown-cmark.

use std::collections::BTreeSet;
use std::path::Path;

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

fn catalog() -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let (_, _, files) = codegen::generate(root).unwrap();
    files.get(codegen::emit::catalog::PATH).unwrap().to_string()
}

fn events(text: &str) -> Vec<Event<'_>> {
    Parser::new_ext(text, Options::ENABLE_TABLES).collect()
}

/// `id="…"` attributes of inline or block HTML.
fn html_ids(events: &[Event]) -> BTreeSet<String> {
    let mut ids = BTreeSet::new();
    for e in events {
        if let Event::Html(html) | Event::InlineHtml(html) = e {
            let mut rest: &str = html;
            while let Some(i) = rest.find("id=\"") {
                rest = &rest[i + 4..];
                let end = rest.find('"').expect("closed attribute");
                ids.insert(rest[..end].to_string());
                rest = &rest[end..];
            }
        }
    }
    ids
}

#[test]
fn every_link_target_exists() {
    let text = catalog();
    let events = events(&text);
    let ids = html_ids(&events);
    let mut links = 0;
    for e in &events {
        if let Event::Start(Tag::Link { dest_url, .. }) = e {
            let Some(anchor) = dest_url.strip_prefix('#') else {
                continue;
            };
            links += 1;
            assert!(ids.contains(anchor), "link to #{anchor} has no target");
        }
    }
    assert!(links >= 14, "the index links every action ({links} links)");
}

#[test]
fn every_table_is_well_formed() {
    let text = catalog();
    let mut tables = 0;
    let mut header_cells = 0;
    let mut row_cells = 0;
    let mut in_head = false;
    for e in events(&text) {
        match e {
            Event::Start(Tag::Table(_)) => tables += 1,
            Event::Start(Tag::TableHead) => {
                in_head = true;
                header_cells = 0;
            }
            Event::End(TagEnd::TableHead) => in_head = false,
            Event::Start(Tag::TableRow) => row_cells = 0,
            Event::Start(Tag::TableCell) if in_head => header_cells += 1,
            Event::Start(Tag::TableCell) => row_cells += 1,
            Event::End(TagEnd::TableRow) => {
                assert_eq!(
                    row_cells, header_cells,
                    "a table row has the wrong number of cells"
                )
            }
            _ => {}
        }
    }
    assert!(
        tables >= 2,
        "the index and input tables are tables ({tables})"
    );
    // The parser pads short rows and drops extra cells; count the raw pipes too.
    let mut expected_pipes = None;
    for line in text.lines() {
        if !line.starts_with('|') {
            expected_pipes = None;
            continue;
        }
        let pipes = line.replace("\\|", "").matches('|').count();
        match expected_pipes {
            None => expected_pipes = Some(pipes),
            Some(n) => assert_eq!(pipes, n, "ragged table line: {line}"),
        }
    }
}

#[test]
fn index_lists_the_seed_actions_with_seed_signatures() {
    let text = catalog();
    // Names and input strings as the original tool's README and catalog print them.
    let seed = [
        ("int32bit.cinder.backups.assert_status", r#"backup_id, status="available""#),
        (
            "int32bit.cinder.backups.create",
            "volume_id, backup_name, snapshot_id=null, description=null, container=null, incremental=true, force=true",
        ),
        ("int32bit.cinder.backups.create_backup", "volume_id"),
        ("int32bit.cinder.snapshots.assert_status", r#"snapshot_id, status="available""#),
        ("int32bit.cinder.snapshots.create_snapshot", "volume_id"),
        ("int32bit.cinder.volumes.assert_status", r#"volume_id, status="available""#),
        ("int32bit.glance.images.assert_status", r#"image_id, status="active""#),
        (
            "int32bit.glance.images.filter_by",
            "container_format=null, disk_format=null, id=null, name=null, status=null",
        ),
        ("int32bit.nova.servers.assert_power_status", r#"server_id, status="running""#),
        ("int32bit.nova.servers.assert_status", r#"server_id, status="ACTIVE""#),
        ("int32bit.nova.servers.get_status", "server_id"),
        ("int32bit.system.exec", "cmd"),
        ("int32bit.trove.backups.assert_status", r#"backup_id, status="COMPLETED""#),
        ("int32bit.trove.backups.create_backup", "instance_id"),
    ];
    for (name, signature) in seed {
        let row = format!("| [`{name}`](#action-{name}) |");
        let line = text
            .lines()
            .find(|l| l.starts_with(&row))
            .unwrap_or_else(|| panic!("{name} is not in the index"));
        assert!(
            line.ends_with(&format!("| `{signature}` |")),
            "{name}: {line}"
        );
    }
}

#[test]
fn the_open_input_choice_is_recorded() {
    let text = catalog();
    assert!(
        text.contains("**kwargs"),
        "the catalog records the open-input choice"
    );
}
