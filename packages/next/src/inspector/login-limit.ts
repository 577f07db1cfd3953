/**
 * How many wrong tokens one address may try at the inspector's login: LOGIN_FAILURES per
 * LOGIN_WINDOW_MS. Past that, every login from the address (a right token too, so guessing
 * cannot go on) answers 429 with Retry-After until the window that counted them ends; other
 * addresses are not affected. Held in the process's memory, bounded to MAX_ADDRESSES (the
 * oldest window goes first), so a flood of addresses cannot grow it without end.
 *
 *   const limit = new LoginLimiter();
 *   const wait = limit.blocked(address); // seconds to wait, or 0
 *   if (!ok) limit.failed(address);
 */

export const LOGIN_FAILURES = 5;
export const LOGIN_WINDOW_MS = 60_000;
const MAX_ADDRESSES = 10_000;

interface Window {
  start: number;
  failures: number;
}

export class LoginLimiter {
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly failures = LOGIN_FAILURES,
    private readonly windowMs = LOGIN_WINDOW_MS,
  ) {}

  /** Whole seconds before this address may try again; 0 when it may try now. */
  blocked(address: string, now = Date.now()): number {
    const window = this.current(address, now);
    if (!window || window.failures < this.failures) return 0;
    return Math.max(1, Math.ceil((window.start + this.windowMs - now) / 1000));
  }

  /** Counts one wrong token from this address. */
  failed(address: string, now = Date.now()): void {
    const window = this.current(address, now);
    if (window) {
      window.failures++;
      return;
    }
    if (this.windows.size >= MAX_ADDRESSES) this.windows.delete(this.windows.keys().next().value!);
    this.windows.set(address, { start: now, failures: 1 });
  }

  private current(address: string, now: number): Window | undefined {
    const window = this.windows.get(address);
    if (window && now - window.start >= this.windowMs) {
      this.windows.delete(address);
      return undefined;
    }
    return window;
  }
}
