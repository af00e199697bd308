//! The JSON format: one object per line, flat, for log shippers (Fluent Bit, Vector,
//! Promtail) to take as it is:
//!
//! `{"timestamp":"2026-…Z","level":"INFO","target":"mistral_actions_server::app",
//!   "request_id":"req-7","method":"POST","path":"/v1/actions/…","action":"int32bit.…",
//!   "status":200,"duration_ms":12.5,"message":"done"}`
//!
//! The fields of the spans an event is in (the request's: `request_id`, `method`, `path`,
//! `action`) come first, then the event's own. Flat rather than tracing-subscriber's
//! nested `span`/`fields` objects, so a shipper needs no remapping to filter by request
//! or action. serde_json escapes every control character, so a value cannot break a line.

use std::io::Write;

use mistral_actions_runtime::clock::Utc;
use serde_json::{Map, Value};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Subscriber};
use tracing_subscriber::layer::Context;
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::Layer;

/// Writes each event to stderr as one JSON object and a newline.
pub struct JsonLines;

/// A span's fields, kept in its extensions.
struct SpanFields(Map<String, Value>);

struct Collect<'a>(&'a mut Map<String, Value>);

impl Visit for Collect<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().into(), Value::from(value));
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.0.insert(field.name().into(), Value::from(value));
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        self.0.insert(field.name().into(), Value::from(value));
    }

    fn record_f64(&mut self, field: &Field, value: f64) {
        self.0.insert(field.name().into(), Value::from(value));
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        self.0.insert(field.name().into(), Value::from(value));
    }

    /// `%value` (Display) and `?value` (Debug) fields, and `message`.
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0
            .insert(field.name().into(), Value::from(format!("{value:?}")));
    }
}

impl<S> Layer<S> for JsonLines
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(id) else { return };
        let mut fields = Map::new();
        attrs.record(&mut Collect(&mut fields));
        span.extensions_mut().insert(SpanFields(fields));
    }

    /// A field recorded later (the request's `action`).
    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(id) else { return };
        let mut ext = span.extensions_mut();
        if let Some(SpanFields(fields)) = ext.get_mut::<SpanFields>() {
            values.record(&mut Collect(fields));
        }
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        let meta = event.metadata();
        let mut line = Map::new();
        line.insert("timestamp".into(), Value::from(Utc::now().rfc3339()));
        line.insert("level".into(), Value::from(meta.level().as_str()));
        line.insert("target".into(), Value::from(meta.target()));
        if let Some(scope) = ctx.event_scope(event) {
            for span in scope.from_root() {
                if let Some(SpanFields(fields)) = span.extensions().get::<SpanFields>() {
                    line.extend(fields.iter().map(|(k, v)| (k.clone(), v.clone())));
                }
            }
        }
        let mut own = Map::new();
        event.record(&mut Collect(&mut own));
        // The message last, where a reader's eye ends; an event without one gets "".
        let message = own.remove("message").unwrap_or_else(|| Value::from(""));
        line.extend(own);
        line.insert("message".into(), message);
        let mut text = Value::Object(line).to_string();
        text.push('\n');
        let _ = std::io::stderr().lock().write_all(text.as_bytes());
    }
}
