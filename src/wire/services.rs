//! prost <-> domain for `litrpc.Sessions`, `litrpc.Firewall` and
//! `litrpc.Proxy` (the session itself goes out through
//! [`super::session_out`], as for the Autopilot service).

use crate::domain::actions::{Action, ActionState, ActionsPage, ActionsQuery};
use crate::domain::firewall::ConversionRequest;
use crate::domain::session::Permission;
use crate::domain::AddLitSessionRequest;
use crate::proto::litrpc as p;

pub(crate) fn add_lit_session_in(req: p::AddSessionRequest) -> AddLitSessionRequest {
    AddLitSessionRequest {
        label: req.label,
        session_type: req.session_type,
        expiry_timestamp_seconds: req.expiry_timestamp_seconds,
        mailbox_server_addr: req.mailbox_server_addr,
        dev_server: req.dev_server,
        macaroon_custom_permissions: req
            .macaroon_custom_permissions
            .into_iter()
            .map(|p| Permission {
                entity: p.entity,
                action: p.action,
            })
            .collect(),
        account_id: req.account_id,
    }
}

pub(crate) fn actions_query_in(req: p::ListActionsRequest) -> ActionsQuery {
    ActionsQuery {
        feature_name: req.feature_name,
        actor_name: req.actor_name,
        method_name: req.method_name,
        state: req.state,
        index_offset: req.index_offset,
        max_num_actions: req.max_num_actions,
        reversed: req.reversed,
        count_total: req.count_total,
        session_id: req.session_id,
        start_timestamp: req.start_timestamp,
        end_timestamp: req.end_timestamp,
        group_id: req.group_id,
    }
}

pub(crate) fn actions_page_out(page: ActionsPage) -> p::ListActionsResponse {
    p::ListActionsResponse {
        actions: page.actions.into_iter().map(action_out).collect(),
        last_index_offset: page.last_index_offset,
        total_count: page.total_count,
    }
}

pub(crate) fn action_out(a: Action) -> p::Action {
    p::Action {
        actor_name: a.actor_name,
        feature_name: a.feature_name,
        trigger: a.trigger,
        intent: a.intent,
        structured_json_data: a.structured_json_data,
        rpc_method: a.rpc_method,
        rpc_params_json: a.rpc_params_json,
        timestamp: a.timestamp,
        state: a.state.number(),
        error_reason: a.error_reason,
        session_id: a.session_id.to_vec(),
        macaroon_identifier: a.macaroon_identifier.to_vec(),
    }
}

/// An action to seed (admin API, scenario setup): the 4-byte fields may be
/// empty (zeros, as litd stores "none").
pub(crate) fn action_in(a: p::Action) -> Result<Action, String> {
    let four = |bytes: Vec<u8>, what: &str| -> Result<[u8; 4], String> {
        if bytes.is_empty() {
            return Ok([0; 4]);
        }
        <[u8; 4]>::try_from(bytes.as_slice())
            .map_err(|_| format!("{what} must be 4 bytes (or empty), got {}", bytes.len()))
    };
    Ok(Action {
        state: ActionState::from_number(a.state)
            .ok_or_else(|| format!("state {} is not a litrpc.ActionState", a.state))?,
        session_id: four(a.session_id, "session_id")?,
        macaroon_identifier: four(a.macaroon_identifier, "macaroon_identifier")?,
        actor_name: a.actor_name,
        feature_name: a.feature_name,
        trigger: a.trigger,
        intent: a.intent,
        structured_json_data: a.structured_json_data,
        rpc_method: a.rpc_method,
        rpc_params_json: a.rpc_params_json,
        timestamp: a.timestamp,
        error_reason: a.error_reason,
    })
}

#[allow(deprecated)]
pub(crate) fn conversion_in(req: p::PrivacyMapConversionRequest) -> ConversionRequest {
    ConversionRequest {
        real_to_pseudo: req.real_to_pseudo,
        session_id: req.session_id,
        input: req.input,
        group_id: req.group_id,
    }
}
