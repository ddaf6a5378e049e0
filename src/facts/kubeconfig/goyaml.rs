//! A kubeconfig document read the way client-go reads it, not the way YAML 1.2 says.
//!
//! client-go decodes a kubeconfig with `sigs.k8s.io/yaml`: go-yaml v2 turns the text
//! into a generic map, which is then re-encoded as JSON and decoded into the config
//! struct. That path differs from a plain serde YAML reader in ways that decide which
//! cluster a command lands on, checked against the real kubectl:
//!
//! - only the **first document** of a multi-document file counts (`---` twice at the
//!   top makes an empty config);
//! - a **duplicated key** is not an error: the last one wins;
//! - a **merge key** (`<<: *anchor`, `<<: [*a, *b]`) copies the merged mapping's keys
//!   *at its position*: it overwrites keys written before it and is overwritten by keys
//!   written after it (go-yaml v2, unlike the YAML merge spec where explicit keys always
//!   win); in a list of merged mappings the earlier ones win;
//! - only a plain `<<` is a merge key; a quoted `"<<"` is an ordinary key;
//! - a UTF-8 byte order mark is skipped (`yaml_serde`'s parser, given one, stops reading
//!   after the first mapping entry without an error, so it is stripped here first).
//!
//! Not replicated: YAML 1.1 scalars such as `yes` or `1_000`, which go-yaml v2 reads
//! as a bool or a number where YAML 1.2 reads a string. client-go then refuses the whole
//! file (`cannot unmarshal bool into … string`), so kubectl never runs with it and the
//! difference cannot change where a command lands.
//!
//! serde's derive cannot express "last duplicate wins, merge in place", so the document
//! is read into a small tree ([`Node`]) through `yaml_serde`'s own parser (anchors and
//! aliases are expanded there) and the go-yaml v2 rules are applied here. Whether a `<<`
//! key was quoted is invisible through serde; a file that spells `<<` quoted or tagged
//! is refused as one failsafe cannot read exactly.
//!
//! Pure: no I/O. Error messages never quote file content (failsafe may read files the
//! agent cannot).

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use std::fmt;

/// One YAML value as go-yaml v2 hands it to the JSON step.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    /// `null`, `~` or nothing.
    Null,
    /// Any scalar that is not a string (bool, integer, float): the JSON step would make
    /// it a JSON number or boolean, which client-go refuses for the fields read here.
    NotString,
    /// A string.
    Str(String),
    /// A sequence.
    Seq(Vec<Node>),
    /// A mapping after go-yaml v2's rules: keys unique, in first-seen order.
    Map(Vec<(String, Node)>),
}

impl Node {
    /// The value under `key` of a mapping; `None` for a missing key or a non-mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        match self {
            Node::Map(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }
}

/// One mapping entry before the go-yaml v2 rules are applied: a key (or the merge key)
/// and its value.
enum Entry {
    Merge(Raw),
    Key(String, Raw),
}

/// The tree as the parser produced it: mappings keep every entry in order.
enum Raw {
    Null,
    NotString,
    Str(String),
    Seq(Vec<Raw>),
    Map(Vec<Entry>),
}

/// Parses the first document of `text` and applies go-yaml v2's mapping rules. An empty
/// stream or an empty first document is [`Node::Null`].
///
/// Fails (with a message naming only a position or the kind of problem) on invalid
/// YAML, a merge of something that is not a mapping (go-yaml refuses it too), custom
/// tags, and a quoted or tagged `<<` key, whose meaning failsafe cannot see.
pub fn parse_first_document(text: &str) -> Result<Node, String> {
    if has_quoted_merge_key(text) {
        return Err("it spells the merge key `<<` quoted or tagged, which failsafe cannot read exactly as kubectl does".to_string());
    }
    // go-yaml skips a byte order mark. yaml_serde's parser, given one, silently stops
    // after the first mapping entry, so it never sees it.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let Some(first) = yaml_serde::Deserializer::from_str(text).next() else {
        return Ok(Node::Null);
    };
    let raw = Raw::deserialize(first).map_err(|e| match e.location() {
        Some(at) => format!(
            "not a valid kubeconfig (line {}, column {})",
            at.line(),
            at.column()
        ),
        None => "not a valid kubeconfig".to_string(),
    })?;
    resolve(raw)
}

/// A `<<` written `"<<"`, `'<<'` or after a tag (`!!str <<`): go-yaml takes it as an
/// ordinary key, and serde cannot tell it from a plain one.
fn has_quoted_merge_key(text: &str) -> bool {
    text.match_indices("<<").any(|(at, _)| {
        let before = text.get(..at).unwrap_or_default();
        let after = text.get(at + 2..).unwrap_or_default();
        let quoted = (before.ends_with('"') && after.starts_with('"'))
            || (before.ends_with('\'') && after.starts_with('\''));
        let tagged = before
            .trim_end_matches([' ', '\t'])
            .rsplit([' ', '\t', '\n', '{', ',', '['])
            .next()
            .is_some_and(|word| word.starts_with('!'));
        quoted || tagged
    })
}

fn resolve(raw: Raw) -> Result<Node, String> {
    Ok(match raw {
        Raw::Null => Node::Null,
        Raw::NotString => Node::NotString,
        Raw::Str(s) => Node::Str(s),
        Raw::Seq(items) => Node::Seq(items.into_iter().map(resolve).collect::<Result<_, _>>()?),
        Raw::Map(entries) => {
            let mut out: Vec<(String, Node)> = Vec::new();
            for entry in entries {
                match entry {
                    Entry::Key(k, v) => set(&mut out, k, resolve(v)?),
                    Entry::Merge(v) => merge(&mut out, resolve(v)?)?,
                }
            }
            Node::Map(out)
        }
    })
}

/// go-yaml v2 `SetMapIndex`: a later key replaces an earlier one.
fn set(out: &mut Vec<(String, Node)>, key: String, value: Node) {
    match out.iter_mut().find(|(k, _)| *k == key) {
        Some(slot) => slot.1 = value,
        None => out.push((key, value)),
    }
}

/// go-yaml v2 `merge`: a mapping is decoded into the map being built (overwriting); a
/// sequence of mappings is decoded last to first, so the earlier ones win; anything else
/// is an error.
fn merge(out: &mut Vec<(String, Node)>, value: Node) -> Result<(), String> {
    let not_a_map = || "a merge key `<<` names something that is not a mapping".to_string();
    match value {
        Node::Map(entries) => {
            for (k, v) in entries {
                set(out, k, v);
            }
        }
        Node::Seq(items) => {
            for item in items.into_iter().rev() {
                match item {
                    Node::Map(entries) => {
                        for (k, v) in entries {
                            set(out, k, v);
                        }
                    }
                    _ => return Err(not_a_map()),
                }
            }
        }
        _ => return Err(not_a_map()),
    }
    Ok(())
}

impl<'de> Deserialize<'de> for Raw {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Raw, D::Error> {
        deserializer.deserialize_any(RawVisitor)
    }
}

/// A mapping key: strings as they are, other scalars as sigs.k8s.io/yaml would turn them
/// into JSON keys (they never name a field failsafe reads).
struct Key(Option<String>);

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Key, D::Error> {
        match Raw::deserialize(deserializer)? {
            Raw::Str(s) => Ok(Key(Some(s))),
            Raw::Null | Raw::NotString => Ok(Key(None)),
            Raw::Seq(_) | Raw::Map(_) => Err(de::Error::custom("a mapping key is not a scalar")),
        }
    }
}

struct RawVisitor;

impl<'de> Visitor<'de> for RawVisitor {
    type Value = Raw;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a YAML value")
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Raw, E> {
        Ok(Raw::NotString)
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Raw, E> {
        Ok(Raw::NotString)
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Raw, E> {
        Ok(Raw::NotString)
    }

    fn visit_i128<E: de::Error>(self, _: i128) -> Result<Raw, E> {
        Ok(Raw::NotString)
    }

    fn visit_u128<E: de::Error>(self, _: u128) -> Result<Raw, E> {
        Ok(Raw::NotString)
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Raw, E> {
        Ok(Raw::NotString)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Raw, E> {
        Ok(Raw::Str(v.to_string()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Raw, E> {
        Ok(Raw::Str(v))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Raw, E> {
        Ok(Raw::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Raw, E> {
        Ok(Raw::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Raw, D::Error> {
        Raw::deserialize(deserializer)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Raw, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Raw>()? {
            items.push(item);
        }
        Ok(Raw::Seq(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Raw, A::Error> {
        let mut entries = Vec::new();
        while let Some(Key(key)) = map.next_key::<Key>()? {
            let value = map.next_value::<Raw>()?;
            entries.push(match key {
                Some(k) if k == "<<" => Entry::Merge(value),
                // A non-string key never names a field failsafe reads; keep the entry
                // out of the way under a name no field has.
                Some(k) => Entry::Key(k, value),
                None => Entry::Key(String::from("\u{0}non-string key"), value),
            });
        }
        Ok(Raw::Map(entries))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn cc(text: &str) -> Result<Option<String>, String> {
        let node = parse_first_document(text)?;
        Ok(match node.get("current-context") {
            Some(Node::Str(s)) => Some(s.clone()),
            _ => None,
        })
    }

    // Every expectation below was checked with `kubectl config current-context` (v1.32).
    #[rstest]
    #[case::plain("current-context: dev\n", Some("dev"))]
    #[case::duplicate_last_wins("current-context: dev\ncurrent-context: prod\n", Some("prod"))]
    #[case::merge_overwrites_earlier(
        "a: &a {current-context: dev}\ncurrent-context: prod\n<<: *a\n",
        Some("dev")
    )]
    #[case::later_key_overwrites_merge(
        "a: &a {current-context: dev}\n<<: *a\ncurrent-context: prod\n",
        Some("prod")
    )]
    #[case::merge_list_earlier_wins(
        "a: &a {current-context: dev}\nb: &b {current-context: prod}\n<<: [*a, *b]\n",
        Some("dev")
    )]
    #[case::first_document_only("current-context: dev\n---\ncurrent-context: prod\n", Some("dev"))]
    #[case::empty_first_document("---\n---\ncurrent-context: prod\n", None)]
    #[case::comment_then_document("# c\n---\ncurrent-context: prod\n", Some("prod"))]
    #[case::bom("\u{feff}current-context: prod\n", Some("prod"))]
    #[case::bom_then_more_keys("\u{feff}apiVersion: v1\ncurrent-context: prod\n", Some("prod"))]
    #[case::case_sensitive("Current-Context: prod\n", None)]
    #[case::empty("", None)]
    fn go_yaml_v2_rules(#[case] text: &str, #[case] want: Option<&str>) {
        assert_eq!(cc(text), Ok(want.map(str::to_string)), "{text:?}");
    }

    #[rstest]
    #[case::quoted_merge_key("current-context: prod\n\"<<\": {current-context: dev}\n")]
    #[case::single_quoted_merge_key("'<<': {current-context: dev}\n")]
    #[case::tagged_merge_key("!!str <<: {current-context: dev}\n")]
    #[case::merge_of_a_scalar("a: &a x\n<<: *a\n")]
    #[case::invalid("contexts: [oops\n")]
    fn refused(#[case] text: &str) {
        assert!(parse_first_document(text).is_err(), "{text:?}");
    }

    #[test]
    fn non_strings_are_marked() {
        assert_eq!(
            parse_first_document("current-context: true\n")
                .ok()
                .and_then(|n| n.get("current-context").cloned()),
            Some(Node::NotString)
        );
    }

    #[test]
    fn a_later_document_with_errors_is_ignored() {
        assert_eq!(
            cc("current-context: dev\n---\n[oops\n"),
            Ok(Some("dev".into()))
        );
    }
}
