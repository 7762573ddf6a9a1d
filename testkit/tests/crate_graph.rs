//! The crates split by dependency weight, kept so: the gateway compiles no
//! Postgres and no course loader, and the terminal client takes the domain
//! crate and no store at all (`cargo tree`, offline, on the lock file).

use std::collections::BTreeSet;
use std::process::Command;

/// The package names in `cargo tree -p <package>` with `edges`.
fn tree(package: &str, edges: &str) -> BTreeSet<String> {
    let out = Command::new(env!("CARGO"))
        .args([
            "tree",
            "--offline",
            "--locked",
            "-p",
            package,
            "-e",
            edges,
            "--prefix",
            "none",
        ])
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
        .output()
        .expect("cargo runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split(' ').next())
        .map(str::to_owned)
        .collect()
}

#[test]
fn the_gateway_has_no_postgres_and_no_course_loader() {
    // Its tests too (dev-dependencies are in the default edges).
    let gateway = tree("websocket", "normal,build,dev");
    assert!(gateway.contains("codeplatform-queue"), "{gateway:?}");
    for heavy in ["tokio-postgres", "deadpool-postgres", "refinery", "toml"] {
        assert!(!gateway.contains(heavy), "the gateway compiles {heavy}");
    }
}

#[test]
fn the_terminal_client_has_the_domain_and_no_store() {
    let cli = tree("codeplatform-cli", "normal");
    assert!(cli.contains("codeplatform-domain"), "{cli:?}");
    for heavy in ["redis", "tokio-postgres", "codeplatform-store"] {
        assert!(!cli.contains(heavy), "the terminal client compiles {heavy}");
    }
}
