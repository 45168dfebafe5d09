//! `dicohort validate`.

/// Arguments of `dicohort validate` (see ../shared/cli-contract.md).
#[derive(clap::Args, Debug)]
pub struct Args {}

pub fn run(_args: Args) -> anyhow::Result<()> {
    anyhow::bail!("`dicohort validate` is not yet implemented")
}
