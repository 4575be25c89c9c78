//! kith's integration tests: one binary, a module per feature. Each test builds
//! a real vault in a temporary folder and runs the real `kith` binary on it.

mod support;

mod answers_carry;
mod attack_alloc;
mod attack_answers;
mod attack_cache;
mod attack_core;
mod attack_daily;
mod attack_hostile;
mod attack_intros;
mod attack_intros_key;
mod attack_io;
mod attack_last;
mod attack_lean;
mod attack_links;
mod attack_obs;
mod attack_search;
mod attack_store;
mod attack_text;
mod attack_trust;
mod attack_walkless;
mod attack_writes;
mod cache;
mod core;
mod daily;
mod digest;
mod digest_cache;
mod foundation;
mod git;
mod give;
mod hostile;
mod import_export;
mod index_repair;
mod intro_key;
mod intros;
mod intros_lean;
mod obsidian;
mod reading;
mod search;
mod trust;
mod watch;
mod writes;
