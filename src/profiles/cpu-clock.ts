// cpu-clock.ts owns the readings of the sampled thread's CPU clock that a
// CPU profile takes (host.threadCpuMicros): at every chunk boundary and on
// a timer between them, each with the host clock's time, so that the
// converter can share each window's real CPU time among the window's
// samples. It does not convert and does not sample.

import { host } from "../host/host.ts";
import { own } from "../host/own.ts";

/** cpuWindowMillis is the default time between two readings: short enough
 * that a burst of load (a neighbour taking the core) stays in its window
 * rather than smearing over other functions' samples; each reading costs
 * one getrusage or /proc read (a few µs). */
export const cpuWindowMillis: number = 100;

/** maxReadings bounds the readings kept per chunk (16 bytes each): past it
 * (a chunk of more than 100 s at 1 ms windows, or a profile with no
 * drains), the last reading is moved forward instead, so the last window
 * grows. */
export const maxReadings: number = 100_000;

/** ThreadCpuReadings keeps the readings of one profile; absent clock, it
 * keeps none. The timer only fires when the event loop is free: during a
 * long synchronous stretch the window is longer. */
export class ThreadCpuReadings {
  readonly #read: (() => number) | undefined;
  #times: number[] = [];
  #cpu: number[] = [];
  #timer: ReturnType<typeof setInterval> | undefined;
  #failed = false;

  constructor(windowMillis: number) {
    this.#read = host.threadCpuMicros;
    if (this.#read === undefined) return;
    this.#timer = own(() => setInterval(() => this.read(), windowMillis));
    host.unrefTimer(this.#timer);
  }

  /** available reports whether the thread's CPU clock is being read. */
  get available(): boolean {
    return this.#read !== undefined && !this.#failed;
  }

  /** read takes one reading now. A clock that throws is given up on: the
   * profile then says its CPU time is estimated. */
  read(): void {
    if (this.#read === undefined || this.#failed) return;
    try {
      const cpu = this.#read();
      const at = host.nowMicros();
      if (!Number.isFinite(cpu)) throw new Error(`bad reading ${cpu}`);
      if (this.#times.length >= maxReadings) {
        this.#times[this.#times.length - 1] = at;
        this.#cpu[this.#cpu.length - 1] = cpu;
      } else {
        this.#times.push(at);
        this.#cpu.push(cpu);
      }
    } catch {
      this.#failed = true;
      this.close();
    }
  }

  /** take returns the readings so far and keeps the last one as the first
   * of the next chunk's, so that no CPU time falls between chunks; undefined
   * when there is no clock (or it failed). */
  take(): { timesMicros: number[]; cpuMicros: number[] } | undefined {
    if (!this.available || this.#times.length === 0) return undefined;
    const out = { timesMicros: this.#times, cpuMicros: this.#cpu };
    this.#times = [out.timesMicros[out.timesMicros.length - 1]!];
    this.#cpu = [out.cpuMicros[out.cpuMicros.length - 1]!];
    return out;
  }

  /** close stops the timer. */
  close(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
