use rand::rngs::StdRng;
use rand::SeedableRng;

use super::*;
use crate::domain::rules::{ChannelRestrict, PeerRestrict, RuleValue};

fn rng() -> StdRng {
    StdRng::seed_from_u64(7)
}

fn chan_rule(ids: &[u64]) -> Rule {
    let v = RuleValue::ChannelRestrict(ChannelRestrict {
        channel_ids: ids.to_vec(),
    });
    Rule::from_request("channel-restriction", Some(&v)).unwrap()
}

fn peer_rule(ids: &[&str]) -> Rule {
    let v = RuleValue::PeerRestrict(PeerRestrict {
        peer_ids: ids.iter().map(|s| s.to_string()).collect(),
    });
    Rule::from_request("peer-restriction", Some(&v)).unwrap()
}

fn chan_ids(r: &Rule) -> Vec<u64> {
    match r {
        Rule::ChannelRestrict(c) => c.deny_list.clone().unwrap_or_default(),
        _ => panic!("not a channel restriction"),
    }
}

fn peer_ids(r: &Rule) -> Vec<String> {
    match r {
        Rule::PeerRestrict(p) => p.deny_list.clone().unwrap_or_default(),
        _ => panic!("not a peer restriction"),
    }
}

#[test]
fn flags_parse_and_print() {
    assert_eq!(PrivacyFlags::parse(0), Ok(PrivacyFlags(0)));
    assert_eq!(PrivacyFlags::parse(255), Ok(PrivacyFlags(255)));
    assert_eq!(
        PrivacyFlags::parse(256).unwrap_err(),
        "unknown privacy flag: Unknown: 8"
    );
    assert_eq!(
        PrivacyFlags::parse(1 | (1 << 40) | (1 << 63)).unwrap_err(),
        "unknown privacy flag: Unknown: 40"
    );
    let f = PrivacyFlags(PrivacyFlags::CLEAR_CHAN_IDS);
    assert!(f.contains(PrivacyFlags::CLEAR_CHAN_IDS));
    assert!(!f.contains(PrivacyFlags::CLEAR_PUBKEYS));
    assert_eq!(PrivacyFlags::CLEAR_PUBKEYS, 1 << 0);
    assert_eq!(PrivacyFlags::CLEAR_CHAN_IDS, 1 << 2);
}

#[test]
fn map_pairs() {
    let mut m = PrivacyMap::new();
    assert!(m.is_empty());
    m.add_pair("b", "2").unwrap();
    m.add_pair("a", "1").unwrap();
    m.add_pair("a", "1").unwrap();
    assert_eq!(m.len(), 2);
    assert_eq!(m.real_to_pseudo("a"), Some("1"));
    assert_eq!(m.pseudo_to_real("2"), Some("b"));
    assert_eq!(m.real_to_pseudo("c"), None);
    assert_eq!(
        m.add_pair("a", "3").unwrap_err(),
        "cannot replace existing pseudo entry for real value: a"
    );
    assert_eq!(
        m.add_pair("c", "1").unwrap_err(),
        "an entry with the given pseudo value already exists"
    );
    let pairs: Vec<_> = m.pairs().collect();
    assert_eq!(pairs, vec![("a", "1"), ("b", "2")]);
}

#[test]
fn channel_restriction_round_trip() {
    let mut m = PrivacyMap::new();
    let mut r = rng();
    let rule = chan_rule(&[5, 6, 5]);
    let hidden = obfuscate_rule(&rule, PrivacyFlags(0), &mut m, &mut r).unwrap();
    let ids = chan_ids(&hidden);
    assert_eq!(ids[0], ids[2]);
    assert_ne!(ids[0], ids[1]);
    assert_eq!(m.len(), 2);
    assert_eq!(
        m.real_to_pseudo("0000000000000005"),
        Some(format!("{:016x}", ids[0]).as_str())
    );
    assert_eq!(reveal_rule(&hidden, &m).unwrap(), rule);
    // Existing pairs are reused.
    let again = obfuscate_rule(&chan_rule(&[6]), PrivacyFlags(0), &mut m, &mut r).unwrap();
    assert_eq!(chan_ids(&again), vec![ids[1]]);
    assert_eq!(m.len(), 2);
    // ClearChanIDs leaves them, and reveal then leaves them too.
    let clear = PrivacyFlags(PrivacyFlags::CLEAR_CHAN_IDS);
    let kept = obfuscate_rule(&chan_rule(&[9]), clear, &mut m, &mut r).unwrap();
    assert_eq!(chan_ids(&kept), vec![9]);
    assert_eq!(reveal_rule_with_flags(&kept, clear, &m).unwrap(), kept);
    // A value that was never hidden cannot be revealed; 0 stays 0.
    assert_eq!(
        reveal_rule(&chan_rule(&[9]), &m).unwrap_err(),
        "no such key found"
    );
    assert_eq!(
        chan_ids(&reveal_rule(&chan_rule(&[0]), &m).unwrap()),
        vec![0]
    );
}

#[test]
fn peer_restriction_round_trip() {
    let mut m = PrivacyMap::new();
    let mut r = rng();
    let key = "02".repeat(33);
    let rule = peer_rule(&[&key, "short", &key, ""]);
    let hidden = obfuscate_rule(&rule, PrivacyFlags(0), &mut m, &mut r).unwrap();
    let ids = peer_ids(&hidden);
    assert_eq!(ids[0].len(), 66);
    assert_eq!(ids[1].len(), 5);
    assert_eq!(ids[0], ids[2]);
    assert_eq!(ids[3], "");
    assert!(ids[0].bytes().all(|b| b"abcdef0123456789".contains(&b)));
    assert_eq!(reveal_rule(&hidden, &m).unwrap(), rule);
    let clear = PrivacyFlags(PrivacyFlags::CLEAR_PUBKEYS);
    assert_eq!(obfuscate_rule(&rule, clear, &mut m, &mut r).unwrap(), rule);
    assert_eq!(reveal_rule_with_flags(&rule, clear, &m).unwrap(), rule);
    assert_eq!(
        reveal_rule(&peer_rule(&["zz"]), &m).unwrap_err(),
        "no such key found"
    );
    // Byte length, as Go's len() counts.
    let hidden = obfuscate_rule(&peer_rule(&["\u{e9}"]), PrivacyFlags(0), &mut m, &mut r).unwrap();
    assert_eq!(peer_ids(&hidden)[0].len(), 2);
}

#[test]
fn other_rules_are_untouched() {
    let mut m = PrivacyMap::new();
    let rule = Rule::from_json("rate-limit", b"{}").unwrap();
    assert_eq!(
        obfuscate_rule(&rule, PrivacyFlags(0), &mut m, &mut rng()).unwrap(),
        rule
    );
    assert_eq!(reveal_rule(&rule, &m).unwrap(), rule);
    assert!(m.is_empty());
}
