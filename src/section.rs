//! A titled list of items shown after the digest's own parts: written by
//! the digest's rules (a weekly notice) and by plugins, which is why it lives
//! here and not in `digest` — plugins (an adapter) must not import the rules.

use serde::Serialize;
use std::path::PathBuf;

/// An extra section, e.g. from a plugin.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct Section {
    pub title: String,
    pub items: Vec<SectionItem>,
}

#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct SectionItem {
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<PathBuf>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
}
