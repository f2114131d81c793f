// `sqlx::migrate!` embeds the migration files at compile time but cannot tell cargo to watch
// them; without this a new migration would be silently left out of the binary.
fn main() {
    println!("cargo:rerun-if-changed=../migrations");
}
