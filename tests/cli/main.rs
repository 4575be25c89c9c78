//! kith's integration tests: one binary, a module per feature. Each test builds
//! a real vault in a temporary folder and runs the real `kith` binary on it.

mod support;

mod core;
mod digest;
mod foundation;
mod git;
mod import_export;
mod search;
mod watch;
