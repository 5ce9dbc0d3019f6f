// index.ts is the WASM core's export list, nothing else.
export { setCapBytes, exchangeBuffer } from "./memory";
export { hashBytes } from "./hash";
export { internStrings, internFunctions, internLocations, internLabelSets } from "./tables";
export { addSamples, addTreeSamples } from "./stackmap";
export { resetProfile, buildProfile, outputPtr } from "./builder";
