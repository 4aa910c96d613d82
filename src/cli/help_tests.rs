//! The configuration contract: every flag of every subcommand can also be
//! set from an `AUTOPILOT_MOCK_*` variable, and every `--help` shows
//! examples. Walks clap's command tree, so new subcommands are covered
//! without touching this file.

use clap::CommandFactory;

use super::Cli;

fn every_command() -> Vec<clap::Command> {
    fn walk(cmd: &clap::Command, out: &mut Vec<clap::Command>) {
        out.push(cmd.clone());
        for sub in cmd.get_subcommands() {
            walk(sub, out);
        }
    }
    let mut out = Vec::new();
    walk(&Cli::command(), &mut out);
    out
}

#[test]
fn every_flag_has_an_autopilot_mock_env_var() {
    let mut missing = Vec::new();
    for cmd in every_command() {
        for arg in cmd.get_arguments() {
            let builtin = matches!(arg.get_id().as_str(), "help" | "version");
            if builtin || arg.is_positional() {
                continue;
            }
            match arg.get_env().and_then(|e| e.to_str()) {
                Some(env) if env.starts_with("AUTOPILOT_MOCK_") => {}
                other => missing.push(format!(
                    "{} --{}: env {other:?}",
                    cmd.get_name(),
                    arg.get_long().unwrap_or(arg.get_id().as_str())
                )),
            }
        }
    }
    assert!(
        missing.is_empty(),
        "flags without an AUTOPILOT_MOCK_* env var: {missing:#?}"
    );
}

#[test]
fn every_option_has_help_text() {
    let mut missing = Vec::new();
    for cmd in every_command() {
        for arg in cmd.get_arguments() {
            let builtin = matches!(arg.get_id().as_str(), "help" | "version");
            let text = arg.get_help().map(|h| h.to_string()).unwrap_or_default();
            if !builtin && text.trim().is_empty() {
                missing.push(format!("{} {}", cmd.get_name(), arg.get_id()));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "options without help text: {missing:#?}"
    );
}

#[test]
fn listen_takes_localhost_and_explains_what_it_expects() {
    use super::parse_listen;
    assert_eq!(
        parse_listen("localhost:9000"),
        Ok(([127, 0, 0, 1], 9000).into())
    );
    assert_eq!(
        parse_listen("[::1]:0"),
        "[::1]:0".parse().map_err(|_| String::new())
    );
    let err = parse_listen("9000").expect_err("a bare port");
    assert!(
        err.starts_with("expected IP:PORT or localhost:PORT"),
        "{err}"
    );
    assert!(
        err.ends_with("(for port 9000 on this machine only: 127.0.0.1:9000)"),
        "{err}"
    );
    assert!(parse_listen("example.com:1").is_err());
    use clap::Parser;
    let Err(e) = Cli::try_parse_from(["autopilot-mock", "serve", "--listen", "9000"]) else {
        panic!("9000 accepted");
    };
    assert!(e.to_string().contains("127.0.0.1:9000"), "{e}");
}

#[test]
fn a_hex_macaroon_file_is_recognised() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("mac.hex");
    std::fs::write(&path, "0201036c6e64\n").expect("write");
    let bytes = super::read_macaroon_file("--macaroon", &path).expect("hex read");
    assert_eq!(bytes, vec![2, 1, 3, 0x6c, 0x6e, 0x64]);
    std::fs::write(&path, [2u8, 1, 3, 0xff]).expect("write");
    assert_eq!(
        super::read_macaroon_file("--macaroon", &path).expect("binary"),
        vec![2, 1, 3, 0xff]
    );
    std::fs::write(&path, "-----BEGIN CERTIFICATE-----\nMIIB\n").expect("write");
    let err = super::read_macaroon_file("--macaroon", &path).expect_err("a PEM file");
    assert_eq!(
        err.to_string(),
        format!(
            "--macaroon {} is a PEM file (a certificate or key), not a macaroon; give the server's <lit-dir>/<network>/lit.macaroon",
            path.display()
        )
    );
    let cert = dir.path().join("tls.cert");
    std::fs::write(&cert, "not pem").expect("write");
    let err = super::read_pem_file("--tls-cert", &cert).expect_err("not PEM");
    assert_eq!(
        err.to_string(),
        format!(
            "--tls-cert {} is not a PEM certificate (no \"-----BEGIN CERTIFICATE-----\" line); give the server's tls.cert",
            cert.display()
        )
    );
}

#[test]
fn env_var_names_are_unique_per_command() {
    for cmd in every_command() {
        let mut seen = std::collections::BTreeSet::new();
        for arg in cmd.get_arguments() {
            if let Some(env) = arg.get_env().and_then(|e| e.to_str()) {
                assert!(
                    seen.insert(env.to_string()),
                    "{}: {env} twice",
                    cmd.get_name()
                );
            }
        }
    }
}

#[test]
fn every_help_has_examples() {
    let root = Cli::command();
    let mut lacking = Vec::new();
    for cmd in std::iter::once(&root).chain(root.get_subcommands()) {
        let mut cmd = cmd.clone();
        let help = cmd.render_long_help().to_string();
        if !help.contains("Examples:") {
            lacking.push(cmd.get_name().to_string());
        }
    }
    assert!(
        lacking.is_empty(),
        "--help without an Examples section: {lacking:?}"
    );
}

#[test]
fn log_format_is_global_and_validated() {
    use clap::Parser;
    let cli = Cli::try_parse_from(["autopilot-mock", "serve", "--log-format", "json"]);
    assert!(matches!(cli, Ok(c) if c.log_format == super::logging::LogFormat::Json));
    let Err(e) = Cli::try_parse_from(["autopilot-mock", "--log-format", "xml", "serve"]) else {
        panic!("xml accepted");
    };
    let text = e.to_string();
    assert!(text.contains("xml") && text.contains("json"), "{text}");
}

/// The command lines an `Examples:` section shows, as a shell reads them:
/// `\`-continuations joined, comments and `VAR=value` prefixes dropped,
/// quotes removed.
fn example_lines(help: &str) -> Vec<Vec<String>> {
    let mut lines = Vec::new();
    let mut joined = String::new();
    for line in help
        .lines()
        .skip_while(|l| !l.starts_with("Examples:"))
        .skip(1)
    {
        let line = line.trim();
        match line.strip_suffix('\\') {
            Some(head) => joined.push_str(head),
            None => {
                joined.push_str(line);
                lines.push(std::mem::take(&mut joined));
            }
        }
    }
    lines
        .iter()
        .map(|l| l.split(" #").next().unwrap_or_default())
        .map(|l| {
            l.split_whitespace()
                .skip_while(|w| w.contains('=') && !w.starts_with('-'))
                .map(|w| w.trim_matches('\'').to_string())
                .collect::<Vec<_>>()
        })
        .filter(|words| words.first().is_some_and(|w| w == "autopilot-mock"))
        .collect()
}

#[test]
fn every_help_example_parses() {
    use clap::Parser;
    let mut parsed = 0;
    for mut cmd in every_command() {
        let help = cmd.render_long_help().to_string();
        for words in example_lines(&help) {
            parsed += 1;
            let Err(e) = Cli::try_parse_from(&words) else {
                continue;
            };
            // `--tls-cert ... --macaroon ...`, `--reference ...`: flags left out on purpose.
            let abridged = words.iter().any(|w| w == "...");
            if !(abridged && e.kind() == clap::error::ErrorKind::MissingRequiredArgument) {
                panic!(
                    "`{} --help` example does not parse: {}\n{e}",
                    cmd.get_name(),
                    words.join(" ")
                );
            }
        }
    }
    assert!(parsed > 20, "only {parsed} examples found");
}
