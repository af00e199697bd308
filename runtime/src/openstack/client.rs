//! The one HTTP client every OpenStack call goes through, trusting what the cloud's
//! configuration says to trust (see [`Trust`]).

use super::config::{CloudConfig, Trust};
use crate::ActionError;

/// A client with the configured timeout and trust. The system trust store and the public
/// web roots are always trusted; `cacert` adds the cloud's own CA.
pub fn build(config: &CloudConfig) -> Result<reqwest::Client, ActionError> {
    let mut builder = reqwest::Client::builder().timeout(config.timeout);
    builder = trust(builder, &config.trust)?;
    builder
        .build()
        .map_err(|e| ActionError::Config(format!("HTTP client: {e}")))
}

fn trust(
    mut builder: reqwest::ClientBuilder,
    trust: &Trust,
) -> Result<reqwest::ClientBuilder, ActionError> {
    if let Some(path) = &trust.cacert {
        let pem = std::fs::read(path).map_err(|e| {
            ActionError::Config(format!(
                "cacert {}: {e} (OS_CACERT or clouds.yaml `cacert` must name a readable PEM file)",
                path.display()
            ))
        })?;
        let certs = reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| {
            ActionError::Config(format!(
                "cacert {}: not PEM certificates: {e}",
                path.display()
            ))
        })?;
        if certs.is_empty() {
            return Err(ActionError::Config(format!(
                "cacert {}: holds no certificate",
                path.display()
            )));
        }
        for cert in certs {
            builder = builder.add_root_certificate(cert);
        }
    }
    if !trust.verify {
        tracing::warn!(
            "TLS certificates of OpenStack endpoints are NOT verified (clouds.yaml `verify: false` or OS_INSECURE); anyone on the path can read the credentials"
        );
        builder = builder.danger_accept_invalid_certs(true);
    }
    Ok(builder)
}
