//! What a rendered file is made of, as its emitter declares it, and the keys `output`
//! takes of it.
//!
//! A file's inputs are one value of any `Serialize` type; its renderer receives that value
//! and nothing else. The render cache keys the file on the SHA-256 of the inputs,
//! serialised (JSON). Large parts several files are made of (the model's actions, the
//! registration rows) go in the wrappers below, which are shared, not copied, and hashed
//! once per run however many files declare them: while `output` takes keys, a memo of
//! digests by address is in force ([`Keys`]), and each wrapper serialises as its digest.
//!
//! - [`Shared`]: one value.
//! - [`List`]: a list, hashed item by item on every core; [`List::pick`] gives a
//!   [`Picked`] selection, whose key is its items' digests only.
//! - [`Derived`]: a value made from a declared source by a plain function, computed once
//!   when first read; keyed on its source, never hashed itself.

use std::any::{Any, TypeId};
use std::cell::RefCell;
use std::collections::HashMap;
use std::io::{self, Write};
use std::ops::Deref;
use std::sync::{Arc, Mutex, OnceLock};

use serde::{Serialize, Serializer};
use sha2::{Digest as _, Sha256};

use super::fingerprint::hex;

type Digest = [u8; 32];

/// The digests taken in one `check` or `apply`, by the address (and type) of what was
/// hashed. Each entry holds the `Arc` it was taken from, so no address is reused while the
/// memo lives.
#[derive(Default)]
pub(crate) struct Keys {
    memo: Mutex<HashMap<(usize, TypeId, Kind), Arc<Memo>>>,
}

#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Kind {
    Whole,
    Items,
}

struct Memo {
    _owner: Arc<dyn Any + Send + Sync>,
    whole: OnceLock<Digest>,
    items: Vec<OnceLock<Digest>>,
}

thread_local! {
    static ACTIVE: RefCell<Option<Arc<Keys>>> = const { RefCell::new(None) };
}

impl Keys {
    /// Runs `f` with this memo in force on the current thread (and no longer once `f`
    /// returns or unwinds).
    pub(crate) fn with<R>(self: &Arc<Keys>, f: impl FnOnce() -> R) -> R {
        struct Restore(Option<Arc<Keys>>);
        impl Drop for Restore {
            fn drop(&mut self) {
                ACTIVE.with(|a| *a.borrow_mut() = self.0.take());
            }
        }
        let _restore = Restore(ACTIVE.with(|a| a.replace(Some(self.clone()))));
        f()
    }

    /// Lower-case hex SHA-256 of `value` serialised, the memo in force.
    #[cfg(test)]
    pub(crate) fn key(self: &Arc<Keys>, value: &(impl Serialize + ?Sized)) -> String {
        hex(&self.with(|| digest(value)))
    }

    fn memo(
        &self,
        owner: Arc<dyn Any + Send + Sync>,
        at: usize,
        kind: Kind,
        items: usize,
    ) -> Arc<Memo> {
        let type_id = (*owner).type_id();
        let mut memo = self.memo.lock().expect("key memo lock");
        memo.entry((at, type_id, kind))
            .or_insert_with(|| {
                Arc::new(Memo {
                    _owner: owner,
                    whole: OnceLock::new(),
                    items: (0..items).map(|_| OnceLock::new()).collect(),
                })
            })
            .clone()
    }
}

fn active() -> Option<Arc<Keys>> {
    ACTIVE.with(|a| a.borrow().clone())
}

/// SHA-256 of `value` serialised as JSON, streamed into the hash.
fn digest(value: &(impl Serialize + ?Sized)) -> Digest {
    let mut hasher = HashWriter(Sha256::new());
    serde_json::to_writer(&mut hasher, value).expect("inputs serialise");
    hasher.0.finalize().into()
}

pub(crate) struct HashWriter(pub(crate) Sha256);

impl Write for HashWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.update(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The digest of the value `owner` holds at `at`: memoised while a memo is in force.
fn digest_once<T: Serialize + ?Sized>(
    owner: Arc<dyn Any + Send + Sync>,
    at: usize,
    value: &T,
) -> Digest {
    match active() {
        Some(keys) => *keys
            .memo(owner, at, Kind::Whole, 0)
            .whole
            .get_or_init(|| digest(value)),
        None => digest(value),
    }
}

fn serialize_digest<S: Serializer>(digest: &Digest, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&hex(digest))
}

/// One value several files are made of, shared between them.
pub struct Shared<T>(Arc<T>);

impl<T> Shared<T> {
    pub fn new(value: T) -> Shared<T> {
        Shared(Arc::new(value))
    }
}

impl<T> Clone for Shared<T> {
    fn clone(&self) -> Self {
        Shared(self.0.clone())
    }
}

impl<T> Deref for Shared<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: Serialize + Send + Sync + 'static> Serialize for Shared<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let at = Arc::as_ptr(&self.0) as usize;
        serialize_digest(&digest_once(self.0.clone(), at, &*self.0), s)
    }
}

/// A list several files are made of (the model's actions), shared between them.
pub struct List<T>(Arc<Vec<T>>);

impl<T> List<T> {
    /// The list as the model holds it (no copy).
    pub fn of(items: &Arc<Vec<T>>) -> List<T> {
        List(items.clone())
    }

    /// The whole list, to hand to code that takes the model's `Arc`.
    pub fn shared(&self) -> Arc<Vec<T>> {
        self.0.clone()
    }

    /// The items at `indices`, in that order.
    pub fn pick(&self, indices: Vec<usize>) -> Picked<T> {
        assert!(
            indices.iter().all(|&i| i < self.0.len()),
            "picked past the end"
        );
        Picked {
            list: self.0.clone(),
            indices,
        }
    }
}

impl<T> Clone for List<T> {
    fn clone(&self) -> Self {
        List(self.0.clone())
    }
}

impl<T> Deref for List<T> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        &self.0
    }
}

/// The per-item digests of `list`, memoised while a memo is in force.
fn item_memo<T: Send + Sync + 'static>(list: &Arc<Vec<T>>) -> Option<Arc<Memo>> {
    let keys = active()?;
    let at = Arc::as_ptr(list) as usize;
    Some(keys.memo(list.clone(), at, Kind::Items, list.len()))
}

fn item_digest<T: Serialize>(memo: Option<&Memo>, list: &[T], i: usize) -> Digest {
    match memo {
        Some(m) => *m.items[i].get_or_init(|| digest(&list[i])),
        None => digest(&list[i]),
    }
}

impl<T: Serialize + Send + Sync + 'static> Serialize for List<T> {
    /// The digest of the items' digests, each item hashed once per run, on every core.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let memo = item_memo(&self.0);
        let whole = || {
            let keys = active();
            let indices: Vec<usize> = (0..self.0.len()).collect();
            let items = crate::parallel::map(&indices, |&i| {
                let one = || item_digest(memo.as_deref(), &self.0, i);
                match &keys {
                    Some(keys) => keys.with(one),
                    None => one(),
                }
            });
            let mut hasher = Sha256::new();
            for d in items {
                hasher.update(d);
            }
            hasher.finalize().into()
        };
        let digest = match &memo {
            Some(m) => *m.whole.get_or_init(whole),
            None => whole(),
        };
        serialize_digest(&digest, s)
    }
}

/// Some items of a [`List`] (one spec file's actions).
pub struct Picked<T> {
    list: Arc<Vec<T>>,
    indices: Vec<usize>,
}

impl<T> Picked<T> {
    pub fn iter(&self) -> impl Iterator<Item = &T> + '_ {
        self.indices.iter().map(|&i| &self.list[i])
    }

    pub fn len(&self) -> usize {
        self.indices.len()
    }

    pub fn is_empty(&self) -> bool {
        self.indices.is_empty()
    }
}

impl<T> Clone for Picked<T> {
    fn clone(&self) -> Self {
        Picked {
            list: self.list.clone(),
            indices: self.indices.clone(),
        }
    }
}

impl<T: Serialize + Send + Sync + 'static> Serialize for Picked<T> {
    /// The picked items' digests, each item hashed once per run.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let memo = item_memo(&self.list);
        let digests: Vec<String> = self
            .indices
            .iter()
            .map(|&i| hex(&item_digest(memo.as_deref(), &self.list, i)))
            .collect();
        digests.serialize(s)
    }
}

/// A value made from `source` by a plain function (it can read nothing else), computed
/// once, when first read. Files made of it are keyed on the source.
pub struct Derived<S, T>(Arc<DerivedInner<S, T>>);

struct DerivedInner<S, T> {
    source: S,
    make: fn(&S) -> T,
    value: OnceLock<T>,
}

impl<S, T> Derived<S, T> {
    pub fn new(source: S, make: fn(&S) -> T) -> Derived<S, T> {
        Derived(Arc::new(DerivedInner {
            source,
            make,
            value: OnceLock::new(),
        }))
    }

    pub fn get(&self) -> &T {
        self.0.value.get_or_init(|| (self.0.make)(&self.0.source))
    }
}

impl<S, T> Clone for Derived<S, T> {
    fn clone(&self) -> Self {
        Derived(self.0.clone())
    }
}

impl<S, T> Serialize for Derived<S, T>
where
    S: Serialize + Send + Sync + 'static,
    T: Send + Sync + 'static,
{
    /// The digest of the source.
    fn serialize<Z: Serializer>(&self, s: Z) -> Result<Z::Ok, Z::Error> {
        let at = Arc::as_ptr(&self.0) as usize;
        serialize_digest(&digest_once(self.0.clone(), at, &self.0.source), s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    static SERIALISED: AtomicUsize = AtomicUsize::new(0);

    /// Counts how often it is serialised.
    struct Counted(u32);

    impl Serialize for Counted {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            SERIALISED.fetch_add(1, Ordering::SeqCst);
            self.0.serialize(s)
        }
    }

    #[test]
    fn shared_parts_are_hashed_once_per_memo_and_keys_follow_the_content() {
        let list = Arc::new((0..100).map(Counted).collect::<Vec<_>>());
        let whole = List::of(&list);
        let some = whole.pick(vec![3, 5]);
        let keys = Arc::new(Keys::default());
        let before = SERIALISED.load(Ordering::SeqCst);
        let a = keys.key(&(&whole, "catalog"));
        let b = keys.key(&(&some, "module"));
        let c = keys.key(&(&whole, "openapi"));
        // Each item once, however many files are made of it.
        assert_eq!(SERIALISED.load(Ordering::SeqCst) - before, 100);
        assert_ne!(a, c, "the rest of the inputs count");
        // A fresh memo gives the same keys; other content, other keys.
        let again = Arc::new(Keys::default());
        assert_eq!(again.key(&(&whole, "catalog")), a);
        assert_eq!(again.key(&(&some, "module")), b);
        let other = List::of(&Arc::new((0..100).map(|i| Counted(i + 1)).collect()));
        assert_ne!(again.key(&(&other, "catalog")), a);
        assert_ne!(again.key(&(&other.pick(vec![3, 5]), "module")), b);
        // Without a memo in force the same digests come out (only slower).
        let alone = serde_json::to_string(&some).unwrap();
        assert_eq!(alone, again.with(|| serde_json::to_string(&some).unwrap()));
    }

    #[test]
    fn a_derived_value_is_made_once_and_keyed_on_its_source() {
        static MADE: AtomicUsize = AtomicUsize::new(0);
        fn double(n: &u64) -> u64 {
            MADE.fetch_add(1, Ordering::SeqCst);
            n * 2
        }
        let d = Derived::new(21u64, double);
        let same = d.clone();
        assert_eq!((*d.get(), *same.get()), (42, 42));
        assert_eq!(MADE.load(Ordering::SeqCst), 1);
        let keys = Arc::new(Keys::default());
        assert_eq!(keys.key(&d), keys.key(&Derived::new(21u64, double)));
        assert_ne!(keys.key(&d), keys.key(&Derived::new(22u64, double)));
    }
}
