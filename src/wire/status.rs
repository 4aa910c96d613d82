//! `litrpc.Status` domain answer -> prost.

use std::collections::BTreeMap;

use crate::domain::status::SubServerState;
use crate::proto::litrpc as p;

pub(crate) fn status_out(status: BTreeMap<&'static str, SubServerState>) -> p::SubServerStatusResp {
    p::SubServerStatusResp {
        sub_servers: status
            .into_iter()
            .map(|(name, s)| {
                (
                    name.to_string(),
                    p::SubServerStatus {
                        disabled: s.disabled,
                        running: s.running,
                        error: s.error,
                        custom_status: s.custom_status,
                    },
                )
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::readiness::Readiness;
    use crate::domain::status::sub_server_status;

    #[test]
    fn rest_json_is_litds_shape() {
        let out = status_out(sub_server_status(&Readiness::new()));
        let json = crate::wire::litd_json::to_litd_json("litrpc.SubServerStatusResp", &out);
        let text = serde_json::to_string(&json).unwrap();
        assert!(text.starts_with(
            "{\"sub_servers\":{\"accounts\":{\"disabled\":true,\"running\":false,\"error\":\"\",\"custom_status\":\"\"},\"faraday\":"
        ), "{text}");
        assert!(text.contains(
            "\"lit\":{\"disabled\":false,\"running\":true,\"error\":\"\",\"custom_status\":\"\"}"
        ), "{text}");
    }
}
