// refinery embeds the SQL files at compile time. Cargo watches a folder only
// for files added or removed, so each file is named too: an edited migration
// must rebuild what embeds it.
fn main() {
    println!("cargo:rerun-if-changed=../migrations");
    for entry in std::fs::read_dir("../migrations").expect("the migrations folder") {
        let path = entry.expect("a migrations entry").path();
        println!("cargo:rerun-if-changed={}", path.display());
    }
}
