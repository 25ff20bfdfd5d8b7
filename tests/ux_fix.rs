//! `--fix` and `--diff`: only the named bytes change, line endings, BOMs, permissions and
//! symlinks are kept, a second run changes nothing, and the preview never shows a password.

mod ux;

use ux::{Project, CANARY, NO_SSLMODE, WITH_PASSWORD, WRONG_PORT};

const PREFER: &str =
    "postgresql://app@ep-quiet-lake-a1b2c3d4.us-east-2.aws.neon.tech/neondb?sslmode=prefer&application_name=é";

#[test]
fn fix_is_byte_exact_and_idempotent() {
    // Non-ASCII text, tabs, trailing blanks, no final newline; two fixable findings and
    // one that has no fix.
    let before = format!(
        "# réglages\t \n[db]\nprimary = \"{NO_SSLMODE}\"   \nreplica = '{PREFER}'\n\nbad_port = \"{WRONG_PORT}\"\n# fin"
    );
    let want = before
        .replace(
            &format!("\"{NO_SSLMODE}\""),
            &format!("\"{NO_SSLMODE}?sslmode=require\""),
        )
        .replace("sslmode=prefer", "sslmode=require");
    let p = Project::new(&[("config/app.toml", &before)]);
    let out = p.run(&["--fix", "--format", "json", "."]);
    assert_eq!(p.read("config/app.toml"), want, "{}", out.all());
    assert_eq!(
        out.codes(),
        ["NL007"],
        "only the unfixable finding is left\n{}",
        out.all()
    );
    assert_eq!(out.code, 0, "a warning is left\n{}", out.all());
    assert!(
        out.stderr.contains("fixed 2 findings in 1 file"),
        "{}",
        out.all()
    );

    let again = p.run(&["--fix", "--format", "json", "."]);
    assert_eq!(
        p.read("config/app.toml"),
        want,
        "a second run changes nothing"
    );
    assert!(!again.stderr.contains("fixed"), "{}", again.all());
}

#[test]
fn fix_keeps_crlf_and_the_bom() {
    let before =
        format!("\u{feff}# app\r\nDATABASE_URL={NO_SSLMODE}\r\nDIRECT_URL={NO_SSLMODE}\r\nX=1\r\n");
    let p = Project::new(&[(".env", &before)]);
    p.run(&["--fix", "."]);
    let after = std::fs::read(p.join(".env")).expect("read");
    let want = before.replace(NO_SSLMODE, &format!("{NO_SSLMODE}?sslmode=require"));
    assert_eq!(String::from_utf8(after).expect("utf8"), want);
    p.run(&["--fix", "."]);
    assert_eq!(p.read(".env"), want, "idempotent");
}

#[cfg(unix)]
#[test]
fn fix_keeps_permissions_and_follows_symlinks() {
    use std::os::unix::fs::PermissionsExt;
    let p = Project::new(&[
        ("config/real.env", &format!("DATABASE_URL={NO_SSLMODE}\n")),
        ("bin/settings.toml", &format!("url = \"{NO_SSLMODE}\"\n")),
    ]);
    let mode = |rel: &str| {
        std::fs::metadata(p.join(rel))
            .expect("meta")
            .permissions()
            .mode()
            & 0o7777
    };
    std::fs::set_permissions(
        p.join("config/real.env"),
        std::fs::Permissions::from_mode(0o640),
    )
    .expect("chmod");
    std::fs::set_permissions(
        p.join("bin/settings.toml"),
        std::fs::Permissions::from_mode(0o755),
    )
    .expect("chmod");
    std::os::unix::fs::symlink("config/real.env", p.join(".env")).expect("symlink");

    let out = p.run(&["--fix", ".env", "bin/settings.toml"]);
    assert!(
        out.stderr.contains("fixed 2 findings in 2 files"),
        "{}",
        out.all()
    );
    assert!(p
        .read("config/real.env")
        .contains("neondb?sslmode=require\n"));
    assert!(p
        .read("bin/settings.toml")
        .contains("neondb?sslmode=require\""));
    assert_eq!(mode("config/real.env"), 0o640);
    assert_eq!(mode("bin/settings.toml"), 0o755);
    assert!(
        std::fs::symlink_metadata(p.join(".env"))
            .expect("meta")
            .file_type()
            .is_symlink(),
        "the link is still a link"
    );
    let leftovers: Vec<_> = std::fs::read_dir(p.join("config"))
        .expect("ls")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("neon-lint"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
}

#[test]
fn fix_inside_a_rust_string_literal() {
    let src =
        format!("const URL: &str = \"{NO_SSLMODE}\";\nfn main() {{ println!(\"{{URL}}\"); }}\n");
    let p = Project::new(&[("src/main.rs", &src)]);
    p.run(&["--fix", "."]);
    assert_eq!(
        p.read("src/main.rs"),
        src.replace(NO_SSLMODE, &format!("{NO_SSLMODE}?sslmode=require"))
    );
}

#[test]
fn diff_previews_without_writing_and_masks_passwords() {
    let before = format!("# db\nA=1\nDATABASE_URL={WITH_PASSWORD}\nB=2\n");
    let p = Project::new(&[
        ("deploy/app.ini", &format!("[db]\nurl = {WITH_PASSWORD}\n")),
        (".env", &before),
    ]);
    let mtime = std::fs::metadata(p.join(".env"))
        .expect("meta")
        .modified()
        .ok();
    let out = p.run(&["--diff", "--fix", "."]);
    assert_eq!(p.read(".env"), before, "nothing written, even with --fix");
    assert_eq!(
        std::fs::metadata(p.join(".env"))
            .expect("meta")
            .modified()
            .ok(),
        mtime
    );
    assert!(!out.stdout.contains(CANARY), "{}", out.all());
    assert!(!out.stderr.contains(CANARY), "{}", out.all());
    let want = "--- a/.env\n+++ b/.env\n@@ -1,4 +1,4 @@\n # db\n A=1\n-DATABASE_URL=postgresql://app:****@ep-quiet-lake-a1b2c3d4.us-east-2.aws.neon.tech/neondb?sslmode=disable\n+DATABASE_URL=postgresql://app:****@ep-quiet-lake-a1b2c3d4.us-east-2.aws.neon.tech/neondb?sslmode=require\n B=2\n";
    assert!(out.stdout.starts_with(want), "{}", out.all());
    assert!(
        out.stdout
            .contains("--- a/deploy/app.ini\n+++ b/deploy/app.ini\n"),
        "{}",
        out.all()
    );
    assert!(
        out.stderr.contains("2 safe fixes in 2 files"),
        "{}",
        out.all()
    );
    assert_eq!(out.code, 1, "there is something to fix");
    // The preview is exactly what --fix then does (passwords aside).
    p.run(&["--fix", "."]);
    assert_eq!(
        p.read(".env"),
        before.replace("sslmode=disable", "sslmode=require")
    );
    let none = p.run(&["--diff", "."]);
    assert!(none.stdout.is_empty(), "{}", none.all());
    assert!(
        none.stderr.contains("no safe fixes to apply"),
        "{}",
        none.all()
    );
    // Like `ruff --diff`: nothing to change is success, whatever findings are left.
    assert_eq!(none.code, 0, "{}", none.all());
}
