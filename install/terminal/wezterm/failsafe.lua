-- failsafe for WezTerm: CTRL+SHIFT+F flips the current pane between read and write, and
-- the right status shows the current pane's mode (green RO, red RW).
--
-- In ~/.wezterm.lua:
--   local wezterm = require 'wezterm'
--   local config = wezterm.config_builder()
--   package.path = package.path .. ';' .. wezterm.home_dir .. '/.local/share/failsafe/terminal/wezterm/?.lua'
--   require('failsafe').apply(config)            -- or .apply(config, { key = 'F', mods = 'CTRL|SHIFT', bin = '/path/to/failsafe' })
--   return config
--
-- The agent in a WezTerm pane has WEZTERM_PANE set to that pane's id, which is the pane
-- failsafe judges it by (unless the agent sets FAILSAFE_PANE or runs inside tmux).
-- Built on `failsafe mode get --json` and `failsafe toggle --json`. WezTerm runs them
-- with its own environment, which is yours, not the agent's: `toggle` refuses to run
-- where the shims are on PATH.
local wezterm = require 'wezterm'

local M = {}

local function json_mode(text)
  return text and text:match('"mode"%s*:%s*"(%a+)"')
end

function M.apply(config, opts)
  opts = opts or {}
  local bin = opts.bin or (wezterm.home_dir .. '/.local/bin/failsafe')

  local function mode_of(pane_id)
    local ok, stdout = wezterm.run_child_process({ bin, 'mode', 'get', '--pane', tostring(pane_id), '--json' })
    return ok and json_mode(stdout) or nil
  end

  config.keys = config.keys or {}
  table.insert(config.keys, {
    key = opts.key or 'F',
    mods = opts.mods or 'CTRL|SHIFT',
    action = wezterm.action_callback(function(window, pane)
      local id = tostring(pane:pane_id())
      local ok, stdout, stderr = wezterm.run_child_process({ bin, 'toggle', '--pane', id, '--json' })
      local message
      if ok then
        message = 'pane ' .. id .. ' is now in ' .. (json_mode(stdout) or '?') .. ' mode'
      else
        message = (stderr or ''):match('[^\n]*') or 'toggle failed'
      end
      window:toast_notification('failsafe', message, nil, 4000)
      window:set_right_status(M.badge(mode_of(id)))
    end),
  })

  config.status_update_interval = config.status_update_interval or 2000
  wezterm.on('update-right-status', function(window, pane)
    window:set_right_status(M.badge(mode_of(pane:pane_id())))
  end)
end

function M.badge(mode)
  if mode == 'write' then
    return wezterm.format({ { Background = { Color = '#b00020' } }, { Foreground = { Color = 'white' } }, { Attribute = { Intensity = 'Bold' } }, { Text = ' RW ' } })
  elseif mode == 'read' then
    return wezterm.format({ { Background = { Color = '#2e7d32' } }, { Foreground = { Color = 'white' } }, { Text = ' RO ' } })
  end
  return wezterm.format({ { Background = { Color = '#f9a825' } }, { Foreground = { Color = 'black' } }, { Text = ' ?? ' } })
end

return M
