//! The wizard filled from an existing zone: to edit it (`e`, its ID
//! fixed) or to clone it for another partner (`C`, a new zone).

use super::{Chosen, Editor, Field, Limit, Wizard, details, headers};
use crate::api::{PartnerZone, Permission};

impl Wizard {
    /// The wizard filled from an existing zone; its technical ID is fixed.
    pub fn edit(zone: &PartnerZone) -> Wizard {
        let mut w = Wizard::new();
        let s = &zone.spec;
        let p = s.partner.clone().unwrap_or_default();
        let text =
            |v: &Option<compact_str::CompactString>| v.as_deref().unwrap_or_default().to_string();
        for (f, v) in [
            (Field::Name, text(&s.display_name)),
            (Field::Id, zone.metadata.name.to_string()),
            (
                Field::Account,
                s.service_account_name().unwrap_or_default().to_string(),
            ),
            (Field::Url, text(&s.url)),
            (Field::Description, text(&s.description)),
            (Field::Auth, s.auth_type().to_string()),
            (Field::Labels, details::format_labels(&zone.metadata.labels)),
            (Field::PartnerName, p.name.to_string()),
            (Field::PartnerRole, text(&p.role)),
            (Field::PartnerEmail, text(&p.email)),
            (Field::PartnerPhone, text(&p.phone)),
        ] {
            w.values.insert(f, v);
        }
        w.id_edited = true;
        w.account_edited = true;
        w.editor = Editor::for_text(Field::Name, w.value(Field::Name));
        w.cluster = s.cluster.to_string();
        w.chosen = s
            .topics
            .iter()
            .map(|t| Chosen {
                backing: t.backing_topic.to_string(),
                alias: t.name.to_string(),
                write: t.permission == Permission::Write,
                shared_alias: Some(t.name.to_string()),
            })
            .collect();
        if let Some(tcp) = &s.traffic_control_policies {
            for (i, v) in [
                &tcp.max_produce_rate,
                &tcp.max_consume_rate,
                &tcp.limit_commit_offset,
            ]
            .into_iter()
            .enumerate()
            {
                if let Some(v) = v {
                    w.limits[i] = Limit {
                        enabled: true,
                        text: v.to_string(),
                    };
                }
            }
        }
        (w.header_add, w.header_remove) = headers::texts(s.headers.as_deref());
        let mut original = zone.clone();
        original.metadata.clear_output();
        w.original = Some(original);
        w
    }

    /// A new zone like `zone` (`C`): its topics, aliases, permissions,
    /// limits, labels, headers and authentication type; the name, id,
    /// service account, URL and partner contact are the new partner's.
    pub fn clone_of(zone: &PartnerZone) -> Wizard {
        let mut w = Wizard::edit(zone);
        w.original = None;
        for f in [
            Field::Name,
            Field::Id,
            Field::Account,
            Field::Url,
            Field::PartnerName,
            Field::PartnerRole,
            Field::PartnerEmail,
            Field::PartnerPhone,
        ] {
            w.values.insert(f, String::new());
        }
        w.id_edited = false;
        w.account_edited = false;
        w.editor = Editor::for_text(Field::Name, "");
        w
    }
}
