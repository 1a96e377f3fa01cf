# Sourced by the scripts in .ci/: tool paths and the split target directories.
export PATH="$PWD/end2end/node_modules/.bin:$HOME/.cargo/bin:$PATH"
# Plain cargo and cargo-leptos build with different flags; sharing a target directory makes each rebuild the other's.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target/cargo}"
