//! The gRPC codec: requests read as protobuf-go reads them
//! ([`protobuf_in`]), and replies in Go's binary form
//! ([`Reply::go_wire_bytes`]: map entries written whole, as litd's grpc-go
//! writes them).

use std::marker::PhantomData;

use bytes::{Buf, BufMut};
use tonic::codec::{Codec, DecodeBuf, Decoder, EncodeBuf, Encoder};
use tonic::Status;

use crate::rpc::spec::RequestMessage;
use crate::rpc::Reply;
use crate::wire::protobuf_in;

/// A request as the codec hands it on: the message, or grpc-go's text
/// for bytes protobuf-go refuses (the method journals those before answering).
pub(crate) type Decoded<U> = Result<U, String>;

/// Encodes `T` and decodes `U` as litd's grpc-go and protobuf-go do.
pub(crate) struct GoCodec<T, U>(PhantomData<(T, U)>);

impl<T, U> Default for GoCodec<T, U> {
    fn default() -> Self {
        Self(PhantomData)
    }
}

impl<T, U> Codec for GoCodec<T, U>
where
    T: Reply,
    U: RequestMessage,
{
    type Encode = T;
    type Decode = Decoded<U>;
    type Encoder = GoEncoder<T>;
    type Decoder = GoDecoder<U>;

    fn encoder(&mut self) -> Self::Encoder {
        GoEncoder(PhantomData)
    }

    fn decoder(&mut self) -> Self::Decoder {
        GoDecoder(PhantomData)
    }
}

pub(crate) struct GoDecoder<U>(PhantomData<U>);

impl<U: RequestMessage> Decoder for GoDecoder<U> {
    type Item = Decoded<U>;
    type Error = Status;

    fn decode(&mut self, buf: &mut DecodeBuf<'_>) -> Result<Option<Decoded<U>>, Status> {
        // The message's bytes, split off tonic's buffer (not copied).
        let message = buf.copy_to_bytes(buf.remaining());
        Ok(Some(protobuf_in::decode_request::<U>(&message)))
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
