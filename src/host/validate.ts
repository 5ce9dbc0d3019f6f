// validate.ts owns checking what a caller hands the library, where it is
// handed: options, numbers, names, writers. Every check throws one
// "pprof: …" error naming the option and showing the bad value (shown, which
// never throws, whatever the value is). It does not decide defaults or
// meanings: each entry point says what it accepts.

const maxShownChars = 80;

/** shown renders any value for an error message, and never throws: strings
 * JSON-quoted, numbers, booleans, bigints (with n), undefined and null as
 * written, symbols as Symbol(desc), functions as "function name", arrays
 * and objects as JSON (or [object Tag] when they cannot be), cut at 80
 * characters. */
export function shown(value: unknown): string {
  let s: string;
  try {
    switch (typeof value) {
      case "string":
        s = JSON.stringify(value);
        break;
      case "number":
        s = Object.is(value, -0) ? "-0" : String(value);
        break;
      case "bigint":
        s = `${String(value)}n`;
        break;
      case "symbol":
        s = value.toString();
        break;
      case "function":
        s = `function ${typeof value.name === "string" && value.name !== "" ? value.name : "(anonymous)"}`;
        break;
      case "undefined":
      case "boolean":
        s = String(value);
        break;
      default:
        if (value === null) {
          s = "null";
          break;
        }
        try {
          const json = JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? `${String(v)}n` : v));
          s = typeof json === "string" ? json : Object.prototype.toString.call(value);
        } catch {
          s = Object.prototype.toString.call(value);
        }
    }
  } catch {
    s = "(a value that cannot be shown)";
  }
  return s.length > maxShownChars ? `${s.slice(0, maxShownChars - 1)}…` : s;
}

/** checkNumber returns value, or undefined for an absent one, after
 * checking that it is a number (an integer where integer is set) from min
 * to max; else it throws "pprof: <name> must be …, got <value>". */
export function checkNumber(name: string, value: unknown, min: number, max: number, integer = false): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || Number.isNaN(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
    throw new Error(`pprof: ${name} must be ${integer ? "an integer" : "a number"} from ${min} to ${max}, got ${shown(value)}`);
  }
  return value;
}

/** checkBoolean returns value, or undefined for an absent one, after
 * checking that it is a boolean. */
export function checkBoolean(name: string, value: unknown): boolean | undefined {
  if (value === undefined || typeof value === "boolean") return value;
  throw new Error(`pprof: ${name} must be a boolean, got ${shown(value)}`);
}

/** checkString returns value, or undefined for an absent one, after
 * checking that it is a string (non-empty where nonEmpty is set). */
export function checkString(name: string, value: unknown, nonEmpty = false): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string" || (nonEmpty && value === "")) {
    throw new Error(`pprof: ${name} must be a${nonEmpty ? " non-empty" : ""} string, got ${shown(value)}`);
  }
  return value;
}

/** checkOptions returns options as a record to read, or {} when absent,
 * after checking that it is an object: a number or a string where options
 * go is a mistake worth saying. */
export function checkOptions(where: string, options: unknown): Record<string, unknown> {
  if (options === undefined) return {};
  if (options === null || typeof options !== "object" || Array.isArray(options)) {
    throw new Error(`pprof: ${where} options must be an object, got ${shown(options)}`);
  }
  return options as Record<string, unknown>;
}

/** checkFunction checks that fn is a function. */
export function checkFunction(name: string, fn: unknown): void {
  if (typeof fn !== "function") throw new Error(`pprof: ${name} must be a function, got ${shown(fn)}`);
}

/** given returns value, or fallback when value is undefined. Unlike ??,
 * null is not absent: an option set to null is a mistake to report. */
export function given<T>(value: unknown, fallback: T): unknown {
  return value === undefined ? fallback : value;
}
