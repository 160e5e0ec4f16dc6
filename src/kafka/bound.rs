//! Every count and length in a Kafka message checked against the bytes
//! left in its frame, before `kafka-protocol` decodes it.
//!
//! The crate's decoder reserves memory for an array as soon as it has read
//! the array's count (`Vec::with_capacity(count)`): a peer that answers with
//! a count of 0x7fffffff makes it ask for tens of gigabytes, and the process
//! aborts. So each message pz reads from a peer (the answers in `pz check`,
//! the requests at a sandbox Gateway) is first walked here, field by field,
//! as its schema lays it out for that version: an array's count must fit in
//! what is left (each element takes at least its smallest size), a string's
//! or bytes' length must too. Only a frame that passes is decoded.

use kafka_protocol::messages::{
    ApiVersionsRequest, ApiVersionsResponse, MetadataRequest, MetadataResponse,
    SaslAuthenticateRequest, SaslAuthenticateResponse, SaslHandshakeRequest, SaslHandshakeResponse,
};

/// Why a message was refused before decoding.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Malformed(pub String);

type Checked = Result<(), Malformed>;

/// A message whose layout this module knows, per version.
pub trait Bounded {
    /// Walks one message of `version` from `r`, checking every length.
    fn walk(r: &mut Reader<'_>, version: i16) -> Checked;
}

/// Checks a whole message body (after its header) of type `M`.
pub fn check<M: Bounded>(body: &[u8], version: i16) -> Checked {
    M::walk(&mut Reader::new(body), version)
}

/// Checks a response header of `header_version` (the correlation id, then
/// tagged fields from version 1).
pub fn check_response_header(frame: &[u8], header_version: i16) -> Result<usize, Malformed> {
    let mut r = Reader::new(frame);
    r.fixed(4, "correlation id")?;
    r.tags(header_version >= 1)?;
    Ok(r.pos)
}

/// A cursor over a frame that checks before it moves.
pub struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    pub fn new(buf: &'a [u8]) -> Self {
        Reader { buf, pos: 0 }
    }

    fn left(&self) -> usize {
        self.buf.len() - self.pos
    }

    fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8], Malformed> {
        if n > self.left() {
            return Err(Malformed(format!(
                "{what}: {n} bytes announced, {} left in the frame",
                self.left()
            )));
        }
        let out = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(out)
    }

    fn fixed(&mut self, n: usize, what: &str) -> Checked {
        self.take(n, what).map(|_| ())
    }

    fn i16(&mut self, what: &str) -> Result<i16, Malformed> {
        let b = self.take(2, what)?;
        Ok(i16::from_be_bytes([b[0], b[1]]))
    }

    fn i32(&mut self, what: &str) -> Result<i32, Malformed> {
        let b = self.take(4, what)?;
        Ok(i32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn varint(&mut self, what: &str) -> Result<u32, Malformed> {
        let mut value: u32 = 0;
        for i in 0..5 {
            let b = self.take(1, what)?[0];
            value |= u32::from(b & 0x7f) << (7 * i);
            if b & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(Malformed(format!("{what}: a varint longer than 5 bytes")))
    }

    /// A length: `i16`/`i32` (with -1 for null) or, compact, a varint of
    /// length + 1 (0 for null). None for null.
    fn length(
        &mut self,
        compact: bool,
        wide: bool,
        what: &str,
    ) -> Result<Option<usize>, Malformed> {
        let n: i64 = if compact {
            i64::from(self.varint(what)?) - 1
        } else if wide {
            i64::from(self.i32(what)?)
        } else {
            i64::from(self.i16(what)?)
        };
        match n {
            -1 => Ok(None),
            n if n < 0 => Err(Malformed(format!("{what}: a negative length ({n})"))),
            n => usize::try_from(n)
                .map(Some)
                .map_err(|_| Malformed(format!("{what}: length {n}"))),
        }
    }

    /// A (nullable) string, compact in flexible versions.
    fn string(&mut self, compact: bool, what: &str) -> Checked {
        if let Some(n) = self.length(compact, false, what)? {
            self.fixed(n, what)?;
        }
        Ok(())
    }

    /// (Nullable) bytes, compact in flexible versions.
    fn bytes(&mut self, compact: bool, what: &str) -> Checked {
        if let Some(n) = self.length(compact, true, what)? {
            self.fixed(n, what)?;
        }
        Ok(())
    }

    /// A (nullable) array of elements that each take at least `min` bytes.
    fn array(
        &mut self,
        compact: bool,
        min: usize,
        what: &str,
        mut element: impl FnMut(&mut Self) -> Checked,
    ) -> Checked {
        let Some(count) = self.length(compact, true, what)? else {
            return Ok(());
        };
        if count.saturating_mul(min.max(1)) > self.left() {
            return Err(Malformed(format!(
                "an array of {count} {what} in a frame with {} bytes left",
                self.left()
            )));
        }
        for _ in 0..count {
            element(self)?;
        }
        Ok(())
    }

    /// Tagged fields (flexible versions), each skipped by its size.
    fn tags(&mut self, flexible: bool) -> Checked {
        self.tags_with(flexible, |_, _| Ok(()))
    }

    /// Tagged fields; `known` walks the content of a tag it knows, bounded
    /// by the tag's own size.
    fn tags_with(
        &mut self,
        flexible: bool,
        mut known: impl FnMut(u32, &mut Reader<'a>) -> Checked,
    ) -> Checked {
        if !flexible {
            return Ok(());
        }
        let count = self.varint("tagged fields")?;
        if count as usize > self.left() {
            return Err(Malformed(format!(
                "{count} tagged fields in a frame with {} bytes left",
                self.left()
            )));
        }
        for _ in 0..count {
            let tag = self.varint("tag")?;
            let size = self.varint("tag size")? as usize;
            let content = self.take(size, "tagged field")?;
            known(tag, &mut Reader::new(content))?;
        }
        Ok(())
    }
}

impl Bounded for ApiVersionsResponse {
    fn walk(r: &mut Reader<'_>, v: i16) -> Checked {
        let flex = v >= 3;
        r.fixed(2, "error code")?;
        r.array(flex, 6, "API versions", |r| {
            r.fixed(6, "API version")?;
            r.tags(flex)
        })?;
        if v >= 1 {
            r.fixed(4, "throttle time")?;
        }
        r.tags_with(flex, |tag, r| match tag {
            // Supported and finalized features: name, two versions.
            0 | 2 => r.array(true, 5, "features", |r| {
                r.string(true, "feature name")?;
                r.fixed(4, "feature versions")?;
                r.tags(true)
            }),
            1 => r.fixed(8, "features epoch"),
            3 => r.fixed(1, "migration flag"),
            _ => Ok(()),
        })
    }
}

impl Bounded for SaslHandshakeResponse {
    fn walk(r: &mut Reader<'_>, _v: i16) -> Checked {
        r.fixed(2, "error code")?;
        r.array(false, 2, "SASL mechanisms", |r| {
            r.string(false, "mechanism")
        })
    }
}

impl Bounded for SaslAuthenticateResponse {
    fn walk(r: &mut Reader<'_>, v: i16) -> Checked {
        let flex = v >= 2;
        r.fixed(2, "error code")?;
        r.string(flex, "error message")?;
        r.bytes(flex, "auth bytes")?;
        if v >= 1 {
            r.fixed(8, "session lifetime")?;
        }
        r.tags(flex)
    }
}

impl Bounded for MetadataResponse {
    fn walk(r: &mut Reader<'_>, v: i16) -> Checked {
        let flex = v >= 9;
        if v >= 3 {
            r.fixed(4, "throttle time")?;
        }
        r.array(flex, 9, "brokers", |r| {
            r.fixed(4, "node id")?;
            r.string(flex, "broker host")?;
            r.fixed(4, "broker port")?;
            if v >= 1 {
                r.string(flex, "rack")?;
            }
            r.tags(flex)
        })?;
        if v >= 2 {
            r.string(flex, "cluster id")?;
        }
        if v >= 1 {
            r.fixed(4, "controller id")?;
        }
        r.array(flex, 3, "topics", |r| {
            r.fixed(2, "topic error code")?;
            r.string(flex, "topic name")?;
            if v >= 10 {
                r.fixed(16, "topic id")?;
            }
            if v >= 1 {
                r.fixed(1, "is internal")?;
            }
            r.array(flex, 10, "partitions", |r| {
                r.fixed(10, "partition")?;
                if v >= 7 {
                    r.fixed(4, "leader epoch")?;
                }
                r.array(flex, 4, "replica nodes", |r| r.fixed(4, "replica"))?;
                r.array(flex, 4, "in-sync replicas", |r| r.fixed(4, "replica"))?;
                if v >= 5 {
                    r.array(flex, 4, "offline replicas", |r| r.fixed(4, "replica"))?;
                }
                r.tags(flex)
            })?;
            if v >= 8 {
                r.fixed(4, "topic authorized operations")?;
            }
            r.tags(flex)
        })?;
        if (8..=10).contains(&v) {
            r.fixed(4, "cluster authorized operations")?;
        }
        if v >= 13 {
            r.fixed(2, "error code")?;
        }
        r.tags(flex)
    }
}

impl Bounded for ApiVersionsRequest {
    fn walk(r: &mut Reader<'_>, v: i16) -> Checked {
        let flex = v >= 3;
        if flex {
            r.string(true, "client software name")?;
            r.string(true, "client software version")?;
        }
        r.tags(flex)
    }
}

impl Bounded for SaslHandshakeRequest {
    fn walk(r: &mut Reader<'_>, _v: i16) -> Checked {
        r.string(false, "mechanism")
    }
}

impl Bounded for SaslAuthenticateRequest {
    fn walk(r: &mut Reader<'_>, v: i16) -> Checked {
        let flex = v >= 2;
        r.bytes(flex, "auth bytes")?;
        r.tags(flex)
    }
}

impl Bounded for MetadataRequest {
    fn walk(r: &mut Reader<'_>, v: i16) -> Checked {
        let flex = v >= 9;
        r.array(flex, 1, "topics", |r| {
            if v >= 10 {
                r.fixed(16, "topic id")?;
            }
            r.string(flex, "topic name")?;
            r.tags(flex)
        })?;
        if v >= 4 {
            r.fixed(1, "allow auto topic creation")?;
        }
        if (8..=10).contains(&v) {
            r.fixed(1, "include cluster authorized operations")?;
        }
        if v >= 8 {
            r.fixed(1, "include topic authorized operations")?;
        }
        r.tags(flex)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::BytesMut;
    use kafka_protocol::messages::metadata_response::{
        MetadataResponseBroker, MetadataResponsePartition, MetadataResponseTopic,
    };
    use kafka_protocol::messages::{BrokerId, TopicName};
    use kafka_protocol::protocol::{Encodable, Message, StrBytes};

    fn encoded<M: Encodable>(m: &M, v: i16) -> Vec<u8> {
        let mut buf = BytesMut::new();
        m.encode(&mut buf, v).unwrap();
        buf.to_vec()
    }

    fn metadata() -> MetadataResponse {
        MetadataResponse::default()
            .with_brokers(vec![
                MetadataResponseBroker::default()
                    .with_node_id(BrokerId(1))
                    .with_host(StrBytes::from_static_str("gw"))
                    .with_port(9094),
            ])
            .with_topics(vec![
                MetadataResponseTopic::default()
                    .with_name(Some(TopicName(StrBytes::from_static_str("orders"))))
                    .with_partitions(vec![
                        MetadataResponsePartition::default()
                            .with_replica_nodes(vec![BrokerId(1)])
                            .with_isr_nodes(vec![BrokerId(1)]),
                    ]),
            ])
    }

    #[test]
    fn every_version_of_a_real_message_passes() {
        for v in MetadataResponse::VERSIONS.min..=MetadataResponse::VERSIONS.max {
            let body = encoded(&metadata(), v);
            assert_eq!(check::<MetadataResponse>(&body, v), Ok(()), "v{v}");
        }
        for v in 0..=4 {
            let body = encoded(&ApiVersionsResponse::default(), v);
            assert_eq!(check::<ApiVersionsResponse>(&body, v), Ok(()), "v{v}");
        }
        for v in 0..=2 {
            let m = SaslAuthenticateResponse::default()
                .with_error_message(Some(StrBytes::from_static_str("no")));
            assert_eq!(
                check::<SaslAuthenticateResponse>(&encoded(&m, v), v),
                Ok(())
            );
        }
        let m = SaslHandshakeResponse::default()
            .with_mechanisms(vec![StrBytes::from_static_str("PLAIN")]);
        assert_eq!(check::<SaslHandshakeResponse>(&encoded(&m, 1), 1), Ok(()));
    }

    #[test]
    fn a_huge_count_is_refused_before_any_decoding() {
        // ApiVersions v0: error code, then an array count of 0x7fffffff.
        let mut body = vec![0, 0];
        body.extend_from_slice(&0x7fff_ffffu32.to_be_bytes());
        let e = check::<ApiVersionsResponse>(&body, 0).unwrap_err();
        assert!(e.0.contains("2147483647 API versions"), "{e}");
        // Metadata v12 (compact): no brokers, cluster id, controller, then
        // a varint count of 2^32-1 topics.
        let mut body = vec![0, 0, 0, 0, 1, 0, 0, 0, 0, 1];
        body.extend_from_slice(&[0xff, 0xff, 0xff, 0xff, 0x0f]);
        let e = check::<MetadataResponse>(&body, 12).unwrap_err();
        assert!(e.0.contains("topics"), "{e}");
    }

    #[test]
    fn negative_and_overlong_lengths_are_refused() {
        // SaslHandshake: error code, one mechanism of length -7.
        let mut body = vec![0, 0, 0, 0, 0, 1];
        body.extend_from_slice(&(-7i16).to_be_bytes());
        assert!(check::<SaslHandshakeResponse>(&body, 1).is_err());
        // SaslAuthenticate v0: no message, auth bytes of 1 GiB.
        let mut body = vec![0, 0, 0xff, 0xff];
        body.extend_from_slice(&(1u32 << 30).to_be_bytes());
        let e = check::<SaslAuthenticateResponse>(&body, 0).unwrap_err();
        assert!(e.0.contains("1073741824 bytes announced"), "{e}");
        // Truncated: a broker's host cut short.
        let full = encoded(&metadata(), 1);
        assert!(check::<MetadataResponse>(&full[..full.len() - 3], 1).is_err());
    }

    #[test]
    fn a_known_tag_is_bounded_by_its_own_size() {
        // ApiVersions v3: error, empty api keys, throttle, one tag 0 of size 5
        // holding a features array count of 2^31.
        let mut body = vec![0, 0, 1, 0, 0, 0, 0, 1, 0, 5];
        body.extend_from_slice(&[0x80, 0x80, 0x80, 0x80, 0x08]);
        assert!(check::<ApiVersionsResponse>(&body, 3).is_err());
    }
}
