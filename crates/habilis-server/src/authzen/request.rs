//! What an AuthZEN evaluation request asks, read from its JSON body.
//!
//! Three readers fill the same types, each tried in turn. The first (`usual`) is written for
//! the shape nearly every request has (the members AuthZEN names, each once, strings without
//! escapes, levels and revisions as unsigned integers) and gives up on anything else. The
//! strict one is serde's derived `Deserialize`: it reads objects where objects belong and
//! strings where strings belong, skips unknown members, borrows strings from the body, and
//! fails on anything else. The lenient one reads the body's borrowed tree, accepts any JSON
//! and notes which member is malformed, so that the answer can say so. Where two of them
//! accept a request they read it the same way (tests hold them to it, a property test for
//! the first), so the first two change what a request costs, never how it is answered: in a
//! batch of a hundred evaluations, serde's derived reader takes about as long as deciding
//! (72 against 62 µs), the first reader under half as long (28 µs; docs/benchmarks.md).

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::value::MapAccessDeserializer;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json_borrow::{ObjectAsVec as Object, Value as Tree};

use crate::problem::Problem;

mod usual;

/// A member as the request gives it. `null` is absent (I-JSON asks senders to omit such
/// members; some send them), so that a default or "absent" applies to it as to a missing
/// member, at every level of a request.
#[derive(Debug, Default, Clone, PartialEq)]
pub enum Given<T> {
    #[default]
    Absent,
    Is(T),
    /// Present, but not what the member must be (an object where an object belongs...).
    Malformed,
}

impl<T> Given<T> {
    pub fn as_ref(&self) -> Given<&T> {
        match self {
            Given::Absent => Given::Absent,
            Given::Is(value) => Given::Is(value),
            Given::Malformed => Given::Malformed,
        }
    }

    /// This member, or `default` when it is absent: a member present in an evaluation
    /// replaces the request's default as a whole, even a malformed one.
    pub fn or(self, default: Given<T>) -> Given<T> {
        match self {
            Given::Absent => default,
            given => given,
        }
    }

    /// The value, when the member is present and well formed.
    pub fn well_formed(self) -> Option<T> {
        match self {
            Given::Is(value) => Some(value),
            _ => None,
        }
    }
}

/// The strict reader's `Given`: `null` is absent; any other value must be a `T`.
impl<'de, T: Deserialize<'de>> Deserialize<'de> for Given<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(Option::<T>::deserialize(deserializer)?.map_or(Given::Absent, Given::Is))
    }
}

/// A member that must be an object: absent, or a `T` read from a JSON object. (serde's
/// derived `Deserialize` would also read a struct from an array of its members' values.)
fn in_object<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    deserializer: D,
) -> Result<Given<T>, D::Error> {
    let read = Option::<InObject<T>>::deserialize(deserializer)?;
    Ok(read.map_or(Given::Absent, |InObject(value)| Given::Is(value)))
}

/// The batch's items, each an object, or `null` (kept, as absent, to be answered in its
/// place), read into one vector.
fn items<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    deserializer: D,
) -> Result<Given<Vec<Given<T>>>, D::Error> {
    let read = Option::<Items<T>>::deserialize(deserializer)?;
    Ok(read.map_or(Given::Absent, |Items(items)| Given::Is(items)))
}

struct Items<T>(Vec<Given<T>>);

struct ItemsVisitor<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for ItemsVisitor<T> {
    type Value = Items<T>;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("an array")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(item) = seq.next_element::<Option<InObject<T>>>()? {
            items.push(item.map_or(Given::Absent, |InObject(value)| Given::Is(value)));
        }
        Ok(Items(items))
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Items<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_seq(ItemsVisitor(PhantomData))
    }
}

/// A `T` read only from a JSON object.
struct InObject<T>(T);

struct InObjectVisitor<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for InObjectVisitor<T> {
    type Value = InObject<T>;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("an object")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        T::deserialize(MapAccessDeserializer::new(map)).map(InObject)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for InObject<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(InObjectVisitor(PhantomData))
    }
}

/// A string of the request: borrowed from the body, or unescaped into its own buffer when it
/// holds escapes. (serde borrows a `Cow` only as a field of its own, not inside an `Option`.)
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text<'a>(Cow<'a, str>);

impl Text<'_> {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'a> Text<'a> {
    fn of(text: &Cow<'a, str>) -> Text<'a> {
        // A borrowed string stays borrowed from the body: the clone copies a reference.
        Text(text.clone())
    }
}

struct TextVisitor;

impl<'de> Visitor<'de> for TextVisitor {
    type Value = Text<'de>;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("a string")
    }

    fn visit_borrowed_str<E: de::Error>(self, text: &'de str) -> Result<Self::Value, E> {
        Ok(Text(Cow::Borrowed(text)))
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Self::Value, E> {
        Ok(Text(Cow::Owned(text.to_owned())))
    }

    fn visit_string<E: de::Error>(self, text: String) -> Result<Self::Value, E> {
        Ok(Text(Cow::Owned(text)))
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(TextVisitor)
    }
}

/// The subject of an evaluation. A missing and a malformed `type` or `id` are the same to
/// the answer (the member is required), so each is just there or not.
#[derive(Debug, Default, Clone, PartialEq, Deserialize)]
pub struct Subject<'a> {
    #[serde(default, borrow, rename = "type")]
    pub kind: Option<Text<'a>>,
    #[serde(default, borrow)]
    pub id: Option<Text<'a>>,
}

#[derive(Debug, Default, Clone, PartialEq, Deserialize)]
pub struct Action<'a> {
    #[serde(default, borrow)]
    pub name: Option<Text<'a>>,
}

#[derive(Debug, Default, Clone, PartialEq, Deserialize)]
pub struct Resource<'a> {
    #[serde(default, borrow, rename = "type")]
    pub kind: Option<Text<'a>>,
    #[serde(default, borrow)]
    pub id: Option<Text<'a>>,
    /// Properties that are no object are ignored, as missing ones are.
    #[serde(default, borrow)]
    pub properties: Option<Properties<'a>>,
}

/// A resource's properties, which may name its organisation, subject-matter, category or
/// owner under the names its application declared: every member in the order sent, with
/// its value as text when it is a string or a number.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Properties<'a>(Vec<(Text<'a>, Option<Text<'a>>)>);

impl Properties<'_> {
    /// The text of the first member called `name`.
    pub fn text(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(member, _)| member.as_str() == name)
            .and_then(|(_, value)| value.as_ref().map(Text::as_str))
    }
}

struct PropertiesVisitor;

impl<'de> Visitor<'de> for PropertiesVisitor {
    type Value = Properties<'de>;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("an object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut members = Vec::new();
        while let Some((name, value)) = map.next_entry::<Text<'de>, PropertyText<'de>>()? {
            members.push((name, value.0));
        }
        Ok(Properties(members))
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Properties<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(PropertiesVisitor)
    }
}

/// A property's value as text: a string as it is, a number as JSON writes it, anything
/// else none (and skipped).
struct PropertyText<'a>(Option<Text<'a>>);

struct PropertyTextVisitor;

impl<'de> Visitor<'de> for PropertyTextVisitor {
    type Value = PropertyText<'de>;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("any JSON value")
    }

    fn visit_borrowed_str<E: de::Error>(self, text: &'de str) -> Result<Self::Value, E> {
        Ok(PropertyText(Some(Text(Cow::Borrowed(text)))))
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Self::Value, E> {
        Ok(PropertyText(Some(Text(Cow::Owned(text.to_owned())))))
    }

    fn visit_u64<E: de::Error>(self, number: u64) -> Result<Self::Value, E> {
        Ok(PropertyText(Some(Text(Cow::Owned(number.to_string())))))
    }

    fn visit_i64<E: de::Error>(self, number: i64) -> Result<Self::Value, E> {
        Ok(PropertyText(Some(Text(Cow::Owned(number.to_string())))))
    }

    fn visit_f64<E: de::Error>(self, number: f64) -> Result<Self::Value, E> {
        Ok(PropertyText(Some(Text(Cow::Owned(number.to_string())))))
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(PropertyText(None))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(PropertyText(None))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(PropertyText(None))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(PropertyText(None))
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for PropertyText<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(PropertyTextVisitor)
    }
}

/// `context.level`: a level's key, its rank, or anything else (which names no level).
#[derive(Debug, Clone, PartialEq)]
pub enum LevelAsked<'a> {
    Name(Text<'a>),
    Rank(u64),
    Other,
}

struct LevelVisitor;

impl<'de> Visitor<'de> for LevelVisitor {
    type Value = LevelAsked<'de>;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("a level's key or rank")
    }

    fn visit_borrowed_str<E: de::Error>(self, text: &'de str) -> Result<Self::Value, E> {
        Ok(LevelAsked::Name(Text(Cow::Borrowed(text))))
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Self::Value, E> {
        Ok(LevelAsked::Name(Text(Cow::Owned(text.to_owned()))))
    }

    fn visit_u64<E: de::Error>(self, rank: u64) -> Result<Self::Value, E> {
        Ok(LevelAsked::Rank(rank))
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(LevelAsked::Other)
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(LevelAsked::Other)
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(LevelAsked::Other)
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for LevelAsked<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(LevelVisitor)
    }
}

#[derive(Debug, Default, Clone, PartialEq, Deserialize)]
pub struct Context<'a> {
    /// An `acr` value; one that is no string is ignored.
    #[serde(default, borrow)]
    pub acr: Option<Text<'a>>,
    #[serde(default, borrow)]
    pub level: Option<LevelAsked<'a>>,
    /// The revision the answer must reflect: a malformed one is an error, never ignored
    /// (ignoring it would answer from whatever state is current).
    #[serde(default)]
    pub min_revision: Given<u64>,
}

/// One evaluation: an item of a batch, or the body of a single evaluation.
#[derive(Debug, Default, Clone, PartialEq, Deserialize)]
pub struct Evaluation<'a> {
    #[serde(default, borrow, deserialize_with = "in_object")]
    pub subject: Given<Subject<'a>>,
    #[serde(default, borrow, deserialize_with = "in_object")]
    pub action: Given<Action<'a>>,
    #[serde(default, borrow, deserialize_with = "in_object")]
    pub resource: Given<Resource<'a>>,
    #[serde(default, borrow, deserialize_with = "in_object")]
    pub context: Given<Context<'a>>,
}

#[derive(Debug, Default, Clone, PartialEq, Deserialize)]
pub struct Options<'a> {
    #[serde(default, borrow)]
    pub evaluations_semantic: Given<Text<'a>>,
    #[serde(default)]
    pub reasons: Given<bool>,
}

/// A request to either evaluation endpoint: the single one reads only the four parts. (The
/// parts are written out again rather than flattened: serde reads a flattened struct
/// through a buffer of every member.)
#[derive(Debug, Default, Clone, PartialEq, Deserialize)]
pub struct Request<'a> {
    #[serde(default, borrow, deserialize_with = "in_object")]
    pub subject: Given<Subject<'a>>,
    #[serde(default, borrow, deserialize_with = "in_object")]
    pub action: Given<Action<'a>>,
    #[serde(default, borrow, deserialize_with = "in_object")]
    pub resource: Given<Resource<'a>>,
    #[serde(default, borrow, deserialize_with = "in_object")]
    pub context: Given<Context<'a>>,
    #[serde(default, borrow, deserialize_with = "in_object")]
    pub options: Given<Options<'a>>,
    /// `null` items are kept (as absent) so that each is answered in its place.
    #[serde(default, borrow, deserialize_with = "items")]
    pub evaluations: Given<Vec<Given<Evaluation<'a>>>>,
}

/// The four parts of one evaluation, borrowed from an item or from the request's defaults.
#[derive(Clone, Copy)]
pub struct Parts<'r, 'a> {
    pub subject: Given<&'r Subject<'a>>,
    pub action: Given<&'r Action<'a>>,
    pub resource: Given<&'r Resource<'a>>,
    pub context: Given<&'r Context<'a>>,
}

impl<T> Copy for Given<&T> {}

impl<'r, 'a> Parts<'r, 'a> {
    /// These parts, each absent one taken from `defaults`.
    pub fn or(self, defaults: Parts<'r, 'a>) -> Parts<'r, 'a> {
        Parts {
            subject: self.subject.or(defaults.subject),
            action: self.action.or(defaults.action),
            resource: self.resource.or(defaults.resource),
            context: self.context.or(defaults.context),
        }
    }
}

impl<'a> Evaluation<'a> {
    pub fn parts(&self) -> Parts<'_, 'a> {
        Parts {
            subject: self.subject.as_ref(),
            action: self.action.as_ref(),
            resource: self.resource.as_ref(),
            context: self.context.as_ref(),
        }
    }
}

impl<'a> Request<'a> {
    /// The request's own parts: the defaults of a batch's items.
    pub fn parts(&self) -> Parts<'_, 'a> {
        Parts {
            subject: self.subject.as_ref(),
            action: self.action.as_ref(),
            resource: self.resource.as_ref(),
            context: self.context.as_ref(),
        }
    }

    /// Reads a body: by the reader of the usual shape when it has it, else strictly when it
    /// has the shape serde's derive reads, else leniently; a body that is no JSON object is
    /// the request's error.
    pub fn read(body: &'a [u8]) -> Result<Request<'a>, Problem> {
        // The body's text is checked as UTF-8 once, as a whole, rather than string by
        // string as `from_slice` does.
        if let Ok(text) = std::str::from_utf8(body) {
            if let Some(request) = usual::read(text) {
                return Ok(request);
            }
            if let Ok(request) = serde_json::from_str::<Request<'a>>(text) {
                return Ok(request);
            }
        }
        Ok(Request::of_tree(&body_object(body)?))
    }
}

// ---- The lenient reader ------------------------------------------------------------------

/// Reads a JSON body leniently: AuthZEN clients may send `application/json; charset=utf-8`
/// or omit the header; a body that is not a JSON object is a 400.
pub(super) fn body_object(bytes: &[u8]) -> Result<Object<'_>, Problem> {
    // The body's text is checked as UTF-8 once, as a whole, rather than string by string
    // as `from_slice` does.
    let parsed = std::str::from_utf8(bytes)
        .ok()
        .and_then(|text| serde_json::from_str::<Tree<'_>>(text).ok());
    match parsed {
        Some(Tree::Object(map)) => Ok(map),
        Some(_) => Err(Problem::bad_request(
            "invalid_body",
            "the body must be a JSON object",
        )),
        None => Err(Problem::bad_request(
            "malformed_json",
            "the body is not valid JSON",
        )),
    }
}

/// A member of an object that has a value (`null` is none).
pub(super) fn member<'t, 'a>(object: &'t Object<'a>, name: &str) -> Option<&'t Tree<'a>> {
    object
        .get(name)
        .filter(|value| !matches!(value, Tree::Null))
}

fn text<'a>(value: Option<&Tree<'a>>) -> Option<Text<'a>> {
    match value {
        Some(Tree::Str(text)) => Some(Text::of(text)),
        _ => None,
    }
}

/// An object member read by `read`; any other value is malformed.
fn object<'t, 'a, T>(
    value: Option<&'t Tree<'a>>,
    read: impl FnOnce(&'t Object<'a>) -> T,
) -> Given<T> {
    match value {
        None => Given::Absent,
        Some(Tree::Object(object)) => Given::Is(read(object)),
        Some(_) => Given::Malformed,
    }
}

impl<'a> Request<'a> {
    fn of_tree(request: &Object<'a>) -> Request<'a> {
        let evaluations = match member(request, "evaluations") {
            None => Given::Absent,
            Some(Tree::Array(items)) => Given::Is(
                items
                    .iter()
                    .map(|item| object(Some(item).filter(|i| !i.is_null()), Evaluation::of_tree))
                    .collect(),
            ),
            Some(_) => Given::Malformed,
        };
        let parts = Evaluation::of_tree(request);
        Request {
            subject: parts.subject,
            action: parts.action,
            resource: parts.resource,
            context: parts.context,
            options: object(member(request, "options"), Options::of_tree),
            evaluations,
        }
    }
}

impl<'a> Evaluation<'a> {
    pub(super) fn of_tree(evaluation: &Object<'a>) -> Evaluation<'a> {
        Evaluation {
            subject: object(member(evaluation, "subject"), |subject| Subject {
                kind: text(member(subject, "type")),
                id: text(member(subject, "id")),
            }),
            action: object(member(evaluation, "action"), |action| Action {
                name: text(member(action, "name")),
            }),
            resource: object(member(evaluation, "resource"), |resource| Resource {
                kind: text(member(resource, "type")),
                id: text(member(resource, "id")),
                properties: object(member(resource, "properties"), Properties::of_tree)
                    .well_formed(),
            }),
            context: object(member(evaluation, "context"), Context::of_tree),
        }
    }
}

impl<'a> Properties<'a> {
    fn of_tree(properties: &Object<'a>) -> Properties<'a> {
        Properties(
            properties
                .iter()
                .map(|(name, value)| {
                    let value = match value {
                        Tree::Str(text) => Some(Text::of(text)),
                        Tree::Number(number) => Some(Text(Cow::Owned(number.to_string()))),
                        _ => None,
                    };
                    (Text(Cow::Owned(name.to_owned())), value)
                })
                .collect(),
        )
    }
}

impl<'a> Context<'a> {
    fn of_tree(context: &Object<'a>) -> Context<'a> {
        Context {
            acr: text(member(context, "acr")),
            level: member(context, "level").map(|level| match level {
                Tree::Str(name) => LevelAsked::Name(Text::of(name)),
                Tree::Number(number) => number.as_u64().map_or(LevelAsked::Other, LevelAsked::Rank),
                _ => LevelAsked::Other,
            }),
            min_revision: match member(context, "min_revision") {
                None => Given::Absent,
                Some(value) => value.as_u64().map_or(Given::Malformed, Given::Is),
            },
        }
    }
}

impl<'a> Options<'a> {
    fn of_tree(options: &Object<'a>) -> Options<'a> {
        Options {
            evaluations_semantic: match member(options, "evaluations_semantic") {
                None => Given::Absent,
                Some(Tree::Str(semantic)) => Given::Is(Text::of(semantic)),
                Some(_) => Given::Malformed,
            },
            reasons: match member(options, "reasons") {
                None => Given::Absent,
                Some(Tree::Bool(reasons)) => Given::Is(*reasons),
                Some(_) => Given::Malformed,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the lenient reader makes of `body`.
    fn leniently(body: &str) -> Request<'_> {
        match serde_json::from_str::<Tree<'_>>(body) {
            Ok(Tree::Object(request)) => Request::of_tree(&request),
            _ => Request::default(),
        }
    }

    /// Wherever the strict reader accepts a body, it reads what the lenient one reads; the
    /// bodies are the usual shapes and their edges (escapes, nulls, unknown members,
    /// numbers as properties, levels of every kind, duplicates).
    #[test]
    fn both_readers_read_a_request_alike() {
        let bodies = [
            r#"{"subject":{"type":"user","id":"alice"},"action":{"name":"read"},"resource":{"type":"dossier","id":"d1"},"context":{"level":2}}"#,
            r#"{"subject":{"type":"user","id":"al\u00efce","properties":{"deep":[[{"x":1}]]}},"action":{"name":"re\"ad"},"resource":{"type":"dossier","id":"d1","properties":{"org":"0123","n":12,"neg":-3,"f":1.5,"b":true,"z":null,"o":{"a":[1]},"arr":[1,2]}}}"#,
            r#"{"subject":null,"action":{"name":null},"resource":{"type":"dossier"},"context":{"acr":"urn:x","level":"high","min_revision":7}}"#,
            r#"{"context":{"level":-1},"extra":{"nested":[{"a":{}}]},"options":{"reasons":true,"evaluations_semantic":"deny_on_first_deny","other":1}}"#,
            r#"{"context":{"level":1.5,"acr":null}}"#,
            r#"{"context":{"level":true}}"#,
            r#"{"evaluations":[{"subject":{"type":"user","id":"bob"}},null,{"context":{"min_revision":3}}],"options":null}"#,
            r#"{"evaluations":[]}"#,
            r#"{"resource":{"properties":{"org":"a","org":"b"}}}"#,
            r#"{}"#,
        ];
        for body in bodies {
            let strict = serde_json::from_str::<Request<'_>>(body);
            let strict = strict.unwrap_or_else(|error| panic!("{body}: {error}"));
            assert_eq!(strict, leniently(body), "{body}");
        }
    }

    /// What the strict reader refuses, the lenient one reads, and tells what is malformed.
    #[test]
    fn an_unusual_body_is_read_leniently() {
        /// What must hold of the request read.
        type Holds = fn(&Request<'_>) -> bool;
        let cases: [(&str, Holds); 8] = [
            (r#"{"subject":"alice"}"#, |r| r.subject == Given::Malformed),
            // serde would read a struct from an array of its members' values.
            (r#"{"action":["read"]}"#, |r| r.action == Given::Malformed),
            (
                r#"{"evaluations":[["alice"]]}"#,
                |r| matches!(&r.evaluations, Given::Is(items) if items.first() == Some(&Given::Malformed)),
            ),
            (
                r#"{"subject":{"type":"user","id":7}}"#,
                |r| matches!(&r.subject, Given::Is(s) if s.id.is_none() && s.kind.is_some()),
            ),
            (
                r#"{"context":{"min_revision":-4}}"#,
                |r| matches!(&r.context, Given::Is(c) if c.min_revision == Given::Malformed),
            ),
            (
                r#"{"options":{"reasons":"yes"}}"#,
                |r| matches!(&r.options, Given::Is(o) if o.reasons == Given::Malformed),
            ),
            (r#"{"evaluations":[5,{"action":{"name":"read"}}]}"#, |r| {
                matches!(&r.evaluations, Given::Is(items)
                    if items.first() == Some(&Given::Malformed)
                        && matches!(items.get(1), Some(Given::Is(_))))
            }),
            (
                r#"{"subject":{"type":"user","id":"a"},"subject":{"type":"user","id":"b"}}"#,
                |r| matches!(&r.subject, Given::Is(s) if s.id.as_ref().map(Text::as_str) == Some("a")),
            ),
        ];
        for (body, holds) in cases {
            assert!(serde_json::from_str::<Request<'_>>(body).is_err(), "{body}");
            let read = Request::read(body.as_bytes());
            assert!(read.as_ref().is_ok_and(holds), "{body}");
        }
    }

    #[test]
    fn a_body_that_is_no_object_or_no_json_is_refused() {
        let code = |body: &str| Request::read(body.as_bytes()).err().and_then(|p| p.code);
        assert_eq!(code("[1]").as_deref(), Some("invalid_body"));
        assert_eq!(code("{\"subject\":").as_deref(), Some("malformed_json"));
        assert_eq!(code("").as_deref(), Some("malformed_json"));
        let not_utf8 = Request::read(b"{\"a\":\"\xff\"}")
            .err()
            .and_then(|p| p.code);
        assert_eq!(not_utf8.as_deref(), Some("malformed_json"));
    }
}
