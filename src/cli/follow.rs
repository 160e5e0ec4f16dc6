//! Following zones over time: `apply --wait` and `wait` (until READY,
//! FAILED or deleted, or a timeout) and `get --watch` (a line per change).

use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

use chrono::Utc;

use super::Goal;
use super::table::{format_row, row, write_table};
use crate::api::{ApiError, Client, PartnerZone, ZoneStatus};
use crate::sanitize::{self, line};

/// How often a wait asks the Console.
const WAIT_POLL: Duration = Duration::from_millis(500);
/// How often `--watch` asks the Console.
const WATCH_POLL: Duration = Duration::from_secs(2);

/// Where one zone stands in a wait.
#[derive(Clone, Debug, PartialEq)]
enum State {
    Waiting(String),
    Done,
    Failed(String),
}

/// Waits for every zone of `names` to reach `goal`. Exit code 0 when all
/// did, 1 when one FAILED (or vanished) or the time ran out. Progress goes
/// to stderr: a live line on a terminal, one line per zone otherwise.
pub async fn wait(
    client: &Client,
    names: &[String],
    goal: Goal,
    timeout: Duration,
) -> anyhow::Result<i32> {
    let started = Instant::now();
    let live = std::io::stderr().is_terminal();
    let mut states: BTreeMap<String, State> = names
        .iter()
        .map(|n| (n.clone(), State::Waiting("not asked yet".into())))
        .collect();
    let mut warned = false;
    loop {
        for (name, state) in states.iter_mut() {
            if !matches!(state, State::Waiting(_)) {
                continue;
            }
            let next = match (client.get_zone(name).await, goal) {
                (Ok(z), Goal::Ready) => match &z.metadata.status {
                    Some(ZoneStatus::Ready) => State::Done,
                    Some(ZoneStatus::Failed) => State::Failed(match &z.metadata.failed_reason {
                        Some(reason) => format!("FAILED: {}", line(reason)),
                        None => format!(
                            "FAILED: check that the Gateway of cluster '{}' is running and reachable from Console (Settings → Clusters), then apply again",
                            line(&z.spec.cluster)
                        ),
                    }),
                    Some(other) => State::Waiting(line(&other.to_string()).into_owned()),
                    None => State::Waiting("no status yet".into()),
                },
                (Ok(z), Goal::Deleted) => State::Waiting(format!(
                    "still there ({})",
                    z.metadata
                        .status
                        .as_ref()
                        .map(|s| line(&s.to_string()).into_owned())
                        .unwrap_or_default()
                )),
                (Err(ApiError::NotFound(_)), Goal::Deleted) => State::Done,
                (Err(ApiError::NotFound(_)), Goal::Ready) => {
                    State::Failed("no such zone (deleted?)".into())
                }
                // A key or a Console that is wrong will not get better.
                (Err(e @ (ApiError::Unauthorized(_) | ApiError::Forbidden(_))), _) => {
                    return Err(e.into());
                }
                (Err(e), _) => {
                    if !warned {
                        eprintln!("pz: {} (still waiting)", line(&e.to_string()));
                        warned = true;
                    }
                    state.clone()
                }
            };
            if next != *state && !live {
                match &next {
                    State::Done => eprintln!("PartnerZone/{}: {}", line(name), done_word(goal)),
                    State::Failed(why) => eprintln!("PartnerZone/{}: {why}", line(name)),
                    State::Waiting(_) => {}
                }
            }
            *state = next;
        }
        let waiting: Vec<(&String, &String)> = states
            .iter()
            .filter_map(|(n, s)| match s {
                State::Waiting(what) => Some((n, what)),
                _ => None,
            })
            .collect();
        if live {
            let summary: Vec<String> = states
                .iter()
                .map(|(n, s)| {
                    let what = match s {
                        State::Waiting(w) => w.clone(),
                        State::Done => done_word(goal).to_string(),
                        State::Failed(_) => "FAILED".into(),
                    };
                    format!("{} {what}", line(n))
                })
                .collect();
            eprint!(
                "\r\x1b[2K{} ({}s)",
                summary.join(" · "),
                started.elapsed().as_secs()
            );
            let _ = std::io::stderr().flush();
        }
        if waiting.is_empty() {
            break;
        }
        if started.elapsed() >= timeout {
            if live {
                eprintln!();
            }
            let still: Vec<String> = waiting
                .iter()
                .map(|(n, what)| format!("{} ({what})", line(n)))
                .collect();
            eprintln!(
                "pz: timed out after {}s; still waiting for: {}",
                timeout.as_secs(),
                still.join(", ")
            );
            return Ok(1);
        }
        tokio::time::sleep(WAIT_POLL).await;
    }
    if live {
        eprintln!();
        for (name, state) in &states {
            if let State::Failed(why) = state {
                eprintln!("PartnerZone/{}: {why}", line(name));
            }
        }
    }
    let failed = states
        .values()
        .filter(|s| matches!(s, State::Failed(_)))
        .count();
    Ok(if failed == 0 { 0 } else { 1 })
}

fn done_word(goal: Goal) -> &'static str {
    match goal {
        Goal::Ready => "READY",
        Goal::Deleted => "deleted",
    }
}

/// What `--watch` compares between two lists: a change in any of these is
/// a line.
fn fingerprint(z: &PartnerZone) -> (Option<String>, usize, Option<String>) {
    (
        z.metadata.status.as_ref().map(|s| s.to_string()),
        z.spec.topics.len(),
        z.metadata.updated_at.as_deref().map(str::to_string),
    )
}

/// `pz get --watch`: the list, then one line per change until ctrl-c.
pub async fn watch(
    client: &Client,
    json: bool,
    form: super::table::Form,
    selector: &crate::api::selector::Selector,
) -> anyhow::Result<i32> {
    let selected = |mut zones: Vec<PartnerZone>| {
        zones.retain(|z| selector.matches(&z.metadata.labels));
        zones
    };
    let zones = selected(client.list_zones().await?);
    let mut out = std::io::stdout().lock();
    let widths = if json {
        for z in &zones {
            json_line(&mut out, z)?;
        }
        Vec::new()
    } else {
        write_table(&mut out, &zones, form)?
    };
    out.flush()?;
    drop(out);
    let mut known: BTreeMap<String, PartnerZone> = zones
        .into_iter()
        .map(|z| (z.metadata.name.to_string(), z))
        .collect();
    let mut warned = false;
    // One listener for the whole watch: a ctrl-c that comes while a request
    // is under way is not lost (a listener made afterwards would miss it).
    let interrupted = tokio::signal::ctrl_c();
    tokio::pin!(interrupted);
    loop {
        tokio::select! {
            _ = &mut interrupted => return Ok(0),
            _ = tokio::time::sleep(WATCH_POLL) => {}
        }
        let listed = tokio::select! {
            _ = &mut interrupted => return Ok(0),
            listed = client.list_zones() => listed,
        };
        let zones = match listed {
            Ok(z) => {
                warned = false;
                selected(z)
            }
            Err(e @ (ApiError::Unauthorized(_) | ApiError::Forbidden(_))) => return Err(e.into()),
            Err(e) => {
                if !warned {
                    eprintln!("pz: {} (still watching)", line(&e.to_string()));
                    warned = true;
                }
                continue;
            }
        };
        let mut changed: Vec<PartnerZone> = Vec::new();
        let mut seen = std::collections::BTreeSet::new();
        for z in zones {
            seen.insert(z.metadata.name.clone());
            let differs = known
                .get(z.metadata.name.as_str())
                .is_none_or(|old| fingerprint(old) != fingerprint(&z));
            if differs {
                known.insert(z.metadata.name.to_string(), z.clone());
                changed.push(z);
            }
        }
        let gone: Vec<String> = known
            .keys()
            .filter(|n| !seen.contains(n.as_str()))
            .cloned()
            .collect();
        for name in gone {
            if let Some(mut z) = known.remove(&name) {
                z.metadata.status = Some(ZoneStatus::Deleted);
                changed.push(z);
            }
        }
        let mut out = std::io::stdout().lock();
        for z in &changed {
            if json {
                json_line(&mut out, z)?;
            } else {
                writeln!(out, "{}", format_row(&row(z, Utc::now(), form), &widths))?;
            }
        }
        out.flush()?;
    }
}

/// One zone as one line of JSON, safe for a terminal.
fn json_line(out: &mut impl Write, z: &PartnerZone) -> std::io::Result<()> {
    let text = serde_json::to_string(z).map_err(std::io::Error::other)?;
    writeln!(out, "{}", sanitize::json(&text))
}
