//! The digest: reminders, introduction suggestions and share suggestions,
//! computed from a loaded vault as of a date. (Being built: issue "The digest".)

use crate::date::Date;
use crate::vault::Vault;
use serde::Serialize;
use std::path::PathBuf;

/// What a reminder is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReminderKind {
    FollowUp,
    CheckIn,
    Promise,
    Birthday,
    Event,
}

/// One generous action due around a date, with its reason.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reminder {
    pub kind: ReminderKind,
    /// The person's (or event's) display name.
    pub name: String,
    /// Vault-relative path of the note to open.
    pub path: PathBuf,
    pub line: usize,
    pub due: Date,
    pub reason: String,
}

/// Every reminder as of `as_of` (unbudgeted), ordered by kind then urgency.
pub fn reminders(_vault: &Vault, _as_of: Date) -> Vec<Reminder> {
    Vec::new()
}
