//! `dicohort cox`.

/// Arguments of `dicohort cox` (see ../shared/cli-contract.md).
#[derive(clap::Args, Debug)]
pub struct Args {}

pub fn run(_args: Args) -> anyhow::Result<()> {
    anyhow::bail!("`dicohort cox` is not yet implemented")
}
