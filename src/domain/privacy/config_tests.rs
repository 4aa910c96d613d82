use rand::rngs::StdRng;
use rand::SeedableRng;

use super::*;

const TXID: &str = "aa00000000000000000000000000000000000000000000000000000000000001";
const KEY: &str = "02aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

fn run(config: &str, flags: u64, map: &mut PrivacyMap) -> Result<String, String> {
    let mut rng = StdRng::seed_from_u64(1);
    obfuscate_config(config.as_bytes(), PrivacyFlags(flags), map, &mut rng)
        .map(|b| String::from_utf8(b).unwrap())
}

fn list(out: &str, key: &str) -> Vec<String> {
    let start = out.find(&format!("\"{key}\":[")).unwrap() + key.len() + 4;
    let end = start + out[start..].find(']').unwrap();
    out[start..end]
        .split(',')
        .map(|s| s.trim_matches('"').to_string())
        .collect()
}

#[test]
fn sensitive_items_are_replaced() {
    let mut m = PrivacyMap::new();
    let chan_point = format!("{TXID}:1");
    let cfg = format!(
        r#"{{"peers":[" {KEY} ","{KEY}"],"points":["{chan_point}"],"ids":["1234567890123","12345678901234567890","-123456789012","x"],"n":7}}"#
    );
    let out = run(&cfg, 0, &mut m).unwrap();
    let peers = list(&out, "peers");
    assert_eq!(peers[0], peers[1]);
    assert_eq!(peers[0].len(), 66);
    assert_eq!(m.pseudo_to_real(&peers[0]), Some(KEY));
    let point = &list(&out, "points")[0];
    let (txid, index) = point.split_once(':').unwrap();
    assert_eq!(txid.len(), 64);
    assert!(index.parse::<u32>().is_ok());
    assert_eq!(m.real_to_pseudo(&chan_point), Some(point.as_str()));
    let ids = list(&out, "ids");
    assert_eq!(ids[0].len(), 13);
    assert_ne!(ids[0], "1234567890123");
    // 20 digits overflow int64, so litd does not take it for a channel id;
    // a sign makes 13 characters out of 12 digits.
    assert_eq!(ids[1], "12345678901234567890");
    assert_ne!(ids[2], "-123456789012");
    assert_eq!(ids[3], "x");
    assert!(out.starts_with("{\"ids\":["));
    assert!(out.contains("],\"n\":7,\"peers\":["));
    assert_eq!(m.len(), 4);
    // The same values again reuse the pairs.
    let again = run(&cfg, 0, &mut m).unwrap();
    assert_eq!(again, out);
    assert_eq!(m.len(), 4);
}

#[test]
fn clear_flags_keep_values() {
    let mut m = PrivacyMap::new();
    let cfg = format!(r#"{{"a":["{TXID}:0","{KEY}","1234567890123"]}}"#);
    let out = run(&cfg, PrivacyFlags::CLEAR_CHAN_IDS, &mut m).unwrap();
    let a = list(&out, "a");
    assert_eq!(a[0], format!("{TXID}:0"));
    assert_ne!(a[1], KEY);
    assert_eq!(a[2], "1234567890123");
    let out = run(&cfg, PrivacyFlags::CLEAR_PUBKEYS, &mut m).unwrap();
    assert_eq!(list(&out, "a")[1], KEY);
    let all = PrivacyFlags::CLEAR_PUBKEYS | PrivacyFlags::CLEAR_CHAN_IDS;
    assert_eq!(run(&cfg, all, &mut PrivacyMap::new()).unwrap(), cfg);
}

#[test]
fn other_values_reencoded_go_style() {
    let mut m = PrivacyMap::new();
    let out = run(
        r#" {"z":1.50,"b":{"y":[1,"<"],"x":null},"a":[], "c":[1,2], "d":[" hi "], "z":2e21} "#,
        0,
        &mut m,
    )
    .unwrap();
    assert_eq!(
        out,
        r#"{"a":[],"b":{"x":null,"y":[1,"\u003c"]},"c":[1,2],"d":["hi"],"z":2e+21}"#
    );
    assert!(m.is_empty());
    assert_eq!(run("null", 0, &mut m).unwrap(), "{}");
    assert_eq!(run("", 0, &mut m).unwrap(), "");
}

#[test]
fn errors_in_litd_words() {
    let mut m = PrivacyMap::new();
    assert_eq!(
        run(r#"{"b":["a",1],"a":[true,"x"]}"#, 0, &mut m).unwrap_err(),
        "invalid config, expected list of only strings for key a"
    );
    assert_eq!(
        run("[1]", 0, &mut m).unwrap_err(),
        "json: cannot unmarshal array into Go value of type map[string]interface {}"
    );
    assert_eq!(
        run("\"x\"", 0, &mut m).unwrap_err(),
        "json: cannot unmarshal string into Go value of type map[string]interface {}"
    );
    assert_eq!(
        run("{\"a\":1e999}", 0, &mut m).unwrap_err(),
        "json: cannot unmarshal number 1e999 into Go value of type float64"
    );
    assert_eq!(
        run("{\"a\":", 0, &mut m).unwrap_err(),
        "unexpected end of JSON input"
    );
    assert_eq!(
        run("{a}", 0, &mut m).unwrap_err(),
        "invalid character 'a' looking for beginning of object key string"
    );
    assert!(m.is_empty());
}

mod props {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #[test]
        fn never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..80), flags in 0u64..256) {
            let mut m = PrivacyMap::new();
            let mut rng = StdRng::seed_from_u64(3);
            let _ = obfuscate_config(&bytes, PrivacyFlags(flags), &mut m, &mut rng);
        }

        #[test]
        fn json_like_never_panics(s in r#"[\[\]{}":, 0-9a-f.\-e]{0,60}"#, flags in 0u64..256) {
            let mut m = PrivacyMap::new();
            let mut rng = StdRng::seed_from_u64(3);
            let res = obfuscate_config(s.as_bytes(), PrivacyFlags(flags), &mut m, &mut rng);
            if let Ok(out) = res {
                // Whatever comes out is valid JSON again.
                prop_assert!(out.is_empty() || crate::gocompat::json::parse(&out).is_ok());
            }
        }
    }
}
