//! `dicohort km`.

/// Arguments of `dicohort km` (see ../shared/cli-contract.md).
#[derive(clap::Args, Debug)]
pub struct Args {}

pub fn run(_args: Args) -> anyhow::Result<()> {
    anyhow::bail!("`dicohort km` is not yet implemented")
}
