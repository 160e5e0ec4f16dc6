//! The non-interactive subcommands, run as the real binary against a
//! sandbox over HTTP.

use crate::common;

use common::*;

const TWO_ZONES: &str = r#"
apiVersion: v2
kind: PartnerZone
metadata:
  name: external-partner-zone
spec:
  cluster: gateway-prod
  displayName: External Partner Zone
  url: https://partner1.com
  serviceAccount: johndoe
  topics:
    - name: topic-a
      backingTopic: orders.v1
      permission: WRITE
    - name: topic-b
      backingTopic: orders.v2
      permission: READ
  partner:
    name: John Doe
    role: Data analyst
    email: johndoe@company.io
    phone: 07827 837 177
---
apiVersion: v2
kind: PartnerZone
metadata:
  name: second-zone
  labels: {project: projectA}
spec:
  cluster: gateway-prod
  displayName: Second
  authenticationMode: {type: PLAIN, serviceAccount: second}
  topics: [{name: x, backingTopic: clicks.v1, permission: READ}]
  trafficControlPolicies: {maxProduceRate: 1000000, limitCommitOffset: 30}
"#;

#[tokio::test]
async fn apply_then_get_yaml_round_trips() {
    let (sb, _) = start(options()).await;
    let base = sb.base_url();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("zones.yaml");
    std::fs::write(&file, TWO_ZONES).unwrap();
    let f = file.to_str().unwrap();

    let dry = pz(&base, &["apply", "-f", f, "--dry-run"], None).await;
    assert_eq!(dry.code, 0, "{}", dry.stderr);
    assert!(
        dry.stdout
            .contains("PartnerZone/external-partner-zone: Created (dry run)")
    );
    let run = pz(&base, &["apply", "-f", f], None).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stdout,
        "PartnerZone/external-partner-zone: Created\nPartnerZone/second-zone: Created\n"
    );
    let again = pz(&base, &["apply", "-f", f], None).await;
    assert!(again.stdout.contains("external-partner-zone: NotChanged"));

    let got = pz(&base, &["get", "second-zone", "-o", "yaml"], None).await;
    assert_eq!(got.code, 0);
    let served = pz::api::yaml::parse_zones(&got.stdout, "stdout").unwrap();
    let sent = pz::api::yaml::parse_zones(TWO_ZONES, "file").unwrap();
    assert_eq!(served[0].spec, sent[1].spec);
    assert_eq!(served[0].metadata.labels, sent[1].metadata.labels);

    // Re-applying what `get -o yaml` printed changes nothing.
    let all = pz(&base, &["get", "-o", "yaml"], None).await;
    let out = dir.path().join("all.yaml");
    std::fs::write(&out, &all.stdout).unwrap();
    let reapply = pz(&base, &["apply", "-f", out.to_str().unwrap()], None).await;
    assert_eq!(reapply.code, 0, "{}", reapply.stderr);
    assert!(!reapply.stdout.contains("Updated"), "{}", reapply.stdout);

    let json = pz(&base, &["get", "-o", "json"], None).await;
    let parsed: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert!(parsed.as_array().unwrap().len() >= 7);
    let table = pz(&base, &["get"], None).await;
    assert!(table.stdout.starts_with("NAME"));
    assert!(table.stdout.contains("external-partner-zone"));
    sb.shutdown().await;
}

#[tokio::test]
async fn get_json_is_the_console_answer_laid_out_and_a_closed_pipe_is_quiet() {
    let (sb, client) = start(options()).await;
    let base = sb.base_url();
    let zones = client.list_zones().await.unwrap();
    let run = pz(&base, &["get", "-o", "json"], None).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stdout,
        format!("{}\n", serde_json::to_string_pretty(&zones).unwrap())
    );
    // With a label selector the zones are chosen: only the matching ones.
    let run = pz(&base, &["get", "-o", "json", "-l", "tier=gold"], None).await;
    let chosen: Vec<serde_json::Value> = serde_json::from_str(&run.stdout).unwrap();
    assert!(
        !chosen.is_empty() && chosen.len() < zones.len(),
        "{}",
        run.stdout
    );

    // The reader is gone before pz writes (as `| head` that has enough).
    let home = tempfile::tempdir().unwrap();
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_pz"))
        .args(["get", "-o", "json"])
        .env("CDK_BASE_URL", &base)
        .env("CDK_API_KEY", KEY)
        .env("XDG_CONFIG_HOME", home.path())
        .env("XDG_STATE_HOME", home.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().await.unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "",
        "no error for a closed pipe"
    );
    sb.shutdown().await;
}

#[tokio::test]
async fn bad_input_gives_one_clear_line_and_nonzero_exit() {
    let (sb, _) = start(options()).await;
    let base = sb.base_url();
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.yaml");
    std::fs::write(
        &bad,
        "apiVersion: v2\nkind: PartnerZone\nmetadata:\n  name: [oops\n",
    )
    .unwrap();
    let run = pz(&base, &["apply", "-f", bad.to_str().unwrap()], None).await;
    assert_eq!(run.code, 2, "a bad file is a usage error");
    let line = run.stderr.trim();
    assert_eq!(line.lines().count(), 1, "{line}");
    assert!(line.contains("bad.yaml:"), "{line}");
    assert!(!line.contains("panicked"));

    let invalid = dir.path().join("invalid.yaml");
    std::fs::write(
        &invalid,
        TWO_ZONES.replace("permission: WRITE", "permission: GHOST"),
    )
    .unwrap();
    let run = pz(&base, &["apply", "-f", invalid.to_str().unwrap()], None).await;
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("400"), "{}", run.stderr);
    assert!(run.stderr.contains("GHOST"), "{}", run.stderr);

    let run = pz(&base, &["get", "nope"], None).await;
    assert_eq!(run.code, 1);
    assert!(run.stderr.starts_with("pz: 404"), "{}", run.stderr);

    let run = pz("http://127.0.0.1:9", &["get"], None).await;
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("refused"), "{}", run.stderr);
    sb.shutdown().await;
}

#[tokio::test]
async fn delete_asks_and_credentials_print() {
    let (sb, c) = start(options()).await;
    let base = sb.base_url();
    let no = pz(&base, &["delete", "acme-logistics"], Some("delete\n")).await;
    assert_eq!(no.code, 1);
    assert!(c.get_zone("acme-logistics").await.is_ok());
    let yes = pz(&base, &["delete", "acme-logistics"], Some("DELETE\n")).await;
    assert_eq!(yes.code, 0, "{}", yes.stderr);
    assert!(c.get_zone("acme-logistics").await.is_err());
    let by_name = pz(
        &base,
        &["delete", "stark-payments"],
        Some("stark-payments\n"),
    )
    .await;
    assert_eq!(by_name.code, 0);
    let forced = pz(&base, &["delete", "globex-analytics", "--yes"], None).await;
    assert_eq!(forced.code, 0);

    let secret = pz(&base, &["credentials", "umbrella-research"], None).await;
    assert_eq!(secret.code, 0);
    assert_eq!(secret.stdout.trim().split('.').count(), 3);
    let props = pz(
        &base,
        &["credentials", "umbrella-research", "--properties"],
        None,
    )
    .await;
    // The sandbox names where its Gateway really listens.
    let dr = sb.kafka.iter().find(|l| l.cluster == "gateway-dr").unwrap();
    assert!(
        props
            .stdout
            .contains(&format!("bootstrap.servers={}\n", dr.addr)),
        "{}",
        props.stdout
    );
    assert!(
        props
            .stdout
            .contains("username='umbrella-research' password='ey")
    );
    assert!(!props.stdout.contains("***"));
    sb.shutdown().await;
}

#[tokio::test]
async fn flags_where_they_belong() {
    let (sb, c) = start(options()).await;
    let base = sb.base_url();
    // Read-only refuses changes, before and after the subcommand.
    for args in [
        &["--read-only", "credentials", "acme-logistics"][..],
        &["delete", "acme-logistics", "--yes", "--read-only"][..],
    ] {
        let run = pz(&base, args, None).await;
        assert_eq!(run.code, 2, "refused by the flags: a usage error");
        assert!(run.stderr.contains("read-only"), "{}", run.stderr);
    }
    assert!(c.get_zone("acme-logistics").await.is_ok());
    let run = pz(&base, &["get", "--read-only", "-o", "json"], None).await;
    assert_eq!(run.code, 0, "reading is fine: {}", run.stderr);

    // `pz sandbox` has exactly its own flags.
    let help = pz(&base, &["sandbox", "--help"], None).await;
    let mut flags: Vec<&str> = help
        .stdout
        .split_whitespace()
        .filter(|w| w.starts_with("--"))
        .collect();
    flags.sort();
    flags.dedup();
    assert_eq!(
        flags,
        [
            "--api-key-file",
            "--console-version",
            "--deploy-delay-ms",
            "--fail-rate",
            "--fail-seed",
            "--help",
            "--kafka-listen",
            "--kafka-tls",
            "--latency-ms",
            "--listen",
            "--state",
            "--token-ttl",
            "--user",
            "--viewer-key-file"
        ]
    );
    sb.shutdown().await;
}

/// kubectl's output forms on the sandbox's seed zones: `-o name` lines for
/// xargs, `-o wide` with the account, authentication, partner and labels,
/// `--sort-by` a column (the name breaking ties), `--no-headers`.
#[tokio::test]
async fn output_forms_as_kubectl() {
    let (sb, client) = start(options()).await;
    let base = sb.base_url();
    let mut names: Vec<String> = client
        .list_zones()
        .await
        .unwrap()
        .iter()
        .map(|z| format!("partnerzone/{}", z.metadata.name))
        .collect();
    names.sort();
    let run = pz(&base, &["get", "-o", "name"], None).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let mut got: Vec<String> = run.stdout.lines().map(str::to_string).collect();
    got.sort();
    assert_eq!(got, names);

    let wide = pz(&base, &["get", "-o", "wide"], None).await;
    let heading = wide.stdout.lines().next().unwrap();
    for column in ["URL", "SERVICE ACCOUNT", "AUTH", "PARTNER", "LABELS"] {
        assert!(heading.contains(column), "{heading}");
    }
    let acme = wide
        .stdout
        .lines()
        .find(|l| l.starts_with("acme-logistics"))
        .unwrap();
    assert!(acme.contains("project=logistics"), "{acme}");

    let sorted = pz(&base, &["get", "--sort-by", "topics", "--no-headers"], None).await;
    assert_eq!(sorted.code, 0, "{}", sorted.stderr);
    let mut counts = Vec::new();
    for l in sorted.stdout.lines() {
        let zone = l.split_whitespace().next().unwrap();
        assert!(names.contains(&format!("partnerzone/{zone}")), "{l}");
        counts.push(client.get_zone(zone).await.unwrap().spec.topics.len());
    }
    assert!(!counts.is_empty());
    assert!(
        counts.windows(2).all(|w| w[0] <= w[1]),
        "{counts:?}\n{}",
        sorted.stdout
    );
    assert!(!sorted.stdout.contains("NAME"), "no heading line");
    sb.shutdown().await;
}

/// `pz edit` as `kubectl edit`, with EDITOR set to scripts: a change is
/// applied (diff, Updated); no change cancels; invalid YAML reopens with
/// the error as a comment above the text, fixed there; a renamed zone is
/// refused and, left as is, kept with exit 1; an editor that cannot start
/// is one line.
#[tokio::test]
async fn edit_in_the_editor_as_kubectl() {
    let (sb, client) = start(options()).await;
    let base = sb.base_url();
    client
        .apply_zone(&zone("editable", "gateway-prod"), false)
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().display().to_string();
    let script = |name: &str, body: &str| {
        let path = dir.path().join(name);
        std::fs::write(
            &path,
            format!(
                "#!/bin/sh\nn=$(cat \"$EDIT_DIR/{name}.n\" 2>/dev/null || echo 0); n=$((n+1)); echo $n > \"$EDIT_DIR/{name}.n\"\ncp \"$1\" \"$EDIT_DIR/{name}.seen-$n\"\n{body}\n"
            ),
        )
        .unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        path.display().to_string()
    };
    let home = tempfile::tempdir().unwrap();
    let edit = async |editor: &str| {
        pz_env(
            &base,
            &["edit", "editable"],
            None,
            home.path(),
            &[
                ("CDK_API_KEY", KEY),
                ("EDITOR", editor),
                ("VISUAL", ""),
                ("EDIT_DIR", &d),
            ],
        )
        .await
    };

    let change = script(
        "change",
        "sed -i 's/^  displayName: .*/  displayName: Edited/' \"$1\"",
    );
    let run = edit(&change).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("+  displayName: Edited"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("PartnerZone/editable: Updated"),
        "{}",
        run.stdout
    );
    let z = client.get_zone("editable").await.unwrap();
    assert_eq!(z.spec.display_name.as_deref(), Some("Edited"));

    let run = edit(&script("nothing", "true")).await;
    assert_eq!(run.code, 0);
    assert!(
        run.stderr.contains("Edit cancelled, no changes made."),
        "{}",
        run.stderr
    );

    let broken = script(
        "broken",
        "if [ $n = 1 ]; then printf 'spec: [oops\\n' >> \"$1\"; else sed -i '/^spec: \\[oops$/d; s/^  displayName: .*/  displayName: Fixed/' \"$1\"; fi",
    );
    let run = edit(&broken).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let reopened = std::fs::read_to_string(dir.path().join("broken.seen-2")).unwrap();
    assert!(
        reopened.contains("# The edit could not be applied:"),
        "{reopened}"
    );
    assert!(
        reopened.contains("spec: [oops"),
        "the user's text is kept below: {reopened}"
    );
    let z = client.get_zone("editable").await.unwrap();
    assert_eq!(z.spec.display_name.as_deref(), Some("Fixed"));

    let rename = script(
        "rename",
        "if [ $n = 1 ]; then sed -i 's/^  name: editable$/  name: renamed/' \"$1\"; fi",
    );
    let run = edit(&rename).await;
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("metadata.name cannot be changed"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("your changes are kept in"),
        "{}",
        run.stderr
    );
    let kept = run
        .stderr
        .split("kept in ")
        .nth(1)
        .unwrap()
        .split(" (0600)")
        .next()
        .unwrap();
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(kept).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    assert!(client.get_zone("renamed").await.is_err());

    let run = edit("/nonexistent/editor").await;
    assert_ne!(run.code, 0);
    assert!(
        run.stderr.contains("cannot start the editor"),
        "{}",
        run.stderr
    );
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    sb.shutdown().await;
}
