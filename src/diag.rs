//! Diagnostics: one finding about one place in one note.
//!
//! Every problem kith finds in a note becomes a [`Diagnostic`] that names the
//! file, line and column, says what is wrong, and gives a one-line hint. They are
//! collected, never thrown: one broken note never stops the others.

use serde::Serialize;
use std::fmt;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Path relative to the vault root.
    #[serde(serialize_with = "crate::text::ser_lossy_path")]
    pub path: PathBuf,
    /// 1-based line.
    pub line: usize,
    /// 1-based byte column.
    pub column: usize,
    pub severity: Severity,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

impl Diagnostic {
    pub fn error(path: &Path, line: usize, column: usize, message: impl Into<String>) -> Self {
        Diagnostic {
            path: path.to_path_buf(),
            line,
            column,
            severity: Severity::Error,
            message: message.into(),
            hint: None,
        }
    }

    pub fn warning(path: &Path, line: usize, column: usize, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(path, line, column, message)
        }
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// `path:line:column: severity: message` with `shown` as the path text.
    pub fn render(&self, shown: &Path, color: bool) -> String {
        use anstyle::{AnsiColor, Style};
        let (sev_style, bold_style) = if color {
            let c = match self.severity {
                Severity::Error => AnsiColor::Red,
                Severity::Warning => AnsiColor::Yellow,
            };
            (
                Style::new().bold().fg_color(Some(c.into())),
                Style::new().bold(),
            )
        } else {
            (Style::new(), Style::new())
        };
        // A plain style renders as nothing, so no colour means no codes.
        let (sev, bold) = (
            sev_style.render().to_string(),
            bold_style.render().to_string(),
        );
        let reset = if color {
            anstyle::Reset.render().to_string()
        } else {
            String::new()
        };
        let mut s = format!(
            "{bold}{}:{}:{}:{reset} {sev}{}{reset}: {}",
            shown.display(),
            self.line,
            self.column,
            self.severity,
            self.message
        );
        if let Some(h) = &self.hint {
            s.push_str("\n  hint: ");
            s.push_str(h);
        }
        s
    }
}

/// Sorts diagnostics by path, line, column for stable output.
pub fn sort(diags: &mut [Diagnostic]) {
    diags.sort_by(|a, b| {
        (&a.path, a.line, a.column, &a.message).cmp(&(&b.path, b.line, b.column, &b.message))
    });
}
