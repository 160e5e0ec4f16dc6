//! The Kafka wire, for both ends pz plays: the sandbox Gateway's listener
//! (`sandbox::kafka_session`) and the partner's side in `pz check`
//! (`kafka::check`). Messages are `kafka-protocol`'s; this module only
//! frames them (a 4-byte length, then header and body) with a size bound.

pub mod bound;
pub mod check;
pub mod oauth;
pub mod properties;
pub mod report;

use bytes::{Bytes, BytesMut};
use kafka_protocol::messages::{ApiKey, RequestHeader, ResponseHeader};
use kafka_protocol::protocol::{Decodable, Encodable, HeaderVersion, Request, StrBytes};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// The largest frame either end accepts (a Metadata answer for a zone's
/// topics is a few kilobytes).
pub const MAX_FRAME: usize = 1 << 20;

#[derive(Debug, thiserror::Error)]
pub enum WireError {
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("the peer sent a frame of {0} bytes (more than {MAX_FRAME})")]
    TooLarge(usize),
    #[error("the connection was closed")]
    Closed,
    #[error("not a Kafka message: {0}")]
    Protocol(String),
    #[error("a malformed answer: {0}")]
    Malformed(#[from] bound::Malformed),
}

impl WireError {
    fn protocol(e: impl std::fmt::Display) -> Self {
        WireError::Protocol(e.to_string())
    }
}

/// Reads one frame; `Ok(None)` when the peer closed cleanly between frames.
pub async fn read_frame<R: AsyncRead + Unpin>(r: &mut R) -> Result<Option<Bytes>, WireError> {
    let mut len = [0u8; 4];
    match r.read_exact(&mut len).await {
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(e) => return Err(e.into()),
    }
    let len = i32::from_be_bytes(len);
    let len =
        usize::try_from(len).map_err(|_| WireError::Protocol("negative frame size".into()))?;
    if len > MAX_FRAME {
        return Err(WireError::TooLarge(len));
    }
    let mut body = vec![0u8; len];
    r.read_exact(&mut body).await.map_err(|e| {
        if e.kind() == std::io::ErrorKind::UnexpectedEof {
            WireError::Closed
        } else {
            e.into()
        }
    })?;
    Ok(Some(Bytes::from(body)))
}

/// Writes `body` as one frame.
pub async fn write_frame<W: AsyncWrite + Unpin>(w: &mut W, body: &[u8]) -> Result<(), WireError> {
    let len = u32::try_from(body.len()).map_err(|_| WireError::TooLarge(body.len()))?;
    let mut out = Vec::with_capacity(body.len() + 4);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(body);
    w.write_all(&out).await?;
    w.flush().await?;
    Ok(())
}

/// A response frame: header (in the version the API key asks for) and body.
pub fn encode_response<T: Encodable>(
    api_key: ApiKey,
    version: i16,
    correlation_id: i32,
    body: &T,
) -> Result<BytesMut, WireError> {
    let mut buf = BytesMut::new();
    let header = ResponseHeader::default().with_correlation_id(correlation_id);
    header
        .encode(&mut buf, api_key.response_header_version(version))
        .map_err(WireError::protocol)?;
    body.encode(&mut buf, version)
        .map_err(WireError::protocol)?;
    Ok(buf)
}

/// A client connection speaking requests in order (no pipelining).
pub struct Connection<S> {
    stream: S,
    next_id: i32,
}

impl<S: AsyncRead + AsyncWrite + Unpin> Connection<S> {
    pub fn new(stream: S) -> Self {
        Connection { stream, next_id: 1 }
    }

    /// Sends `req` in `version` and reads its response.
    pub async fn call<Req: Request>(
        &mut self,
        req: &Req,
        version: i16,
    ) -> Result<Req::Response, WireError>
    where
        Req::Response: bound::Bounded,
    {
        let id = self.next_id;
        self.next_id = self.next_id.wrapping_add(1);
        let header = RequestHeader::default()
            .with_request_api_key(Req::KEY)
            .with_request_api_version(version)
            .with_correlation_id(id)
            .with_client_id(Some(StrBytes::from_static_str("pz-check")));
        let mut buf = BytesMut::new();
        header
            .encode(&mut buf, Req::header_version(version))
            .map_err(WireError::protocol)?;
        req.encode(&mut buf, version).map_err(WireError::protocol)?;
        write_frame(&mut self.stream, &buf).await?;
        let mut frame = read_frame(&mut self.stream)
            .await?
            .ok_or(WireError::Closed)?;
        // Nothing from the peer is decoded before its lengths are bounded.
        let header_version = <Req::Response as HeaderVersion>::header_version(version);
        let body_at = bound::check_response_header(&frame, header_version)?;
        bound::check::<Req::Response>(&frame[body_at..], version)?;
        let header =
            ResponseHeader::decode(&mut frame, header_version).map_err(WireError::protocol)?;
        if header.correlation_id != id {
            return Err(WireError::Protocol(format!(
                "answer to request {} arrived for request {id}",
                header.correlation_id
            )));
        }
        Req::Response::decode(&mut frame, version).map_err(WireError::protocol)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn frames_round_trip_and_are_bounded() {
        let (mut a, mut b) = tokio::io::duplex(64);
        let writer = tokio::spawn(async move {
            write_frame(&mut a, b"hello").await.unwrap();
            a.write_all(&((MAX_FRAME as u32) + 1).to_be_bytes())
                .await
                .unwrap();
            a
        });
        assert_eq!(read_frame(&mut b).await.unwrap().unwrap(), &b"hello"[..]);
        assert!(matches!(
            read_frame(&mut b).await,
            Err(WireError::TooLarge(_))
        ));
        drop(writer.await.unwrap());
        assert!(read_frame(&mut b).await.unwrap().is_none());
    }

    #[tokio::test]
    async fn a_frame_cut_short_is_an_error_not_a_hang() {
        let (mut a, mut b) = tokio::io::duplex(64);
        a.write_all(&10u32.to_be_bytes()).await.unwrap();
        a.write_all(b"abc").await.unwrap();
        drop(a);
        assert!(matches!(read_frame(&mut b).await, Err(WireError::Closed)));
    }
}
