# Sourced by the scripts in .ci/: tool paths and the split target directories.
export PATH="$PWD/end2end/node_modules/.bin:$HOME/.cargo/bin:$PATH"
# Plain cargo and cargo-leptos build with different flags; sharing a target directory makes each rebuild the other's.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target/cargo}"
# What cargo-leptos compiles in: with it, a plain cargo build of the server names the bundle as the release site does
# (`portal.wasm`; without it Leptos asks for `portal_bg.wasm`), so the test build's server can serve the release site.
export LEPTOS_OUTPUT_NAME=portal
