#!/bin/sh
# failsafe badge for Claude Code's status line: prints `failsafe RO` or `failsafe RW` for
# the pane Claude Code runs in (its TMUX_PANE, WEZTERM_PANE, … or FAILSAFE_PANE), with
# the directory and model Claude Code passes on stdin when jq is there.
#
# ~/.claude/settings.json:
#   { "statusLine": { "type": "command",
#                     "command": "~/.local/share/failsafe/terminal/claude-code/failsafe-statusline.sh" } }
#
# Built on `failsafe mode get --json`, which is allowed from the agent's side (only
# changing the mode is refused there). Flip the mode from your own terminal with
# `failsafe toggle --pane …` or the tmux / WezTerm key.
set -u
input="$(cat)"

fs="${FAILSAFE_BIN:-}"
if [ -z "$fs" ]; then
    fs="$(command -v failsafe 2>/dev/null)" || fs="$HOME/.local/bin/failsafe"
fi
mode="$("$fs" mode get --json 2>/dev/null | sed -n 's/^ *"mode": *"\([a-z]*\)".*/\1/p')"
case "$mode" in
    write) badge="$(printf '\033[1;37;41m failsafe RW \033[0m')" ;;
    read) badge="$(printf '\033[30;42m failsafe RO \033[0m')" ;;
    *) badge="$(printf '\033[30;43m failsafe ?? \033[0m')" ;;
esac
extra=""
if command -v jq >/dev/null 2>&1 && [ -n "$input" ]; then
    extra="$(printf '%s' "$input" | jq -r '"\(.model.display_name // "") \(.workspace.current_dir // .cwd // "" | split("/") | last)"' 2>/dev/null || true)"
fi
printf '%s %s\n' "$badge" "$extra"
