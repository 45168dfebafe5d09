//! `dicohort logrank`.

/// Arguments of `dicohort logrank` (see ../shared/cli-contract.md).
#[derive(clap::Args, Debug)]
pub struct Args {}

pub fn run(_args: Args) -> anyhow::Result<()> {
    anyhow::bail!("`dicohort logrank` is not yet implemented")
}
