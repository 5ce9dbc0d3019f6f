// symbolizer.ts owns the seam through which the converters and the encoder
// ask for a frame's original position (source maps): the interface, and the
// process's current symbolizer, installed by symbolize/ (a layer above,
// which this one may not import). It maps nothing itself.

/** SourceFrame is where a generated frame came from: the original function
 * name, file, position (1-based) and function start line, and systemName,
 * the generated name and position kept visible (pprof Function.system_name). */
export interface SourceFrame {
  readonly name: string;
  readonly systemName: string;
  readonly url: string;
  readonly line: number;
  readonly column: number;
  readonly startLine: number;
}

/** SymbolizeSession maps the frames of one profile. */
export interface SymbolizeSession {
  /** frame returns the original of a generated frame (positions 1-based),
   * or undefined to keep it as it is. engine says the position is the
   * engine profiler's own, not one the runtime already source-mapped (Deno
   * maps the CallSites of the TypeScript it runs, not its profilers'
   * frames). It never throws. */
  frame(name: string, url: string, line: number, column: number, engine: boolean): SourceFrame | undefined;
  /** comments are the profile's comments about symbolization: the scripts
   * seen whose map could not be used, and why. */
  comments(): string[];
}

/** Symbolizer starts a session per profile. */
export interface Symbolizer {
  session(): SymbolizeSession;
}

let current: Symbolizer | undefined;

/** setSymbolizer installs the symbolizer every profile uses by default;
 * undefined turns symbolization off. */
export function setSymbolizer(s: Symbolizer | undefined): void {
  current = s;
}

/** symbolizeSession starts a session of s, else of the current symbolizer;
 * undefined when there is none or it fails to start (a profile is then
 * written with generated positions, never lost to symbolization). */
export function symbolizeSession(s?: Symbolizer | null): SymbolizeSession | undefined {
  if (s === null) return undefined;
  try {
    return (s ?? current)?.session();
  } catch {
    return undefined;
  }
}
