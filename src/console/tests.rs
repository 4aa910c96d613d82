use super::*;

fn body_text(r: Response) -> (StatusCode, http::HeaderMap, String) {
    let (parts, body) = r.into_parts();
    let bytes = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a runtime")
        .block_on(axum::body::to_bytes(body, usize::MAX))
        .expect("an in-memory body");
    (
        parts.status,
        parts.headers,
        String::from_utf8(bytes.to_vec()).expect("UTF-8"),
    )
}

fn get(path: &str) -> (StatusCode, http::HeaderMap, String) {
    body_text(answer(&Method::GET, path))
}

#[test]
fn the_console_paths() {
    for path in [
        "/_autopilot-mock/console",
        "/_autopilot-mock/console/",
        "/_autopilot-mock/console/app.js",
        "/_autopilot-mock/console/nothing/here",
    ] {
        assert!(is_console_path(path), "{path}");
    }
    for path in [
        "/_autopilot-mock/consoles",
        "/_autopilot-mock/v1/clock",
        "/_autopilot-mock",
        "/",
        "/console/",
    ] {
        assert!(!is_console_path(path), "{path}");
    }
}

#[test]
fn the_page_and_its_files_with_their_content_types() {
    let (status, headers, page) = get("/_autopilot-mock/console/");
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "text/html; charset=utf-8");
    assert!(page.contains("<title>autopilot-mock console</title>"));
    assert_eq!(get("/_autopilot-mock/console/index.html").2, page);
    assert_eq!(headers[header::CACHE_CONTROL], "no-store");
    assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    assert!(headers[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap()
        .starts_with("default-src 'self'"));
    for (name, want) in [
        ("console.css", "text/css; charset=utf-8"),
        ("app.js", "text/javascript; charset=utf-8"),
        ("sessions.js", "text/javascript; charset=utf-8"),
    ] {
        let (status, headers, body) = get(&format!("/_autopilot-mock/console/{name}"));
        assert_eq!(status, StatusCode::OK, "{name}");
        assert_eq!(headers[header::CONTENT_TYPE], want, "{name}");
        assert_eq!(headers[header::CONTENT_LENGTH], body.len().to_string());
    }
}

#[test]
fn head_has_the_length_and_no_body() {
    let (status, headers, body) =
        body_text(answer(&Method::HEAD, "/_autopilot-mock/console/app.js"));
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, "");
    assert_eq!(
        headers[header::CONTENT_LENGTH],
        include_str!("assets/app.js").len().to_string()
    );
}

#[test]
fn unknown_files_methods_and_the_bare_prefix() {
    for path in [
        "/_autopilot-mock/console/missing.js",
        "/_autopilot-mock/console/assets/app.js",
        "/_autopilot-mock/console//app.js/",
        "/_autopilot-mock/console/../Cargo.toml",
    ] {
        let (status, headers, body) = get(path);
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(headers[header::CONTENT_TYPE], "text/plain; charset=utf-8");
        assert_eq!(body, "404 page not found\n");
    }
    for method in [Method::POST, Method::PUT, Method::DELETE, Method::OPTIONS] {
        let (status, headers, _) = body_text(answer(&method, "/_autopilot-mock/console/"));
        assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED, "{method}");
        assert_eq!(headers[header::ALLOW], "GET, HEAD");
    }
    let (status, headers, _) = get("/_autopilot-mock/console");
    assert_eq!(status, StatusCode::PERMANENT_REDIRECT);
    assert_eq!(headers[header::LOCATION], "/_autopilot-mock/console/");
}

/// Every file the page or a module names is embedded, and nothing is
/// fetched from elsewhere.
#[test]
fn the_files_reference_only_embedded_files_and_this_origin() {
    let names: Vec<&str> = ASSETS.iter().map(|a| a.name).collect();
    let mut referenced = Vec::new();
    for asset in ASSETS {
        for (pos, _) in asset.body.match_indices("./") {
            let rest = &asset.body[pos + 2..];
            let end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
                .unwrap_or(rest.len());
            let name = rest[..end].trim_end_matches('.');
            if name.ends_with(".js") || name.ends_with(".css") {
                assert!(names.contains(&name), "{} names ./{name}", asset.name);
                referenced.push(name);
            }
        }
        for scheme in ["http://", "https://", "//cdn", "ws://", "wss://"] {
            assert!(
                !asset.body.contains(scheme),
                "{} fetches from elsewhere ({scheme})",
                asset.name
            );
        }
    }
    for name in names.iter().filter(|n| **n != "index.html") {
        assert!(referenced.contains(name), "{name} is embedded but unused");
    }
}
