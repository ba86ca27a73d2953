//! One open connection: reading frames, heartbeats with the liveness watchdog, joining
//! split messages, dispatching complete ones in their own tasks and writing their
//! acknowledgements. Returns when the connection is lost or the client is closing.
//!
//! Everything here runs in one task around one `select!`, so the socket has a single
//! owner and needs no lock; handlers never run in it (they are spawned), so a slow
//! handler delays neither reads nor pings.

use std::sync::atomic::Ordering;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use tokio::sync::watch;
use tokio::task::JoinSet;
use tokio::time::{Instant, sleep_until};
use tokio_tungstenite::tungstenite::Message;

use super::client::{Shared, closed};
use super::connect::Socket;
use super::frame::{Ack, Frame, METHOD_CONTROL, METHOD_DATA};
use super::reassembly::{self, Limits, Outcome, Reassembler};
use super::stats::Counters;
use crate::events::Dispatched;

/// A finished dispatch: the acknowledgement to write, and on which connection.
pub(crate) struct Done {
    /// The connection the message came on; an ack is only valid there.
    pub conn: u64,
    /// The frame to echo (payload removed).
    pub frame: Frame,
    /// The answer.
    pub ack: Ack,
    /// How long the dispatch took.
    pub handler_ms: u64,
}

/// Why [`run`] returned.
pub(crate) enum Ended {
    /// The client is closing; in-flight acknowledgements were written (within the
    /// grace period) and the socket closed cleanly.
    Closing,
    /// The connection is gone; the reason is for the log.
    Lost(String),
}

/// The connection's identity and the tasks it shares with the client.
pub(crate) struct Conn<'a> {
    /// A number unique within the client, to match acknowledgements to connections.
    pub seq: u64,
    /// `device_id`, for logs.
    pub id: &'a str,
    /// `service_id`, for pings.
    pub service: i32,
}

/// Serves `socket` until it is lost or `closing` turns true.
pub(crate) async fn run(
    mut socket: Socket,
    conn: Conn<'_>,
    shared: &Shared,
    tasks: &mut JoinSet<Done>,
    closing: &mut watch::Receiver<bool>,
) -> Ended {
    let timings = shared.timings;
    let counters = &shared.counters;
    let mut fragments = Reassembler::new(Limits {
        ttl: timings.fragment_ttl,
        max_bytes: timings.max_fragment_bytes,
        max_pending: timings.max_pending_messages,
    });
    let mut dropped_reported = 0;
    // The first ping goes out at once: its pong brings the server's current config.
    let mut next_ping = Instant::now();
    let mut pong_due: Option<Instant> = None;
    let mut last_heard = Instant::now();

    let ended = loop {
        let ping_interval = shared.server_config().ping_interval;
        // Silence longer than a ping interval plus the pong bound means the peer is
        // gone even if TCP has not noticed (a half-open connection).
        let silent_until = last_heard + ping_interval + timings.pong_timeout;
        let dead_at = pong_due.map_or(silent_until, |due| due.min(silent_until));
        let expiry = fragments.next_expiry();
        let can_read = tasks.len() < timings.max_in_flight;

        tokio::select! {
            biased;
            _ = closed(closing) => break Ended::Closing,
            Some(joined) = tasks.join_next(), if !tasks.is_empty() => {
                let Ok(done) = joined else { continue };
                if let Err(why) = write_ack(&mut socket, &conn, shared, done).await {
                    break Ended::Lost(why);
                }
            }
            _ = sleep_until(dead_at) => {
                let why = if pong_due.is_some_and(|d| d <= Instant::now()) {
                    format!("no pong within {:?} of a ping", timings.pong_timeout)
                } else {
                    format!("nothing received for {:?}", ping_interval + timings.pong_timeout)
                };
                break Ended::Lost(why);
            }
            _ = sleep_until(next_ping) => {
                let ping = Frame::ping(conn.service).to_bytes();
                if let Err(why) = send(&mut socket, ping, timings.write_timeout).await {
                    break Ended::Lost(why);
                }
                Counters::bump(&counters.pings);
                let now = Instant::now();
                pong_due.get_or_insert(now + timings.pong_timeout);
                next_ping = now + ping_interval;
            }
            _ = sleep_until(expiry.unwrap_or_else(Instant::now)), if expiry.is_some() => {
                fragments.expire(Instant::now());
            }
            message = socket.next(), if can_read => {
                last_heard = Instant::now();
                let bytes = match message {
                    Some(Ok(Message::Binary(bytes))) => bytes,
                    Some(Ok(Message::Close(_))) | None => break Ended::Lost("closed by the server".into()),
                    Some(Ok(_)) => continue,
                    Some(Err(e)) => break Ended::Lost(format!("read failed: {e}")),
                };
                let frame = match Frame::from_bytes(&bytes) {
                    Ok(frame) => frame,
                    Err(e) => {
                        tracing::warn!(conn_id = conn.id, error = %e, "undecodable frame ignored");
                        continue;
                    }
                };
                match frame.method {
                    METHOD_CONTROL => {
                        if frame.header("type") == Some("pong") {
                            Counters::bump(&counters.pongs);
                            pong_due = None;
                            if let Some(interval) = apply_pushed_config(shared, &frame) {
                                // Applied at once: the next ping follows the new interval.
                                next_ping = Instant::now() + interval;
                            }
                        }
                    }
                    METHOD_DATA => {
                        if let Err(why) = on_data(frame, &conn, shared, tasks, &mut fragments, &mut socket).await {
                            break Ended::Lost(why);
                        }
                    }
                    other => tracing::debug!(conn_id = conn.id, method = other, "frame of unknown method ignored"),
                }
            }
        }
        let dropped = fragments.dropped();
        counters
            .fragments_dropped
            .fetch_add(dropped - dropped_reported, Ordering::Relaxed);
        dropped_reported = dropped;
        Counters::peak(&counters.peak_fragment_bytes, fragments.bytes() as u64);
    };

    if let Ended::Closing = ended {
        finish(&mut socket, &conn, shared, tasks).await;
    }
    let pending = fragments.pending() as u64;
    counters.fragments_dropped.fetch_add(
        fragments.dropped() - dropped_reported + pending,
        Ordering::Relaxed,
    );
    ended
}

/// Closing: acknowledge what is still being handled (bounded by the grace period),
/// then close the socket cleanly so the server sees a goodbye, not a timeout.
async fn finish(socket: &mut Socket, conn: &Conn<'_>, shared: &Shared, tasks: &mut JoinSet<Done>) {
    let deadline = Instant::now() + shared.timings.close_grace;
    while !tasks.is_empty() {
        match tokio::time::timeout_at(deadline, tasks.join_next()).await {
            Ok(Some(Ok(done))) => {
                if write_ack(socket, conn, shared, done).await.is_err() {
                    break;
                }
            }
            Ok(Some(Err(_))) => {}
            Ok(None) | Err(_) => break,
        }
    }
    let _ = tokio::time::timeout(shared.timings.write_timeout, socket.close(None)).await;
}

/// A data frame: joined with its siblings if split, then dispatched in its own task.
async fn on_data(
    mut frame: Frame,
    conn: &Conn<'_>,
    shared: &Shared,
    tasks: &mut JoinSet<Done>,
    fragments: &mut Reassembler,
    socket: &mut Socket,
) -> Result<(), String> {
    match frame.header("type") {
        // Card callbacks arrive as `event` frames; some deliveries use `card` (events.md §2).
        Some("event" | "card") => {}
        other => {
            tracing::debug!(conn_id = conn.id, frame_type = ?other, "data frame of unknown type ignored");
            return Ok(());
        }
    }
    let sum = frame.header_int("sum").unwrap_or(1);
    let seq = frame.header_int("seq").unwrap_or(0);
    let payload = frame.payload.take().unwrap_or_default();
    // A split message without a `message_id` (or with an overlong one) is refused by the
    // reassembler: dropped unacknowledged, so the platform pushes it again.
    let outcome = fragments.add(
        frame.header("message_id"),
        sum,
        seq,
        payload,
        Instant::now(),
    );
    // Only a prefix goes to the logs: the id is the peer's and of any length.
    let message_id: String = frame
        .header("message_id")
        .unwrap_or_default()
        .chars()
        .take(reassembly::MAX_MESSAGE_ID)
        .collect();
    let whole = match outcome {
        Outcome::Complete(whole) => whole,
        Outcome::Pending => return Ok(()),
        Outcome::Rejected(why) => {
            tracing::warn!(conn_id = conn.id, message_id, why, "fragment dropped");
            return Ok(());
        }
    };
    Counters::bump(&shared.counters.messages);
    let delivery: Value = match serde_json::from_slice(&whole) {
        Ok(v) => v,
        Err(e) => {
            // The same bytes would come again: acknowledge so they do not.
            tracing::warn!(conn_id = conn.id, message_id, error = %e, "message is not JSON; acknowledged");
            let done = Done {
                conn: conn.seq,
                frame,
                ack: Ack {
                    code: 200,
                    reply: None,
                },
                handler_ms: 0,
            };
            return write_ack(socket, conn, shared, done).await;
        }
    };
    let dispatcher = shared.dispatcher.clone();
    let handlers = shared.handlers.clone();
    let conn_seq = conn.seq;
    tasks.spawn(async move {
        let started = Instant::now();
        let dispatched = dispatcher.dispatch_in(delivery, &handlers).await;
        let handler_ms = started.elapsed().as_millis().try_into().unwrap_or(u64::MAX);
        Done {
            conn: conn_seq,
            frame,
            ack: ack_for(dispatched),
            handler_ms,
        }
    });
    Counters::peak(&shared.counters.peak_in_flight, tasks.len() as u64);
    Ok(())
}

/// The answer to a dispatch. A failed handler, or one still running from an earlier
/// push, gets 500, so the platform pushes the message again; everything else would fail
/// the same way again, or is done.
fn ack_for(dispatched: Dispatched) -> Ack {
    match dispatched {
        Dispatched::Handled { reply, .. } => Ack { code: 200, reply },
        Dispatched::Failed { header, error } => {
            tracing::warn!(event_id = %header.event_id, event_type = %header.event_type, %error, "handler failed; acknowledged with 500");
            Ack {
                code: 500,
                reply: None,
            }
        }
        // Being handled from an earlier push: 500, so the platform pushes it again and
        // the next push meets the first run's outcome.
        Dispatched::InProgress { .. } => Ack {
            code: 500,
            reply: None,
        },
        Dispatched::Malformed(error) => {
            tracing::warn!(%error, "delivery is not an event envelope; acknowledged");
            Ack {
                code: 200,
                reply: None,
            }
        }
        _ => Ack {
            code: 200,
            reply: None,
        },
    }
}

async fn write_ack(
    socket: &mut Socket,
    conn: &Conn<'_>,
    shared: &Shared,
    done: Done,
) -> Result<(), String> {
    let counters = &shared.counters;
    if done.conn != conn.seq {
        // The message came on an earlier connection; the platform pushes it again.
        Counters::bump(&counters.acks_lost);
        return Ok(());
    }
    let failed = done.ack.code != 200;
    let bytes = done.frame.ack(&done.ack, done.handler_ms).to_bytes();
    send(socket, bytes, shared.timings.write_timeout).await?;
    Counters::bump(&counters.acks);
    if failed {
        Counters::bump(&counters.acks_failed);
    }
    Ok(())
}

/// Writes one binary message; a peer that stops reading cannot stall us past `within`.
async fn send(socket: &mut Socket, bytes: Vec<u8>, within: Duration) -> Result<(), String> {
    match tokio::time::timeout(within, socket.send(Message::Binary(bytes.into()))).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(format!("write failed: {e}")),
        Err(_) => Err(format!("a write took longer than {within:?}")),
    }
}

/// Applies a pong's `ClientConfig`; returns the ping interval when it changed.
fn apply_pushed_config(shared: &Shared, frame: &Frame) -> Option<Duration> {
    let payload = frame.payload.as_deref().filter(|p| !p.is_empty())?;
    let config: Value = match serde_json::from_slice(payload) {
        Ok(v) => v,
        Err(e) => {
            tracing::debug!(error = %e, "pong payload is not JSON; ignored");
            return None;
        }
    };
    let (before, after) = shared.update_server_config(&config);
    if before != after {
        tracing::info!(
            ping_interval = ?after.ping_interval,
            reconnect_interval = ?after.reconnect_interval,
            reconnect_nonce = ?after.reconnect_nonce,
            reconnect_count = ?after.reconnect_count,
            "server pushed a new client config"
        );
    }
    (before.ping_interval != after.ping_interval).then_some(after.ping_interval)
}
