//! The reader of the usual shape, written for it: the third reader, tried before the other two.
//!
//! Nearly every request an application sends has one shape: objects of the members AuthZEN
//! names, strings without escapes, levels and revisions as plain unsigned integers, each
//! member once. This reader takes exactly that, in one pass over the text with no visitor
//! and no buffering, and gives up (`None`) on anything else: an unknown member, a `null`, an
//! escape, a fraction, a repeated member, a property that is no string. A body it gives up
//! on is read by the strict reader, then the lenient one, as before. Where it accepts a body,
//! the strict reader accepts it too and reads the same request: a property test holds it to
//! that on random and damaged bodies, so this reader changes what a request costs, never
//! how it is answered. (serde_json spends about 5,000 instructions an item of a batch on
//! its visitors and string scanning: 72 µs of the server's 193 µs for a batch of 100, where
//! this reader takes 28 µs; see docs/benchmarks.md.)
//!
//! It never recurses beyond the shape's fixed depth, so no body can exhaust its stack.

use std::borrow::Cow;

use super::{
    Action, Context, Evaluation, Given, LevelAsked, Options, Properties, Request, Resource,
    Subject, Text,
};

/// The request `text` holds, when it has the usual shape; `None` for anything else.
pub(super) fn read(text: &str) -> Option<Request<'_>> {
    let mut cursor = Cursor { text, at: 0 };
    let request = cursor.request()?;
    cursor.skip_space();
    (cursor.at == text.len()).then_some(request)
}

/// Where the reading is in the text. `at` only ever moves past ASCII bytes the reader has
/// matched, or past a whole string, so it always stands on a character boundary.
struct Cursor<'a> {
    text: &'a str,
    at: usize,
}

/// Fills a member's slot; a member given twice is not the usual shape (the strict reader
/// refuses it too).
fn once<T>(slot: &mut Option<T>, value: Option<T>) -> Option<()> {
    if slot.is_some() {
        return None;
    }
    *slot = Some(value?);
    Some(())
}

impl<'a> Cursor<'a> {
    fn rest(&self) -> &'a [u8] {
        self.text.as_bytes().get(self.at..).unwrap_or_default()
    }

    /// The next byte, if any. (Looked at one by one: compact JSON has no white space to
    /// skip, and a byte and its bound are all a token's start costs then.)
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    fn skip_space(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.at += 1;
        }
    }

    /// Takes `byte` if it comes next, after any white space.
    fn eat(&mut self, byte: u8) -> bool {
        self.skip_space();
        let next = self.peek() == Some(byte);
        if next {
            self.at += 1;
        }
        next
    }

    fn expect(&mut self, byte: u8) -> Option<()> {
        self.eat(byte).then_some(())
    }

    /// A string with no escape and no control character, borrowed from the text.
    fn string(&mut self) -> Option<&'a str> {
        self.expect(b'"')?;
        let rest = self.rest();
        let length = rest
            .iter()
            .position(|&byte| byte == b'"' || byte == b'\\' || byte < 0x20)?;
        if rest.get(length) != Some(&b'"') {
            return None;
        }
        let value = self.text.get(self.at..self.at + length)?;
        self.at += length + 1;
        Some(value)
    }

    fn text(&mut self) -> Option<Text<'a>> {
        self.string().map(|text| Text(Cow::Borrowed(text)))
    }

    /// An unsigned integer as JSON writes it (no sign, fraction, exponent or leading zero)
    /// that a `u64` holds.
    fn unsigned(&mut self) -> Option<u64> {
        self.skip_space();
        let rest = self.rest();
        let digits = rest.iter().take_while(|byte| byte.is_ascii_digit()).count();
        let leading_zero = digits > 1 && rest.first() == Some(&b'0');
        let fraction = matches!(rest.get(digits), Some(b'.' | b'e' | b'E'));
        if digits == 0 || leading_zero || fraction {
            return None;
        }
        let value = self.text.get(self.at..self.at + digits)?.parse().ok()?;
        self.at += digits;
        Some(value)
    }

    fn boolean(&mut self) -> Option<bool> {
        self.skip_space();
        let rest = self.rest();
        let (value, length) = if rest.starts_with(b"true") {
            (true, 4)
        } else if rest.starts_with(b"false") {
            (false, 5)
        } else {
            return None;
        };
        self.at += length;
        Some(value)
    }

    /// An object, each of whose members `member` reads by its name; `member` gives up on a
    /// name it does not know.
    fn object(&mut self, mut member: impl FnMut(&mut Self, &'a str) -> Option<()>) -> Option<()> {
        self.expect(b'{')?;
        if self.eat(b'}') {
            return Some(());
        }
        loop {
            let name = self.string()?;
            self.expect(b':')?;
            member(self, name)?;
            if self.eat(b'}') {
                return Some(());
            }
            self.expect(b',')?;
        }
    }

    fn subject(&mut self) -> Option<Subject<'a>> {
        let (mut kind, mut id) = (None, None);
        self.object(|cursor, name| match name {
            "type" => once(&mut kind, cursor.text()),
            "id" => once(&mut id, cursor.text()),
            _ => None,
        })?;
        Some(Subject { kind, id })
    }

    fn action(&mut self) -> Option<Action<'a>> {
        let mut action_name = None;
        self.object(|cursor, name| match name {
            "name" => once(&mut action_name, cursor.text()),
            _ => None,
        })?;
        Some(Action { name: action_name })
    }

    fn resource(&mut self) -> Option<Resource<'a>> {
        let (mut kind, mut id, mut properties) = (None, None, None);
        self.object(|cursor, name| match name {
            "type" => once(&mut kind, cursor.text()),
            "id" => once(&mut id, cursor.text()),
            "properties" => once(&mut properties, cursor.properties()),
            _ => None,
        })?;
        Some(Resource {
            kind,
            id,
            properties,
        })
    }

    /// Properties whose values are all strings, in the order sent (a name may repeat, as
    /// the strict reader allows).
    fn properties(&mut self) -> Option<Properties<'a>> {
        let mut members = Vec::new();
        self.object(|cursor, name| {
            let value = cursor.text()?;
            members.push((Text(Cow::Borrowed(name)), Some(value)));
            Some(())
        })?;
        Some(Properties(members))
    }

    fn context(&mut self) -> Option<Context<'a>> {
        let (mut acr, mut level, mut min_revision) = (None, None, None);
        self.object(|cursor, name| match name {
            "acr" => once(&mut acr, cursor.text()),
            "level" => {
                let asked = if cursor.string_ahead() {
                    cursor.text().map(LevelAsked::Name)
                } else {
                    cursor.unsigned().map(LevelAsked::Rank)
                };
                once(&mut level, asked)
            }
            "min_revision" => once(&mut min_revision, cursor.unsigned()),
            _ => None,
        })?;
        Some(Context {
            acr,
            level,
            min_revision: given(min_revision),
        })
    }

    /// Whether a string comes next, after any white space (which it skips).
    fn string_ahead(&mut self) -> bool {
        self.skip_space();
        self.peek() == Some(b'"')
    }

    fn options(&mut self) -> Option<Options<'a>> {
        let (mut semantic, mut reasons) = (None, None);
        self.object(|cursor, name| match name {
            "evaluations_semantic" => once(&mut semantic, cursor.text()),
            "reasons" => once(&mut reasons, cursor.boolean()),
            _ => None,
        })?;
        Some(Options {
            evaluations_semantic: given(semantic),
            reasons: given(reasons),
        })
    }

    fn evaluation(&mut self) -> Option<Evaluation<'a>> {
        let mut parts = PartsRead::default();
        self.object(|cursor, name| parts.member(cursor, name))?;
        Some(Evaluation {
            subject: given(parts.subject),
            action: given(parts.action),
            resource: given(parts.resource),
            context: given(parts.context),
        })
    }

    /// The batch's items: an array of evaluation objects, none of them `null`.
    fn evaluations(&mut self) -> Option<Vec<Given<Evaluation<'a>>>> {
        self.expect(b'[')?;
        let mut items = Vec::new();
        if self.eat(b']') {
            return Some(items);
        }
        loop {
            items.push(Given::Is(self.evaluation()?));
            if self.eat(b']') {
                return Some(items);
            }
            self.expect(b',')?;
        }
    }

    fn request(&mut self) -> Option<Request<'a>> {
        let mut parts = PartsRead::default();
        let (mut options, mut evaluations) = (None, None);
        self.object(|cursor, name| match name {
            "options" => once(&mut options, cursor.options()),
            "evaluations" => once(&mut evaluations, cursor.evaluations()),
            _ => parts.member(cursor, name),
        })?;
        Some(Request {
            subject: given(parts.subject),
            action: given(parts.action),
            resource: given(parts.resource),
            context: given(parts.context),
            options: given(options),
            evaluations: given(evaluations),
        })
    }
}

fn given<T>(value: Option<T>) -> Given<T> {
    value.map_or(Given::Absent, Given::Is)
}

/// The four parts of an evaluation as they are read, in a request or in an item.
#[derive(Default)]
struct PartsRead<'a> {
    subject: Option<Subject<'a>>,
    action: Option<Action<'a>>,
    resource: Option<Resource<'a>>,
    context: Option<Context<'a>>,
}

impl<'a> PartsRead<'a> {
    /// Reads the member `name` if it is one of the four parts.
    fn member(&mut self, cursor: &mut Cursor<'a>, name: &str) -> Option<()> {
        match name {
            "subject" => once(&mut self.subject, cursor.subject()),
            "action" => once(&mut self.action, cursor.action()),
            "resource" => once(&mut self.resource, cursor.resource()),
            "context" => once(&mut self.context, cursor.context()),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use proptest::sample::{Index, select, subsequence};

    use super::*;

    /// A JSON value as a test writes it: numbers are kept as their text, so that a test can
    /// write ones no reader should accept.
    #[derive(Debug, Clone)]
    enum Json {
        Text(String),
        /// A string written between quotes as it is, unescaped: control characters in it
        /// make it no JSON.
        RawText(String),
        Number(String),
        Bool(bool),
        Null,
        Array(Vec<Json>),
        Object(Vec<(String, Json)>),
    }

    /// Writes `json`, with the white space `spaces` picks between its tokens.
    fn write(json: &Json, spaces: &mut impl Iterator<Item = usize>, out: &mut String) {
        fn space(spaces: &mut impl Iterator<Item = usize>, out: &mut String) {
            let spaces_between = ["", " ", "\n  ", "\t", "\r\n"];
            let pick = spaces.next().unwrap_or(0) % spaces_between.len();
            out.push_str(spaces_between.get(pick).copied().unwrap_or_default());
        }
        match json {
            Json::Text(text) => out.push_str(&serde_json::to_string(text).unwrap_or_default()),
            Json::RawText(text) => {
                out.push('"');
                out.push_str(text);
                out.push('"');
            }
            Json::Number(number) => out.push_str(number),
            Json::Bool(value) => out.push_str(if *value { "true" } else { "false" }),
            Json::Null => out.push_str("null"),
            Json::Array(items) => {
                out.push('[');
                for (index, item) in items.iter().enumerate() {
                    if index > 0 {
                        out.push(',');
                    }
                    space(spaces, out);
                    write(item, spaces, out);
                    space(spaces, out);
                }
                out.push(']');
            }
            Json::Object(members) => {
                out.push('{');
                for (index, (name, value)) in members.iter().enumerate() {
                    if index > 0 {
                        out.push(',');
                    }
                    space(spaces, out);
                    out.push_str(&serde_json::to_string(name).unwrap_or_default());
                    space(spaces, out);
                    out.push(':');
                    space(spaces, out);
                    write(value, spaces, out);
                    space(spaces, out);
                }
                out.push('}');
            }
        }
    }

    /// Whether to write only the usual shape, or also everything around it.
    #[derive(Debug, Clone, Copy)]
    enum Shape {
        Usual,
        Any,
    }

    /// A value no member of the usual shape has.
    fn odd() -> BoxedStrategy<Json> {
        prop_oneof![
            Just(Json::Null),
            any::<bool>().prop_map(Json::Bool),
            Just(Json::Array(vec![Json::Number("1".into())])),
            Just(Json::Object(vec![("a".into(), Json::Array(Vec::new()))])),
            Just(Json::Text("x".into())),
            Just(Json::Number("3".into())),
        ]
        .boxed()
    }

    fn text(shape: Shape) -> BoxedStrategy<Json> {
        let plain = "[a-zA-Z0-9:._ -]{0,12}".prop_map(Json::Text);
        match shape {
            Shape::Usual => prop_oneof![4 => plain, 1 => "\\PC{0,6}".prop_map(Json::Text)]
                .prop_filter(
                    "no escape",
                    |json| !matches!(json, Json::Text(t) if t.contains(['"', '\\'])),
                )
                .boxed(),
            // Quotes, backslashes and control characters are written as escapes.
            Shape::Any => prop_oneof![
                6 => plain,
                1 => "[\"\\\\\u{1}\u{1f}a\u{e9}/]{1,4}".prop_map(Json::Text),
                1 => "[a\u{0}\u{1}\t\n\u{1f}]{1,3}".prop_map(Json::RawText),
                1 => odd(),
            ]
            .boxed(),
        }
    }

    fn unsigned(shape: Shape) -> BoxedStrategy<Json> {
        let plain = prop_oneof![0..100u64, any::<u64>()].prop_map(|n| Json::Number(n.to_string()));
        match shape {
            Shape::Usual => plain.boxed(),
            Shape::Any => prop_oneof![
                4 => plain,
                1 => "-?(0|[1-9][0-9]{0,2})(\\.[0-9]{1,2})?([eE][+-]?[0-9])?".prop_map(Json::Number),
                1 => Just(Json::Number("18446744073709551616".into())),
                1 => Just(Json::Number("007".into())),
                1 => odd(),
            ]
            .boxed(),
        }
    }

    fn boolean(shape: Shape) -> BoxedStrategy<Json> {
        match shape {
            Shape::Usual => any::<bool>().prop_map(Json::Bool).boxed(),
            Shape::Any => prop_oneof![3 => any::<bool>().prop_map(Json::Bool), 1 => odd()].boxed(),
        }
    }

    /// An object of some of `names` (in any order, each once for the usual shape; repeated,
    /// mixed with unknown members or replaced by an odd value otherwise).
    fn object(
        shape: Shape,
        names: &'static [&'static str],
        value: fn(Shape, &'static str) -> BoxedStrategy<Json>,
    ) -> BoxedStrategy<Json> {
        let members = move |names: Vec<&'static str>| {
            names
                .into_iter()
                .map(move |name| value(shape, name).prop_map(move |json| (name.to_owned(), json)))
                .collect::<Vec<_>>()
        };
        match shape {
            Shape::Usual => subsequence(names, 0..=names.len())
                .prop_shuffle()
                .prop_flat_map(members)
                .prop_map(Json::Object)
                .boxed(),
            Shape::Any => {
                let known = prop::collection::vec(select(names), 0..=names.len() + 1)
                    .prop_flat_map(members);
                let unknown = prop::collection::vec(("[a-z_]{1,6}", odd()), 0..2);
                let object =
                    (known, unknown, any::<Index>()).prop_map(|(mut known, unknown, at)| {
                        for member in unknown {
                            known.insert(at.index(known.len() + 1), member);
                        }
                        Json::Object(known)
                    });
                prop_oneof![8 => object, 1 => odd()].boxed()
            }
        }
    }

    fn member(shape: Shape, name: &'static str) -> BoxedStrategy<Json> {
        match name {
            "subject" => object(shape, &["type", "id"], |shape, _| text(shape)),
            "action" => object(shape, &["name"], |shape, _| text(shape)),
            "resource" => object(shape, &["type", "id", "properties"], |shape, name| {
                if name == "properties" {
                    properties(shape)
                } else {
                    text(shape)
                }
            }),
            "properties" => properties(shape),
            "context" => object(
                shape,
                &["acr", "level", "min_revision"],
                |shape, name| match name {
                    "level" => prop_oneof![text(shape), unsigned(shape)].boxed(),
                    "min_revision" => unsigned(shape),
                    _ => text(shape),
                },
            ),
            "options" => object(
                shape,
                &["evaluations_semantic", "reasons"],
                |shape, name| match name {
                    "reasons" => boolean(shape),
                    _ => prop_oneof![
                        Just(Json::Text("execute_all".into())),
                        Just(Json::Text("deny_on_first_deny".into())),
                        text(shape),
                    ]
                    .boxed(),
                },
            ),
            "evaluations" => {
                let item = object(shape, &["subject", "action", "resource", "context"], member);
                let items = prop::collection::vec(item, 0..4).prop_map(Json::Array);
                match shape {
                    Shape::Usual => items.boxed(),
                    Shape::Any => prop_oneof![4 => items, 1 => odd()].boxed(),
                }
            }
            _ => odd(),
        }
    }

    /// Properties of string values (the usual shape), or also of numbers and odd values.
    fn properties(shape: Shape) -> BoxedStrategy<Json> {
        let value = match shape {
            Shape::Usual => text(shape),
            Shape::Any => prop_oneof![text(shape), unsigned(shape)].boxed(),
        };
        prop::collection::vec(("[a-z]{1,3}", value), 0..4)
            .prop_map(Json::Object)
            .boxed()
    }

    const REQUEST: &[&str] = &[
        "subject",
        "action",
        "resource",
        "context",
        "options",
        "evaluations",
    ];

    fn request(shape: Shape) -> BoxedStrategy<String> {
        (
            object(shape, REQUEST, member),
            prop::collection::vec(0..5usize, 1..40),
        )
            .prop_map(|(json, spaces)| {
                let mut out = String::new();
                write(&json, &mut spaces.into_iter().cycle(), &mut out);
                out
            })
            .boxed()
    }

    /// The strict reader's reading of `text`.
    fn strictly(text: &str) -> Option<Request<'_>> {
        serde_json::from_str::<Request<'_>>(text).ok()
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2_000, ..ProptestConfig::default() })]

        /// Every request of the usual shape is read by this reader, as the strict one reads it.
        #[test]
        fn a_usual_request_is_read_as_the_strict_reader_reads_it(body in request(Shape::Usual)) {
            let usual = read(&body);
            prop_assert!(usual.is_some(), "given up on {}", body);
            prop_assert_eq!(usual, strictly(&body), "{}", body);
        }

        /// Whatever this reader accepts, even damaged, the strict reader accepts and reads
        /// alike; it never panics.
        #[test]
        fn what_this_reader_accepts_the_strict_one_reads_alike(
            body in request(Shape::Any),
            damage in prop::option::of((any::<Index>(), select(&b"{}[]\":, 0-.e\\n\x01x"[..]), any::<bool>())),
        ) {
            let mut bytes = body.into_bytes();
            if let Some((at, byte, insert)) = damage {
                let at = at.index(bytes.len() + 1);
                if insert {
                    bytes.insert(at, byte);
                } else if at < bytes.len() {
                    bytes.remove(at);
                }
            }
            let Ok(body) = String::from_utf8(bytes) else {
                return Ok(());
            };
            if let Some(usual) = read(&body) {
                prop_assert_eq!(Some(usual), strictly(&body), "{}", body);
            }
        }
    }

    /// The bodies the benchmark and typical applications send are read by this reader.
    #[test]
    fn the_usual_bodies_are_read_here() {
        let batch = r#"{"evaluations":[{"subject":{"type":"user","id":"u00042"},"action":{"name":"dossier.read"},"resource":{"type":"dossier","id":"D-2026-0013"},"context":{"level":2}},{"subject":{"type":"user","id":"u7"},"action":{"name":"dossier.write"},"resource":{"type":"dossier","id":"d9","properties":{"organization":"0207.456.312"}},"context":{"acr":"urn:be:fedict:iam:fas:Level400","min_revision":12}}],"options":{"evaluations_semantic":"deny_on_first_deny","reasons":true}}"#;
        let read_batch = read(batch);
        assert!(read_batch.is_some());
        assert_eq!(read_batch, strictly(batch));
        let pretty = "{\n  \"subject\": {\"type\": \"user\", \"id\": \"alice\"},\r\n\t\"action\": {\"name\": \"can_read\"},\n  \"resource\": {\"type\": \"todo\", \"id\": \"1\"}\n}\n";
        assert!(read(pretty).is_some_and(|r| r.evaluations == Given::Absent
            && matches!(&r.subject, Given::Is(s) if s.id.as_ref().map(Text::as_str) == Some("alice"))));
    }

    /// What this reader gives up on, the other two read; what is no JSON, they refuse.
    #[test]
    fn anything_else_is_left_to_the_other_readers() {
        let others = [
            r#"{"subject":{"type":"user","id":"al\"ice"}}"#,
            r#"{"subject":{"type":"user","id":"alice","properties":{}}}"#,
            r#"{"subject":null}"#,
            r#"{"resource":{"properties":{"n":12}}}"#,
            r#"{"context":{"level":2.0}}"#,
            r#"{"context":{"level":-1}}"#,
            r#"{"context":{"level":18446744073709551616}}"#,
            r#"{"evaluations":[null]}"#,
            r#"{"extra":1}"#,
            r#"{"subject":{"id":"a","id":"b"}}"#,
        ];
        for body in others {
            assert!(read(body).is_none(), "{body}");
            assert!(Request::read(body.as_bytes()).is_ok(), "{body}");
        }
        let no_json = [
            "\u{feff}{}",
            r#"{"context":{"min_revision":01}}"#,
            r#"{} {}"#,
            r#"{"subject":{"id":"a"}"#,
            "{\"subject\":{\"id\":\"a\u{1}\"}}",
        ];
        for body in no_json {
            assert!(read(body).is_none(), "{body}");
            assert!(Request::read(body.as_bytes()).is_err(), "{body}");
        }
    }
}
