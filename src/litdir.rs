//! litd's directory layout (`--lit-dir`, default `~/.lit`).
//!
//! ```text
//! <root>/tls.cert                  0644   shared by all networks
//! <root>/tls.key                   0600
//! <root>/<network>/lit.macaroon    0644   rewritten when stale
//! <root>/<network>/macaroons.key   0600   (mock only, see below)
//! ```
//!
//! **Root key storage differs from litd on purpose.** litd keeps macaroon
//! root keys in `<network>/macaroons.db`, a bbolt database whose values are
//! encrypted with a key derived from lnd. Clients never read that file, and
//! reproducing bbolt plus lnd's key derivation buys nothing, so the mock
//! keeps the raw 32-byte root key `"0"` in `<network>/macaroons.key`
//! (mode 0600). Macaroons stay valid across restarts, as with litd.

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use crate::auth::{self, Authenticator, DEFAULT_ROOT_KEY_ID, LIT_MACAROON_OPS};

/// Name of the file that holds the mock's macaroon root key.
pub(crate) const ROOT_KEY_FILE: &str = "macaroons.key";

/// Why the directory cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum LitDirError {
    /// The network name would escape or confuse the layout.
    #[error("invalid network name {0:?}: must be non-empty and contain no path separators")]
    InvalidNetwork(String),
    /// Something other than a directory is in the way.
    #[error("{0}: exists and is not a directory")]
    NotADirectory(PathBuf),
    /// The directory exists but files cannot be created in it.
    #[error("{path}: directory is not writable: {source}")]
    NotWritable {
        /// The directory.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// Any other I/O failure.
    #[error("{path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A file exists but its contents are unusable.
    #[error("{path}: {reason}")]
    BadFile {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> LitDirError + '_ {
    move |source| LitDirError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// An opened lit directory for one network.
#[derive(Debug, Clone)]
pub(crate) struct LitDir {
    root: PathBuf,
    network: String,
}

impl LitDir {
    /// Creates `<root>` and `<root>/<network>` (0700) if needed and checks
    /// that both are writable directories. Paths are made absolute.
    pub(crate) fn open(root: &Path, network: &str) -> Result<LitDir, LitDirError> {
        let bad_name = network.is_empty()
            || network == "."
            || network == ".."
            || network.contains(['/', '\\', '\0']);
        if bad_name {
            return Err(LitDirError::InvalidNetwork(network.to_owned()));
        }
        ensure_dir(root)?;
        let root = root.canonicalize().map_err(io_err(root))?;
        let dir = LitDir {
            root,
            network: network.to_owned(),
        };
        ensure_dir(&dir.network_dir())?;
        check_writable(&dir.network_dir())?;
        Ok(dir)
    }

    /// The lit directory (absolute).
    pub(crate) fn root(&self) -> &Path {
        &self.root
    }

    /// The network name, e.g. `mainnet` or `regtest`.
    #[cfg(test)]
    pub(crate) fn network(&self) -> &str {
        &self.network
    }

    /// `<root>/<network>`.
    pub(crate) fn network_dir(&self) -> PathBuf {
        self.root.join(&self.network)
    }

    /// `<root>/tls.cert`.
    pub(crate) fn tls_cert(&self) -> PathBuf {
        self.root.join("tls.cert")
    }

    /// `<root>/tls.key`.
    pub(crate) fn tls_key(&self) -> PathBuf {
        self.root.join("tls.key")
    }

    /// `<root>/<network>/lit.macaroon`.
    pub(crate) fn macaroon(&self) -> PathBuf {
        self.network_dir().join("lit.macaroon")
    }

    /// `<root>/<network>/macaroons.key` (mock-specific, see module docs).
    pub(crate) fn root_key_file(&self) -> PathBuf {
        self.network_dir().join(ROOT_KEY_FILE)
    }

    /// Reads the 32-byte root key, or creates a random one (mode 0600).
    pub(crate) fn load_or_create_root_key(&self) -> Result<[u8; 32], LitDirError> {
        let path = self.root_key_file();
        match fs::read(&path) {
            Ok(bytes) => <[u8; 32]>::try_from(bytes.as_slice()).map_err(|_| LitDirError::BadFile {
                path: path.clone(),
                reason: format!("expected a 32-byte root key, found {} bytes", bytes.len()),
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let mut key = [0u8; 32];
                rand::fill(&mut key);
                write_file(&path, &key, 0o600, true)?;
                Ok(key)
            }
            Err(e) => Err(io_err(&path)(e)),
        }
    }

    /// Makes sure `lit.macaroon` exists and is current: an existing file is
    /// kept if it verifies against `auth`'s root key `"0"` and holds exactly
    /// litd's ops; otherwise a fresh one is written (litd likewise rewrites
    /// it at start-up when its ops differ). Returns its path.
    pub(crate) fn ensure_lit_macaroon(&self, auth: &Authenticator) -> Result<PathBuf, LitDirError> {
        let path = self.macaroon();
        match fs::read(&path) {
            Ok(raw) if is_current_lit_macaroon(auth, &raw) => return Ok(path),
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(io_err(&path)(e)),
        }
        write_file(&path, &auth.bake_lit_macaroon(), 0o644, false)?;
        Ok(path)
    }
}

fn is_current_lit_macaroon(auth: &Authenticator, raw: &[u8]) -> bool {
    auth.verify_signature(raw).is_ok_and(|info| {
        info.id.storage_id == DEFAULT_ROOT_KEY_ID
            && info.id.ops == auth::canonical_ops(LIT_MACAROON_OPS)
    })
}

fn ensure_dir(path: &Path) -> Result<(), LitDirError> {
    match fs::metadata(path) {
        Ok(m) if m.is_dir() => Ok(()),
        Ok(_) => Err(LitDirError::NotADirectory(path.to_path_buf())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let mut b = fs::DirBuilder::new();
            b.recursive(true);
            #[cfg(unix)]
            std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
            b.create(path).map_err(|source| match source.kind() {
                std::io::ErrorKind::PermissionDenied => LitDirError::NotWritable {
                    path: path.to_path_buf(),
                    source,
                },
                _ => io_err(path)(source),
            })
        }
        Err(e) => Err(io_err(path)(e)),
    }
}

/// Creating a file is the only reliable test (root ignores mode bits,
/// read-only mounts do not).
fn check_writable(dir: &Path) -> Result<(), LitDirError> {
    let probe = dir.join(format!(".write-test-{}", std::process::id()));
    match fs::File::create(&probe) {
        Ok(_) => fs::remove_file(&probe).map_err(io_err(&probe)),
        Err(source) => Err(LitDirError::NotWritable {
            path: dir.to_path_buf(),
            source,
        }),
    }
}

/// Writes `data` with `mode` (subject to the umask, as Go's `os.WriteFile`).
/// `exclusive` refuses to replace an existing file; otherwise the new
/// contents go to a temporary file that is renamed over the old one.
fn write_file(path: &Path, data: &[u8], mode: u32, exclusive: bool) -> Result<(), LitDirError> {
    let target = if exclusive {
        path.to_path_buf()
    } else {
        path.with_extension(format!("tmp-{}", std::process::id()))
    };
    let mut opts = fs::OpenOptions::new();
    opts.write(true);
    if exclusive {
        opts.create_new(true);
    } else {
        opts.create(true).truncate(true);
    }
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, mode);
    #[cfg(not(unix))]
    let _ = mode;
    let mut f = opts.open(&target).map_err(io_err(&target))?;
    f.write_all(data).map_err(io_err(&target))?;
    f.sync_all().map_err(io_err(&target))?;
    if !exclusive {
        fs::rename(&target, path).map_err(io_err(path))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    fn mode(p: &Path) -> u32 {
        use std::os::unix::fs::PermissionsExt;
        fs::metadata(p).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn layout_and_modes() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("a/b/.lit");
        let dir = LitDir::open(&root, "regtest").unwrap();
        assert!(dir.root().is_absolute());
        assert_eq!(dir.root(), root.canonicalize().unwrap());
        assert_eq!(dir.tls_cert(), dir.root().join("tls.cert"));
        assert_eq!(dir.tls_key(), dir.root().join("tls.key"));
        assert_eq!(dir.macaroon(), dir.root().join("regtest/lit.macaroon"));
        assert_eq!(dir.network(), "regtest");
        #[cfg(unix)]
        {
            assert_eq!(mode(dir.root()), 0o700);
            assert_eq!(mode(&dir.network_dir()), 0o700);
        }
        // A relative root (here: from the working directory up to `/` and
        // down into the temp dir) comes back absolute; reopening is fine.
        let cwd = std::env::current_dir().unwrap();
        let mut rel = PathBuf::new();
        for _ in cwd.components().skip(1) {
            rel.push("..");
        }
        rel.push(root.strip_prefix("/").unwrap());
        let again = LitDir::open(&rel, "regtest").unwrap();
        assert_eq!(again.root(), dir.root());
    }

    #[test]
    fn bad_names_and_paths() {
        let tmp = tempfile::tempdir().unwrap();
        for n in ["", "a/b", "..", ".", "a\\b"] {
            assert!(
                matches!(
                    LitDir::open(tmp.path(), n),
                    Err(LitDirError::InvalidNetwork(_))
                ),
                "{n:?}"
            );
        }
        let file = tmp.path().join("file");
        fs::write(&file, b"x").unwrap();
        let err = LitDir::open(&file, "mainnet").unwrap_err();
        assert!(matches!(err, LitDirError::NotADirectory(_)), "{err}");
        fs::create_dir(tmp.path().join("r")).unwrap();
        fs::write(tmp.path().join("r/mainnet"), b"x").unwrap();
        assert!(matches!(
            LitDir::open(&tmp.path().join("r"), "mainnet"),
            Err(LitDirError::NotADirectory(_))
        ));
    }

    #[test]
    fn root_key_is_created_once() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = LitDir::open(tmp.path(), "mainnet").unwrap();
        let k1 = dir.load_or_create_root_key().unwrap();
        #[cfg(unix)]
        assert_eq!(mode(&dir.root_key_file()), 0o600);
        assert_eq!(dir.load_or_create_root_key().unwrap(), k1);
        fs::write(dir.root_key_file(), b"short").unwrap();
        let err = dir.load_or_create_root_key().unwrap_err();
        assert!(err.to_string().contains("found 5 bytes"), "{err}");
    }

    #[test]
    fn lit_macaroon_is_reused_or_rewritten() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = LitDir::open(tmp.path(), "mainnet").unwrap();
        let auth = Authenticator::new(dir.load_or_create_root_key().unwrap());
        let path = dir.ensure_lit_macaroon(&auth).unwrap();
        #[cfg(unix)]
        assert_eq!(mode(&path), 0o644 & !0o022);
        let first = fs::read(&path).unwrap();
        let hex = auth::to_hex(&first);
        let method = "/litrpc.Autopilot/AddAutopilotSession";
        assert!(auth
            .check(&[&hex], method, std::time::SystemTime::now())
            .is_ok());

        // Still valid: kept as is.
        dir.ensure_lit_macaroon(&auth).unwrap();
        assert_eq!(fs::read(&path).unwrap(), first);

        // Wrong ops, foreign key, garbage: rewritten.
        let stale = [
            auth.bake_read_only(),
            Authenticator::new([1; 32]).bake_lit_macaroon(),
            b"garbage".to_vec(),
        ];
        for old in stale {
            fs::write(&path, &old).unwrap();
            dir.ensure_lit_macaroon(&auth).unwrap();
            let now = fs::read(&path).unwrap();
            assert_ne!(now, old);
            assert!(auth
                .check(&[&auth::to_hex(&now)], method, std::time::SystemTime::now())
                .is_ok());
        }
    }
}
