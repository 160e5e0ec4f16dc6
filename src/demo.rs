//! Fixed console states for screenshots and snapshot tests: the sandbox's
//! seed world at a fixed time, and every screen filled in.

use chrono::{DateTime, Duration, Utc};

use crate::api::ConnectionInfo;
use crate::api::{PartnerZone, UpsertResult, ZoneStatus};
use crate::app::credentials::CredentialsAction;
use crate::app::delete::DeleteAction;
use crate::app::wizard::{Chosen, Field, Limit, Step, Verdict, Wizard};
use crate::app::{Action, App, Screen};
use crate::sandbox::World;
use crate::secret::Secret;
use crate::theme::Theme;

/// Runs `action` on a demo console, answering the zone fetches it makes
/// from `zones`, as a Console would.
pub fn act_with(a: &mut App, action: Action, zones: &[PartnerZone]) {
    let mut fx = a.update(action);
    for _ in 0..4 {
        let Some(name) = fx.iter().find_map(|e| match e {
            crate::app::Effect::FetchZone(name) => Some(name.clone()),
            _ => None,
        }) else {
            return;
        };
        let Some(zone) = zones.iter().find(|z| z.metadata.name == name).cloned() else {
            return;
        };
        fx = a.update(Action::ZoneLoaded(name, Ok(zone)));
    }
}

/// The same, from the demo's zones.
pub fn act(a: &mut App, action: Action) {
    act_with(a, action, &zones());
}

/// The fixed "now" of every demo state.
pub fn clock() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-22T12:00:00Z")
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_default()
}

/// The seed zones with fixed ids, one of them still PENDING.
pub fn zones() -> Vec<PartnerZone> {
    let mut world = World::seed(clock() - Duration::seconds(30));
    world.settle(clock() - Duration::seconds(29));
    // As today's Console (and the sandbox by default) serves them.
    world.adopt(crate::api::Generation::NEWEST);
    let mut zones: Vec<PartnerZone> = world.zones.into_values().map(|s| s.zone).collect();
    for (i, z) in zones.iter_mut().enumerate() {
        z.metadata.id = Some(compact_str::format_compact!(
            "00000000-0000-0000-0000-00000000000{i}"
        ));
    }
    if let Some(z) = zones.get_mut(2) {
        z.metadata.status = Some(ZoneStatus::Pending);
    }
    zones
}

/// An empty console of `size` on the sandbox.
pub fn app(theme: Theme, size: (u16, u16)) -> App {
    let conn = ConnectionInfo {
        label: "sandbox http://127.0.0.1:8080".into(),
        sandbox: true,
        read_only: false,
        base_url: "http://127.0.0.1:8080".into(),
        generation: Some(crate::api::Generation::NEWEST),
        ..Default::default()
    };
    let mut a = App::new(theme, conn, clock());
    a.update(Action::Resize(size.0, size.1));
    a
}

/// The console with the seed zones loaded.
pub fn loaded(theme: Theme, size: (u16, u16)) -> App {
    let mut a = app(theme, size);
    a.update(Action::ZonesLoaded(Ok(zones().into())));
    a
}

/// A wizard filled in as a user would have, on `step`.
pub fn wizard(step: Step) -> Wizard {
    let world = World::seed(clock());
    let mut w = Wizard::new();
    w.clusters = world.clusters.clone();
    w.topics = world
        .topics
        .get("gateway-prod")
        .cloned()
        .unwrap_or_default();
    w.cluster = "gateway-prod".into();
    for (f, v) in [
        (Field::Name, "Contoso Retail"),
        (Field::Id, "contoso-retail"),
        (Field::Account, "contoso-retail"),
        (Field::Url, "https://contoso.example"),
        (Field::PartnerName, "Jane Roe"),
        (Field::Labels, "project=retail"),
    ] {
        w.values.insert(f, v.into());
    }
    w.generation = Some(crate::api::Generation::NEWEST);
    w.header_add = "X-Partner=contoso; !X-Client={{clientId}}".into();
    w.chosen = vec![
        Chosen {
            backing: "orders.v1".into(),
            alias: "orders.v1".into(),
            write: false,
            shared_alias: None,
        },
        Chosen {
            backing: "orders.v2".into(),
            alias: "contoso.orders".into(),
            write: true,
            shared_alias: None,
        },
    ];
    w.limits[0] = Limit {
        enabled: true,
        text: "1MB/s".into(),
    };
    w.limits[2] = Limit {
        enabled: true,
        text: "30".into(),
    };
    w.step = step;
    if step == Step::Review {
        w.verdict = Verdict::Valid(UpsertResult::Created);
    }
    w
}

/// A JWT-shaped secret that expires on 2026-12-22.
pub const SECRET: &str =
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJleHAiOjE3OTgyMDAwMDB9.c2lnbmF0dXJl";

/// Every screen, named, for screenshots.
pub fn gallery(theme: &Theme, size: (u16, u16)) -> Vec<(&'static str, App)> {
    let mut out = Vec::new();
    let base = || loaded(theme.clone(), size);

    let mut a = base();
    a.update(Action::Down);
    out.push(("list", a));

    let mut a = base();
    a.update(Action::Down);
    act(&mut a, Action::Open);
    out.push(("detail", a));

    let mut a = base();
    a.update(Action::Bottom);
    act(&mut a, Action::Open);
    out.push(("detail-failed", a));

    for (name, step) in [
        ("wizard-details", Step::Details),
        ("wizard-topics", Step::Topics),
        ("wizard-traffic", Step::Traffic),
        ("wizard-review", Step::Review),
    ] {
        let mut a = base();
        let mut w = wizard(step);
        if step == Step::Details {
            w.field = Field::Gateway;
        }
        if step == Step::Topics {
            w.search = crate::app::input::TextInput::new("orders");
        }
        a.screen = Screen::Wizard(Box::new(w));
        out.push((name, a));
    }

    let mut a = base();
    act(&mut a, Action::Delete(DeleteAction::Open));
    a.update(Action::Drawn(clock() - Duration::seconds(1)));
    for c in "DELETE".chars() {
        a.update(Action::Delete(DeleteAction::Input(
            crate::app::input::char_key(c),
        )));
    }
    out.push(("delete", a));

    let mut a = base();
    act(&mut a, Action::Credentials(CredentialsAction::Open));
    a.update(Action::Credentials(CredentialsAction::Confirm));
    a.update(Action::CredentialsDone(
        "acme-logistics".into(),
        Ok((
            Secret::new(SECRET),
            "bootstrap.servers=gateway-prod.sandbox.local:9094\n".into(),
        )),
    ));
    a.toasts.clear();
    out.push(("credentials", a));

    let mut a = base();
    a.update(Action::ToggleHelp);
    out.push(("help", a));

    let mut a = base();
    a.update(Action::Resize(50, 12));
    out.push(("too-small", a));
    out
}
