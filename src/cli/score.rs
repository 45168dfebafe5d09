//! `dicohort score`.

/// Arguments of `dicohort score` (see ../shared/cli-contract.md).
#[derive(clap::Args, Debug)]
pub struct Args {}

pub fn run(_args: Args) -> anyhow::Result<()> {
    anyhow::bail!("`dicohort score` is not yet implemented")
}
