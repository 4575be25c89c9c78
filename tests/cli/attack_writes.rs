//! Attacks on writes from outside the write module's own tests: files kith
//! writes on request (`--out`) must get the same respect as notes, and a
//! write must be refused with a reason a user can act on.

use crate::support::TestVault;
use std::fs;
use std::os::unix::fs::PermissionsExt;

fn lena(v: &TestVault) {
    v.person("lena", "Lena Fischer", "", "Met at a meetup.\n");
}

/// `kith digest --out` over a file the user made read-only renamed a new
/// file over it (rename needs only the folder's permission): `>` in a shell
/// refuses, so must kith.
#[test]
fn digest_out_over_a_write_protected_file_is_refused() {
    let v = TestVault::new();
    lena(&v);
    let out = v.path("digest.md");
    fs::write(&out, "mine, keep me\n").unwrap();
    fs::set_permissions(&out, fs::Permissions::from_mode(0o444)).unwrap();
    v.kith(["digest", "--out", out.to_str().unwrap()])
        .code(1)
        .stderr_has("write-protected")
        .stderr_has("nothing was written");
    assert_eq!(fs::read_to_string(&out).unwrap(), "mine, keep me\n");
}

/// `--out` through a symlink writes the file the link names, and the link
/// stays a link (as `>` does), with the file's mode kept.
#[test]
fn export_out_through_a_symlink_keeps_the_symlink() {
    let v = TestVault::new();
    lena(&v);
    let real = v.path("real.vcf");
    fs::write(&real, "old\n").unwrap();
    fs::set_permissions(&real, fs::Permissions::from_mode(0o640)).unwrap();
    let link = v.path("link.vcf");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    v.kith(["export", "vcard", "--out", link.to_str().unwrap()])
        .ok();
    assert!(
        fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert!(fs::read_to_string(&real).unwrap().contains("Lena Fischer"));
    assert_eq!(
        fs::metadata(&real).unwrap().permissions().mode() & 0o777,
        0o640
    );
}
