//! The parts of an action's items that are the same for every action, but for a name: the
//! handler's signature and the `Box::pin(async move { … })` around its body, an enum's
//! `as_str` and `Display` impls. Each is built for the first action that needs it, filled
//! in for it, and taken back once its items are printed, to be filled in for the next:
//! building and dropping them for every action was 7% of the cost of printing the modules.

use syn::{Attribute, Expr, GenericArgument, ImplItem, Item, ItemFn, ItemImpl, Stmt, Type};

use super::syntax::{
    arg, arm, async_move, block, call_path, generic, generic_of, ident, item_fn, lifetime,
    match_expr, method, path, path_of, receiver, signature, string, tail, ty, ty_ref, ty_ref_mut,
    var, visibility,
};

/// Shells taken back from printed items, ready to be filled in.
#[derive(Default)]
pub struct Shells {
    handlers: Vec<ItemFn>,
    as_strs: Vec<ItemImpl>,
    displays: Vec<ItemImpl>,
}

impl Shells {
    /// `pub fn name(ctx: &rt::Context, input: serde_json::Value) -> rt::BoxFuture<'_, …>`
    /// running `stmts` in an `async move` block.
    pub fn handler(&mut self, attrs: Vec<Attribute>, name: &str, stmts: Vec<Stmt>) -> Item {
        let mut f = self.handlers.pop().unwrap_or_else(handler);
        f.attrs = attrs;
        f.sig.ident = ident(name);
        let [Stmt::Expr(Expr::Call(pin), None)] = &mut f.block.stmts[..] else {
            unreachable!("a handler's body is `Box::pin(…)`")
        };
        let Some(Expr::Async(body)) = pin.args.first_mut() else {
            unreachable!("a handler pins an async block")
        };
        body.block.stmts = stmts;
        Item::Fn(f)
    }

    /// `impl enum_ty { pub fn as_str(self) -> &'static str { match self { … } } }`, the
    /// arms mapping each variant to its `value`.
    pub fn as_str<'a>(
        &mut self,
        enum_ty: &str,
        variants: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Item {
        let mut i = self.as_strs.pop().unwrap_or_else(as_str);
        set_self_ty(&mut i, enum_ty);
        let [ImplItem::Fn(f)] = &mut i.items[..] else {
            unreachable!("`as_str` is the impl's one item")
        };
        let [Stmt::Expr(Expr::Match(m), None)] = &mut f.block.stmts[..] else {
            unreachable!("`as_str` is a match")
        };
        let arms = variants.into_iter().map(|(value, variant)| {
            let pat = syn::Pat::Path(syn::ExprPath {
                attrs: vec![],
                qself: None,
                path: path_of(["Self", variant]),
            });
            arm(pat, string(value))
        });
        m.arms = arms.collect();
        Item::Impl(i)
    }

    /// `impl std::fmt::Display for enum_ty`, writing `as_str`.
    pub fn display(&mut self, enum_ty: &str) -> Item {
        let mut i = self.displays.pop().unwrap_or_else(display);
        set_self_ty(&mut i, enum_ty);
        Item::Impl(i)
    }

    /// Takes the shells back from printed `items` (of [`super::action::items`]: its public
    /// functions are handlers, its trait impls `Display`, its other impls `as_str`).
    pub fn take_back(&mut self, items: Vec<Item>) {
        for item in items {
            match item {
                Item::Fn(f) if matches!(f.vis, syn::Visibility::Public(_)) => self.handlers.push(f),
                Item::Impl(i) if i.trait_.is_some() => self.displays.push(i),
                Item::Impl(i) => self.as_strs.push(i),
                _ => {}
            }
        }
    }
}

fn set_self_ty(i: &mut ItemImpl, name: &str) {
    let Type::Path(self_ty) = &mut *i.self_ty else {
        unreachable!("the shells' impls are for a named type")
    };
    self_ty.path.segments[0].ident = ident(name);
}

fn handler() -> ItemFn {
    let result = generic_of("Result", [ty("serde_json::Value"), ty("rt::ActionError")]);
    let output = generic(
        "rt::BoxFuture",
        [
            GenericArgument::Lifetime(lifetime("'_")),
            GenericArgument::Type(result),
        ],
    );
    let sig = signature(
        ident("handler"),
        [
            arg("ctx", ty_ref(None, ty("rt::Context"))),
            arg("input", ty("serde_json::Value")),
        ],
        Some(output),
    );
    let body = call_path("Box::pin", [async_move(vec![])]);
    item_fn(vec![], true, sig, vec![tail(body)])
}

fn as_str() -> ItemImpl {
    let sig = signature(
        ident("as_str"),
        [receiver(false)],
        Some(ty_ref(Some("'static"), ty("str"))),
    );
    let f = syn::ImplItemFn {
        attrs: super::attrs::doc("The value as it travels in JSON.").collect(),
        vis: visibility(true),
        defaultness: None,
        sig,
        block: block(vec![tail(match_expr(var("self"), vec![]))]),
    };
    impl_item(None, f)
}

fn display() -> ItemImpl {
    let formatter = generic(
        "std::fmt::Formatter",
        [GenericArgument::Lifetime(lifetime("'_"))],
    );
    let sig = signature(
        ident("fmt"),
        [receiver(true), arg("f", ty_ref_mut(formatter))],
        Some(ty("std::fmt::Result")),
    );
    let write = method(var("f"), "write_str", [method(var("self"), "as_str", [])]);
    let f = syn::ImplItemFn {
        attrs: vec![],
        vis: visibility(false),
        defaultness: None,
        sig,
        block: block(vec![tail(write)]),
    };
    impl_item(Some("std::fmt::Display"), f)
}

/// `impl [trait for] Self_ { f }` (the type is filled in).
fn impl_item(of_trait: Option<&str>, f: syn::ImplItemFn) -> ItemImpl {
    ItemImpl {
        attrs: vec![],
        defaultness: None,
        unsafety: None,
        impl_token: Default::default(),
        generics: Default::default(),
        trait_: of_trait.map(|t| (None, path(t), Default::default())),
        self_ty: Box::new(ty("Self_")),
        brace_token: Default::default(),
        items: vec![ImplItem::Fn(f)],
    }
}
