use super::*;

#[test]
fn a_case_depends_only_on_seed_and_iteration() {
    let both = [Transport::Grpc, Transport::Rest, Transport::GrpcWeb];
    for i in 0..50 {
        assert_eq!(
            generate(3, i, &both, 1 << 22),
            generate(3, i, &both, 1 << 22)
        );
    }
    assert_ne!(
        generate(3, 1, &both, 1 << 22),
        generate(4, 1, &both, 1 << 22)
    );
}

#[test]
fn macaroon_variants_derive_from_the_valid_one() {
    let mut c = generate(1, 1, &[Transport::Grpc], 1 << 22);
    c.macaroon = MacaroonUse::FlipHex(5);
    assert_eq!(c.macaroon_values("000000"), vec!["000001".to_string()]);
    c.macaroon = MacaroonUse::Twice;
    assert_eq!(c.macaroon_values("ab").len(), 2);
}
