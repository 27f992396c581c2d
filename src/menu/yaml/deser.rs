//! The tree read back into serde types: a deserializer over [`Node`]
//! that keeps positions ([`Spanned`]) and says what was expected where,
//! with a "did you mean" for unknown keys.

use super::*;

/// An error found while deserializing part of the tree, with a stable code.
#[derive(Clone, Debug, PartialEq)]
pub struct DeError {
    /// Stable code: `unknown-key`, `missing-key`, `wrong-type`, `bad-duration`, …
    pub code: Code,
    /// A sentence.
    pub message: String,
    /// The position of the innermost value the error is about.
    pub pos: Option<Pos>,
}

impl DeError {
    fn at(mut self, pos: Pos) -> DeError {
        self.pos.get_or_insert(pos);
        self
    }
}

impl fmt::Display for DeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for DeError {}

/// Longest word for which a suggestion is looked for.
const MAX_SUGGEST_CHARS: usize = 64;
/// Most candidates compared with one word.
const MAX_SUGGEST_CANDIDATES: usize = 2000;

/// The closest of `candidates` to `word`, when it is close enough to
/// suggest. The work is bounded: words over 64 characters get no
/// suggestion, candidates whose length differs too much are skipped
/// unread, and at most 2,000 are compared.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let n = word.chars().count();
    if n > MAX_SUGGEST_CHARS {
        return None;
    }
    candidates
        .into_iter()
        .filter(|c| {
            let m = c.len().min(4 * MAX_SUGGEST_CHARS);
            // Byte length bounds the character count: a cheap first filter.
            m + 2 + m / 3 >= n && c.chars().count().abs_diff(n) <= 2.max(n.max(c.chars().count()) / 3)
        })
        .take(MAX_SUGGEST_CANDIDATES)
        .map(|c| (strsim::damerau_levenshtein(word, c), c))
        .filter(|&(d, c)| d <= 2.max(c.chars().count() / 3) && d < c.chars().count().max(1))
        .min_by_key(|&(d, _)| d)
        .map(|(_, c)| c)
}

/// ` (did you mean "x"?)` for a close candidate; when the two look the
/// same on screen (a composed and a decomposed accent, an invisible
/// character), both are shown character by character.
pub fn hint(word: &str, candidate: Option<&str>) -> String {
    match candidate {
        Some(c) if crate::escape::look_alike(word, c) => format!(
            " (did you mean \"{}\"? They look alike but differ: \"{}\" against \"{}\")",
            crate::escape::cell(c),
            crate::escape::visible(word),
            crate::escape::visible(c)
        ),
        Some(c) => format!(" (did you mean \"{}\"?)", crate::escape::cell(c)),
        None => String::new(),
    }
}

fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    hint(word, closest(word, candidates))
}

impl de::Error for DeError {
    fn custom<T: fmt::Display>(msg: T) -> DeError {
        // A value parser's code comes tagged in front of its message.
        let msg = msg.to_string();
        if let Some((code, rest)) = Code::split(&msg) {
            return DeError {
                code,
                message: rest.to_string(),
                pos: None,
            };
        }
        DeError {
            code: Code::InvalidValue,
            message: msg,
            pos: None,
        }
    }

    fn invalid_type(unexp: de::Unexpected<'_>, exp: &dyn de::Expected) -> DeError {
        DeError {
            code: Code::WrongType,
            message: format!("expected {}, found {unexp}", plain_type(&exp.to_string())),
            pos: None,
        }
    }

    fn invalid_value(unexp: de::Unexpected<'_>, exp: &dyn de::Expected) -> DeError {
        DeError {
            code: Code::OutOfRange,
            message: format!("{unexp} is not allowed here: expected {exp}"),
            pos: None,
        }
    }

    fn unknown_field(field: &str, expected: &'static [&'static str]) -> DeError {
        let hint = did_you_mean(field, expected.iter().copied());
        let valid = if hint.is_empty() {
            format!(" (valid keys: {})", expected.join(", "))
        } else {
            hint
        };
        DeError {
            code: Code::UnknownKey,
            message: format!("unknown key \"{field}\"{valid}"),
            pos: None,
        }
    }

    fn unknown_variant(variant: &str, expected: &'static [&'static str]) -> DeError {
        DeError {
            code: Code::UnknownValue,
            message: format!(
                "\"{variant}\" is not one of {}{}",
                expected.join(", "),
                did_you_mean(variant, expected.iter().copied())
            ),
            pos: None,
        }
    }

    fn missing_field(field: &'static str) -> DeError {
        DeError {
            code: Code::MissingKey,
            message: format!("missing required key \"{field}\""),
            pos: None,
        }
    }

    fn duplicate_field(field: &'static str) -> DeError {
        DeError {
            code: Code::DuplicateKey,
            message: format!("key \"{field}\" is written twice"),
            pos: None,
        }
    }
}

/// Serde's names of number types, said the way a menu writer would.
fn plain_type(exp: &str) -> String {
    match exp {
        "i8" | "i16" | "i32" | "i64" | "u8" | "u16" | "u32" | "u64" => "a whole number".into(),
        "f32" | "f64" => "a number".into(),
        "a string" => "text".into(),
        other => other.into(),
    }
}

/// Deserializes `T` from a node of the tree.
pub fn from_node<T: de::DeserializeOwned>(node: &Node) -> Result<T, DeError> {
    T::deserialize(NodeDe(node))
}

/// A serde `Deserializer` over a borrowed [`Node`].
pub struct NodeDe<'a>(pub &'a Node);

const SPANNED_NAME: &str = "$hotline::Spanned";
const SPANNED_FIELDS: &[&str] = &["$line", "$column", "$value"];

impl<'de> Deserializer<'de> for NodeDe<'_> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        let node = self.0;
        let r = match &node.value {
            Value::Null => v.visit_unit(),
            Value::Bool(b) => v.visit_bool(*b),
            Value::Int(i) => v.visit_i64(*i),
            Value::UInt(u) => v.visit_u64(*u),
            Value::Float(x) => v.visit_f64(*x),
            Value::Str(s) => v.visit_str(s),
            Value::Seq(items) => v.visit_seq(SeqDe(items.iter())),
            Value::Map(entries) => v.visit_map(MapDe {
                iter: entries.iter(),
                value: None,
            }),
        };
        r.map_err(|e| e.at(node.pos))
    }

    fn deserialize_option<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        match self.0.value {
            Value::Null => v.visit_none(),
            _ => v.visit_some(self),
        }
    }

    fn deserialize_str<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        match &self.0.value {
            Value::Int(_) | Value::UInt(_) | Value::Float(_) | Value::Bool(_) => {
                let text = self.0.scalar_text().unwrap_or_default();
                v.visit_string(text).map_err(|e: DeError| e.at(self.0.pos))
            }
            _ => self.deserialize_any(v),
        }
    }

    fn deserialize_string<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        self.deserialize_str(v)
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        self.deserialize_str(v)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(self, _name: &'static str, v: V) -> Result<V::Value, DeError> {
        v.visit_newtype_struct(self)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, DeError> {
        if name == SPANNED_NAME {
            return v.visit_map(SpannedDe { node: self.0, state: 0 });
        }
        let _ = fields;
        self.deserialize_any(v)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, DeError> {
        match &self.0.value {
            Value::Str(s) => {
                let d: de::value::StrDeserializer<'_, DeError> = s.as_str().into_deserializer();
                v.visit_enum(d).map_err(|e| e.at(self.0.pos))
            }
            _ => Err(DeError {
                code: Code::WrongType,
                message: format!("expected a name, found {}", self.0.type_name()),
                pos: Some(self.0.pos),
            }),
        }
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char
        bytes byte_buf unit unit_struct seq tuple tuple_struct map ignored_any
    }
}

struct SeqDe<'a>(std::slice::Iter<'a, Node>);

impl<'de> SeqAccess<'de> for SeqDe<'_> {
    type Error = DeError;
    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>, DeError> {
        self.0.next().map(|n| seed.deserialize(NodeDe(n))).transpose()
    }
    fn size_hint(&self) -> Option<usize> {
        Some(self.0.len())
    }
}

struct MapDe<'a> {
    iter: std::slice::Iter<'a, (Node, Node)>,
    value: Option<&'a Node>,
}

impl<'de> MapAccess<'de> for MapDe<'_> {
    type Error = DeError;
    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, DeError> {
        match self.iter.next() {
            Some((k, v)) => {
                self.value = Some(v);
                seed.deserialize(NodeDe(k)).map(Some)
            }
            None => Ok(None),
        }
    }
    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, DeError> {
        let v = self.value.take().expect("serde asks for a value after its key");
        seed.deserialize(NodeDe(v))
    }
}

struct SpannedDe<'a> {
    node: &'a Node,
    state: u8,
}

impl<'de> MapAccess<'de> for SpannedDe<'_> {
    type Error = DeError;
    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, DeError> {
        let Some(key) = SPANNED_FIELDS.get(self.state as usize) else {
            return Ok(None);
        };
        seed.deserialize(de::value::BorrowedStrDeserializer::new(key)).map(Some)
    }
    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, DeError> {
        self.state += 1;
        match self.state {
            1 => seed.deserialize(self.node.pos.line.into_deserializer()),
            2 => seed.deserialize(self.node.pos.column.into_deserializer()),
            _ => seed.deserialize(NodeDe(self.node)),
        }
    }
}

/// A value with the position it was written at.
#[derive(Clone, Debug, PartialEq)]
pub struct Spanned<T> {
    /// The value.
    pub value: T,
    /// Where it was written.
    pub pos: Pos,
}

impl<T> std::ops::Deref for Spanned<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Spanned<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Spanned<T>, D::Error> {
        struct V<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = Spanned<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a value with its position")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<Spanned<T>, A::Error> {
                let mut pos = Pos::default();
                let _: Option<&str> = a.next_key()?;
                pos.line = a.next_value()?;
                let _: Option<&str> = a.next_key()?;
                pos.column = a.next_value()?;
                let _: Option<&str> = a.next_key()?;
                let value = a.next_value()?;
                Ok(Spanned { value, pos })
            }
        }
        d.deserialize_struct(SPANNED_NAME, SPANNED_FIELDS, V(std::marker::PhantomData))
    }
}

impl<T: JsonSchema> JsonSchema for Spanned<T> {
    fn inline_schema() -> bool {
        T::inline_schema()
    }
    fn schema_name() -> Cow<'static, str> {
        T::schema_name()
    }
    fn schema_id() -> Cow<'static, str> {
        T::schema_id()
    }
    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        T::json_schema(generator)
    }
}
