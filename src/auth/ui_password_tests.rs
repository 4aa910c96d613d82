use super::*;

const PW: &str = "correct horse!"; // 29 bytes: the token ends in `=`

fn token() -> String {
    STANDARD.encode(format!("{PW}:{PW}"))
}

#[test]
fn the_token_is_std_base64_of_pw_colon_pw() {
    let p = UiPassword::new("foobarbaz").unwrap();
    assert_eq!(p.basic_header(), "Basic Zm9vYmFyYmF6OmZvb2JhcmJheg==");
}

#[test]
fn start_up_texts_are_litds() {
    assert_eq!(UiPassword::configure(None, None), Ok(None));
    assert_eq!(
        UiPassword::configure(Some("short  "), None).unwrap_err().0,
        "please set a strong password for the UI, at least 8 characters long"
    );
    // Trimmed before counting.
    assert!(UiPassword::configure(Some("  1234567  "), None).is_err());
    assert!(UiPassword::configure(Some("  12345678  "), None)
        .unwrap()
        .is_some());
    assert_eq!(
        UiPassword::configure(Some("   "), None).unwrap_err().0,
        "could not read UI password: mandatory password for UI not configured. specify either \
         a password directly or a file or environment variable that contains the password"
    );
    let missing = Path::new("/nonexistent/ui-password");
    let e = UiPassword::configure(None, Some(missing)).unwrap_err().0;
    assert!(
        e.starts_with("could not read UI password: could not read file /nonexistent/ui-password: "),
        "{e}"
    );
}

#[test]
fn the_file_is_used_when_the_flag_is_empty_and_is_trimmed() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("pw");
    std::fs::write(&file, format!("\n  {PW}\n")).unwrap();
    let p = UiPassword::configure(Some(""), Some(&file))
        .unwrap()
        .unwrap();
    assert_eq!(p.basic_header(), format!("Basic {}", token()));
    // The flag wins over the file.
    let p = UiPassword::configure(Some("another-one"), Some(&file))
        .unwrap()
        .unwrap();
    assert_ne!(p.basic_header(), format!("Basic {}", token()));
    std::fs::write(&file, "  \n").unwrap();
    assert_eq!(
        UiPassword::configure(None, Some(&file)).unwrap_err().0,
        "please set a strong password for the UI, at least 8 characters long"
    );
}

#[test]
fn matching_follows_litds_split() {
    let p = UiPassword::new(PW).unwrap();
    let t = token();
    let yes = [
        format!("Basic {t}"),
        format!("basic {t}"),
        format!("Bearer {t}"),
        format!(" {t}"),
    ];
    for v in &yes {
        assert!(p.matches([v.as_bytes()]), "{v:?}");
    }
    let url_safe = t.replace('+', "-").replace('/', "_");
    assert!(t.ends_with('='));
    let unpadded = t.trim_end_matches('=').to_string();
    let no = [
        t.clone(),
        format!("Basic  {t}"),
        format!("Basic {t} "),
        format!("Basic {t} x"),
        format!("Basic\t{t}"),
        format!("Basic {}", STANDARD.encode("wrong-password:wrong-password")),
        format!("Basic {unpadded}"),
        format!("Basic {}", url_safe.to_lowercase()),
        format!("Basic {}", t.to_lowercase()),
        String::new(),
    ];
    for v in &no {
        assert!(!p.matches([v.as_bytes()]), "{v:?}");
    }
    // Only the first value counts.
    let good = format!("Basic {t}");
    assert!(p.matches([good.as_bytes(), b"junk".as_slice()]));
    assert!(!p.matches([b"junk".as_slice(), good.as_bytes()]));
    assert!(!p.matches(std::iter::empty::<&[u8]>()));
}

#[test]
fn basic_wins_over_macaroons_and_a_miss_changes_nothing() {
    let basic = BasicAuth::new(Some(UiPassword::new(PW).unwrap()), b"\x02lit");
    let good = format!("Basic {}", token());
    let sent = || vec![Cow::Borrowed("dead"), Cow::Borrowed("beef")];
    assert_eq!(
        basic.macaroons(&[good.as_bytes()], sent()),
        vec!["026c6974"]
    );
    assert_eq!(
        basic.macaroons(&[good.as_bytes()], vec![]),
        vec!["026c6974"]
    );
    assert_eq!(basic.macaroons(&[b"Basic nope"], sent()), sent());
    assert_eq!(basic.macaroons(&[], vec![]), Vec::<Cow<str>>::new());

    let off = BasicAuth::off();
    assert!(!off.enabled());
    assert_eq!(
        off.macaroons(&[good.as_bytes()], vec![]),
        Vec::<Cow<str>>::new()
    );
}

#[test]
fn debug_never_shows_the_password() {
    let p = UiPassword::new(PW).unwrap();
    assert!(!format!("{p:?}").contains(&token()));
}
