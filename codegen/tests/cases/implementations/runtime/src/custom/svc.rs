use crate::{ActionError, Context, Uuid};

pub async fn act(ctx: &Context, thing_id: Uuid, mode: &str) -> Result<serde_json::Value, ActionError> {
    todo!()
}

pub async fn short(ctx: &Context) -> Result<serde_json::Value, ActionError> {
    todo!()
}

fn private(ctx: &Context, a: Uuid, b: &str) {}
