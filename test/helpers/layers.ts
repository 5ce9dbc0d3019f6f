// layers.ts is the layering rule of src/, as data and one checking function,
// so that test/layers.test.ts can run it over the real tree and over files
// made up to break it. docs/architecture.md explains the rule in prose.

/** layerRanks gives each folder of src/ its height: a file may import from
 * its own folder and from folders of lower rank, never from a higher one nor
 * from a sibling of the same rank (export and http do not know each other). */
export const layerRanks: Readonly<Record<string, number>> = {
  wasm: 0, // generated WASM bytes
  host: 1, // what a runtime injects, and I/O primitives built on it
  pprof: 2, // the profile.proto model: WASM bridge, encoders, converters, text forms
  symbolize: 3, // source maps: generated positions to the code people wrote
  profiles: 4, // Go's named profiles and labels, with their JavaScript meanings
  view: 4, // the viewer page: profile → model → self-contained HTML (CLI and /debug/pprof/ui/)
  export: 5, // pushing profiles to Pyroscope, the OTel Collector, files
  http: 5, // /debug/pprof/ as a fetch-style handler
  runtime: 6, // adapters: the only place a runtime is named
  cli: 7, // the anyprof command
};

/** runtimeFolders may import runtime-specific modules and use runtime
 * globals: the adapters, and the CLI, which is itself a Node/Deno/Bun program. */
export const runtimeFolders: ReadonlySet<string> = new Set(["runtime", "cli"]);

/** SourceFile is a file of src/, by path relative to src/ ("pprof/core.ts"). */
export interface SourceFile {
  path: string;
  text: string;
}

/** stripComments blanks out comments and string contents other than import
 * specifiers are kept: enough for the checks below, not a parser. */
function stripComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, " ").replace(/(^|[^:"'`\\])\/\/.*$/gm, "$1");
}

const importRe = /(?:\bimport\s*(?:type\s+)?(?:[\w*{}\s,$]+\s+from\s*)?|\bexport\s+(?:type\s+)?(?:\*|\{[^}]*\})(?:\s+as\s+\w+)?\s+from\s*|\bimport\s*\(\s*)["']([^"']+)["']/g;
const runtimeModuleRe = /^(node:|bun:|cloudflare:|workerd:|deno:|npm:|jsr:)|^(bun|deno)$/;
const runtimeGlobalRe = /(?<![\w.$])(process|Deno|Bun)\s*[.?[]/;

/** importsOf returns the module specifiers a file imports or re-exports. */
export function importsOf(text: string): string[] {
  const out: string[] = [];
  for (const m of stripComments(text).matchAll(importRe)) out.push(m[1]!);
  return out;
}

/** checkLayers returns one line per broken rule, empty when src/ keeps them:
 * an unknown folder, an import that points up or sideways, a runtime module
 * or global used outside runtime/ and cli/. */
export function checkLayers(files: readonly SourceFile[]): string[] {
  const problems: string[] = [];
  for (const f of files) {
    const parts = f.path.split("/");
    if (parts.length < 2) {
      problems.push(`${f.path}: a file directly in src/, want it in a layer folder (${Object.keys(layerRanks).join(", ")})`);
      continue;
    }
    const layer = parts[0]!;
    const rank = layerRanks[layer];
    if (rank === undefined) {
      problems.push(`${f.path}: folder ${layer}/ is not a layer; add it to test/helpers/layers.ts and docs/architecture.md`);
      continue;
    }
    for (const spec of importsOf(f.text)) {
      if (spec.startsWith(".")) {
        const target = resolvePath(parts.slice(0, -1), spec);
        if (target[0] === ".." || target.length < 2) {
          problems.push(`${f.path}: imports ${spec}, outside src/`);
          continue;
        }
        const to = target[0]!;
        if (to === layer) continue;
        const toRank = layerRanks[to];
        if (toRank === undefined) problems.push(`${f.path}: imports ${spec} from unknown folder ${to}/`);
        else if (toRank > rank) problems.push(`${f.path}: imports ${spec}, up from ${layer} (rank ${rank}) to ${to} (rank ${toRank})`);
        else if (toRank === rank) problems.push(`${f.path}: imports ${spec}, sideways from ${layer} to ${to} (both rank ${rank})`);
      } else if (runtimeModuleRe.test(spec) && !runtimeFolders.has(layer)) {
        problems.push(`${f.path}: imports runtime module ${spec}; only runtime/ and cli/ may (inject it through host/host.ts)`);
      }
    }
    if (!runtimeFolders.has(layer)) {
      const code = stripComments(f.text).replace(/(["'`])(?:\\.|(?!\1)[^\\])*\1/g, '""');
      const m = runtimeGlobalRe.exec(code);
      if (m) problems.push(`${f.path}: uses the runtime global ${m[1]}; only runtime/ and cli/ may (inject it through host/host.ts)`);
    }
  }
  return problems;
}

function resolvePath(dir: string[], spec: string): string[] {
  const out = [...dir];
  for (const seg of spec.split("/")) {
    if (seg === "." || seg === "") continue;
    if (seg === "..") {
      if (out.length === 0) return [".."];
      out.pop();
    } else out.push(seg);
  }
  return out;
}
