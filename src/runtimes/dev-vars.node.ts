// Local settings for `npm start` / `colwasm serve`: `.dev.vars` (the file `wrangler dev` reads),
// created with a random admin token when absent so a fresh clone starts with auth on.
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";

/** Reads `path` (KEY=VALUE lines), adding COLWASM_ADMIN_TOKEN (and writing the file) when missing. */
export function loadDevVars(path: string): Record<string, string> {
  const vars: Record<string, string> = {};
  if (existsSync(path)) {
    for (const line of readFileSync(path, "utf8").split("\n")) {
      const match = /^\s*([A-Z_][A-Z0-9_]*)\s*=\s*"?(.*?)"?\s*$/.exec(line);
      if (match !== null) vars[match[1]] = match[2];
    }
  }
  if (vars.COLWASM_ADMIN_TOKEN === undefined || vars.COLWASM_ADMIN_TOKEN === "") {
    vars.COLWASM_ADMIN_TOKEN = randomBytes(24).toString("hex");
    const lines = Object.entries(vars).map(([k, v]) => `${k}=${v}`);
    writeFileSync(
      path,
      `# local settings of colwasm (wrangler dev reads this file too); not committed\n${lines.join("\n")}\n`,
      { mode: 0o600 },
    );
  }
  return vars;
}
