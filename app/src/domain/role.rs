use serde::{Deserialize, Serialize};

/// What a staff user may do. Checked on the server in every server function and route.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Reads everything, changes nothing.
    Viewer,
    /// Day-to-day billing work: orders, invoices, payments, templates.
    Billing,
    /// Everything, including organisation settings, users and API keys.
    Admin,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Admin, Role::Billing, Role::Viewer];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Billing => "billing",
            Role::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "viewer" => Some(Role::Viewer),
            "billing" => Some(Role::Billing),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Viewer => "Viewer",
            Role::Billing => "Billing",
            Role::Admin => "Admin",
        }
    }

    /// Roles are ordered: an admin can do what billing can, billing what a viewer can.
    pub fn allows(self, needed: Role) -> bool {
        self >= needed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_are_ordered() {
        assert!(Role::Admin.allows(Role::Billing));
        assert!(Role::Billing.allows(Role::Viewer));
        assert!(!Role::Viewer.allows(Role::Billing));
        assert!(!Role::Billing.allows(Role::Admin));
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
    }
}
