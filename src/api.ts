// api.ts is the public export list shared by every runtime entry point.
export { Profile, newProfile, lookup, profiles, type ProfileOptions } from "./profile.ts";
export { startCPUProfile, stopCPUProfile, type CpuProfileOptions } from "./cpu.ts";
export { LabelSet, labels, runWithLabels, withLabels, setLabels, label, forLabels } from "./labels.ts";
export type { ProfileWriter } from "./writer.ts";
export type { Frame } from "./stack.ts";
