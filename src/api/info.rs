//! What the console knows of the connection it has: where it is, whether
//! it is the sandbox or read-only, its risks and where its key came from.
//! Built by `backend`, shown by the header, used by the diagnoses.

use super::risk::Risk;

/// Where pz is connected, for the header and for diagnoses.
#[derive(Clone, Debug, Default)]
pub struct ConnectionInfo {
    pub label: String,
    pub sandbox: bool,
    pub read_only: bool,
    /// Shown in the header for as long as the connection lasts.
    pub risks: Vec<Risk>,
    pub base_url: String,
    /// Where the API key came from (`CDK_API_KEY`, a context's `apiKey`, …).
    pub key_source: String,
    /// The context of the config file in use, if any.
    pub context: Option<String>,
    /// The Console's generation, once detected.
    pub generation: Option<super::Generation>,
    /// The pz sandbox (started here, or found by its OpenAPI document):
    /// its own endpoints issue what OAUTHBEARER and MTLS partners bring.
    pub sandbox_endpoints: bool,
}
