//! `autopilotserverrpc` prost messages <-> the domain's remote types, both
//! ways: the gRPC client (litd's side) and the standalone stub (the
//! server's side) share them, so what one sends the other reads back.

use std::collections::BTreeMap;

use crate::domain::remote::{
    MethodPermissions, Operation, Registration, RemoteError, RemoteFeature, RemoteRule, Version,
};
use crate::domain::Code;
use crate::proto::autopilotserverrpc as ap;

pub(crate) fn version_out(v: Version) -> ap::Version {
    ap::Version {
        major: v.major,
        minor: v.minor,
        patch: v.patch,
    }
}

pub(crate) fn version_in(v: Option<ap::Version>) -> Version {
    v.map(|v| Version {
        major: v.major,
        minor: v.minor,
        patch: v.patch,
    })
    .unwrap_or_default()
}

pub(crate) fn features_out(features: BTreeMap<String, RemoteFeature>) -> ap::ListFeaturesResponse {
    ap::ListFeaturesResponse {
        features: features
            .into_iter()
            .map(|(k, f)| (k, feature_out(f)))
            .collect(),
    }
}

fn feature_out(f: RemoteFeature) -> ap::Feature {
    ap::Feature {
        name: f.name,
        description: f.description,
        rules: f
            .rules
            .into_iter()
            .map(|(k, r)| {
                let rule = ap::Rule {
                    name: r.name,
                    default: r.default,
                    min_value: r.min_value,
                    max_value: r.max_value,
                };
                (k, rule)
            })
            .collect(),
        permissions_list: f
            .permissions_list
            .into_iter()
            .map(|p| ap::Permissions {
                method: p.method,
                operations: p
                    .operations
                    .into_iter()
                    .map(|o| ap::Operation {
                        entity: o.entity,
                        action: o.action,
                    })
                    .collect(),
            })
            .collect(),
        default_config: f.default_config,
        privacy_flags: f.privacy_flags,
    }
}

pub(crate) fn features_in(resp: ap::ListFeaturesResponse) -> BTreeMap<String, RemoteFeature> {
    resp.features
        .into_iter()
        .map(|(k, f)| (k, feature_in(f)))
        .collect()
}

fn feature_in(f: ap::Feature) -> RemoteFeature {
    RemoteFeature {
        name: f.name,
        description: f.description,
        rules: f
            .rules
            .into_iter()
            .map(|(k, r)| {
                let rule = RemoteRule {
                    name: r.name,
                    default: r.default,
                    min_value: r.min_value,
                    max_value: r.max_value,
                };
                (k, rule)
            })
            .collect(),
        permissions_list: f
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
        default_config: f.default_config,
        privacy_flags: f.privacy_flags,
    }
}

pub(crate) fn registration_out(r: Registration) -> ap::RegisterSessionRequest {
    ap::RegisterSessionRequest {
        responder_pub_key: r.responder_pub_key,
        mailbox_addr: r.mailbox_addr,
        dev_server: r.dev_server,
        feature_configs: r.feature_configs,
        lit_version: Some(version_out(r.lit_version)),
        lnd_version: Some(version_out(r.lnd_version)),
        group_responder_key: r.group_responder_key,
        group_responder_sig: r.group_responder_sig,
        privacy_flags: r.privacy_flags,
    }
}

pub(crate) fn registration_in(r: ap::RegisterSessionRequest) -> Registration {
    Registration {
        responder_pub_key: r.responder_pub_key,
        mailbox_addr: r.mailbox_addr,
        dev_server: r.dev_server,
        feature_configs: r.feature_configs,
        lit_version: version_in(r.lit_version),
        lnd_version: version_in(r.lnd_version),
        group_responder_key: r.group_responder_key,
        group_responder_sig: r.group_responder_sig,
        privacy_flags: r.privacy_flags,
    }
}

/// A remote error as a gRPC status, code and message kept.
pub(crate) fn status_out(e: RemoteError) -> tonic::Status {
    tonic::Status::new(tonic::Code::from_i32(e.code as i32), e.message)
}

/// A gRPC status from the remote server, code and message kept.
pub(crate) fn status_in(s: tonic::Status) -> RemoteError {
    RemoteError::new(Code::from_i32(s.code() as i32), s.message())
}
