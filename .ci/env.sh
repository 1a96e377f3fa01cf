# Sourced by the scripts in .ci/: tool paths and the split target directories.
export PATH="$PWD/end2end/node_modules/.bin:${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
# cargo-leptos (for `cargo leptos watch`) builds in target/ with other flags; sharing a target directory with it would
# make each rebuild the other's artefacts.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target/cargo}"
# The name the site's files have (`portal.js`, `portal.wasm`, `portal.css`), compiled into the server as cargo-leptos
# does, so every build of the server, test or release, serves the site .ci/build-site makes.
export LEPTOS_OUTPUT_NAME=portal
