use super::*;

#[test]
fn entries_name_litds_methods_and_messages() {
    let add = Rpc::AddAutopilotSession.spec();
    assert_eq!(add.full_method, "/litrpc.Autopilot/AddAutopilotSession");
    assert_eq!(add.service, "litrpc.Autopilot");
    assert_eq!((add.request_message)(), "litrpc.AddAutopilotSessionRequest");
    assert_eq!(
        <<calls::AddAutopilotSession as Call>::Reply as Reply>::message_name(),
        "litrpc.AddAutopilotSessionResponse"
    );
    assert_eq!(
        <<calls::ListAutopilotSessions as Call>::Reply as Reply>::message_name(),
        "litrpc.ListAutopilotSessionsResponse"
    );
    assert_eq!(
        Rpc::services(),
        [
            "litrpc.Autopilot",
            "litrpc.Status",
            "litrpc.Sessions",
            "litrpc.Firewall",
            "litrpc.Proxy"
        ]
    );
    for rpc in Rpc::ALL {
        assert_eq!(Rpc::from_full_method(rpc.full_method()), Some(*rpc));
        assert_eq!(rpc.spec().name, rpc.name());
    }
    assert_eq!(Rpc::from_full_method("/litrpc.Autopilot/Nope"), None);
}

#[test]
fn permissions_are_litds_table() {
    let perms = |r: Rpc| r.spec().permissions;
    assert_eq!(perms(Rpc::ListAutopilotFeatures), [("autopilot", "read")]);
    assert_eq!(perms(Rpc::ListAutopilotSessions), [("autopilot", "read")]);
    assert_eq!(perms(Rpc::AddAutopilotSession), [("autopilot", "write")]);
    assert_eq!(perms(Rpc::RevokeAutopilotSession), [("autopilot", "write")]);
    assert_eq!(perms(Rpc::AddSession), [("sessions", "write")]);
    assert_eq!(perms(Rpc::ListSessions), [("sessions", "read")]);
    assert_eq!(perms(Rpc::RevokeSession), [("sessions", "write")]);
    assert_eq!(perms(Rpc::ListActions), [("actions", "read")]);
    assert_eq!(perms(Rpc::PrivacyMapConversion), [("privacymap", "read")]);
    assert_eq!(perms(Rpc::GetInfo), [("proxy", "read")]);
    assert_eq!(perms(Rpc::StopDaemon), [("proxy", "write")]);
    assert_eq!(perms(Rpc::BakeSuperMacaroon), [("supermacaroon", "write")]);
}

#[test]
fn rest_requests_find_their_method() {
    use http::Method;
    let at = |m: Method, p: &str| Rpc::from_rest(&m, p);
    assert_eq!(
        at(Method::GET, "/v1/autopilot/features"),
        Some(Rpc::ListAutopilotFeatures)
    );
    assert_eq!(
        at(Method::POST, "/v1/autopilot/features"),
        Some(Rpc::ListAutopilotFeatures)
    );
    assert_eq!(
        at(Method::POST, "/v1/autopilot/sessions/"),
        Some(Rpc::AddAutopilotSession)
    );
    assert_eq!(
        at(Method::GET, "/v1/autopilot/sessions"),
        Some(Rpc::ListAutopilotSessions)
    );
    assert_eq!(
        at(Method::DELETE, "/v1/autopilot/sessions/AQID"),
        Some(Rpc::RevokeAutopilotSession)
    );
    assert_eq!(at(Method::POST, "/v1/sessions"), Some(Rpc::AddSession));
    assert_eq!(at(Method::GET, "/v1/sessions"), Some(Rpc::ListSessions));
    assert_eq!(
        at(Method::DELETE, "/v1/sessions/AQID"),
        Some(Rpc::RevokeSession)
    );
    assert_eq!(
        at(Method::POST, "/v1/firewall/actions"),
        Some(Rpc::ListActions)
    );
    assert_eq!(
        at(Method::POST, "/v1/firewall/privacy_map/convert"),
        Some(Rpc::PrivacyMapConversion)
    );
    assert_eq!(at(Method::GET, "/v1/proxy/info"), Some(Rpc::GetInfo));
    assert_eq!(at(Method::POST, "/v1/proxy/stop"), Some(Rpc::StopDaemon));
    assert_eq!(
        at(Method::POST, "/v1/proxy/supermacaroon"),
        Some(Rpc::BakeSuperMacaroon)
    );
    assert_eq!(at(Method::DELETE, "/v1/autopilot/features"), None);
    assert_eq!(at(Method::GET, "/v1/nope"), None);
}
