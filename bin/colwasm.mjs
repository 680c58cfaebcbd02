#!/usr/bin/env node
// The `colwasm` command (package.json "bin"). Node 20 cannot run TypeScript, so register tsx's
// ESM loader for this process, then load the CLI source.
import { register } from "tsx/esm/api";

register();
await import("../src/client/cli.ts");
