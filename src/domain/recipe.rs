//! The macaroon recipe of a new autopilot session (§2.2.4): one `uri:`
//! permission per method the requested features use, and the caveats that
//! carry the session's rules to litd's firewall.

use std::collections::BTreeSet;

use super::remote::RemoteFeature;
use super::rules::go_json_quote as quote;
use super::session::{FeatureRules, MacaroonRecipe, Permission};

/// Prefix of the rules caveat.
pub(crate) const RULES_CAVEAT_PREFIX: &str = "lnd-custom lit-mac-fw rules:";
/// The caveat that turns the privacy mapper on for a session.
pub(crate) const PRIVACY_CAVEAT: &str = "lnd-custom privacy";

/// Builds the recipe. litd collects methods through a Go map (random order);
/// the mock sorts them. Fails only where Go's JSON encoder would (a
/// history-limit date outside years 0-9999).
pub(crate) fn build(
    features: &[&RemoteFeature],
    feature_rules: &FeatureRules,
    privacy_mapper: bool,
) -> Result<MacaroonRecipe, String> {
    let methods: BTreeSet<&str> = features
        .iter()
        .flat_map(|f| f.permissions_list.iter().map(|p| p.method.as_str()))
        .collect();
    let permissions = methods
        .into_iter()
        .map(|m| Permission {
            entity: "uri".to_string(),
            action: m.to_string(),
        })
        .collect();
    let mut caveats = vec![rules_caveat(feature_rules)?];
    if privacy_mapper {
        caveats.push(PRIVACY_CAVEAT.to_string());
    }
    Ok(MacaroonRecipe {
        permissions,
        caveats,
    })
}

/// `lnd-custom lit-mac-fw rules:` followed by Go's compact JSON of
/// `{"session_rules":null,"feature_rules":{feature:{rule:"<rule JSON>"}}}`,
/// with sorted keys and HTML characters escaped as Go's encoder does.
pub(crate) fn rules_caveat(feature_rules: &FeatureRules) -> Result<String, String> {
    let mut out = String::from(RULES_CAVEAT_PREFIX);
    out.push_str(r#"{"session_rules":null,"feature_rules":{"#);
    for (i, (feature, rules)) in feature_rules.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&quote(feature));
        out.push_str(":{");
        for (j, (name, rule)) in rules.iter().enumerate() {
            if j > 0 {
                out.push(',');
            }
            out.push_str(&quote(name));
            out.push(':');
            out.push_str(&quote(&rule.try_to_json()?));
        }
        out.push('}');
    }
    out.push_str("}}");
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::compact_map::CompactMap;
    use crate::domain::remote::MethodPermissions;
    use crate::domain::rules::{Rate, RateLimit, Rule, RuleValue};

    fn health_check_rules() -> FeatureRules {
        let value = RuleValue::RateLimit(RateLimit {
            read_limit: Some(Rate {
                iterations: 10,
                num_hours: 1,
            }),
            write_limit: Some(Rate {
                iterations: 1,
                num_hours: 1,
            }),
        });
        let rule = Rule::from_request("rate-limit", Some(&value)).expect("valid rate limit");
        [("HealthCheck", [("rate-limit", rule)].into_iter().collect())]
            .into_iter()
            .collect()
    }

    #[test]
    fn caveat_matches_reference_example_byte_for_byte() {
        assert_eq!(
            rules_caveat(&health_check_rules()).expect("encodes"),
            r#"lnd-custom lit-mac-fw rules:{"session_rules":null,"feature_rules":{"HealthCheck":{"rate-limit":"{\"write_limit\":{\"iterations\":1,\"num_hours\":1},\"read_limit\":{\"iterations\":10,\"num_hours\":1}}"}}}"#
        );
    }

    #[test]
    fn permissions_are_distinct_uri_methods_and_privacy_adds_caveat() {
        let f = RemoteFeature {
            permissions_list: vec![
                MethodPermissions {
                    method: "/lnrpc.Lightning/GetInfo".into(),
                    operations: vec![],
                },
                MethodPermissions {
                    method: "/lnrpc.Lightning/FeeReport".into(),
                    operations: vec![],
                },
            ],
            ..Default::default()
        };
        let recipe = build(&[&f, &f], &health_check_rules(), true).expect("builds");
        let actions: Vec<&str> = recipe
            .permissions
            .iter()
            .map(|p| p.action.as_str())
            .collect();
        assert_eq!(
            actions,
            ["/lnrpc.Lightning/FeeReport", "/lnrpc.Lightning/GetInfo"]
        );
        assert!(recipe.permissions.iter().all(|p| p.entity == "uri"));
        assert_eq!(recipe.caveats.len(), 2);
        assert_eq!(recipe.caveats[1], PRIVACY_CAVEAT);
        let without = build(&[&f], &health_check_rules(), false).expect("builds");
        assert_eq!(without.caveats.len(), 1);
    }

    #[test]
    fn no_features_gives_empty_feature_rules() {
        assert_eq!(
            rules_caveat(&CompactMap::default()).expect("encodes"),
            r#"lnd-custom lit-mac-fw rules:{"session_rules":null,"feature_rules":{}}"#
        );
    }
}
