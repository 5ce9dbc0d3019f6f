// decode.ts re-exports the pprof decoder, which lives in pprof/decode.ts so
// that the view page (view/) and the live UI (http/) can use it too.
export { decodePprof, maxDecompressedBytes, type Decoded, type DecodedFrame, type DecodedSample } from "../pprof/decode.ts";
