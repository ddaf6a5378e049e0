# failsafe: keep the shim directory first on PATH in the AGENT's login shells.
#
# Login shells rebuild PATH (Debian's /etc/profile resets it; ~/.profile prepends
# ~/.local/bin), so an agent that runs `bash -lc …` or `zsh -lc …` would lose the shims
# it was started with. This snippet puts them back in front — but only when the
# environment says it is the agent's: FAILSAFE_AGENT=1, which only the agent's launcher
# (or its devcontainer / CI job) sets. Your own terminal does not set it, so your shells
# stay unshimmed and this file does nothing there.
#
#   FAILSAFE_AGENT=1   set by the agent's environment; nothing happens without it
#   FAILSAFE_SHIMS     the shim directory (default: $XDG_DATA_HOME/failsafe/shims,
#                      else ~/.local/share/failsafe/shims)
#
# Installed by `install/install.sh --agent-profile` (a guarded block at the end of
# ~/.profile, ~/.bash_profile, ~/.bashrc, ~/.zlogin), or as /etc/profile.d/failsafe.sh
# for a dedicated agent user or container. POSIX sh; safe to source more than once.
if [ "${FAILSAFE_AGENT:-}" = 1 ]; then
    _failsafe_shims="${FAILSAFE_SHIMS:-${XDG_DATA_HOME:-$HOME/.local/share}/failsafe/shims}"
    if [ -d "$_failsafe_shims" ]; then
        # Drop every other copy of the shim dir, then put it first.
        _failsafe_rest=
        _failsafe_ifs=$IFS
        IFS=:
        case $- in *f*) _failsafe_noglob=1 ;; *) _failsafe_noglob= ; set -f ;; esac
        for _failsafe_dir in $PATH; do
            if [ "$_failsafe_dir" != "$_failsafe_shims" ]; then
                _failsafe_rest="${_failsafe_rest:+$_failsafe_rest:}$_failsafe_dir"
            fi
        done
        [ -n "$_failsafe_noglob" ] || set +f
        IFS=$_failsafe_ifs
        PATH="$_failsafe_shims${_failsafe_rest:+:$_failsafe_rest}"
        export PATH
        unset _failsafe_rest _failsafe_ifs _failsafe_noglob _failsafe_dir
    fi
    unset _failsafe_shims
fi
