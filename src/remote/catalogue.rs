//! The catalogue file: the features (and Terms version) a remote autopilot
//! server offers, as JSON. `fixtures/default-features.json` is the default
//! and is embedded in the binary.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use crate::domain::remote::{MethodPermissions, Operation, RemoteFeature, RemoteRule, Version};

/// The embedded default catalogue (litd's test-server features).
pub(crate) const DEFAULT_CATALOGUE_JSON: &str =
    include_str!("../../fixtures/default-features.json");

/// A parsed catalogue.
#[derive(Debug, Clone)]
pub struct Catalogue {
    pub(crate) min_required_version: Version,
    /// The features the server offers, by the file's map key (which is also
    /// each feature's `name` unless the file sets one).
    pub features: BTreeMap<String, RemoteFeature>,
    /// The JSON it was read from, so a script made from it (`serve
    /// --features`) shows it in the admin API's `GET script`, and a `PUT`
    /// of that keeps it (as `check` does to put a mock's script back).
    pub(crate) source: serde_json::Value,
}

/// Why a catalogue could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum CatalogueError {
    /// The catalogue file could not be read.
    #[error("cannot read catalogue {path}: {source}")]
    Read {
        /// The file, as given.
        path: String,
        /// The I/O error reading it.
        source: std::io::Error,
    },
    /// The text is not JSON, or not in the catalogue format (unknown fields
    /// are refused).
    #[error("invalid catalogue {origin}: {source}")]
    Parse {
        /// Where the catalogue came from (its file).
        origin: String,
        /// serde's error, with its line and column.
        source: serde_json::Error,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogueFile {
    #[serde(rename = "$comment", default)]
    _comment: Option<String>,
    #[serde(default)]
    terms: TermsFile,
    features: BTreeMap<String, FeatureFile>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct TermsFile {
    #[serde(default)]
    min_required_version: VersionFile,
}

#[derive(Deserialize, Default, Clone, Copy)]
#[serde(deny_unknown_fields)]
pub(crate) struct VersionFile {
    #[serde(default)]
    major: u32,
    #[serde(default)]
    minor: u32,
    #[serde(default)]
    patch: u32,
}

impl From<VersionFile> for Version {
    fn from(v: VersionFile) -> Self {
        Version {
            major: v.major,
            minor: v.minor,
            patch: v.patch,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FeatureFile {
    /// Defaults to the map key, as litd's test server does.
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    description: String,
    #[serde(default)]
    rules: BTreeMap<String, RuleFile>,
    #[serde(default)]
    permissions_list: Vec<PermissionsFile>,
    /// A JSON value (sent compact) or a string (sent as its bytes).
    #[serde(default)]
    default_config: Option<serde_json::Value>,
    #[serde(default)]
    privacy_flags: u64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleFile {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    default: Option<serde_json::Value>,
    #[serde(default)]
    min_value: Option<serde_json::Value>,
    #[serde(default)]
    max_value: Option<serde_json::Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PermissionsFile {
    method: String,
    #[serde(default)]
    operations: Vec<OperationFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OperationFile {
    entity: String,
    action: String,
}

/// A JSON value as the bytes the server sends: strings verbatim (so a file
/// can carry deliberately malformed JSON), anything else compact JSON.
fn value_bytes(value: Option<serde_json::Value>) -> Vec<u8> {
    match value {
        None | Some(serde_json::Value::Null) => Vec::new(),
        Some(serde_json::Value::String(s)) => s.into_bytes(),
        Some(other) => other.to_string().into_bytes(),
    }
}

/// Two catalogues are equal when they offer the same; the JSON text they
/// were read from (key order, `$comment`) does not matter.
impl PartialEq for Catalogue {
    fn eq(&self, other: &Self) -> bool {
        self.min_required_version == other.min_required_version && self.features == other.features
    }
}

impl Eq for Catalogue {}

impl Catalogue {
    /// No features and no minimum version.
    pub(crate) fn empty() -> Catalogue {
        Catalogue {
            min_required_version: Version::default(),
            features: BTreeMap::new(),
            source: serde_json::json!({"features": {}}),
        }
    }

    /// The embedded default, `fixtures/default-features.json`: the features
    /// of litd's Go test server.
    pub fn default_catalogue() -> Result<Catalogue, CatalogueError> {
        Catalogue::parse(DEFAULT_CATALOGUE_JSON, "fixtures/default-features.json")
    }

    /// Reads and parses the catalogue file at `path`.
    pub fn load(path: &Path) -> Result<Catalogue, CatalogueError> {
        let text = std::fs::read_to_string(path).map_err(|source| CatalogueError::Read {
            path: path.display().to_string(),
            source,
        })?;
        Catalogue::parse(&text, &path.display().to_string())
    }

    /// Parses a catalogue's JSON text; `origin` names it in error messages.
    pub fn parse(text: &str, origin: &str) -> Result<Catalogue, CatalogueError> {
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|source| CatalogueError::Parse {
                origin: origin.to_string(),
                source,
            })?;
        Catalogue::from_value(value, origin)
    }

    /// A catalogue from an already parsed JSON value (the stub's script
    /// embeds the catalogue format).
    pub(crate) fn from_value(
        value: serde_json::Value,
        origin: &str,
    ) -> Result<Catalogue, CatalogueError> {
        let file: CatalogueFile =
            serde_json::from_value(value.clone()).map_err(|source| CatalogueError::Parse {
                origin: origin.to_string(),
                source,
            })?;
        Ok(Catalogue::from_file(file, value))
    }

    fn from_file(file: CatalogueFile, source: serde_json::Value) -> Catalogue {
        Catalogue {
            source,
            min_required_version: file.terms.min_required_version.into(),
            features: file
                .features
                .into_iter()
                .map(|(key, f)| {
                    let feature = f.into_feature(&key);
                    (key, feature)
                })
                .collect(),
        }
    }
}

impl FeatureFile {
    fn into_feature(self, key: &str) -> RemoteFeature {
        RemoteFeature {
            name: self.name.unwrap_or_else(|| key.to_string()),
            description: self.description,
            rules: self
                .rules
                .into_iter()
                .map(|(rule_key, r)| {
                    let rule = RemoteRule {
                        name: r.name.unwrap_or_else(|| rule_key.clone()),
                        default: value_bytes(r.default),
                        min_value: value_bytes(r.min_value),
                        max_value: value_bytes(r.max_value),
                    };
                    (rule_key, rule)
                })
                .collect(),
            permissions_list: self
                .permissions_list
                .into_iter()
                .map(|p| MethodPermissions {
                    method: p.method,
                    operations: p
                        .operations
                        .into_iter()
                        .map(|o| Operation {
                            entity: o.entity,
                            action: o.action,
                        })
                        .collect(),
                })
                .collect(),
            default_config: value_bytes(self.default_config),
            privacy_flags: self.privacy_flags,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_catalogue_has_litd_test_server_features() {
        let cat = Catalogue::default_catalogue().expect("embedded catalogue parses");
        assert_eq!(cat.min_required_version, Version::default());
        let names: Vec<&str> = cat.features.keys().map(String::as_str).collect();
        assert_eq!(names, ["AutoFees", "HealthCheck"]);
        let hc = &cat.features["HealthCheck"];
        assert_eq!(hc.description, "check that your node is up");
        assert_eq!(hc.permissions_list.len(), 1);
        assert_eq!(cat.features["AutoFees"].permissions_list.len(), 3);
        let rule = &hc.rules["rate-limit"];
        assert_eq!(
            String::from_utf8_lossy(&rule.default),
            r#"{"write_limit":{"iterations":1,"num_hours":1},"read_limit":{"iterations":10,"num_hours":1}}"#
        );
        assert!(hc.default_config.is_empty());
    }

    #[test]
    fn unknown_keys_are_rejected_with_a_location() {
        let err = Catalogue::parse(r#"{"features":{},"featurs":1}"#, "x.json")
            .expect_err("typo must not pass");
        let text = err.to_string();
        assert!(
            text.contains("x.json") && text.contains("featurs"),
            "{text}"
        );
    }

    #[test]
    fn string_rule_values_are_sent_verbatim() {
        let cat = Catalogue::parse(
            r#"{"features":{"F":{"rules":{"rate-limit":{"default":"not json"}}}}}"#,
            "t",
        )
        .expect("parses");
        let f = &cat.features["F"];
        assert_eq!(f.name, "F");
        assert_eq!(f.rules["rate-limit"].default, b"not json");
        assert!(f.rules["rate-limit"].min_value.is_empty());
    }
}
