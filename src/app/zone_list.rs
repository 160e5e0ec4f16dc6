//! The zone list's state: the zones, the filter, the sort and the selection.
//! The visible rows are recomputed here when the input changes, never while
//! rendering, so 10,000 zones scroll and filter without lag.

use std::cmp::Ordering;

use crate::api::{ZoneRow, ZoneRows, ZoneStatus};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SortKey {
    Name,
    Status,
    Topics,
    Gateway,
    Updated,
}

impl SortKey {
    pub fn next(self) -> SortKey {
        match self {
            SortKey::Name => SortKey::Status,
            SortKey::Status => SortKey::Topics,
            SortKey::Topics => SortKey::Gateway,
            SortKey::Gateway => SortKey::Updated,
            SortKey::Updated => SortKey::Name,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            SortKey::Name => "name",
            SortKey::Status => "status",
            SortKey::Topics => "topics",
            SortKey::Gateway => "gateway",
            SortKey::Updated => "updated",
        }
    }
}

#[derive(Clone, Debug)]
pub struct ZoneList {
    /// What the list needs of each zone (an action needing more fetches
    /// the zone: `App::zone_for`).
    zones: ZoneRows,
    /// Lowercased search text of every zone, built when a filter first
    /// needs it (not for a list nobody filters), then once per refresh.
    haystacks: Option<Haystacks>,
    /// Indices into `zones`, filtered and sorted.
    visible: Vec<usize>,
    pub filter: String,
    /// The filter as it is typed (`filter` follows it).
    pub input: crate::app::input::TextInput,
    pub filtering: bool,
    pub sort: SortKey,
    pub descending: bool,
    /// Position in `visible`.
    pub selected: usize,
    /// First visible row of the viewport.
    pub offset: usize,
    /// The summary line's counts, computed once per refresh (not per frame).
    counts: Counts,
}

/// What the summary line and the table's columns need of every zone.
#[derive(Clone, Debug, Default, PartialEq)]
struct Counts {
    topics: usize,
    pending: usize,
    failed: usize,
    labelled: bool,
    /// The longest Gateway name, in characters.
    gateway_width: usize,
}

impl Counts {
    fn of(zones: &ZoneRows) -> Counts {
        let mut c = Counts::default();
        for z in zones.iter() {
            c.topics += z.topics();
            match z.status() {
                Some(ZoneStatus::Pending) => c.pending += 1,
                Some(ZoneStatus::Failed) => c.failed += 1,
                _ => {}
            }
            c.labelled |= z.has_labels();
            c.gateway_width = c.gateway_width.max(z.cluster().chars().count());
        }
        c
    }
}

impl Default for ZoneList {
    fn default() -> Self {
        ZoneList {
            zones: ZoneRows::new(),
            counts: Counts::default(),
            haystacks: None,
            visible: Vec::new(),
            filter: String::new(),
            input: Default::default(),
            filtering: false,
            sort: SortKey::Name,
            descending: false,
            selected: 0,
            offset: 0,
        }
    }
}

/// The zones' search texts in one buffer (one allocation, not one per
/// zone): zone `i`'s is `text[ends[i - 1]..ends[i]]`.
#[derive(Clone, Debug, Default)]
struct Haystacks {
    text: String,
    ends: Vec<usize>,
}

impl Haystacks {
    fn of(zones: &ZoneRows) -> Haystacks {
        let mut h = Haystacks {
            text: String::with_capacity(zones.len() * 128),
            ends: Vec::with_capacity(zones.len()),
        };
        for z in zones.iter() {
            h.push(z);
        }
        h.text.shrink_to_fit();
        h
    }

    fn push(&mut self, z: ZoneRow<'_>) {
        let s = &mut self.text;
        for part in [
            Some(z.name()),
            z.id(),
            z.display_name(),
            z.url(),
            Some(z.cluster()),
            z.partner_name(),
            z.partner_email(),
        ]
        .into_iter()
        .flatten()
        {
            push_lower(s, part);
            s.push('\u{1f}');
        }
        for (k, v) in z.labels() {
            push_lower(s, k);
            s.push('=');
            push_lower(s, v);
            s.push('\u{1f}');
        }
        self.ends.push(s.len());
    }

    fn get(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.text[start..self.ends[i]]
    }
}

/// Appends `part` lowercased as the filter's needle is (`str::to_lowercase`),
/// without an allocation when it is ASCII.
fn push_lower(s: &mut String, part: &str) {
    if part.is_ascii() {
        s.extend(part.bytes().map(|b| char::from(b.to_ascii_lowercase())));
    } else {
        s.push_str(&part.to_lowercase());
    }
}

fn status_rank(z: ZoneRow<'_>) -> u8 {
    match z.status() {
        Some(ZoneStatus::Failed) => 0,
        Some(ZoneStatus::Pending) => 1,
        Some(ZoneStatus::Ready) => 2,
        _ => 3,
    }
}

impl ZoneList {
    pub fn zones(&self) -> &ZoneRows {
        &self.zones
    }

    pub fn visible_len(&self) -> usize {
        self.visible.len()
    }

    /// The zones of the rows `range` of the filtered, sorted list.
    pub fn visible_rows(
        &self,
        start: usize,
        end: usize,
    ) -> impl Iterator<Item = (usize, ZoneRow<'_>)> {
        let end = end.min(self.visible.len());
        let start = start.min(end);
        self.visible[start..end]
            .iter()
            .enumerate()
            .filter_map(move |(i, &z)| Some((start + i, self.zones.get(z)?)))
    }

    pub fn selected_zone(&self) -> Option<ZoneRow<'_>> {
        self.visible
            .get(self.selected)
            .and_then(|&i| self.zones.get(i))
    }

    /// The name of the selected zone.
    pub fn selected_name(&self) -> Option<String> {
        self.selected_zone().map(|z| z.name().to_string())
    }

    /// Replaces the zones, keeping the selected zone selected if it still
    /// exists (by name).
    pub fn set_zones(&mut self, zones: impl Into<ZoneRows>) {
        let zones = zones.into();
        let keep = self.selected_name();
        self.counts = Counts::of(&zones);
        self.zones = zones;
        // Built again by the first filter that needs them; at once while
        // `/` is open, so that its next key is as quick as the last.
        self.haystacks = None;
        if self.filtering {
            self.prepare_filter();
        }
        self.recompute(keep.as_deref());
    }

    /// Builds the search texts if they are not yet: when `/` is pressed,
    /// so that the first key typed is as quick as the next.
    pub fn prepare_filter(&mut self) {
        if self.haystacks.is_none() {
            self.haystacks = Some(Haystacks::of(&self.zones));
        }
    }

    pub fn set_filter(&mut self, filter: String) {
        let keep = self.selected_name();
        self.filter = filter;
        self.recompute(keep.as_deref());
    }

    pub fn set_sort(&mut self, sort: SortKey, descending: bool) {
        let keep = self.selected_name();
        self.sort = sort;
        self.descending = descending;
        self.recompute(keep.as_deref());
    }

    pub fn select_name(&mut self, name: &str) {
        if let Some(pos) = self
            .visible
            .iter()
            .position(|&i| self.zones.get(i).is_some_and(|z| z.name() == name))
        {
            self.selected = pos;
        }
    }

    fn recompute(&mut self, keep: Option<&str>) {
        let needle = self.filter.to_lowercase();
        let needle = needle.trim();
        // `key=value` (and the rest of kubectl's `-l`) selects by label,
        // exactly; any other text is looked for in the zone's fields.
        let selector = needle
            .contains('=')
            .then(|| crate::api::selector::Selector::parse(self.filter.trim()).ok())
            .flatten();
        if selector.is_none() && !needle.is_empty() {
            self.prepare_filter();
        }
        let haystacks = self.haystacks.as_ref();
        let zones = &self.zones;
        self.visible = (0..zones.len())
            .filter(|&i| match (&selector, haystacks) {
                (Some(sel), _) => zones
                    .get(i)
                    .is_some_and(|z| sel.matches_by(|key| z.label(key))),
                (None, Some(h)) if !needle.is_empty() => h.get(i).contains(needle),
                (None, _) => true,
            })
            .collect();
        let cmp = |a: &usize, b: &usize| -> Ordering {
            let (Some(za), Some(zb)) = (zones.get(*a), zones.get(*b)) else {
                return Ordering::Equal;
            };
            let primary = match self.sort {
                SortKey::Name => Ordering::Equal,
                SortKey::Status => status_rank(za).cmp(&status_rank(zb)),
                SortKey::Topics => za.topics().cmp(&zb.topics()),
                SortKey::Gateway => za.cluster().cmp(zb.cluster()),
                // RFC 3339 in UTC sorts as text.
                SortKey::Updated => za.updated_at().cmp(&zb.updated_at()),
            };
            primary.then_with(|| za.name().cmp(zb.name()))
        };
        self.visible.sort_by(cmp);
        if self.descending {
            self.visible.reverse();
        }
        self.selected = 0;
        if let Some(name) = keep {
            self.select_name(name);
        }
        self.clamp();
    }

    fn clamp(&mut self) {
        if self.visible.is_empty() {
            self.selected = 0;
        } else if self.selected >= self.visible.len() {
            self.selected = self.visible.len() - 1;
        }
    }

    /// Moves the selection by `delta` rows (clamped).
    pub fn move_by(&mut self, delta: isize) {
        if self.visible.is_empty() {
            return;
        }
        let last = self.visible.len() as isize - 1;
        self.selected = (self.selected as isize + delta).clamp(0, last) as usize;
    }

    /// Selects the zone shown at `index` (a click), kept in a viewport of
    /// `rows` rows.
    pub fn select_index(&mut self, index: usize, rows: usize) {
        self.selected = index;
        self.clamp();
        self.ensure_visible(rows);
    }

    pub fn top(&mut self) {
        self.selected = 0;
    }

    pub fn bottom(&mut self) {
        self.selected = self.visible.len().saturating_sub(1);
    }

    /// Scrolls so that the selection is inside a viewport of `rows` rows.
    pub fn ensure_visible(&mut self, rows: usize) {
        let rows = rows.max(1);
        if self.selected < self.offset {
            self.offset = self.selected;
        } else if self.selected >= self.offset + rows {
            self.offset = self.selected + 1 - rows;
        }
        let max_offset = self.visible.len().saturating_sub(rows);
        self.offset = self.offset.min(max_offset);
    }

    pub fn total_topics(&self) -> usize {
        self.counts.topics
    }

    /// How many zones are PENDING or FAILED (other statuses: not counted).
    pub fn count_status(&self, status: &ZoneStatus) -> usize {
        match status {
            ZoneStatus::Pending => self.counts.pending,
            ZoneStatus::Failed => self.counts.failed,
            _ => self
                .zones
                .iter()
                .filter(|z| z.status().as_ref() == Some(status))
                .count(),
        }
    }

    pub fn any_pending(&self) -> bool {
        self.counts.pending > 0
    }

    /// The longest Gateway name among the zones, in characters.
    pub fn gateway_width(&self) -> usize {
        self.counts.gateway_width
    }

    /// Whether any zone has labels (the LABELS column).
    pub fn any_labelled(&self) -> bool {
        self.counts.labelled
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::api::PartnerZone;

    pub fn zone(name: &str, status: ZoneStatus, topics: usize, cluster: &str) -> PartnerZone {
        let mut z: PartnerZone = serde_json::from_value(serde_json::json!({
            "apiVersion": "v2", "kind": "PartnerZone",
            "metadata": {"name": name, "status": status.as_str(),
                         "updatedAt": format!("2026-01-01T00:00:{:02}Z", name.len() % 60),
                         "id": "00000000-0000-0000-0000-000000000000"},
            "spec": {"cluster": cluster, "displayName": name.to_uppercase(),
                     "serviceAccount": name, "url": format!("https://{name}.example"),
                     "partner": {"name": format!("Partner of {name}")}}
        }))
        .unwrap();
        for i in 0..topics {
            z.spec.topics.push(crate::api::ZoneTopic {
                name: compact_str::format_compact!("t{i}"),
                backing_topic: compact_str::format_compact!("b{i}"),
                ..Default::default()
            });
        }
        z
    }

    /// A console at `now` with READY zones of these names loaded.
    pub fn app_with(names: &[&str], now: chrono::DateTime<chrono::Utc>) -> crate::app::App {
        let mut a = crate::app::App::new(
            crate::theme::Theme::default(),
            crate::api::ConnectionInfo::default(),
            now,
        );
        let zones: Vec<_> = names
            .iter()
            .map(|n| zone(n, ZoneStatus::Ready, 2, "g"))
            .collect();
        a.update(crate::app::Action::ZonesLoaded(Ok(zones.into())));
        a
    }

    /// Runs `action`, answering the zone fetches it makes with `zones`, as
    /// the Console would.
    pub fn serving(
        a: &mut crate::app::App,
        action: crate::app::Action,
        zones: &[PartnerZone],
    ) -> Vec<crate::app::Effect> {
        let mut fx = a.update(action);
        for _ in 0..4 {
            let [crate::app::Effect::FetchZone(name)] = &fx[..] else {
                break;
            };
            let name = name.clone();
            let found = zones.iter().find(|z| z.metadata.name == name).cloned();
            let answer = found.ok_or_else(|| {
                crate::api::ApiError::NotFound(crate::api::ErrorBody::new("not found", &name))
            });
            fx = a.update(crate::app::Action::ZoneLoaded(name, answer));
        }
        fx
    }

    /// The same, for a console of `app_with`'s zones.
    pub fn served(a: &mut crate::app::App, action: crate::app::Action) -> Vec<crate::app::Effect> {
        let zones: Vec<_> = a
            .list
            .zones()
            .iter()
            .map(|z| zone(z.name(), ZoneStatus::Ready, 2, "g"))
            .collect();
        serving(a, action, &zones)
    }

    fn names(l: &ZoneList) -> Vec<String> {
        l.visible_rows(0, usize::MAX)
            .map(|(_, z)| z.name().to_string())
            .collect()
    }

    fn sample_zones() -> Vec<PartnerZone> {
        vec![
            zone("charlie", ZoneStatus::Ready, 1, "gw-a"),
            zone("alpha", ZoneStatus::Failed, 3, "gw-b"),
            zone("bravo", ZoneStatus::Pending, 2, "gw-a"),
        ]
    }

    fn sample() -> ZoneList {
        let mut l = ZoneList::default();
        l.set_zones(sample_zones());
        l
    }

    #[test]
    fn a_label_filter_selects_by_label() {
        let mut zones = vec![
            zone("alpha", ZoneStatus::Ready, 1, "gw-a"),
            zone("bravo", ZoneStatus::Ready, 1, "gw-a"),
        ];
        zones[0].metadata.labels.insert("env", "prod");
        zones[1].metadata.labels.insert("env", "production");
        let mut l = ZoneList::default();
        l.set_zones(zones);
        l.set_filter("env=prod".into());
        assert_eq!(l.visible_len(), 1);
        assert_eq!(l.selected_zone().unwrap().name(), "alpha");
        l.set_filter("env!=prod".into());
        assert_eq!(l.selected_zone().unwrap().name(), "bravo");
        // Without '=' the labels are searched as text too.
        l.set_filter("production".into());
        assert_eq!(l.visible_len(), 1);
    }

    #[test]
    fn filters_on_name_url_gateway_and_partner() {
        let mut l = sample();
        assert_eq!(names(&l), ["alpha", "bravo", "charlie"]);
        l.set_filter("gw-a".into());
        assert_eq!(names(&l), ["bravo", "charlie"]);
        l.set_filter("PARTNER OF AL".into());
        assert_eq!(names(&l), ["alpha"]);
        l.set_filter("charlie.example".into());
        assert_eq!(names(&l), ["charlie"]);
        l.set_filter("zzz".into());
        assert!(names(&l).is_empty());
        assert!(l.selected_zone().is_none());
    }

    #[test]
    fn search_texts_are_built_only_once_a_filter_needs_them() {
        let mut l = sample();
        assert!(l.haystacks.is_none(), "nobody filtered: no search texts");
        l.set_filter("gw-b".into());
        assert_eq!(names(&l), ["alpha"]);
        assert!(l.haystacks.is_some());
        // A refresh while the filter is in use keeps them current.
        let mut zones = sample_zones();
        zones[0].spec.cluster = "gw-b".into();
        l.set_zones(zones.as_slice());
        assert_eq!(names(&l), ["alpha", "charlie"]);
        // Cleared: the next refresh drops them.
        l.set_filter(String::new());
        l.set_zones(zones);
        assert!(l.haystacks.is_none());
        l.prepare_filter();
        assert_eq!(l.haystacks.as_ref().unwrap().ends.len(), 3);
    }

    #[test]
    fn the_filter_finds_the_id_and_text_beyond_ascii() {
        let mut zones = vec![
            zone("alpha", ZoneStatus::Ready, 1, "gw-a"),
            zone("bravo", ZoneStatus::Ready, 1, "gw-a"),
        ];
        zones[1].metadata.id = Some("7F3A-id".into());
        zones[1].spec.partner.as_mut().unwrap().name = "Ärzte Größe".into();
        let mut l = ZoneList::default();
        l.set_zones(zones);
        l.set_filter("7f3a".into());
        assert_eq!(names(&l), ["bravo"]);
        l.set_filter("ÄRZTE GRÖSSE".to_lowercase());
        assert!(names(&l).is_empty(), "lowercase, not case folding");
        l.set_filter("ärzte größe".into());
        assert_eq!(names(&l), ["bravo"]);
        l.set_filter("ÄRZTE".into());
        assert_eq!(names(&l), ["bravo"]);
    }

    #[test]
    fn sorts_by_each_column() {
        let mut l = sample();
        l.set_sort(SortKey::Status, false);
        assert_eq!(names(&l), ["alpha", "bravo", "charlie"]);
        l.set_sort(SortKey::Topics, true);
        assert_eq!(names(&l), ["alpha", "bravo", "charlie"]);
        l.set_sort(SortKey::Topics, false);
        assert_eq!(names(&l), ["charlie", "bravo", "alpha"]);
        l.set_sort(SortKey::Gateway, false);
        assert_eq!(names(&l), ["bravo", "charlie", "alpha"]);
    }

    #[test]
    fn selection_is_kept_across_refreshes_and_sorts() {
        let mut l = sample();
        l.select_name("charlie");
        l.set_sort(SortKey::Status, true);
        assert_eq!(l.selected_zone().unwrap().name(), "charlie");
        let mut zones = sample_zones();
        zones.insert(0, zone("aardvark", ZoneStatus::Ready, 1, "gw"));
        l.set_zones(zones.as_slice());
        assert_eq!(l.selected_zone().unwrap().name(), "charlie");
        // The selected zone disappears: the selection stays in range.
        l.set_zones(l.zones().without("charlie"));
        assert!(l.selected_zone().is_some());
    }

    #[test]
    fn scrolling_keeps_the_selection_in_view() {
        let mut l = ZoneList::default();
        l.set_zones(
            (0..100)
                .map(|i| zone(&format!("z{i:03}"), ZoneStatus::Ready, 1, "gw"))
                .collect::<Vec<_>>(),
        );
        l.move_by(30);
        l.ensure_visible(10);
        assert_eq!((l.selected, l.offset), (30, 21));
        l.move_by(-25);
        l.ensure_visible(10);
        assert_eq!((l.selected, l.offset), (5, 5));
        l.bottom();
        l.ensure_visible(10);
        assert_eq!((l.selected, l.offset), (99, 90));
        l.move_by(1000);
        assert_eq!(l.selected, 99);
    }
}
