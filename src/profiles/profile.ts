// profile.ts owns Go's Profile API: the registry of named profiles
// (newProfile, lookup, profiles), custom profiles that record a stack per
// value (add, remove), and writeTo. Predefined profiles register their own
// writers here; this file does not know what they measure.

import { encodeProfile, type ProfileSpec, type Snapshot, type StackSample } from "../pprof/encode.ts";

export type { Snapshot };
import { gzip } from "../host/gzip.ts";
import { host } from "../host/host.ts";
import { captureStack, defaultMaxDepth, type Frame } from "../host/stack.ts";
import { countStacks, formatCountProfile } from "../pprof/text.ts";
import { checkTimeoutMillis, checkWriter, writeAll, type ProfileWriter, type WriteOptions } from "../host/writer.ts";
import { checkOptions, given, shown } from "../host/validate.ts";

/** BuiltinWriter is how a predefined profile reports itself: its count, its
 * bytes at a debug level (0: gzip pprof, >0: text), and, where a difference
 * of two snapshots means something, a snapshot. */
export interface BuiltinWriter {
  count(): number;
  write(debug: number): Uint8Array | Promise<Uint8Array>;
  snapshot?(): Snapshot | Promise<Snapshot>;
}

/** ProfileOptions tunes a custom profile. */
export interface ProfileOptions {
  /** maxDepth bounds the frames recorded per add (Go uses 32). */
  maxDepth?: number;
}

const registry = new Map<string, Profile>();
const textEncoder = new TextEncoder();

/** Profile is a named collection of stack traces, like Go's pprof.Profile:
 * custom profiles record the caller's stack for each value added; predefined
 * ones (heap, goroutine, …) are written by the runtime's samplers. */
export class Profile {
  /** name is the profile's name, as given to newProfile. */
  readonly name: string;
  readonly #entries: Map<unknown, readonly Frame[]> | undefined;
  readonly #builtin: BuiltinWriter | undefined;
  readonly #maxDepth: number;

  /** Profile instances come from newProfile or lookup, not from new. */
  private constructor(name: string, builtin: BuiltinWriter | undefined, maxDepth: number) {
    this.name = name;
    this.#builtin = builtin;
    this.#entries = builtin === undefined ? new Map() : undefined;
    this.#maxDepth = maxDepth;
  }

  /** create is the registry's constructor; see newProfile. */
  static create(name: string, builtin: BuiltinWriter | undefined, maxDepth: number): Profile {
    return new Profile(name, builtin, maxDepth);
  }

  /** count returns the number of execution stacks in the profile. */
  count(): number {
    return this.#builtin !== undefined ? this.#builtin.count() : this.#entries!.size;
  }

  /** add records the current stack with value, like Go's Profile.Add: skip=0
   * starts the stack at the function calling add. It throws Go's panics: for
   * a value already in the profile, and on a predefined profile. */
  add(value: unknown, skip: number = 0): void {
    if (this.#entries === undefined) throw new Error(`pprof: Add called on built-in Profile ${this.name}`);
    if (typeof skip !== "number" || !Number.isInteger(skip) || skip < 0) throw new Error(`pprof: skip must be a non-negative integer, got ${shown(skip)}`);
    if (this.#entries.has(value)) throw new Error("pprof: Profile.Add of duplicate value");
    let frames = captureStack(this.add, skip, this.#maxDepth);
    // Go records a placeholder frame when skip leaves no stack.
    if (frames.length === 0) frames = [lostProfileEvent];
    this.#entries.set(value, frames);
  }

  /** remove deletes the stack recorded for value; absent values are a no-op.
   * It throws on a predefined profile, which has no values to remove. */
  remove(value: unknown): void {
    if (this.#entries === undefined) throw new Error(`pprof: Remove called on built-in Profile ${this.name}`);
    this.#entries.delete(value);
  }

  /** writeTo writes a snapshot of the profile: debug 0 (or negative, as in
   * Go) gzip-compressed pprof, debug >= 1 the legacy text form. It resolves
   * to the bytes written; w may be absent to only get the bytes. A writer
   * that fails, or takes longer than options.timeoutMillis (default 30 s),
   * rejects it with "pprof: write failed: …". */
  async writeTo(w?: ProfileWriter, debug: number = 0, options?: WriteOptions): Promise<Uint8Array> {
    if (typeof debug !== "number" || !Number.isInteger(debug)) throw new Error(`pprof: debug must be an integer, got ${shown(debug)}`);
    const timeoutMillis = checkTimeoutMillis("timeoutMillis", checkOptions("writeTo", options).timeoutMillis);
    checkWriter(w);
    const bytes = this.#builtin !== undefined ? await this.#builtin.write(debug) : this.#writeCustom(debug);
    await writeAll(w, bytes, timeoutMillis);
    return bytes;
  }

  /** snapshot returns the profile's samples and spec before encoding, or
   * undefined for a predefined profile that has none to give. */
  async snapshot(): Promise<Snapshot | undefined> {
    if (this.#builtin !== undefined) return this.#builtin.snapshot?.();
    return this.#snapshotCustom();
  }

  #snapshotCustom(): Snapshot {
    const samples: StackSample[] = [...this.#entries!.values()].map((frames) => ({ frames, values: [1] }));
    return {
      spec: { sampleTypes: [[this.name, "count"]], periodType: [this.name, "count"], period: 1, timeNanos: host.nowNanos() },
      samples,
    };
  }

  #writeCustom(debug: number): Uint8Array {
    const entries = [...this.#entries!.values()];
    const { spec, samples } = this.#snapshotCustom();
    const { proto, locationIds } = encodeProfile(spec, samples);
    if (debug <= 0) return gzip(proto);
    return textEncoder.encode(formatCountProfile(this.name, entries.length, countStacks(entries, locationIds)));
  }
}

const lostProfileEvent: Frame = { functionName: "lostProfileEvent", url: "", line: 0, column: 0, startLine: 0 };

/** newProfile creates a custom profile, like Go's NewProfile. It throws Go's
 * panics for an empty name and for a name already in use. */
export function newProfile(name: string, options?: ProfileOptions): Profile {
  if (name === "") throw new Error("pprof: NewProfile with empty name");
  if (typeof name !== "string") throw new Error(`pprof: NewProfile name must be a non-empty string, got ${shown(name)}`);
  if (registry.has(name)) throw new Error(`pprof: NewProfile name already in use: ${name}`);
  const maxDepth = given(checkOptions("newProfile", options).maxDepth, defaultMaxDepth);
  if (typeof maxDepth !== "number" || !Number.isInteger(maxDepth) || maxDepth < 1) throw new Error(`pprof: maxDepth must be a positive integer, got ${shown(maxDepth)}`);
  const p = Profile.create(name, undefined, maxDepth);
  registry.set(name, p);
  return p;
}

/** registerBuiltin adds a predefined profile (heap, goroutine, …) whose
 * contents come from writer. Used by the runtime's profile modules. */
export function registerBuiltin(name: string, writer: BuiltinWriter): Profile {
  const p = Profile.create(name, writer, defaultMaxDepth);
  registry.set(name, p);
  return p;
}

/** lookup returns the profile with the given name, or undefined. */
export function lookup(name: string): Profile | undefined {
  return typeof name === "string" ? registry.get(name) : undefined;
}

/** profiles returns every profile, sorted by name. */
export function profiles(): Profile[] {
  return [...registry.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
