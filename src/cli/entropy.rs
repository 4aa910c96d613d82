//! The start-up check that the operating system's random source works.
//!
//! Keys, secrets, macaroon root keys and TLS keys are all drawn from it. A
//! statically linked binary (`scripts/build-static.sh`) cannot find glibc's
//! `getrandom` at run time, so the `getrandom` crates fall back to the device
//! files: they poll `/dev/random` (until the kernel's pool is ready), then read
//! `/dev/urandom`. In a `FROM scratch` image or a bare chroot without them, the
//! first draw used to panic deep inside `rand` ("could not initialize
//! ThreadRng"). Container runtimes provide both. Checking once, before anything draws, turns that into a
//! message a person can act on and a non-zero exit.

use rand::TryRngCore;

/// Draws a few bytes from the OS random source the way `rand`'s thread RNG
/// seeds itself; the error says what is missing and how to provide it.
pub fn check_os_random() -> Result<(), String> {
    let mut probe = [0u8; 16];
    rand::rngs::OsRng.try_fill_bytes(&mut probe).map_err(|e| {
        format!(
            "cannot read random bytes from the operating system ({e}); keys, secrets and \
             macaroons need them. A static binary opens /dev/random and /dev/urandom: in a \
             chroot or bare root, provide both (bind-mount them, or `mknod -m 444 \
             ROOT/dev/random c 1 8` and `mknod -m 444 ROOT/dev/urandom c 1 9`)"
        )
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_os_random_source_works_on_a_normal_host() {
        assert_eq!(super::check_os_random(), Ok(()));
    }
}
