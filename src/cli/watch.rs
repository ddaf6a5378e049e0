//! `failsafe watch`: a live view of every pane's decisions, for the human's own terminal.
//!
//! Pending approvals at the top (↑/↓ select, `a` approve, `d` deny, `l` lock the pane
//! down), then the newest decisions, refusals and mode changes highlighted. It follows
//! the log by re-reading its tail every half second through the log room's snapshot, so
//! rotation is followed. No colour with `NO_COLOR`; narrow terminals get shortened lines.
//! Refused from a guarded context: its keys approve and lock down.

use super::guard::refuse_if_guarded;
use super::{approve, err};
use crate::approvals::{self, Approval, State};
use crate::exit;
use crate::lockdown::{self, By, Lockdown};
use crate::log::{self, DecisionRecord};
use crate::mode::{now_secs, PaneId};
use ratatui::crossterm::event::{self, Event, KeyCode, KeyEventKind};
use ratatui::layout::{Constraint, Layout};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, List, ListItem, ListState, Paragraph};
use ratatui::{DefaultTerminal, Frame};
use std::path::Path;
use std::time::Duration;

/// How many log records the view keeps.
const TAIL: usize = 200;

struct View {
    pending: Vec<Approval>,
    records: Vec<DecisionRecord>,
    selected: ListState,
    status: String,
    colour: bool,
}

/// Runs `failsafe watch`.
pub fn run() -> i32 {
    if let Err(code) = refuse_if_guarded("watch") {
        return code;
    }
    let dir = super::config_dir();
    let mut terminal = ratatui::init();
    let result = watch(&mut terminal, &dir);
    ratatui::restore();
    match result {
        Ok(()) => exit::OK,
        Err(e) => {
            err(&format!("failsafe: watch stopped: {e}\n"));
            exit::NO
        }
    }
}

fn refresh(view: &mut View, dir: &Path) {
    view.records = log::read_records(dir, Some(TAIL)).unwrap_or_default();
    if let Ok(mut locked) = approvals::lock(dir) {
        locked.sweep(now_secs());
        view.pending = locked
            .store
            .approvals
            .iter()
            .filter(|a| a.state == State::Pending)
            .cloned()
            .collect();
    }
    let n = view.pending.len();
    match view.selected.selected() {
        _ if n == 0 => view.selected.select(None),
        None => view.selected.select(Some(0)),
        Some(i) if i >= n => view.selected.select(Some(n - 1)),
        Some(_) => {}
    }
}

fn watch(terminal: &mut DefaultTerminal, dir: &Path) -> std::io::Result<()> {
    let mut view = View {
        pending: Vec::new(),
        records: Vec::new(),
        selected: ListState::default(),
        status: "a approve · d deny · l lock the pane down · ↑↓ select · q quit".to_string(),
        colour: std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
    };
    loop {
        refresh(&mut view, dir);
        terminal.draw(|f| draw(f, &mut view))?;
        if !event::poll(Duration::from_millis(500))? {
            continue;
        }
        let Event::Key(key) = event::read()? else {
            continue;
        };
        if key.kind != KeyEventKind::Press {
            continue;
        }
        let chosen = view
            .selected
            .selected()
            .and_then(|i| view.pending.get(i))
            .cloned();
        match (key.code, chosen) {
            (KeyCode::Char('q') | KeyCode::Esc, _) => return Ok(()),
            (KeyCode::Down | KeyCode::Char('j'), _) => view.selected.select_next(),
            (KeyCode::Up | KeyCode::Char('k'), _) => view.selected.select_previous(),
            (KeyCode::Char('a'), Some(a)) => {
                view.status = match approve::decide(dir, &a.id, true) {
                    Ok(a) => format!("approved {} once: {}", a.id, a.command),
                    Err(e) => format!("failsafe: {e}"),
                }
            }
            (KeyCode::Char('d'), Some(a)) => {
                view.status = match approve::decide(dir, &a.id, false) {
                    Ok(a) => format!("denied {}: {}", a.id, a.command),
                    Err(e) => format!("failsafe: {e}"),
                }
            }
            (KeyCode::Char('l'), Some(a)) => {
                let l = Lockdown {
                    by: By::Human,
                    reason: "locked down from failsafe watch".to_string(),
                    at: now_secs(),
                };
                let pane = PaneId::new(&a.pane);
                view.status = match lockdown::set(dir, Some(&pane), &l) {
                    Ok(()) => format!("locked down pane {pane}; lift with `failsafe lockdown --off --pane {pane}`"),
                    Err(e) => format!("failsafe: cannot lock down pane {pane}: {e}"),
                }
            }
            _ => {}
        }
    }
}

fn style(view: &View, colour: Color) -> Style {
    if view.colour {
        Style::default().fg(colour).add_modifier(Modifier::BOLD)
    } else {
        Style::default().add_modifier(Modifier::BOLD)
    }
}

fn draw(f: &mut Frame, view: &mut View) {
    let pending_rows = u16::try_from(view.pending.len().clamp(1, 8)).unwrap_or(8) + 2;
    let [top, middle, bottom] = Layout::vertical([
        Constraint::Length(pending_rows),
        Constraint::Min(3),
        Constraint::Length(1),
    ])
    .areas(f.area());
    let now = now_secs();
    let items: Vec<ListItem> = if view.pending.is_empty() {
        vec![ListItem::new("nothing is waiting for approval")]
    } else {
        view.pending
            .iter()
            .map(|a| {
                ListItem::new(format!(
                    "{}  {}  [{}] pane {} · {} · {}s ago",
                    a.id,
                    a.command,
                    if a.target.is_empty() { "-" } else { &a.target },
                    a.pane,
                    a.rule,
                    now.saturating_sub(a.requested_at)
                ))
            })
            .collect()
    };
    let list = List::new(items)
        .block(
            Block::default()
                .borders(Borders::ALL)
                .title("pending approvals"),
        )
        .highlight_symbol("> ")
        .highlight_style(style(view, Color::Cyan));
    f.render_stateful_widget(list, top, &mut view.selected);
    let rows = usize::from(middle.height.saturating_sub(2));
    let lines: Vec<Line> = view
        .records
        .iter()
        .rev()
        .take(rows)
        .rev()
        .map(|r| {
            let what = log::describe(r);
            let time = r.time.get(11..19).unwrap_or(&r.time);
            let text = format!("{time} {:<8} {:<10} {what}", r.pane, r.decision);
            let highlighted = match r.decision.as_str() {
                "block" | "ask" => Some(Color::Red),
                "mode" | "lockdown" | "breaker" => Some(Color::Yellow),
                _ => None,
            };
            match highlighted {
                Some(c) => Line::styled(text, style(view, c)),
                None => Line::from(text),
            }
        })
        .collect();
    let log_view = Paragraph::new(lines).block(
        Block::default()
            .borders(Borders::ALL)
            .title("decisions, every pane"),
    );
    f.render_widget(log_view, middle);
    f.render_widget(Paragraph::new(view.status.as_str()), bottom);
}
