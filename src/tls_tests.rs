//! Tests for `tls`: the certificate's contents, file handling and a real
//! in-memory handshake with the server configuration.

use super::*;
use rustls::{ClientConnection, ServerConnection};
use x509_parser::extensions::GeneralName;
use x509_parser::prelude::{FromDer, X509Certificate};

fn pair(dir: &Path) -> (PathBuf, PathBuf) {
    (dir.join("tls.cert"), dir.join("tls.key"))
}

fn cert_der(pem: &str) -> Vec<u8> {
    rustls_pemfile::certs(&mut pem.as_bytes())
        .next()
        .unwrap()
        .unwrap()
        .as_ref()
        .to_vec()
}

#[test]
fn certificate_matches_lnd() {
    let now = time::OffsetDateTime::now_utc();
    let (cert_pem, key_pem) = generate("myhost", now).unwrap();
    assert!(cert_pem.starts_with("-----BEGIN CERTIFICATE-----\n"));
    assert!(key_pem.starts_with("-----BEGIN EC PRIVATE KEY-----\n"));

    let der = cert_der(&cert_pem);
    let (_, cert) = X509Certificate::from_der(&der).unwrap();
    let org: Vec<_> = cert
        .subject()
        .iter_organization()
        .map(|a| a.as_str().unwrap())
        .collect();
    let cn: Vec<_> = cert
        .subject()
        .iter_common_name()
        .map(|a| a.as_str().unwrap())
        .collect();
    assert_eq!(org, [CERT_ORGANIZATION]);
    assert_eq!(cn, ["myhost"]);
    assert_eq!(cert.subject(), cert.issuer());

    let san = cert.subject_alternative_name().unwrap().unwrap().value;
    let mut dns = Vec::new();
    let mut ips = Vec::new();
    for name in &san.general_names {
        match name {
            GeneralName::DNSName(d) => dns.push(d.to_string()),
            GeneralName::IPAddress(ip) => ips.push(ip.to_vec()),
            other => panic!("unexpected SAN {other:?}"),
        }
    }
    assert_eq!(
        dns,
        ["myhost", "localhost", "unix", "unixpacket", "bufconn"]
    );
    let mut v6 = vec![0u8; 16];
    v6[15] = 1;
    assert_eq!(ips, [vec![127, 0, 0, 1], v6]);

    let bc = cert.basic_constraints().unwrap().unwrap().value;
    assert!(bc.ca);
    let ku = cert.key_usage().unwrap().unwrap().value;
    assert!(ku.digital_signature() && ku.key_encipherment() && ku.key_cert_sign());
    assert!(!ku.crl_sign());
    let eku = cert.extended_key_usage().unwrap().unwrap().value;
    assert!(eku.server_auth && !eku.client_auth);

    let nb = cert.validity().not_before.timestamp();
    let na = cert.validity().not_after.timestamp();
    let t = now.unix_timestamp();
    assert!((nb - (t - 24 * 3600)).abs() <= 1, "not before");
    assert!((na - (t + 420 * 24 * 3600)).abs() <= 1, "not after");
    // P-256 public key.
    let alg = &cert.public_key().algorithm;
    assert_eq!(alg.algorithm.to_id_string(), "1.2.840.10045.2.1");
    assert_eq!(
        alg.parameters
            .as_ref()
            .unwrap()
            .as_oid()
            .unwrap()
            .to_id_string(),
        "1.2.840.10045.3.1.7"
    );
}

#[test]
fn sec1_key_names_its_curve_and_loads() {
    let (_, key_pem) = generate("h", time::OffsetDateTime::now_utc()).unwrap();
    let key = rustls_pemfile::private_key(&mut key_pem.as_bytes())
        .unwrap()
        .unwrap();
    let PrivateKeyDer::Sec1(sec1) = key else {
        panic!("not SEC1")
    };
    let (tag, body, rest) = der_tlv(sec1.secret_sec1_der()).unwrap();
    assert_eq!((tag, rest.len()), (0x30, 0));
    let (_, version, rest) = der_tlv(body).unwrap();
    assert_eq!(version, [1]);
    let (_, secret, rest) = der_tlv(rest).unwrap();
    assert_eq!(secret.len(), 32);
    let (params_tag, params, rest) = der_tlv(rest).unwrap();
    assert_eq!(params_tag, 0xA0);
    assert_eq!(
        params,
        [0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07]
    );
    let (pub_tag, _, rest) = der_tlv(rest).unwrap();
    assert_eq!((pub_tag, rest.len()), (0xA1, 0));
}

#[test]
fn files_are_created_reused_and_checked() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = pair(dir.path());
    let first = load_or_create(&cert, &key).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&cert), 0o644);
        assert_eq!(mode(&key), 0o600);
    }
    let again = load_or_create(&cert, &key).unwrap();
    assert_eq!(again.cert_pem, first.cert_pem);
    assert_eq!(again.key_pem, first.key_pem);

    fs::remove_file(&key).unwrap();
    let err = load_or_create(&cert, &key).unwrap_err();
    assert!(matches!(err, TlsError::Incomplete { .. }), "{err}");
    assert!(err.to_string().contains("tls.key"));

    fs::write(&key, "garbage").unwrap();
    assert!(matches!(
        load_or_create(&cert, &key),
        Err(TlsError::BadPem { .. })
    ));
}

/// Drives a client and a server connection to the end of the handshake.
fn handshake(
    client: &mut ClientConnection,
    server: &mut ServerConnection,
) -> Result<(), rustls::Error> {
    for _ in 0..10 {
        let mut buf = Vec::new();
        while client.wants_write() {
            client.write_tls(&mut buf).unwrap();
        }
        server.read_tls(&mut buf.as_slice()).unwrap();
        server.process_new_packets()?;
        let mut buf = Vec::new();
        while server.wants_write() {
            server.write_tls(&mut buf).unwrap();
        }
        client.read_tls(&mut buf.as_slice()).unwrap();
        client.process_new_packets()?;
        if !client.is_handshaking() && !server.is_handshaking() {
            return Ok(());
        }
    }
    panic!("handshake did not finish");
}

fn connect(
    files: &TlsFiles,
    client_cfg: Arc<rustls::ClientConfig>,
    name: &str,
) -> Result<ClientConnection, rustls::Error> {
    let mut server = ServerConnection::new(server_config(files).unwrap()).unwrap();
    let name = ServerName::try_from(name.to_owned()).unwrap();
    let mut client = ClientConnection::new(client_cfg, name).unwrap();
    handshake(&mut client, &mut server)?;
    assert_eq!(server.alpn_protocol(), client.alpn_protocol());
    Ok(client)
}

#[test]
fn server_negotiates_h2_over_tls13_and_tls12() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = pair(dir.path());
    let files = load_or_create(&cert, &key).unwrap();

    for name in ["localhost", "127.0.0.1"] {
        let client = connect(&files, client_config(&files.cert_pem).unwrap(), name).unwrap();
        assert_eq!(client.alpn_protocol(), Some(&b"h2"[..]));
        assert_eq!(
            client.protocol_version(),
            Some(rustls::ProtocolVersion::TLSv1_3)
        );
    }

    // A TLS 1.2-only client gets an ECDHE-ECDSA AEAD suite.
    let verifier = Arc::new(PinnedCert {
        cert: cert_der(&files.cert_pem).into(),
        provider: provider(),
    });
    let mut tls12 = rustls::ClientConfig::builder_with_provider(provider())
        .with_protocol_versions(&[&rustls::version::TLS12])
        .unwrap()
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    tls12.alpn_protocols = vec![b"http/1.1".to_vec()];
    let client = connect(&files, Arc::new(tls12), "localhost").unwrap();
    assert_eq!(
        client.protocol_version(),
        Some(rustls::ProtocolVersion::TLSv1_2)
    );
    assert_eq!(
        client.negotiated_cipher_suite().unwrap().suite(),
        rustls::CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
    );
    assert_eq!(client.alpn_protocol(), Some(&b"http/1.1"[..]));
}

#[test]
fn pinned_client_rejects_another_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = pair(dir.path());
    let files = load_or_create(&cert, &key).unwrap();
    let (other_pem, _) = generate("other", time::OffsetDateTime::now_utc()).unwrap();
    let err = connect(&files, client_config(&other_pem).unwrap(), "localhost").unwrap_err();
    assert!(matches!(err, rustls::Error::InvalidCertificate(_)), "{err}");
}
