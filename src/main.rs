//! Command-line entry point: parses arguments and calls the library.
use anyhow::Result;
use clap::Parser;

/// Transparent wearable stress scores.
#[derive(Parser, Debug)]
#[command(name = "stress-harness", version, about)]
struct Cli {}

fn main() -> Result<()> {
    let _cli = Cli::parse();
    Ok(())
}
