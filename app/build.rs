//! Generates the `i18n` module from `locales/*.json`: French is the default (the charter's language), English the
//! second locale. Keys or interpolations that differ between the two files fail the build.

use std::{error::Error, path::PathBuf};

use leptos_i18n_build::{Config, ParseOptions, TranslationsInfos};

/// One file per namespace and language under `locales/<language>/`: each group of screens keeps its own words.
const NAMESPACES: [&str; 9] = [
    "common", "home", "auth", "consents", "log", "data", "charter", "staff", "privacy",
];

fn main() -> Result<(), Box<dyn Error>> {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed=Cargo.toml");

    let out_dir = std::env::var_os("OUT_DIR").ok_or("cargo sets OUT_DIR for build scripts")?;
    let config = Config::new("fr")?
        .add_locale("en")?
        .add_namespaces(NAMESPACES)?
        // Lets `t_string!`/`td_string!` fill in values, for titles, attributes and server-side text.
        .parse_options(ParseOptions::default().interpolate_display(true));
    let translations = TranslationsInfos::parse(config)?;
    translations.emit_diagnostics();
    translations.rerun_if_locales_changed();
    translations.generate_i18n_module(PathBuf::from(out_dir).join("i18n"))?;
    Ok(())
}
