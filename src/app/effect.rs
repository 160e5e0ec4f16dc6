//! What the state asks the runtime to do (`App::update` returns these;
//! `effects` carries them out and reports back with actions).

use super::{PartnerZone, Secret, Wizard};

/// What the runtime must do for the state.
#[derive(Debug, PartialEq)]
pub enum Effect {
    FetchZones,
    FetchZone(String),
    DeleteZone(String),
    /// Generate a secret, and fetch the kafka-configuration with it.
    GenerateCredentials(String),
    /// Leave the drawing, print this text plainly on the normal screen, wait
    /// for a key, erase it, come back.
    PlainOut(Secret),
    /// Rotate the zone's credentials; `account`: the one confirmed (none:
    /// resume the rotation its recovery file holds).
    Rotate {
        zone: String,
        account: Option<String>,
    },
    /// Put back the zone an unfinished rotation had saved.
    RestoreRotation(String),
    /// Ask every context of the config file for its zones, in parallel,
    /// each with a short timeout (`:ctx`'s health, `:all`).
    FetchEverywhere,
    /// Read the recipients remembered for the zone (`E`).
    RecallRecipients(String),
    /// Encrypt `plaintext` (the bundle) to the typed recipients and write
    /// it to a new 0600 file; remember the recipients for the zone.
    SaveEncrypted {
        zone: String,
        path: String,
        recipients: String,
        plaintext: Secret,
        armor: bool,
        overwrite: bool,
    },
    /// Fetch the zone and open it in the user's editor.
    StartEdit(String),
    /// Open (again) the editor on the session's file.
    OpenEditor(Box<crate::editing::Session>),
    /// Apply what the user edited.
    ApplyEdit(Box<crate::editing::Session>, Box<PartnerZone>),
    /// The edit is over: its file goes.
    EndEdit(Box<crate::editing::Session>),
    /// Connect to the Gateway as the partner, with these properties.
    CheckAccess {
        zone: String,
        properties: Secret,
        aliases: Vec<String>,
        /// What the sandbox issued (the CA, a certificate, an OAuth client).
        issued: Option<Box<crate::credentials::Issued>>,
    },
    /// Have the sandbox issue what the partner of an OAUTHBEARER or MTLS
    /// zone brings.
    IssueSandboxCredentials {
        zone: String,
        auth_type: String,
    },
    /// Copy text; `what` names it for the toast. `secret`: kept out of
    /// clipboard managers' history and cleared after a while.
    Copy {
        text: Secret,
        what: String,
        secret: bool,
    },
    /// Write `text` to a new 0600 file.
    Save {
        path: String,
        text: Secret,
        /// Files written beside it (the PEM files it names).
        companions: Vec<(String, Secret)>,
        overwrite: bool,
    },
    LoadClusters,
    LoadTopics(String),
    DryRun(Box<PartnerZone>),
    Apply(Box<PartnerZone>),
    /// Save the draft; the number orders saves and deletes.
    SaveDraft(Box<Wizard>, u64),
    DeleteDraft(u64),
    /// Read a YAML file for `:apply`.
    LoadFile(String),
    /// Count the Gateway clusters (`n` needs one).
    CountGateways,
    /// Ask the Console's generation (its OpenAPI document, once).
    DetectGeneration,
    /// A dry run of an unchanged zone: a 403 means the key may only read.
    ProbeWrite(String),
    /// Read the configuration again and connect anew, to this context (or
    /// the current one).
    Reconnect(Option<String>),
    /// Read the contexts of the config file, for `:ctx` (the one in use
    /// is marked).
    ListContexts(Option<String>),
}
