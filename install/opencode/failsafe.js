// failsafe for OpenCode and Kilo Code: a plugin that asks `failsafe hook` before every
// tool call and throws when it refuses.
//
// Install: copy this file to `.opencode/plugin/failsafe.js` in a project, or to
// `~/.config/opencode/plugin/failsafe.js` for every project (Kilo: `.kilocode/plugin/`).
//
// It never fails open: if failsafe cannot be started, exits with anything but 0, prints
// anything on stdout, or takes longer than 5 s, the tool call is refused. A plugin that
// fails to LOAD is skipped by OpenCode, so keep this file free of dependencies.
import { spawnSync } from "node:child_process";

const FAILSAFE = process.env.FAILSAFE_BIN || "failsafe";

export const Failsafe = async () => ({
  "tool.execute.before": async (input, output) => {
    const payload = JSON.stringify({ input, output: { args: output?.args ?? {} } });
    let result;
    try {
      result = spawnSync(FAILSAFE, ["hook", "--agent", "opencode"], {
        input: payload,
        encoding: "utf8",
        timeout: 5000,
      });
    } catch (e) {
      throw new Error(`failsafe: refused: cannot run \`${FAILSAFE} hook\`: ${e}`);
    }
    if (result.error) {
      throw new Error(`failsafe: refused: cannot run \`${FAILSAFE} hook\`: ${result.error.message}`);
    }
    const stderr = (result.stderr || "").trim();
    if (result.status === 0 && !(result.stdout || "").trim()) {
      return; // no objection
    }
    throw new Error(stderr || `failsafe: refused (exit status ${result.status})`);
  },
});

export default Failsafe;
