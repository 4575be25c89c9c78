//! One module per command: each turns parsed arguments into library calls and
//! output. The logic lives in the library modules; these stay thin.

pub mod brief;
pub mod check;
pub mod circle;
pub mod commit;
pub mod completions;
pub mod digest;
pub mod done;
pub mod edit;
pub mod event;
pub mod export;
pub mod fix;
pub mod give;
pub mod graph;
pub mod history;
pub mod hook;
pub mod import;
pub mod index;
pub mod init;
pub mod intro;
pub mod intros;
pub mod list;
pub mod log;
pub mod log_input;
pub mod new;
pub mod news;
pub mod plugin;
pub mod resource;
pub mod search;
pub mod show;
pub mod show_more;
pub mod watch;
