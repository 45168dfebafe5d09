//! `dicohort analyze`.

/// Arguments of `dicohort analyze` (see ../shared/cli-contract.md).
#[derive(clap::Args, Debug)]
pub struct Args {}

pub fn run(_args: Args) -> anyhow::Result<()> {
    anyhow::bail!("`dicohort analyze` is not yet implemented")
}
