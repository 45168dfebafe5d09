//! `dicohort simulate`.

/// Arguments of `dicohort simulate` (see ../shared/cli-contract.md).
#[derive(clap::Args, Debug)]
pub struct Args {}

pub fn run(_args: Args) -> anyhow::Result<()> {
    anyhow::bail!("`dicohort simulate` is not yet implemented")
}
