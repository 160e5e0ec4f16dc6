//! Snapshots of every screen, rendered to ratatui's TestBackend at 80x24
//! and 120x40 with a fixed clock.

use crate::common;

use chrono::Duration;
use common::draw;
use pz::api::ApiError;
use pz::app::credentials::CredentialsAction;
use pz::app::delete::DeleteAction;
use pz::app::{Action, App};
use pz::secret::Secret;
use pz::theme::Theme;

use pz::demo::clock;

fn app(size: (u16, u16)) -> App {
    pz::demo::app(Theme::default(), size)
}

fn loaded(size: (u16, u16)) -> App {
    pz::demo::loaded(Theme::default(), size)
}

const SIZES: [(u16, u16); 2] = [(80, 24), (120, 40)];

fn snap(name: &str, make: impl Fn((u16, u16)) -> App) {
    for size in SIZES {
        let a = make(size);
        insta::assert_snapshot!(format!("{name}_{}x{}", size.0, size.1), draw(&a));
    }
}

#[test]
fn list_empty() {
    snap("list_empty", |s| {
        let mut a = app(s);
        a.update(Action::ZonesLoaded(Ok(vec![].into())));
        a
    });
}

#[test]
fn list_loaded() {
    snap("list_loaded", |s| {
        let mut a = loaded(s);
        a.update(Action::Down);
        a
    });
}

#[test]
fn list_filtered() {
    snap("list_filtered", |s| {
        let mut a = loaded(s);
        a.update(Action::FilterStart);
        for c in "gateway-dr".chars() {
            a.update(Action::FilterInput(pz::app::input::char_key(c)));
        }
        a
    });
}

#[test]
fn list_error() {
    snap("list_error", |s| {
        let mut a = app(s);
        a.update(Action::ZonesLoaded(Err(ApiError::ConnectionRefused {
            url: "http://127.0.0.1:8080/public/console/v2/partner-zone".into(),
        })));
        a
    });
}

#[test]
fn detail() {
    snap("detail", |s| {
        let mut a = loaded(s);
        a.update(Action::Down); // globex-analytics: every field is set
        pz::demo::act(&mut a, Action::Open);
        a
    });
}

#[test]
fn detail_failed() {
    snap("detail_failed", |s| {
        let mut a = loaded(s);
        a.update(Action::Bottom); // umbrella-research is FAILED
        pz::demo::act(&mut a, Action::Open);
        a
    });
}

#[test]
fn help() {
    snap("help", |s| {
        let mut a = loaded(s);
        a.update(Action::ToggleHelp);
        a
    });
}

/// The modal drawn a while ago, then `text` typed into it.
fn typed_in_modal(a: &mut pz::app::App, text: &str) {
    a.update(Action::Drawn(clock() - Duration::seconds(1)));
    for c in text.chars() {
        a.update(Action::Delete(DeleteAction::Input(
            pz::app::input::char_key(c),
        )));
    }
}

#[test]
fn delete_modal() {
    snap("delete_modal", |s| {
        let mut a = loaded(s);
        pz::demo::act(&mut a, Action::Delete(DeleteAction::Open));
        typed_in_modal(&mut a, "DELET");
        a.update(Action::Delete(DeleteAction::Confirm));
        a
    });
}

#[test]
fn rotate_modal() {
    snap("rotate_modal", |s| {
        let mut a = loaded(s);
        pz::demo::act(&mut a, Action::Delete(DeleteAction::OpenRotate));
        typed_in_modal(&mut a, "acme");
        a
    });
}

#[test]
fn rotating() {
    snap("rotating", |s| {
        let mut a = loaded(s);
        pz::demo::act(&mut a, Action::Delete(DeleteAction::OpenRotate));
        typed_in_modal(&mut a, "acme-logistics");
        let fx = a.update(Action::Delete(DeleteAction::Confirm));
        assert_eq!(
            fx,
            vec![pz::app::Effect::Rotate {
                zone: "acme-logistics".into(),
                account: Some("acme-logistics-r2".into())
            }]
        );
        for step in [
            "deleted ('acme-logistics' can no longer get in)",
            "created again with the service account 'acme-logistics-r2'",
        ] {
            a.update(Action::Rotation(pz::app::rotation::RotationAction::Step(
                "acme-logistics".into(),
                step.into(),
            )));
        }
        a
    });
}

#[test]
fn credentials() {
    snap("credentials", |s| {
        let mut a = loaded(s);
        // exp = 2026-12-22T12:00:00Z
        let secret = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJleHAiOjE3OTgyMDAwMDB9.c2lnbmF0dXJl";
        show_secret(
            &mut a,
            secret,
            "bootstrap.servers=gateway-prod.sandbox.local:9094\n",
        );
        a
    });
}

/// An OAUTHBEARER zone: nothing to generate; what the partner brings.
#[test]
fn credentials_of_an_oauthbearer_zone() {
    snap("credentials_oauthbearer", |s| {
        let mut zones = pz::demo::zones();
        for z in zones
            .iter_mut()
            .filter(|z| z.metadata.name == "globex-analytics")
        {
            z.spec.authentication_mode.as_mut().unwrap().kind = "OAUTHBEARER".into();
        }
        let mut a = app(s);
        a.update(Action::ZonesLoaded(Ok(zones.as_slice().into())));
        a.list.select_name("globex-analytics");
        let open = Action::Credentials(pz::app::credentials::CredentialsAction::Open);
        pz::demo::act_with(&mut a, open, &zones);
        a
    });
}

#[test]
fn too_small() {
    let mut a = loaded((40, 10));
    a.update(Action::Resize(40, 10));
    insta::assert_snapshot!("too_small_40x10", draw(&a));
}

/// The credentials view of the selected zone with a generated secret.
fn show_secret(a: &mut App, secret: &str, config: &str) {
    pz::demo::act(a, Action::Credentials(CredentialsAction::Open));
    a.update(Action::Credentials(CredentialsAction::Confirm));
    a.update(Action::CredentialsDone(
        "acme-logistics".into(),
        Ok((Secret::new(secret), config.into())),
    ));
}

#[test]
fn the_secret_is_masked_until_revealed() {
    let mut a = loaded((80, 24));
    show_secret(&mut a, "s3cr3t-value", "bootstrap.servers=gw:1\n");
    assert!(!draw(&a).contains("s3cr3t-value"));
    a.update(Action::Credentials(CredentialsAction::Reveal));
    assert!(draw(&a).contains("s3cr3t-value"));
}

#[test]
fn every_size_renders_without_panic() {
    let mut a = loaded((80, 24));
    pz::demo::act(&mut a, Action::Open);
    for w in [1u16, 2, 10, 59, 60, 61, 80, 150, 300] {
        for h in [1u16, 2, 5, 14, 15, 16, 24, 60, 100] {
            a.update(Action::Resize(w, h));
            let _ = draw(&a);
        }
    }
}

mod wizard {
    use super::*;
    use pz::api::{ErrorBody, UpsertResult};
    use pz::app::Screen;
    use pz::app::wizard::{Field, Limit, Place, Step, Verdict, Wizard};

    fn filled(step: Step) -> Wizard {
        let mut w = pz::demo::wizard(step);
        w.verdict = Verdict::Unchecked;
        w
    }

    fn in_app(size: (u16, u16), w: Wizard) -> App {
        let mut a = loaded(size);
        a.screen = Screen::Wizard(Box::new(w));
        a
    }

    #[test]
    fn details_step() {
        snap("wizard_details", |s| {
            let mut w = filled(Step::Details);
            w.field = Field::Gateway;
            in_app(s, w)
        });
    }

    #[test]
    fn details_step_choosing_the_authentication() {
        snap("wizard_details_auth", |s| {
            let mut w = filled(Step::Details);
            w.field = Field::Auth;
            w.values.insert(Field::Auth, "MTLS".into());
            in_app(s, w)
        });
    }

    /// A Console 1.32: PLAIN only, no headers, and the 1.32 shape sent.
    #[test]
    fn a_1_32_console_gets_its_own_shape() {
        let legacy = |step: Step| {
            let mut w = filled(step);
            w.generation = Some(pz::api::Generation::LEGACY);
            w.header_add.clear();
            w.values.remove(&Field::Labels);
            w
        };
        snap("wizard_details_auth_1_32", |s| {
            let mut w = legacy(Step::Details);
            w.field = Field::Auth;
            in_app(s, w)
        });
        snap("wizard_traffic_1_32", |s| in_app(s, legacy(Step::Traffic)));
        snap("wizard_review_1_32", |s| {
            let mut w = legacy(Step::Review);
            w.verdict = Verdict::Valid(UpsertResult::Created);
            in_app(s, w)
        });
    }

    #[test]
    fn details_step_with_inline_errors() {
        snap("wizard_details_errors", |s| {
            let mut w = filled(Step::Details);
            w.values.insert(Field::Url, "contoso.example".into());
            w.values.insert(Field::PartnerEmail, "jane".into());
            w.errors.insert(
                Place::Field(Field::Url),
                "start with http:// or https://".into(),
            );
            w.errors.insert(
                Place::Field(Field::PartnerEmail),
                "not an email address".into(),
            );
            w.field = Field::PartnerEmail;
            in_app(s, w)
        });
    }

    #[test]
    fn topics_step() {
        snap("wizard_topics", |s| {
            let mut w = filled(Step::Topics);
            w.search = "orders".into();
            w.cursor = 1;
            in_app(s, w)
        });
    }

    #[test]
    fn traffic_step() {
        snap("wizard_traffic", |s| {
            let mut w = filled(Step::Traffic);
            w.limits[1] = Limit {
                enabled: true,
                text: "fast".into(),
            };
            w.errors.insert(
                Place::Traffic(1),
                "'fast' is not a rate: try 1MB/s, 500KB/s or 1000000".into(),
            );
            w.limit_focus = 1;
            in_app(s, w)
        });
    }

    #[test]
    fn review_step() {
        snap("wizard_review", |s| {
            let mut w = filled(Step::Review);
            w.verdict = Verdict::Valid(UpsertResult::Created);
            in_app(s, w)
        });
    }

    #[test]
    fn review_step_with_a_server_409() {
        snap("wizard_review_409", |s| {
            let mut w = filled(Step::Review);
            let e = ApiError::Conflict(ErrorBody::new(
                "The request does not match one of the business rules",
                "service account 'acme-logistics' is already used by the Partner Zone 'acme-logistics'",
            ));
            w.verdict = Verdict::Invalid(e.to_string());
            in_app(s, w)
        });
    }

    #[test]
    fn edit_review_shows_a_diff() {
        snap("wizard_edit_diff", |s| {
            let zone = pz::demo::zones()
                .into_iter()
                .find(|z| z.metadata.name == "stark-payments")
                .unwrap();
            let mut w = Wizard::edit(&zone);
            w.chosen[0].alias = "stark.payments".into();
            w.step = Step::Review;
            w.verdict = Verdict::Valid(UpsertResult::Updated);
            in_app(s, w)
        });
    }
}

#[test]
fn header_marks_a_plaintext_or_unverified_connection_for_as_long_as_it_lasts() {
    use pz::api::risk::Risk;
    snap("header_plaintext", |s| {
        let mut a = loaded(s);
        a.connection.sandbox = false;
        a.connection.label = "prod http://console.corp:8080".into();
        a.connection.risks = vec![Risk::Plaintext];
        a
    });
    for risk in [Risk::Plaintext, Risk::Unverified] {
        let mut a = loaded((80, 24));
        a.connection.risks = vec![risk];
        // Still there after a refresh and on another screen.
        pz::demo::act(&mut a, Action::Open);
        let screen = draw(&a);
        let header = screen.lines().next().unwrap_or_default();
        assert!(header.contains(risk.marker()), "{header}");
    }
}

#[test]
fn context_picker() {
    use pz::app::connection::ContextEntry;
    use pz::app::everywhere::Health;
    use pz::app::{ContextPicker, Overlay};
    snap("context_picker", |s| {
        let mut a = loaded(s);
        let entry = |name: &str, url: &str, read_only, health| ContextEntry {
            name: name.into(),
            base_url: url.into(),
            read_only,
            health,
        };
        a.overlay = Some(Overlay::Contexts(ContextPicker {
            entries: vec![
                entry(
                    "prod",
                    "https://console.prod.example",
                    true,
                    Health::Up {
                        zones: 41,
                        pending: 2,
                        failed: 1,
                    },
                ),
                entry(
                    "staging",
                    "https://console.staging.example",
                    false,
                    Health::Checking,
                ),
                entry(
                    "dr",
                    "https://console.dr.example",
                    false,
                    Health::Down(
                        "Nothing answers at https://console.dr.example: connection refused".into(),
                    ),
                ),
            ],
            current: Some("staging".into()),
            cursor: 0,
        }));
        a
    });
}

/// Every box drawn on a screen is whole: each `┌`/`└` row pair closes with
/// `┐`/`┘` and no corner is doubled (a toast over a border shows `└└─┘┘`).
fn assert_boxes_whole(screen: &str) {
    for (i, line) in screen.lines().enumerate() {
        for bad in ["└└", "┘┘", "┌┌", "┐┐"] {
            assert!(!line.contains(bad), "row {i}: {line}\n{screen}");
        }
        let opens = line.matches(['┌', '└']).count();
        let closes = line.matches(['┐', '┘']).count();
        assert_eq!(opens, closes, "row {i}: {line}\n{screen}");
    }
}

fn three_toasts(a: &mut App) {
    use pz::app::ToastKind;
    a.toast(ToastKind::Success, "first toast: the oldest");
    a.toast(ToastKind::Info, "second toast");
    a.toast(ToastKind::Failure, "third toast: the newest");
}

#[test]
fn toasts_stack_inside_the_frame() {
    snap("toasts_list", |s| {
        let mut a = loaded(s);
        three_toasts(&mut a);
        a.update(Action::Bottom);
        a
    });
    let mut a = loaded((80, 24));
    a.update(Action::Bottom);
    let last = a.list.selected_name().unwrap();
    three_toasts(&mut a);
    let screen = draw(&a);
    assert_boxes_whole(&screen);
    let rows: Vec<&str> = screen.lines().collect();
    // The three toasts, oldest on top, just above the status bar and footer.
    assert!(rows[19].contains("first toast"), "{screen}");
    assert!(rows[20].contains("second toast"), "{screen}");
    assert!(rows[21].contains("third toast"), "{screen}");
    // The list's box closes above them, and its last zone is still shown.
    assert!(
        rows[18].starts_with('└') && rows[18].ends_with('┘'),
        "{screen}"
    );
    assert!(screen.contains(last.as_str()), "{screen}");
    // A fourth: the oldest goes.
    a.toast(pz::app::ToastKind::Info, "fourth toast");
    let screen = draw(&a);
    assert!(!screen.contains("first toast") && screen.contains("fourth toast"));

    // Over the detail and the credentials view too.
    let mut a = loaded((80, 24));
    pz::demo::act(&mut a, Action::Open);
    three_toasts(&mut a);
    assert_boxes_whole(&draw(&a));
    let mut a = loaded((80, 24));
    show_secret(
        &mut a,
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhY21lIn0.c2lnbmF0dXJl",
        "bootstrap.servers=127.0.0.1:9094\n",
    );
    three_toasts(&mut a);
    let screen = draw(&a);
    assert_boxes_whole(&screen);
    assert!(screen.contains("third toast"), "{screen}");
}

#[test]
fn every_console() {
    use pz::app::Screen;
    use pz::app::everywhere::Everywhere;
    snap("every_console", |s| {
        let mut a = loaded(s);
        let zones = pz::demo::zones();
        let mut rows: Vec<(String, pz::api::PartnerZone)> = zones
            .iter()
            .map(|z| ("prod".to_string(), z.clone()))
            .chain(
                zones
                    .iter()
                    .take(2)
                    .map(|z| ("staging".to_string(), z.clone())),
            )
            .collect();
        rows.sort_by(|(c1, z1), (c2, z2)| (c1, &z1.metadata.name).cmp(&(c2, &z2.metadata.name)));
        a.screen = Screen::Everywhere(Box::new(Everywhere {
            rows,
            failed: vec![(
                "dr".into(),
                "Nothing answers at https://console.dr.example: connection refused".into(),
            )],
            waiting: vec!["eu".into()],
            cursor: 1,
            offset: 0,
        }));
        a
    });
}
