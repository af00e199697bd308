//! Where a call may act. The server is one OpenStack identity (Mistral masks the caller's
//! own token, so std.http cannot forward it); `X-OpenStack-Project` and
//! `X-OpenStack-Region` may move that identity only into the projects and regions the
//! operator declared: the configured ones and `openstack.projects` / `openstack.regions`,
//! each as written there (a project listed by name is selected by that name, one listed
//! by id by that id). A project's own token (`tokens:`) acts in that project only.
//! Anything else is refused with 403 before any OpenStack call.

use mistral_actions_contract::header;
use mistral_actions_runtime::openstack::CloudConfig;
use mistral_actions_runtime::ActionError;

use crate::auth::Caller;
use crate::config::Access;

/// The projects and regions calls may select.
#[derive(Debug, Clone, Default)]
pub struct Reach {
    projects: Vec<String>,
    regions: Vec<String>,
}

/// The project and region one call acts in; `None` is the configured one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scope {
    pub project: Option<String>,
    pub region: Option<String>,
}

impl Reach {
    pub fn new(cloud: Option<&CloudConfig>, access: &Access) -> Reach {
        let projects = cloud
            .and_then(|c| c.credentials.project())
            .map(str::to_string)
            .into_iter()
            .chain(access.projects.iter().cloned())
            .collect();
        let regions = cloud
            .and_then(|c| c.region.clone())
            .into_iter()
            .chain(access.regions.iter().cloned())
            .collect();
        Reach { projects, regions }
    }

    /// The scope of a call by `caller` whose headers name `project` and `region` (`None`:
    /// absent or empty).
    pub fn scope(
        &self,
        caller: &Caller,
        project: Option<&str>,
        region: Option<&str>,
    ) -> Result<Scope, ActionError> {
        if let Some(r) = region {
            if !self.regions.iter().any(|allowed| allowed == r) {
                return Err(ActionError::Forbidden {
                    log: "X-OpenStack-Region named a region outside openstack.regions",
                    message: format!(
                        "{}: this server may not call region '{r}' (allowed: {}); the operator lists the regions calls may select in `openstack.regions`",
                        header::REGION,
                        listed(&self.regions)
                    ),
                });
            }
        }
        let project = match (caller, project) {
            (Caller::Server, None) => None,
            (Caller::Server, Some(p)) if self.projects.iter().any(|a| a == p) => Some(p.into()),
            (Caller::Server, Some(p)) => {
                return Err(ActionError::Forbidden {
                    log: "X-OpenStack-Project named a project outside openstack.projects",
                    message: format!(
                        "{}: this server may not act in project '{p}' (allowed: {}); the operator lists the projects calls may select in `openstack.projects`",
                        header::PROJECT,
                        listed(&self.projects)
                    ),
                })
            }
            (Caller::Project(own), None) => Some(own.clone()),
            (Caller::Project(own), Some(p)) if p == own => Some(own.clone()),
            (Caller::Project(own), Some(p)) => {
                return Err(ActionError::Forbidden {
                    log: "X-OpenStack-Project named another project than the token's",
                    message: format!(
                        "{}: this bearer token acts in project '{own}' only, not in '{p}'",
                        header::PROJECT
                    ),
                })
            }
        };
        Ok(Scope {
            project,
            region: region.map(str::to_string),
        })
    }
}

fn listed(names: &[String]) -> String {
    if names.is_empty() {
        return "none besides the configured one".into();
    }
    names
        .iter()
        .map(|n| format!("'{n}'"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reach(projects: &[&str], regions: &[&str]) -> Reach {
        Reach {
            projects: projects.iter().map(|s| s.to_string()).collect(),
            regions: regions.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn only_what_is_listed_and_as_it_is_written() {
        let r = reach(&["admin", "second"], &["RegionOne"]);
        let server = Caller::Server;
        assert_eq!(r.scope(&server, None, None).unwrap(), Scope::default());
        assert_eq!(
            r.scope(&server, Some("second"), Some("RegionOne"))
                .unwrap()
                .project
                .as_deref(),
            Some("second")
        );
        for (p, g) in [(Some("third"), None), (None, Some("RegionTwo"))] {
            let e = r.scope(&server, p, g).unwrap_err();
            assert_eq!(e.kind(), mistral_actions_contract::ErrorKind::Forbidden);
        }
        let own = Caller::Project("second".into());
        assert_eq!(
            r.scope(&own, None, None).unwrap().project.as_deref(),
            Some("second")
        );
        assert!(r.scope(&own, Some("admin"), None).is_err());
    }
}
