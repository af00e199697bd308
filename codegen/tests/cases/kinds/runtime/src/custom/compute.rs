//! The custom functions of the case's specs: only their names and arity are checked.

pub async fn rebuild(
    ctx: &Context,
    server_id: Uuid,
    admin_pass: Secret<String>,
    mode: &str,
) -> Result<Value, ActionError> {
    todo!()
}

pub async fn configure(
    ctx: &Context,
    label: String,
    count: i64,
    ratio: f64,
    enabled: bool,
    options: Map<String, Value>,
    tags: Vec<Value>,
    image_id: Uuid,
    extra: Value,
    note: Option<String>,
    level: i64,
) -> Result<Value, ActionError> {
    todo!()
}
