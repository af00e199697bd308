//! `ACTIONS`, the table of every action the server looks names up in, and `find`.

use syn::Item;

use super::attrs::doc;
use super::syntax::{
    self, array, call_path, generic_of, ident, item_fn, path, reference, signature, string,
    struct_expr, tail, ty, ty_ref, ty_slice, var,
};
use super::{action, names};
use crate::model::Action;
use crate::output::Picked;

/// The items of the table of `modules`' actions, in order.
pub fn items(modules: &[(String, Picked<Action>)]) -> [Item; 2] {
    let rows = modules.iter().flat_map(|(module, actions)| {
        let module = format!("crate::{}::", names::ident(module));
        actions.iter().map(move |a| {
            let services = a.services().into_iter().map(string);
            let handler = module.clone() + &action::handler(a);
            struct_expr(
                path("rt::ActionDef"),
                [
                    ("name", string(&a.name)),
                    ("summary", string(a.summary())),
                    ("input", string(&a.signature())),
                    ("services", reference(array(services))),
                    ("handler", var(&handler)),
                ],
            )
        })
    });
    let actions = Item::Static(syn::ItemStatic {
        attrs: doc("Every action the specs define, sorted by name.").collect(),
        vis: syntax::visibility(true),
        static_token: Default::default(),
        mutability: syn::StaticMutability::None,
        ident: ident("ACTIONS"),
        colon_token: Default::default(),
        ty: Box::new(ty_ref(None, ty_slice(ty("rt::ActionDef")))),
        eq_token: Default::default(),
        expr: Box::new(reference(array(rows))),
        semi_token: Default::default(),
    });
    let found = generic_of("Option", [ty_ref(Some("'static"), ty("rt::ActionDef"))]);
    let sig = signature(
        ident("find"),
        [syntax::arg("name", ty_ref(None, ty("str")))],
        Some(found),
    );
    let body = call_path("rt::registry::find", [var("ACTIONS"), var("name")]);
    let find = Item::Fn(item_fn(
        doc("The action called `name`.").collect(),
        true,
        sig,
        vec![tail(body)],
    ));
    [actions, find]
}
