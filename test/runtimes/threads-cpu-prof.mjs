// threads-cpu-prof.mjs asks for threads while another inspector session may
// hear console profiles (test/threads.test.ts runs it under node
// --cpu-prof): it prints startCPUProfile's error, or "started".
import { startCPUProfile, stopCPUProfile } from "anyprof";

try {
  await startCPUProfile(undefined, { threads: true });
  await stopCPUProfile();
  console.log("started");
} catch (err) {
  console.log(err.message);
}
