//! `dicohort report`.

/// Arguments of `dicohort report` (see ../shared/cli-contract.md).
#[derive(clap::Args, Debug)]
pub struct Args {}

pub fn run(_args: Args) -> anyhow::Result<()> {
    anyhow::bail!("`dicohort report` is not yet implemented")
}
