//! The grader service's replica count, read and set through the swarm
//! manager's Docker API (the autoscaler runs on a manager node, with its
//! socket).

use bollard::models::{ServiceSpecMode, ServiceSpecModeReplicated};
use bollard::query_parameters::UpdateServiceOptions;
use bollard::Docker;

/// One swarm service, scaled as `docker service scale` does: the whole
/// current spec sent back with only its replica count changed, at the
/// version read (a spec changed in between is refused, not overwritten).
pub struct Service {
    docker: Docker,
    name: String,
}

impl Service {
    pub fn connect(name: String) -> Result<Self, bollard::errors::Error> {
        Ok(Self {
            docker: Docker::connect_with_local_defaults()?,
            name,
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// Its replica count as the spec asks (not how many run yet).
    pub async fn replicas(&self) -> Result<u32, bollard::errors::Error> {
        let service = self.docker.inspect_service(&self.name, None).await?;
        Ok(service
            .spec
            .and_then(|s| s.mode)
            .and_then(|m| m.replicated)
            .and_then(|r| r.replicas)
            .unwrap_or(0) as u32)
    }

    /// Asks for `replicas` replicas.
    pub async fn scale(&self, replicas: u32) -> Result<(), bollard::errors::Error> {
        let service = self.docker.inspect_service(&self.name, None).await?;
        let version = service.version.and_then(|v| v.index).unwrap_or(0);
        let mut spec = service.spec.unwrap_or_default();
        spec.mode = Some(ServiceSpecMode {
            replicated: Some(ServiceSpecModeReplicated {
                replicas: Some(i64::from(replicas)),
            }),
            ..Default::default()
        });
        let options = UpdateServiceOptions {
            version: version as i32,
            ..Default::default()
        };
        self.docker
            .update_service(&self.name, spec, options, None)
            .await?;
        Ok(())
    }

    /// Whether the daemon answers.
    pub async fn answers(&self) -> bool {
        self.docker.ping().await.is_ok()
    }
}
