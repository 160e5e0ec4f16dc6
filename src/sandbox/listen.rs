//! Accepting connections so that idle or slow clients cannot lock others
//! out: a cap per kind of connection in which a new arrival evicts the
//! oldest (so a flood of idle sockets costs the flooder its own sockets,
//! not the partner's next connection), and the HTTP server's own accept
//! loop with a deadline for a request's headers.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::Notify;

/// HTTP connections served at once; the oldest goes when one more comes.
pub const HTTP_CONNECTIONS: usize = 256;
/// A request's headers must arrive within this time (also the idle time
/// of a kept-alive connection between requests).
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(10);

/// One connection's place in [`Slots`]. Dropping it frees the place.
pub struct Slot {
    evict: Notify,
    done: AtomicBool,
}

impl Slot {
    /// Resolves when a newer connection took this one's place.
    pub async fn evicted(&self) {
        self.evict.notified().await;
    }
}

/// Frees its slot when the connection ends (or leaves the capped phase).
pub struct Admitted(Arc<Slot>);

impl Admitted {
    pub fn slot(&self) -> &Slot {
        &self.0
    }
}

impl Drop for Admitted {
    fn drop(&mut self) {
        self.0.done.store(true, Ordering::Release);
    }
}

/// At most `cap` live connections of one kind, oldest first.
pub struct Slots {
    cap: usize,
    live: Mutex<VecDeque<Arc<Slot>>>,
}

impl Slots {
    pub fn new(cap: usize) -> Self {
        Slots {
            cap: cap.max(1),
            live: Mutex::new(VecDeque::new()),
        }
    }

    /// A place for a new connection; the oldest is told to go when all are
    /// taken. Returns the place and whether one was evicted for it.
    pub fn admit(&self) -> (Admitted, bool) {
        let slot = Arc::new(Slot {
            evict: Notify::new(),
            done: AtomicBool::new(false),
        });
        let mut live = self.live.lock().unwrap_or_else(|p| p.into_inner());
        live.retain(|s| !s.done.load(Ordering::Acquire));
        let mut evicted = false;
        while live.len() >= self.cap {
            if let Some(oldest) = live.pop_front() {
                oldest.done.store(true, Ordering::Release);
                // A permit is kept if the task is not waiting yet.
                oldest.evict.notify_one();
                evicted = true;
            }
        }
        live.push_back(slot.clone());
        (Admitted(slot), evicted)
    }

    /// Connections holding a place now.
    pub fn len(&self) -> usize {
        let mut live = self.live.lock().unwrap_or_else(|p| p.into_inner());
        live.retain(|s| !s.done.load(Ordering::Acquire));
        live.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Serves `app` on `listener` until `shutdown`: HTTP/1.1 (as the sandbox
/// always did), each
/// connection capped by [`HTTP_CONNECTIONS`] and its headers bounded by
/// [`HEADER_TIMEOUT`]. On shutdown, connections finish what they are doing
/// (at most 5 s).
pub async fn serve_http(
    listener: TcpListener,
    app: axum::Router,
    shutdown: tokio::sync::oneshot::Receiver<()>,
) {
    use hyper_util::rt::{TokioIo, TokioTimer};
    use hyper_util::service::TowerToHyperService;

    let slots = Slots::new(HTTP_CONNECTIONS);
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_TIMEOUT);
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            _ = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of descriptors, say: wait rather than spin.
                    tracing::warn!("HTTP accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let (admitted, evicted) = slots.admit();
        if evicted {
            tracing::debug!(%peer, "HTTP connections at the cap: the oldest closed");
        }
        let service = TowerToHyperService::new(app.clone());
        let conn = graceful.watch(builder.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            tokio::select! {
                _ = conn => {}
                _ = admitted.slot().evicted() => {}
            }
            drop(admitted);
        });
    }
    drop(listener);
    let _ = tokio::time::timeout(Duration::from_secs(5), graceful.shutdown()).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_oldest_goes_when_the_cap_is_reached() {
        let slots = Slots::new(2);
        let (a, e) = slots.admit();
        assert!(!e);
        let (b, _) = slots.admit();
        let (c, evicted) = slots.admit();
        assert!(evicted);
        // `a` was told (the permit waits for it), `b` and `c` were not.
        tokio::time::timeout(Duration::from_millis(100), a.slot().evicted())
            .await
            .expect("the oldest is evicted");
        assert!(
            tokio::time::timeout(Duration::from_millis(50), b.slot().evicted())
                .await
                .is_err()
        );
        assert_eq!(slots.len(), 2);
        // A connection that ends frees its place: nobody is evicted.
        drop(b);
        let (_d, evicted) = slots.admit();
        assert!(!evicted);
        assert!(
            tokio::time::timeout(Duration::from_millis(50), c.slot().evicted())
                .await
                .is_err()
        );
    }
}
