// Lists what operators/build.ts builds: AssemblyScript examples and the template, hand-written WAT
// operators, and the test fixtures (hostile WAT; AssemblyScript built with asc's stock flags, as an
// author without `colwasm build` would), each with its sources, manifest and output path.

import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";

/**
 * One module to build. `manifestPath` is null when the module ships without a manifest.
 * "assemblyscript-stock" is asc with its own defaults (runtime incremental, asserts kept) instead of ASC_FLAGS.
 */
export interface BuildTarget {
  name: string;
  kind: "assemblyscript" | "assemblyscript-stock" | "wat";
  entryPath: string;
  sourcePaths: string[];
  manifestPath: string | null;
  outDir: string;
  writesManifestFile: boolean;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

function orNull(path: string): string | null {
  return existsSync(path) ? path : null;
}

/** Every build target under `root` (the repository root), in a stable order. */
export function listBuildTargets(root: string): BuildTarget[] {
  const operators = join(root, "operators");
  const operatorsDist = join(operators, "dist");
  const sdkSources = filesUnder(join(operators, "sdk", "assembly"));
  const targets: BuildTarget[] = [];

  const asDirs = readdirSync(join(operators, "examples"))
    .sort()
    .map((name) => ({ name, dir: join(operators, "examples", name) }));
  asDirs.push({ name: "template", dir: join(operators, "template") });
  for (const { name, dir } of asDirs) {
    const entryPath = join(dir, "assembly", "index.ts");
    if (!existsSync(entryPath)) continue;
    const manifestPath = orNull(join(dir, "manifest.json"));
    targets.push({
      name,
      kind: "assemblyscript",
      entryPath,
      sourcePaths: [
        ...filesUnder(join(dir, "assembly")),
        ...sdkSources,
        ...(manifestPath ? [manifestPath] : []),
      ],
      manifestPath,
      outDir: operatorsDist,
      writesManifestFile: true,
    });
  }

  const fixturesDist = join(root, "test", "fixtures", "wasm", "dist");
  // one source file per module, its manifest beside it as NAME.manifest.json
  const singleFileDirs: {
    dir: string;
    ext: string;
    kind: BuildTarget["kind"];
    outDir: string;
    writesManifestFile: boolean;
  }[] = [
    // AssemblyScript built as an author without `colwasm build` would
    {
      dir: join(root, "test", "fixtures", "assemblyscript"),
      ext: ".ts",
      kind: "assemblyscript-stock",
      outDir: fixturesDist,
      writesManifestFile: false,
    },
    {
      dir: join(operators, "wat"),
      ext: ".wat",
      kind: "wat",
      outDir: operatorsDist,
      writesManifestFile: true,
    },
    // the host's own validation kernels (src/wasm/validation-kernels.ts), not an operator
    {
      dir: join(root, "src", "wasm", "kernels"),
      ext: ".wat",
      kind: "wat",
      outDir: join(root, "dist", "kernels"),
      writesManifestFile: false,
    },
    {
      dir: join(root, "test", "fixtures", "wasm"),
      ext: ".wat",
      kind: "wat",
      outDir: fixturesDist,
      writesManifestFile: false,
    },
  ];
  for (const { dir, ext, kind, outDir, writesManifestFile } of singleFileDirs) {
    for (const file of readdirSync(dir)
      .filter((f) => f.endsWith(ext))
      .sort()) {
      const name = file.slice(0, -ext.length);
      const entryPath = join(dir, file);
      const manifestPath = orNull(join(dir, `${name}.manifest.json`));
      targets.push({
        name,
        kind,
        entryPath,
        sourcePaths: [entryPath, ...(manifestPath ? [manifestPath] : [])],
        manifestPath,
        outDir,
        writesManifestFile,
      });
    }
  }
  return targets;
}
