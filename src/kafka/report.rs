//! What `pz check` found: each step (bootstrap, TCP, TLS, SASL, topics)
//! with its outcome, detail and time, and the topics seen against the
//! zone's aliases; printed as lines, JSON, or the console's check lines.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum StepKind {
    Bootstrap,
    Tcp,
    Tls,
    Sasl,
    Topics,
}

impl StepKind {
    pub fn label(self) -> &'static str {
        match self {
            StepKind::Bootstrap => "bootstrap",
            StepKind::Tcp => "tcp",
            StepKind::Tls => "tls",
            StepKind::Sasl => "sasl",
            StepKind::Topics => "topics",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Pass,
    Fail,
    Skip,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Step {
    pub step: StepKind,
    pub outcome: Outcome,
    pub detail: String,
    /// Milliseconds the step took.
    pub ms: u64,
}

impl Step {
    /// The step as one line: mark, name, time, detail (sanitised).
    pub fn line(&self) -> String {
        let mark = match self.outcome {
            Outcome::Pass => "✓",
            Outcome::Fail => "✖",
            Outcome::Skip => "-",
        };
        let ms = match self.outcome {
            Outcome::Skip => "        ".to_string(),
            _ => format!("{:>5} ms", self.ms),
        };
        format!(
            "{mark} {:<9} {ms}  {}",
            self.step.label(),
            crate::sanitize::line(&self.detail)
        )
    }
}

impl Report {
    /// A check that failed at `step` before connecting (the token of an
    /// OAUTHBEARER partner could not be had, say).
    pub fn failed_before(zone: &str, step: StepKind, detail: String) -> Report {
        Report {
            zone: zone.to_string(),
            ok: false,
            steps: vec![Step {
                step,
                outcome: Outcome::Fail,
                detail,
                ms: 0,
            }],
            topics: None,
        }
    }

    /// One line on how it went.
    pub fn summary(&self) -> String {
        if self.ok {
            let n = self.topics.as_ref().map_or(0, |t| t.visible.len());
            format!(
                "The partner gets in and sees exactly its {n} topic{}.",
                if n == 1 { "" } else { "s" }
            )
        } else {
            let failed = self
                .steps
                .iter()
                .find(|s| s.outcome == Outcome::Fail)
                .map(|s| s.step.label())
                .unwrap_or("a step");
            format!("The partner cannot get in: the {failed} step failed.")
        }
    }
}

/// What the topics step found, for scripts.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct TopicsSeen {
    pub visible: Vec<String>,
    pub missing: Vec<String>,
    pub unexpected: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub zone: String,
    pub ok: bool,
    pub steps: Vec<Step>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub topics: Option<TopicsSeen>,
}
