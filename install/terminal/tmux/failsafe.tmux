# failsafe for tmux: prefix + F flips the current pane between read and write; the status
# line shows the current pane's mode (green RO, red RW).
#
#   source-file ~/path/to/failsafe/install/terminal/tmux/failsafe.tmux   # in ~/.tmux.conf
#
# Needs tmux 3.0 or newer (pane options). The helper script is found through
# FAILSAFE_TMUX in the tmux server's environment, else in the copy install.sh makes:
#   set-environment -g FAILSAFE_TMUX /path/to/install/terminal/tmux/failsafe-tmux.sh

bind-key F run-shell 'sh "${FAILSAFE_TMUX:-${XDG_DATA_HOME:-$HOME/.local/share}/failsafe/terminal/tmux/failsafe-tmux.sh}" toggle "#{pane_id}"'

# The badge: the pane option @failsafe_mode, set at once by the key and refreshed by the
# #() job (which prints nothing) every status-interval, so a toggle from another terminal
# or an expired write mode shows up too.
set-option -ag status-right '#(sh "${FAILSAFE_TMUX:-${XDG_DATA_HOME:-$HOME/.local/share}/failsafe/terminal/tmux/failsafe-tmux.sh}" sync "#{pane_id}")#{?#{==:#{@failsafe_mode},write},#[fg=white bg=red bold] RW #[default],#[fg=black bg=green] RO #[default]}'
set-option -g status-interval 5
