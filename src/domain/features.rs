//! `ListAutopilotFeatures`: the remote catalogue as litd shows it (§2.5).

use std::collections::BTreeMap;

use super::privacy::PrivacyFlags;
use super::remote::{MethodPermissions, RemoteFeature};
use super::rules::{self, Rule, RuleValue};

/// What litd reports for one rule of a feature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RuleInfo {
    pub(crate) known: bool,
    /// Unset for a rule litd does not know.
    pub(crate) defaults: Option<RuleValue>,
    pub(crate) min_value: Option<RuleValue>,
    pub(crate) max_value: Option<RuleValue>,
}

/// What litd reports for one feature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FeatureInfo {
    pub(crate) name: String,
    pub(crate) description: String,
    pub(crate) rules: BTreeMap<String, RuleInfo>,
    pub(crate) permissions_list: Vec<MethodPermissions>,
    pub(crate) requires_upgrade: bool,
    pub(crate) default_config: String,
    pub(crate) privacy_flags: u64,
}

/// Maps the remote catalogue, keyed by the server's map keys. A known rule
/// whose JSON does not parse fails the whole call with the parse error.
pub(crate) fn describe(
    catalogue: &BTreeMap<String, RemoteFeature>,
) -> Result<BTreeMap<String, FeatureInfo>, String> {
    catalogue
        .iter()
        .map(|(key, feature)| Ok((key.clone(), describe_one(feature)?)))
        .collect()
}

fn describe_one(feature: &RemoteFeature) -> Result<FeatureInfo, String> {
    let mut requires_upgrade = PrivacyFlags::parse(feature.privacy_flags).is_err();
    let mut rule_infos = BTreeMap::new();
    for (name, rule) in &feature.rules {
        let info = if rules::is_known(name) {
            let parse = |json: &[u8]| Rule::from_json(name, json).map(|r| Some(r.to_value()));
            RuleInfo {
                known: true,
                defaults: parse(&rule.default)?,
                min_value: parse(&rule.min_value)?,
                max_value: parse(&rule.max_value)?,
            }
        } else {
            requires_upgrade = true;
            RuleInfo {
                known: false,
                defaults: None,
                min_value: None,
                max_value: None,
            }
        };
        rule_infos.insert(name.clone(), info);
    }
    Ok(FeatureInfo {
        name: feature.name.clone(),
        description: feature.description.clone(),
        rules: rule_infos,
        permissions_list: permissions_by_method(&feature.permissions_list),
        requires_upgrade,
        default_config: String::from_utf8_lossy(&feature.default_config).into_owned(),
        privacy_flags: feature.privacy_flags,
    })
}

/// One entry per method; a repeated method keeps its last entry. litd goes
/// through a Go map here (random order); the mock sorts by method instead.
pub(crate) fn permissions_by_method(list: &[MethodPermissions]) -> Vec<MethodPermissions> {
    let mut by_method: BTreeMap<&str, &MethodPermissions> = BTreeMap::new();
    for perm in list {
        by_method.insert(&perm.method, perm);
    }
    by_method.into_values().cloned().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::remote::{Operation, RemoteRule};

    fn rate_rule(default: &[u8]) -> RemoteRule {
        RemoteRule {
            name: "rate-limit".into(),
            default: default.to_vec(),
            min_value: br#"{"write_limit":{"iterations":0,"num_hours":1},"read_limit":{"iterations":1,"num_hours":1}}"#.to_vec(),
            max_value: br#"{"write_limit":{"iterations":10,"num_hours":1},"read_limit":{"iterations":1000,"num_hours":1}}"#.to_vec(),
        }
    }

    fn feature(rules: Vec<(&str, RemoteRule)>, flags: u64) -> RemoteFeature {
        RemoteFeature {
            name: "F".into(),
            description: "d".into(),
            rules: rules.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
            permissions_list: vec![],
            default_config: vec![],
            privacy_flags: flags,
        }
    }

    #[test]
    fn unknown_rule_is_unset_and_requires_upgrade() {
        let cat = BTreeMap::from([(
            "F".to_string(),
            feature(vec![("martian", RemoteRule::default())], 0),
        )]);
        let out = describe(&cat).expect("unknown rules do not fail");
        let f = &out["F"];
        assert!(f.requires_upgrade);
        assert_eq!(
            f.rules["martian"],
            RuleInfo {
                known: false,
                defaults: None,
                min_value: None,
                max_value: None
            }
        );
    }

    #[test]
    fn unknown_privacy_bit_requires_upgrade_but_passes_through() {
        let cat = BTreeMap::from([("F".to_string(), feature(vec![], 1 << 9))]);
        let f = &describe(&cat).expect("flags do not fail listing")["F"];
        assert!(f.requires_upgrade);
        assert_eq!(f.privacy_flags, 1 << 9);
    }

    #[test]
    fn empty_default_bytes_fail_the_whole_call() {
        let cat = BTreeMap::from([(
            "F".to_string(),
            feature(vec![("rate-limit", rate_rule(b""))], 0),
        )]);
        assert_eq!(
            describe(&cat),
            Err("unexpected end of JSON input".to_string())
        );
    }

    #[test]
    fn repeated_method_keeps_last_entry() {
        let op = |a: &str| Operation {
            entity: "info".into(),
            action: a.into(),
        };
        let list = vec![
            MethodPermissions {
                method: "/b".into(),
                operations: vec![op("read")],
            },
            MethodPermissions {
                method: "/a".into(),
                operations: vec![op("x")],
            },
            MethodPermissions {
                method: "/b".into(),
                operations: vec![op("write")],
            },
        ];
        let out = permissions_by_method(&list);
        assert_eq!(out.len(), 2);
        assert_eq!(out[0].method, "/a");
        assert_eq!(out[1].operations, vec![op("write")]);
    }
}
