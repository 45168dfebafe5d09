//! `dicohort rr`.

/// Arguments of `dicohort rr` (see ../shared/cli-contract.md).
#[derive(clap::Args, Debug)]
pub struct Args {}

pub fn run(_args: Args) -> anyhow::Result<()> {
    anyhow::bail!("`dicohort rr` is not yet implemented")
}
