//! Small constructors of syn's tree: each builds a node as `syn::parse2` would from the
//! same tokens, so prettyplease prints it the same, without tokens to build and parse
//! (which took three quarters of the Rust crate's rendering; see [`super`]).

use proc_macro2::{Ident, Literal, Span};
use syn::punctuated::Punctuated;
use syn::{
    Attribute, Block, Expr, FnArg, GenericArgument, ItemFn, Lifetime, Lit, Member, Pat, PatIdent,
    PatType, Path, PathArguments, PathSegment, ReturnType, Signature, Stmt, Type, Visibility,
};

/// An identifier; `r#name` is raw.
pub fn ident(s: &str) -> Ident {
    match s.strip_prefix("r#") {
        Some(raw) => Ident::new_raw(raw, Span::call_site()),
        None => Ident::new(s, Span::call_site()),
    }
}

/// `a::b::c`.
pub fn path(s: &str) -> Path {
    // Split at `:` (a `char` pattern is much cheaper than `"::"`); paths hold no lone `:`.
    path_of(s.split(':').filter(|seg| !seg.is_empty()))
}

/// The path of `segments`.
pub fn path_of<'a>(segments: impl IntoIterator<Item = &'a str>) -> Path {
    Path {
        leading_colon: None,
        segments: segments
            .into_iter()
            .map(|seg| PathSegment::from(ident(seg)))
            .collect(),
    }
}

// Expressions.

pub fn path_expr(path: Path) -> Expr {
    Expr::Path(syn::ExprPath {
        attrs: vec![],
        qself: None,
        path,
    })
}

/// A variable or a path written `a::b`.
pub fn var(s: &str) -> Expr {
    path_expr(path(s))
}

pub fn lit(literal: Literal) -> Expr {
    Expr::Lit(syn::ExprLit {
        attrs: vec![],
        lit: Lit::new(literal),
    })
}

pub fn string(s: &str) -> Expr {
    Expr::Lit(syn::ExprLit {
        attrs: vec![],
        lit: Lit::Str(syn::LitStr::new(s, Span::call_site())),
    })
}

pub fn call(function: Expr, args: impl IntoIterator<Item = Expr>) -> Expr {
    Expr::Call(syn::ExprCall {
        attrs: vec![],
        func: Box::new(function),
        paren_token: Default::default(),
        args: args.into_iter().collect(),
    })
}

/// `f(args)` for a function named by its path.
pub fn call_path(function: &str, args: impl IntoIterator<Item = Expr>) -> Expr {
    call(var(function), args)
}

pub fn method(receiver: Expr, name: &str, args: impl IntoIterator<Item = Expr>) -> Expr {
    Expr::MethodCall(syn::ExprMethodCall {
        attrs: vec![],
        receiver: Box::new(receiver),
        dot_token: Default::default(),
        method: ident(name),
        turbofish: None,
        paren_token: Default::default(),
        args: args.into_iter().collect(),
    })
}

pub fn reference(expr: Expr) -> Expr {
    Expr::Reference(syn::ExprReference {
        attrs: vec![],
        and_token: Default::default(),
        mutability: None,
        expr: Box::new(expr),
    })
}

pub fn field(base: Expr, name: Ident) -> Expr {
    Expr::Field(syn::ExprField {
        attrs: vec![],
        base: Box::new(base),
        dot_token: Default::default(),
        member: Member::Named(name),
    })
}

pub fn array(elems: impl IntoIterator<Item = Expr>) -> Expr {
    Expr::Array(syn::ExprArray {
        attrs: vec![],
        bracket_token: Default::default(),
        elems: elems.into_iter().collect(),
    })
}

pub fn tuple(elems: impl IntoIterator<Item = Expr>) -> Expr {
    Expr::Tuple(syn::ExprTuple {
        attrs: vec![],
        paren_token: Default::default(),
        elems: elems.into_iter().collect(),
    })
}

/// `expr?`
pub fn question(expr: Expr) -> Expr {
    Expr::Try(syn::ExprTry {
        attrs: vec![],
        expr: Box::new(expr),
        question_token: Default::default(),
    })
}

/// `base.await`
pub fn awaited(base: Expr) -> Expr {
    Expr::Await(syn::ExprAwait {
        attrs: vec![],
        base: Box::new(base),
        dot_token: Default::default(),
        await_token: Default::default(),
    })
}

/// `|param| body`
pub fn closure(param: &str, body: Expr) -> Expr {
    Expr::Closure(syn::ExprClosure {
        attrs: vec![],
        lifetimes: None,
        constness: None,
        movability: None,
        asyncness: None,
        capture: None,
        or1_token: Default::default(),
        inputs: Punctuated::from_iter([pat(ident(param))]),
        or2_token: Default::default(),
        output: ReturnType::Default,
        body: Box::new(body),
    })
}

/// `Path { field: value, … }`
pub fn struct_expr(path: Path, fields: impl IntoIterator<Item = (&'static str, Expr)>) -> Expr {
    let fields = fields.into_iter().map(|(name, expr)| syn::FieldValue {
        attrs: vec![],
        member: Member::Named(ident(name)),
        colon_token: Some(Default::default()),
        expr,
    });
    Expr::Struct(syn::ExprStruct {
        attrs: vec![],
        qself: None,
        path,
        brace_token: Default::default(),
        fields: fields.collect(),
        dot2_token: None,
        rest: None,
    })
}

/// `async move { stmts }`
pub fn async_move(stmts: Vec<Stmt>) -> Expr {
    Expr::Async(syn::ExprAsync {
        attrs: vec![],
        async_token: Default::default(),
        capture: Some(Default::default()),
        block: block(stmts),
    })
}

/// `match scrutinee { arms }`
pub fn match_expr(scrutinee: Expr, arms: Vec<syn::Arm>) -> Expr {
    Expr::Match(syn::ExprMatch {
        attrs: vec![],
        match_token: Default::default(),
        expr: Box::new(scrutinee),
        brace_token: Default::default(),
        arms,
    })
}

/// `pat => body,`
pub fn arm(pat: Pat, body: Expr) -> syn::Arm {
    syn::Arm {
        attrs: vec![],
        pat,
        guard: None,
        fat_arrow_token: Default::default(),
        body: Box::new(body),
        comma: Some(Default::default()),
    }
}

// Patterns and statements.

pub fn pat(name: Ident) -> Pat {
    Pat::Ident(PatIdent {
        attrs: vec![],
        by_ref: None,
        mutability: None,
        ident: name,
        subpat: None,
    })
}

fn typed(name: Ident, ty: Type) -> PatType {
    PatType {
        attrs: vec![],
        pat: Box::new(pat(name)),
        colon_token: Default::default(),
        ty: Box::new(ty),
    }
}

/// `name: ty`
pub fn pat_typed(name: Ident, ty: Type) -> Pat {
    Pat::Type(typed(name, ty))
}

/// `Path {}`
pub fn pat_empty_struct(path: Path) -> Pat {
    Pat::Struct(syn::PatStruct {
        attrs: vec![],
        qself: None,
        path,
        brace_token: Default::default(),
        fields: Punctuated::new(),
        rest: None,
    })
}

/// `let pat = expr;`
pub fn let_stmt(pat: Pat, expr: Expr) -> Stmt {
    Stmt::Local(syn::Local {
        attrs: vec![],
        let_token: Default::default(),
        pat,
        init: Some(syn::LocalInit {
            eq_token: Default::default(),
            expr: Box::new(expr),
            diverge: None,
        }),
        semi_token: Default::default(),
    })
}

/// `expr;`
pub fn semi(expr: Expr) -> Stmt {
    Stmt::Expr(expr, Some(Default::default()))
}

/// `expr` ending a block.
pub fn tail(expr: Expr) -> Stmt {
    Stmt::Expr(expr, None)
}

pub fn block(stmts: Vec<Stmt>) -> Block {
    Block {
        brace_token: Default::default(),
        stmts,
    }
}

// Types.

/// A type written as a path, `rt::Uuid`.
pub fn ty(s: &str) -> Type {
    ty_path(path(s))
}

fn ty_path(path: Path) -> Type {
    Type::Path(syn::TypePath { qself: None, path })
}

/// `Outer<args>`: a path whose last segment takes generic arguments.
pub fn generic(outer: &str, args: impl IntoIterator<Item = GenericArgument>) -> Type {
    let mut path = path(outer);
    let last = path.segments.last_mut().expect("a path has a segment");
    last.arguments = PathArguments::AngleBracketed(syn::AngleBracketedGenericArguments {
        colon2_token: None,
        lt_token: Default::default(),
        args: args.into_iter().collect(),
        gt_token: Default::default(),
    });
    ty_path(path)
}

/// `Outer<T>` with type arguments only.
pub fn generic_of(outer: &str, args: impl IntoIterator<Item = Type>) -> Type {
    generic(outer, args.into_iter().map(GenericArgument::Type))
}

pub fn lifetime(s: &str) -> Lifetime {
    Lifetime::new(s, Span::call_site())
}

/// `&'lifetime elem` (`&elem` without one).
pub fn ty_ref(lifetime: Option<&str>, elem: Type) -> Type {
    reference_type(lifetime, false, elem)
}

/// `&mut elem`
pub fn ty_ref_mut(elem: Type) -> Type {
    reference_type(None, true, elem)
}

fn reference_type(lifetime: Option<&str>, mutable: bool, elem: Type) -> Type {
    Type::Reference(syn::TypeReference {
        and_token: Default::default(),
        lifetime: lifetime.map(self::lifetime),
        mutability: mutable.then(Default::default),
        elem: Box::new(elem),
    })
}

/// `[elem]`
pub fn ty_slice(elem: Type) -> Type {
    Type::Slice(syn::TypeSlice {
        bracket_token: Default::default(),
        elem: Box::new(elem),
    })
}

// Functions.

pub fn signature(
    name: Ident,
    inputs: impl IntoIterator<Item = FnArg>,
    output: Option<Type>,
) -> Signature {
    Signature {
        constness: None,
        asyncness: None,
        unsafety: None,
        abi: None,
        fn_token: Default::default(),
        ident: name,
        generics: Default::default(),
        paren_token: Default::default(),
        inputs: inputs.into_iter().collect(),
        variadic: None,
        output: match output {
            Some(ty) => ReturnType::Type(Default::default(), Box::new(ty)),
            None => ReturnType::Default,
        },
    }
}

/// `name: ty` in a signature.
pub fn arg(name: &str, ty: Type) -> FnArg {
    FnArg::Typed(typed(ident(name), ty))
}

/// `self`, or `&self` when `by_ref`.
pub fn receiver(by_ref: bool) -> FnArg {
    let self_ty = ty("Self");
    FnArg::Receiver(syn::Receiver {
        attrs: vec![],
        reference: by_ref.then(|| (Default::default(), None)),
        mutability: None,
        self_token: Default::default(),
        colon_token: None,
        ty: Box::new(if by_ref {
            ty_ref(None, self_ty)
        } else {
            self_ty
        }),
    })
}

pub fn visibility(public: bool) -> Visibility {
    if public {
        Visibility::Public(Default::default())
    } else {
        Visibility::Inherited
    }
}

/// A free function.
pub fn item_fn(attrs: Vec<Attribute>, public: bool, sig: Signature, stmts: Vec<Stmt>) -> ItemFn {
    ItemFn {
        attrs,
        vis: visibility(public),
        sig,
        block: Box::new(block(stmts)),
    }
}
