//! Library errors and the exit codes they map to.

use std::path::PathBuf;

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Exit codes (docs/cli.md): 0 ok, 1 problems found, 2 usage or runtime error.
pub mod exit {
    pub const OK: u8 = 0;
    pub const PROBLEMS: u8 = 1;
    pub const ERROR: u8 = 2;
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(
        "no vault found: {0} has no `.kith/` folder, nor has any folder above it\n  hint: run `kith init` to make one here, pass `--vault DIR`, or set KITH_VAULT"
    )]
    NoVault(PathBuf),

    #[error(
        "vault folder {0} does not exist or is not a folder\n  hint: check --vault or KITH_VAULT; `kith init DIR` makes a new vault"
    )]
    VaultMissing(PathBuf),

    #[error("{}: {source}\n  hint: {}", path.display(), io_hint(source))]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error(
        "{} changed on disk while kith was writing it; nothing was written\n  hint: run the command again",
        .0.display()
    )]
    ChangedUnderUs(PathBuf),

    /// kith will not write into a note (write-protected, another owner, not
    /// a regular file, lost its front matter, a lock held too long…); exit 1.
    #[error("{}: {why}; nothing was written\n  hint: {hint}", path.display())]
    WriteRefused {
        path: PathBuf,
        why: String,
        hint: String,
    },

    #[error("{message}")]
    UnknownPerson { message: String },

    /// The command refused to do what was asked (exit 1), e.g. a name already taken.
    #[error("{0}")]
    Refused(String),

    /// Bad arguments or bad configuration (exit 2).
    #[error("{0}")]
    Usage(String),

    /// The search index (a disposable cache) could not be opened, read or written.
    #[error("search index: {0}")]
    Index(String),

    /// git (libgit2 or the git command) failed.
    #[error("git: {0}")]
    Git(String),

    /// The folder is in a git repository that libgit2 cannot open, though the
    /// git command can (an extension libgit2 does not support): callers that
    /// can fall back to the git command do so on this variant.
    #[error(
        "{} is a git repository that libgit2 cannot open (perhaps an extension it does not support)\n  hint: `kith history` still works through the git command; other git features need a repository libgit2 can read",
        .0.display()
    )]
    GitUnreadable(PathBuf),

    /// A plugin could not be run or answered badly.
    #[error("plugin `{name}` ({hook}): {message}")]
    Plugin {
        name: String,
        hook: String,
        message: String,
    },

    /// Neither HOME nor XDG_CONFIG_HOME is set, so there is no place outside
    /// the vault for the user's own records (trusted plugins).
    #[error(
        "no HOME or XDG_CONFIG_HOME to keep trusted plugins in\n  hint: set HOME (or XDG_CONFIG_HOME) and run the command again"
    )]
    NoConfigHome,

    /// Turning kith's own data into JSON failed.
    #[error("JSON: {0}")]
    Json(#[from] serde_json::Error),

    #[error("{0}")]
    Other(String),
}

/// What to do about an I/O error, by its kind.
fn io_hint(e: &std::io::Error) -> &'static str {
    use std::io::ErrorKind as K;
    match e.kind() {
        K::NotFound => "check the path: the file or a folder on the way does not exist",
        K::PermissionDenied => "check its permissions (`ls -l`), or choose another path",
        K::NotADirectory => "a part of the path is a file, not a folder",
        K::IsADirectory => "give a file's path, not a folder's",
        K::ReadOnlyFilesystem => "that file system is read-only; choose another path",
        K::StorageFull => "the disk is full; free some space and run the command again",
        K::AlreadyExists => "something is already there; move it away or choose another path",
        _ => "check the path and run the command again",
    }
}

impl Error {
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Error {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Refused(_) | Error::WriteRefused { .. } => exit::PROBLEMS,
            _ => exit::ERROR,
        }
    }
}
