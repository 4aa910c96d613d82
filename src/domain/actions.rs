//! litd's firewall action log (`firewalldb/actions*.go`): what a client of
//! `Firewall.ListActions` pages through. litd writes actions only for calls
//! that pass through lnd's interceptor chain, which a double without lnd
//! never sees, so the log starts empty and fills only through the admin API
//! or a scenario's setup (litd-front-door.md §6.3).

use super::session::SessionId;

/// `litrpc.ActionState` with litd's numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub(crate) enum ActionState {
    #[default]
    Unknown = 0,
    Pending = 1,
    Done = 2,
    Error = 3,
}

impl ActionState {
    pub(crate) fn from_number(n: i32) -> Option<ActionState> {
        [Self::Unknown, Self::Pending, Self::Done, Self::Error]
            .into_iter()
            .find(|s| *s as i32 == n)
    }

    pub(crate) fn number(self) -> i32 {
        self as i32
    }
}

/// One logged action (`litrpc.Action`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Action {
    pub(crate) actor_name: String,
    pub(crate) feature_name: String,
    pub(crate) trigger: String,
    pub(crate) intent: String,
    pub(crate) structured_json_data: String,
    /// The full method URI.
    pub(crate) rpc_method: String,
    /// Compact JSON, or "" when the params were not logged.
    pub(crate) rpc_params_json: String,
    /// Unix seconds of the attempt.
    pub(crate) timestamp: u64,
    pub(crate) state: ActionState,
    pub(crate) error_reason: String,
    /// Zeros when the action belongs to no session.
    pub(crate) session_id: SessionId,
    /// The last 4 bytes of the macaroon's root-key ID; zeros when none.
    pub(crate) macaroon_identifier: [u8; 4],
}

/// A `ListActionsRequest` as the domain sees it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct ActionsQuery {
    pub(crate) feature_name: String,
    pub(crate) actor_name: String,
    pub(crate) method_name: String,
    /// The wire number; 0 = any.
    pub(crate) state: i32,
    pub(crate) index_offset: u64,
    /// 0 = litd's default of 100.
    pub(crate) max_num_actions: u64,
    pub(crate) reversed: bool,
    pub(crate) count_total: bool,
    pub(crate) session_id: Vec<u8>,
    pub(crate) start_timestamp: u64,
    pub(crate) end_timestamp: u64,
    pub(crate) group_id: Vec<u8>,
}

/// A `ListActionsResponse`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct ActionsPage {
    pub(crate) actions: Vec<Action>,
    /// The database id of the last action returned; 0 when none.
    pub(crate) last_index_offset: u64,
    /// Every match before paging, only with `count_total`; else 0.
    pub(crate) total_count: u64,
}

/// litd's default page size.
pub(crate) const DEFAULT_PAGE: u64 = 100;

/// Who an action's filter asks for, once checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Owner {
    Any,
    Session(SessionId),
    /// The sessions of this group.
    Group(SessionId),
}

/// The log: actions with their database ids (1, 2, ...), in insertion order.
#[derive(Debug, Default)]
pub(crate) struct ActionLog {
    rows: Vec<(u64, Action)>,
    next_id: u64,
}

impl ActionLog {
    pub(crate) fn len(&self) -> usize {
        self.rows.len()
    }

    #[cfg(test)]
    pub(crate) fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    pub(crate) fn append(&mut self, action: Action) {
        self.next_id += 1;
        self.rows.push((self.next_id, action));
    }

    /// Every action with its id, in insertion order (for snapshots).
    pub(crate) fn rows(&self) -> &[(u64, Action)] {
        &self.rows
    }

    /// Puts back a row read from a snapshot, keeping its id (later ids go
    /// on after the largest).
    pub(crate) fn restore_row(&mut self, id: u64, action: Action) {
        self.next_id = self.next_id.max(id);
        self.rows.push((id, action));
    }

    /// Forgets every action; ids go on from where they were, as a
    /// database's do after a delete.
    pub(crate) fn clear(&mut self) {
        self.rows.clear();
    }

    /// The SQL query of `actions_sql.go`: every filter, ordered by time then
    /// id (descending with `reversed`), then `OFFSET index_offset LIMIT max`.
    /// `in_group` tells whether a session ID belongs to the asked group.
    pub(super) fn page(
        &self,
        query: &ActionsQuery,
        state: Option<ActionState>,
        owner: Owner,
        in_group: impl Fn(&SessionId) -> bool,
    ) -> ActionsPage {
        let matches = |a: &Action| {
            (query.feature_name.is_empty() || a.feature_name == query.feature_name)
                && (query.actor_name.is_empty() || a.actor_name == query.actor_name)
                && (query.method_name.is_empty() || a.rpc_method == query.method_name)
                && state.is_none_or(|s| a.state == s)
                && (query.start_timestamp == 0 || a.timestamp >= query.start_timestamp)
                && (query.end_timestamp == 0 || a.timestamp <= query.end_timestamp)
                && match owner {
                    Owner::Any => true,
                    Owner::Session(id) => a.session_id == id,
                    Owner::Group(_) => in_group(&a.session_id),
                }
        };
        let mut found: Vec<&(u64, Action)> = self.rows.iter().filter(|(_, a)| matches(a)).collect();
        found.sort_by_key(|(id, a)| (a.timestamp, *id));
        if query.reversed {
            found.reverse();
        }
        let total_count = if query.count_total {
            found.len() as u64
        } else {
            0
        };
        let limit = match query.max_num_actions {
            0 => DEFAULT_PAGE,
            n => n,
        };
        let offset = usize::try_from(query.index_offset).unwrap_or(usize::MAX);
        let limit = usize::try_from(limit).unwrap_or(usize::MAX);
        let page: Vec<&(u64, Action)> = found.into_iter().skip(offset).take(limit).collect();
        ActionsPage {
            last_index_offset: page.last().map_or(0, |(id, _)| *id),
            actions: page.into_iter().map(|(_, a)| a.clone()).collect(),
            total_count,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn action(n: u64, actor: &str, session: u8) -> Action {
        Action {
            actor_name: actor.to_string(),
            rpc_method: format!("/lnrpc.Lightning/M{n}"),
            timestamp: 1_000 + n,
            state: ActionState::Done,
            session_id: [session; 4],
            ..Action::default()
        }
    }

    fn log() -> ActionLog {
        let mut log = ActionLog::default();
        for n in 1..=5 {
            log.append(action(
                n,
                if n % 2 == 0 { "even" } else { "odd" },
                n as u8 % 2,
            ));
        }
        log
    }

    fn methods(page: &ActionsPage) -> Vec<&str> {
        page.actions.iter().map(|a| a.rpc_method.as_str()).collect()
    }

    #[test]
    fn pages_are_row_offsets_and_the_last_offset_is_a_row_id() {
        let log = log();
        let q = ActionsQuery {
            index_offset: 1,
            max_num_actions: 2,
            count_total: true,
            ..Default::default()
        };
        let page = log.page(&q, None, Owner::Any, |_| true);
        assert_eq!(
            methods(&page),
            ["/lnrpc.Lightning/M2", "/lnrpc.Lightning/M3"]
        );
        assert_eq!((page.last_index_offset, page.total_count), (3, 5));
        let reversed = ActionsQuery {
            reversed: true,
            count_total: false,
            ..q
        };
        let page = log.page(&reversed, None, Owner::Any, |_| true);
        assert_eq!(
            methods(&page),
            ["/lnrpc.Lightning/M4", "/lnrpc.Lightning/M3"]
        );
        assert_eq!((page.last_index_offset, page.total_count), (3, 0));
    }

    #[test]
    fn filters_combine() {
        let log = log();
        let q = ActionsQuery {
            actor_name: "odd".into(),
            start_timestamp: 1_002,
            end_timestamp: 1_005,
            ..Default::default()
        };
        let page = log.page(&q, None, Owner::Session([1; 4]), |_| true);
        assert_eq!(
            methods(&page),
            ["/lnrpc.Lightning/M3", "/lnrpc.Lightning/M5"]
        );
        let none = log.page(&q, Some(ActionState::Error), Owner::Any, |_| true);
        assert_eq!((none.actions.len(), none.last_index_offset), (0, 0));
        let group = log.page(&ActionsQuery::default(), None, Owner::Group([9; 4]), |id| {
            *id == [0; 4]
        });
        assert_eq!(
            methods(&group),
            ["/lnrpc.Lightning/M2", "/lnrpc.Lightning/M4"]
        );
    }

    #[test]
    fn a_cleared_log_keeps_counting_ids() {
        let mut log = log();
        log.clear();
        assert!(log.is_empty());
        log.append(action(9, "x", 0));
        let page = log.page(&ActionsQuery::default(), None, Owner::Any, |_| true);
        assert_eq!(page.last_index_offset, 6);
    }
}
