#!/bin/sh
# failsafe for tmux: toggle a pane between read and write, and keep its status badge.
#
#   failsafe-tmux.sh toggle PANE   flip PANE's mode, update its badge, say what changed
#   failsafe-tmux.sh sync PANE     set PANE's badge (@failsafe_mode) from failsafe
#   failsafe-tmux.sh status PANE   print the badge text (for #() in a status line)
#
# PANE is a tmux pane id (%3): the agent in that pane has TMUX_PANE=%3, which is the pane
# failsafe judges it by (unless the agent sets FAILSAFE_PANE). Built on
# `failsafe mode get --json` and `failsafe toggle --json`. Run by tmux key bindings and
# status lines (see failsafe.tmux), so it runs with the tmux server's environment: start
# the server from your own terminal, where the shims are not on PATH — `failsafe toggle`
# refuses to run from the agent's.
set -u

fs="${FAILSAFE_BIN:-}"
if [ -z "$fs" ]; then
    fs="$(command -v failsafe 2>/dev/null)" || fs="$HOME/.local/bin/failsafe"
fi

# The "mode" field of failsafe's JSON answer (one field per line).
mode_field() { sed -n 's/^ *"mode": *"\([a-z]*\)".*/\1/p'; }

# A pane's mode belongs to this tmux server (failsafe's pane incarnation), and this
# script runs outside the pane, so it names the server the way failsafe does.
incarnation="tmux:$(tmux display-message -p '#{socket_path},#{pid}' 2>/dev/null)"

mode_of() { "$fs" mode get --pane "$1" --incarnation "$incarnation" --json 2>/dev/null | mode_field; }

[ $# -eq 2 ] || { echo "usage: $0 toggle|sync|status PANE" >&2; exit 2; }
pane="$2"
case "$1" in
    toggle)
        if answer="$("$fs" toggle --pane "$pane" --incarnation "$incarnation" --json 2>&1)"; then
            new="$(printf '%s\n' "$answer" | mode_field)"
            tmux set-option -p -t "$pane" @failsafe_mode "$new"
            tmux refresh-client -S 2>/dev/null
            tmux display-message "failsafe: pane $pane is now in $new mode"
        else
            tmux display-message "$(printf '%s\n' "$answer" | head -n 1)"
        fi
        ;;
    sync)
        mode="$(mode_of "$pane")"
        [ -z "$mode" ] || tmux set-option -p -t "$pane" @failsafe_mode "$mode"
        ;;
    status)
        case "$(mode_of "$pane")" in
            write) printf '#[fg=white,bg=red,bold] RW #[default]' ;;
            read) printf '#[fg=black,bg=green] RO #[default]' ;;
            *) printf '#[fg=black,bg=yellow] ?? #[default]' ;;
        esac
        ;;
    *) echo "usage: $0 toggle|sync|status PANE" >&2; exit 2 ;;
esac
