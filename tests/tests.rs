//! Integration tests: the real `pressd` binary against local servers on
//! 127.0.0.1 serving fixture feeds and pages. No test reaches the internet.

mod harness;

mod commands;
mod coverage;
mod disk_full;
mod end_to_end;
mod extraction;
mod feeds;
mod health;
mod import;
mod lang_cli;
mod names;
mod politeness;
mod signals;
mod social;
mod source_url;
mod stories;
mod systemd;
mod watches;
mod web;
