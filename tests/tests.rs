//! The integration test binary (one binary, modules by theme, as in ripgrep).
mod cli;
mod importers;
mod indicators;
mod pipeline;
mod practice;
mod profiles;
mod report;
mod util;
