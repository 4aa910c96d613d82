//! The gRPC codec: prost's decoder for requests, and replies in Go's
//! binary form ([`Reply::go_wire_bytes`]: map entries written whole, as
//! litd's grpc-go writes them).

use std::marker::PhantomData;

use bytes::BufMut;
use tonic::codec::{Codec, EncodeBuf, Encoder};
use tonic::Status;
use tonic_prost::ProstDecoder;

use crate::rpc::Reply;

/// Encodes `T` as Go does, decodes `U` as prost does.
pub(crate) struct GoCodec<T, U>(PhantomData<(T, U)>);

impl<T, U> Default for GoCodec<T, U> {
    fn default() -> Self {
        Self(PhantomData)
    }
}

impl<T, U> Codec for GoCodec<T, U>
where
    T: Reply,
    U: prost::Message + Default + Send + 'static,
{
    type Encode = T;
    type Decode = U;
    type Encoder = GoEncoder<T>;
    type Decoder = ProstDecoder<U>;

    fn encoder(&mut self) -> Self::Encoder {
        GoEncoder(PhantomData)
    }

    fn decoder(&mut self) -> Self::Decoder {
        ProstDecoder::default()
    }
}

pub(crate) struct GoEncoder<T>(PhantomData<T>);

impl<T: Reply> Encoder for GoEncoder<T> {
    type Item = T;
    type Error = Status;

    fn encode(&mut self, item: T, buf: &mut EncodeBuf<'_>) -> Result<(), Status> {
        buf.put_slice(&item.go_wire_bytes());
        Ok(())
    }
}
