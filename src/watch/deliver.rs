//! Delivery: send the outbox's due messages, each by its channel, and
//! record how each attempt ended.
//!
//! A webhook is a POST of the message's stored body with its idempotency
//! key (`X-Pressd-Delivery`), the watch id (`X-Pressd-Watch`) and, with a
//! secret, its signature (`X-Pressd-Signature`, see [`super::message`]). A
//! 2xx is an acknowledgement. 5xx, 408, 429, timeouts and connection
//! errors are tried again; any other answer is given up at once (the
//! receiver said it will never take it). A command gets the body on stdin
//! and the key and watch in `PRESSD_DELIVERY` and `PRESSD_WATCH`; exit 0 is
//! an acknowledgement, anything else (a non-zero exit, a timeout, a program
//! that cannot start) is tried again.
//!
//! Retries back off exponentially from the watch's `retry_delay`, with
//! jitter (each wait drawn between half and all of its step, so that
//! messages that failed together do not come back together), up to
//! [`MAX_RETRY_DELAY`], and stop once the watch's `give_up` has passed
//! since the message was made; the last try falls on that moment. When a
//! message goes through, the others of its watch and channel that are
//! backing off go at once: the receiver is back. A message
//! given up stays in the store as `failed`, is logged, and counts in
//! `pressd watches` and `/metrics`.
//!
//! A message acknowledged but killed before its acknowledgement was
//! recorded is sent again after the restart with the same key: receivers
//! drop a key they have seen (at-least-once delivery, exactly once as the
//! receiver sees it).

use std::collections::HashSet;
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use tracing::{debug, info, warn};

use super::message::{signature, DELIVERY_HEADER, SIGNATURE_HEADER, WATCH_HEADER};
use super::{Channel, CommandDelivery, Retry, Secret, Watch, Watches, Webhook};
use crate::state::{DeliveryStatus, PendingDelivery, State};

/// The longest wait between two tries of a message: a receiver back from
/// a long outage gets its first message within this, and the rest right
/// after it.
pub const MAX_RETRY_DELAY: Duration = Duration::from_secs(300);

/// Messages being sent at once: a slow receiver holds one slot, not the
/// outbox.
const IN_FLIGHT: usize = 8;

/// Longest sleep with nothing due: the deliverer wakes when messages are
/// queued and when a retry is due; this only bounds the wait should a
/// wake-up be missed.
const IDLE: Duration = Duration::from_secs(60);

/// How long a message whose attempt could not be recorded is kept from
/// being sent again.
const UNRECORDED_HOLD: Duration = Duration::from_secs(5);

/// Bytes of a failing command's stderr kept for the error.
const STDERR_TAIL: usize = 500;

/// How an attempt ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Acknowledged (2xx, exit 0).
    Delivered,
    /// Failed in a way that may pass: try again.
    Retry(String),
    /// Refused for good: give up now.
    GiveUp(String),
}

/// When to try again after the failed attempt number `attempt` (counted
/// from 1) of a message made at `created`; `None` to give up.
pub fn next_try(
    retry: &Retry,
    attempt: u32,
    created: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    let deadline = created + chrono::Duration::from_std(retry.give_up).ok()?;
    if now >= deadline {
        return None;
    }
    let step = retry
        .first
        .saturating_mul(2u32.saturating_pow(attempt.saturating_sub(1)))
        .min(MAX_RETRY_DELAY);
    let wait = step.mul_f64(0.5 + fastrand::f64() * 0.5);
    let at = now + chrono::Duration::from_std(wait).ok()?;
    Some(at.min(deadline))
}

/// Send one message of `watch` by `channel`.
pub async fn attempt(
    client: &reqwest::Client,
    watch: &Watch,
    channel: Channel,
    delivery: &PendingDelivery,
) -> Outcome {
    match channel {
        Channel::Webhook => match &watch.webhook {
            Some(hook) => post(client, hook, watch, delivery).await,
            None => Outcome::GiveUp("the watch has no webhook any more".into()),
        },
        Channel::Command => match &watch.command {
            Some(command) => run_command(command, watch, delivery).await,
            None => Outcome::GiveUp("the watch has no command any more".into()),
        },
    }
}

async fn post(
    client: &reqwest::Client,
    hook: &Webhook,
    watch: &Watch,
    delivery: &PendingDelivery,
) -> Outcome {
    let mut request = client
        .post(hook.url.clone())
        .timeout(hook.timeout)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header(DELIVERY_HEADER, &delivery.id)
        .header(WATCH_HEADER, &watch.id);
    if let Some(secret) = &hook.secret {
        match read_secret(secret).await {
            Ok(key) => {
                request =
                    request.header(SIGNATURE_HEADER, signature(&key, delivery.body.as_bytes()))
            }
            // Fixable without a restart (a file): try again.
            Err(message) => return Outcome::Retry(message),
        }
    }
    match request.body(delivery.body.clone()).send().await {
        Ok(response) => {
            let status = response.status();
            if status.is_success() {
                Outcome::Delivered
            } else if status.is_server_error()
                || status == reqwest::StatusCode::REQUEST_TIMEOUT
                || status == reqwest::StatusCode::TOO_MANY_REQUESTS
            {
                Outcome::Retry(format!("HTTP {status}"))
            } else if status.is_redirection() {
                Outcome::GiveUp(format!(
                    "HTTP {status}: redirects are not followed; configure the webhook's new address"
                ))
            } else {
                Outcome::GiveUp(format!("HTTP {status}"))
            }
        }
        Err(e) if e.is_timeout() => Outcome::Retry(format!(
            "no answer within {}",
            humantime::format_duration(hook.timeout)
        )),
        Err(e) => Outcome::Retry(error_chain(&e)),
    }
}

/// The bytes of `secret`; the error says where it was looked for.
async fn read_secret(secret: &Secret) -> Result<Vec<u8>, String> {
    let bytes = match secret {
        Secret::Env(var) => std::env::var(var)
            .map(String::into_bytes)
            .map_err(|e| format!("webhook secret: environment variable {var}: {e}"))?,
        Secret::File(path) => {
            let mut bytes = tokio::fs::read(path)
                .await
                .map_err(|e| format!("webhook secret: cannot read {}: {e}", path.display()))?;
            while bytes.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
                bytes.pop();
            }
            bytes
        }
    };
    if bytes.is_empty() {
        return Err("webhook secret is empty".into());
    }
    Ok(bytes)
}

async fn run_command(
    command: &CommandDelivery,
    watch: &Watch,
    delivery: &PendingDelivery,
) -> Outcome {
    let Some((program, args)) = command.argv.split_first() else {
        return Outcome::GiveUp("the command is empty".into());
    };
    let spawned = tokio::process::Command::new(program)
        .args(args)
        .env("PRESSD_WATCH", &watch.id)
        .env("PRESSD_DELIVERY", &delivery.id)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        // A timed-out command is killed with its attempt.
        .kill_on_drop(true)
        .spawn();
    let mut child = match spawned {
        Ok(c) => c,
        Err(e) => return Outcome::Retry(format!("cannot run {program}: {e}")),
    };
    let stdin = child.stdin.take();
    let mut stderr = child.stderr.take();
    let body = delivery.body.clone();
    let run = async move {
        if let Some(mut stdin) = stdin {
            // A program that does not read its stdin may close it: its
            // exit status says whether it took the message.
            let _ = stdin.write_all(body.as_bytes()).await;
            drop(stdin);
        }
        let mut err = Vec::new();
        if let Some(stderr) = stderr.as_mut() {
            let _ = stderr.read_to_end(&mut err).await;
        }
        (child.wait().await, err)
    };
    match tokio::time::timeout(command.timeout, run).await {
        Err(_) => Outcome::Retry(format!(
            "{program} did not finish within {}",
            humantime::format_duration(command.timeout)
        )),
        Ok((Err(e), _)) => Outcome::Retry(format!("{program}: {e}")),
        Ok((Ok(status), _)) if status.success() => Outcome::Delivered,
        Ok((Ok(status), err)) => {
            let err = String::from_utf8_lossy(&err);
            let err = err.trim();
            let tail = match err.char_indices().rev().nth(STDERR_TAIL) {
                Some((i, _)) => &err[i..],
                None => err,
            };
            if tail.is_empty() {
                Outcome::Retry(format!("{program} exited with {status}"))
            } else {
                Outcome::Retry(format!("{program} exited with {status}: {tail}"))
            }
        }
    }
}

/// Send the outbox's messages as they come due until `cancel`.
pub async fn run(
    client: reqwest::Client,
    state: Arc<State>,
    watches: Arc<Watches>,
    cancel: CancellationToken,
) {
    // Said at start rather than at the first message, hours later.
    for watch in watches.all().iter() {
        if let Some(secret) = watch.webhook.as_ref().and_then(|h| h.secret.as_ref()) {
            if let Err(e) = read_secret(secret).await {
                warn!(watch = %watch.id, error = %e, "the webhook's secret cannot be read; its messages wait until it can");
            }
        }
    }
    let mut in_flight: JoinSet<String> = JoinSet::new();
    let mut busy: HashSet<String> = HashSet::new();
    loop {
        let room = IN_FLIGHT.saturating_sub(busy.len());
        if room > 0 {
            let (s, b) = (state.clone(), busy.clone());
            let due =
                tokio::task::spawn_blocking(move || s.due_deliveries(Utc::now(), room, &b)).await;
            match due {
                Ok(Ok(due)) => {
                    for delivery in due {
                        busy.insert(delivery.id.clone());
                        let (client, state, watch) =
                            (client.clone(), state.clone(), watches.get(&delivery.watch));
                        in_flight.spawn(async move {
                            deliver(&client, &state, watch.as_deref(), &delivery).await;
                            delivery.id
                        });
                    }
                }
                Ok(Err(e)) => warn!(error = %e, "cannot read the watch outbox"),
                Err(e) => warn!(error = %e, "cannot read the watch outbox"),
            }
        }
        let s = state.clone();
        let next = tokio::task::spawn_blocking(move || s.next_delivery())
            .await
            .ok()
            .and_then(Result::ok)
            .flatten();
        let wait = next
            .map(|t| (t - Utc::now()).to_std().unwrap_or(Duration::ZERO))
            .unwrap_or(IDLE)
            .min(IDLE);
        // Those in flight are due too: wait for one of them to end rather
        // than spin on them.
        let wait = if room == 0 || next.is_some_and(|t| t <= Utc::now()) && !busy.is_empty() {
            IDLE
        } else {
            wait
        };
        tokio::select! {
            // Whatever is in flight stays pending and goes again, with
            // the same key, at the next start.
            _ = cancel.cancelled() => return,
            Some(done) = in_flight.join_next(), if !in_flight.is_empty() => {
                match done {
                    Ok(id) => { busy.remove(&id); }
                    Err(e) => {
                        warn!(error = %e, "a watch delivery ended abnormally");
                        // Its id is lost with the task: start afresh.
                        busy.clear();
                        in_flight.abort_all();
                    }
                }
            }
            _ = watches.wait_queued() => {}
            _ = tokio::time::sleep(wait) => {}
        }
    }
}

/// Attempt `delivery` and record the outcome.
async fn deliver(
    client: &reqwest::Client,
    state: &Arc<State>,
    watch: Option<&Watch>,
    delivery: &PendingDelivery,
) {
    let channel = Channel::parse(&delivery.channel);
    let outcome = match (watch, channel) {
        (Some(watch), Some(channel)) => attempt(client, watch, channel, delivery).await,
        (None, _) => Outcome::GiveUp("the watch is no longer configured".into()),
        (Some(_), None) => Outcome::GiveUp(format!("unknown channel {}", delivery.channel)),
    };
    let now = Utc::now();
    let attempt_no = delivery.attempts + 1;
    let (status, error, retry_at) = match outcome {
        Outcome::Delivered => {
            info!(watch = %delivery.watch, channel = %delivery.channel, delivery = %delivery.id, attempt = attempt_no, "watch message delivered");
            (DeliveryStatus::Ok, None, None)
        }
        Outcome::Retry(error) => {
            let retry = watch.map(|w| w.retry);
            match retry.and_then(|r| next_try(&r, attempt_no, delivery.created_at, now)) {
                Some(at) => {
                    warn!(watch = %delivery.watch, channel = %delivery.channel, delivery = %delivery.id, attempt = attempt_no, error = %error, retry_in_ms = (at - now).num_milliseconds(), "watch delivery failed; trying again");
                    (DeliveryStatus::Pending, Some(error), Some(at))
                }
                None => {
                    warn!(watch = %delivery.watch, channel = %delivery.channel, delivery = %delivery.id, attempt = attempt_no, error = %error, "watch delivery failed; given up");
                    (DeliveryStatus::Failed, Some(error), None)
                }
            }
        }
        Outcome::GiveUp(error) => {
            warn!(watch = %delivery.watch, channel = %delivery.channel, delivery = %delivery.id, attempt = attempt_no, error = %error, "watch delivery refused; given up");
            (DeliveryStatus::Failed, Some(error), None)
        }
    };
    let (s, id) = (state.clone(), delivery.id.clone());
    let (watch_id, channel) = (delivery.watch.clone(), delivery.channel.clone());
    let recorded = tokio::task::spawn_blocking(move || {
        s.record_attempt(&id, status, error.as_deref(), retry_at, now)?;
        if status == DeliveryStatus::Ok {
            // The receiver is up: whatever of this watch and channel is
            // backing off from its outage goes now.
            s.hasten_deliveries(&watch_id, &channel, now)?;
        }
        Ok::<_, crate::state::StateError>(())
    })
    .await;
    match recorded {
        Ok(Ok(())) => {
            debug!(delivery = %delivery.id, status = status.as_str(), "delivery recorded")
        }
        // Still pending in the store: sent again later, with the same key.
        // Held a moment first, so that a store that cannot be written is
        // not met with a stream of resends.
        Ok(Err(e)) => {
            warn!(delivery = %delivery.id, error = %e, "cannot record a watch delivery");
            tokio::time::sleep(UNRECORDED_HOLD).await;
        }
        Err(e) => warn!(delivery = %delivery.id, error = %e, "cannot record a watch delivery"),
    }
}

/// `e` with its causes, as one line.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        text.push_str(": ");
        text.push_str(&c.to_string());
        cause = c.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_700_000_000 + secs, 0).expect("time")
    }

    #[tokio::test]
    async fn a_secret_file_loses_its_trailing_newline() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("secret");
        std::fs::write(&path, "k3y\n").expect("write");
        assert_eq!(
            read_secret(&Secret::File(path.clone())).await,
            Ok(b"k3y".to_vec())
        );
        std::fs::write(&path, "\n").expect("write");
        assert!(read_secret(&Secret::File(path)).await.is_err());
        let missing = read_secret(&Secret::Env("PRESSD_TEST_NO_SUCH_VARIABLE".into())).await;
        assert!(
            missing.is_err_and(|e| e.contains("PRESSD_TEST_NO_SUCH_VARIABLE")),
            "the error names the variable"
        );
    }

    #[test]
    fn retries_back_off_with_jitter_until_given_up() {
        let retry = Retry {
            first: Duration::from_secs(10),
            give_up: Duration::from_secs(3600),
        };
        for _ in 0..50 {
            let first = next_try(&retry, 1, t(0), t(0)).expect("retry");
            assert!(first >= t(5) && first <= t(10), "{first}");
            let third = next_try(&retry, 3, t(0), t(100)).expect("retry");
            assert!(third >= t(120) && third <= t(140), "{third}");
        }
        // Steps stop growing at the cap.
        for _ in 0..50 {
            let late = next_try(&retry, 30, t(0), t(1000)).expect("retry");
            assert!(late >= t(1150) && late <= t(1300), "{late}");
        }
        // The last try falls on the deadline, and none comes after it.
        assert_eq!(next_try(&retry, 12, t(0), t(3500)), Some(t(3600)));
        assert_eq!(next_try(&retry, 13, t(0), t(3600)), None);
    }
}
