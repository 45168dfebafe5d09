//! `dicohort meta`.

/// Arguments of `dicohort meta` (see ../shared/cli-contract.md).
#[derive(clap::Args, Debug)]
pub struct Args {}

pub fn run(_args: Args) -> anyhow::Result<()> {
    anyhow::bail!("`dicohort meta` is not yet implemented")
}
