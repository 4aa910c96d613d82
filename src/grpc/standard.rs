//! The standard gRPC services served next to `litrpc.Autopilot`: server
//! reflection (v1 and v1alpha) and `grpc.health.v1.Health`.
//!
//! litd serves neither; the mock adds them so grpcurl, Postman and
//! Kubernetes-style probes work with no proto files. They are **not**
//! macaroon-protected, deliberately: they reveal nothing but the public
//! protos and a serving status; probes and `grpcurl list` carry no
//! macaroon; and litd's permission table has no entry for them, so
//! checking one would mean inventing ops litd never defined. Calls to
//! `litrpc.Autopilot` itself still need the macaroon as in litd.
//!
//! grpcurl 1.8 speaks only reflection v1alpha, newer tools v1: both are
//! served. The health descriptor is registered too, or grpcurl cannot
//! call `grpc.health.v1.Health/Check` through reflection.

use tonic_health::server::HealthReporter;
use tonic_health::ServingStatus;

use crate::rpc::Rpc;

/// The standard services listed by reflection after the registry's.
const STANDARD: [&str; 3] = [
    "grpc.health.v1.Health",
    "grpc.reflection.v1.ServerReflection",
    "grpc.reflection.v1alpha.ServerReflection",
];

/// Services listed by reflection: what this port serves, nothing else (the
/// descriptor set also holds the remote server's protos, which it does not).
fn listed() -> Vec<&'static str> {
    let mut listed = Rpc::services();
    listed.extend(STANDARD);
    listed
}

/// The names health reports SERVING for: `""` (the whole server) and each
/// registry service.
fn health_names() -> Vec<&'static str> {
    let mut names = vec![""];
    names.extend(Rpc::services());
    names
}

/// Why the standard services could not be built (only a broken embedded
/// descriptor set could cause it).
pub type ReflectionError = tonic_reflection::server::Error;

fn reflection_builder() -> tonic_reflection::server::Builder<'static> {
    let mut builder = tonic_reflection::server::Builder::configure()
        .include_reflection_service(false)
        .register_encoded_file_descriptor_set(crate::proto::FILE_DESCRIPTOR_SET)
        .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
        .register_encoded_file_descriptor_set(tonic_reflection::pb::v1::FILE_DESCRIPTOR_SET)
        .register_encoded_file_descriptor_set(tonic_reflection::pb::v1alpha::FILE_DESCRIPTOR_SET);
    for name in listed() {
        builder = builder.with_service_name(name);
    }
    builder
}

/// Adds reflection (v1, v1alpha) and health to `routes`. Health reports
/// SERVING for `""` (the whole server) and for each registry service; the
/// returned reporter can flip them (the server marks them NOT_SERVING when
/// it starts shutting down).
pub async fn add_to(
    routes: tonic::service::Routes,
) -> Result<(tonic::service::Routes, HealthReporter), ReflectionError> {
    let (reporter, health) = tonic_health::server::health_reporter();
    for name in health_names() {
        reporter
            .set_service_status(name, ServingStatus::Serving)
            .await;
    }
    let routes = routes
        .add_service(health)
        .add_service(reflection_builder().build_v1()?)
        .add_service(reflection_builder().build_v1alpha()?);
    Ok((routes, reporter))
}

/// Marks the server NOT_SERVING (shutdown has begun).
pub async fn set_not_serving(reporter: &HealthReporter) {
    for name in health_names() {
        reporter
            .set_service_status(name, ServingStatus::NotServing)
            .await;
    }
}
