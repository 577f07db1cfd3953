/**
 * Per-address token buckets for the public webhook route (in memory, per process). An IPv6
 * caller is bucketed by its /64, the block one subscriber gets: otherwise a single sender could
 * spread its requests over 2^64 addresses.
 */
export interface RateLimit {
  /** Requests allowed in a burst. */
  burst: number;
  /** Requests regained per second. */
  perSecond: number;
}

export const DEFAULT_RATE_LIMIT: RateLimit = { burst: 120, perSecond: 20 };

interface Bucket {
  tokens: number;
  at: number;
}

export class RateLimiter {
  readonly #limit: RateLimit;
  readonly #buckets = new Map<string, Bucket>();

  constructor(limit: RateLimit) {
    this.#limit = limit;
  }

  /** 0 if `address` may proceed now; otherwise the seconds to wait. */
  take(address: string, now = Date.now()): number {
    address = bucketOf(address);
    const { burst, perSecond } = this.#limit;
    const bucket = this.#buckets.get(address) ?? { tokens: burst, at: now };
    bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) / 1000) * perSecond);
    bucket.at = now;
    this.#buckets.set(address, bucket);
    if (this.#buckets.size > 10_000) this.#forgetFull(now);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / perSecond));
  }

  /** Buckets that have refilled carry no information: drop them so memory stays bounded. */
  #forgetFull(now: number): void {
    for (const [address, bucket] of this.#buckets) {
      if (bucket.tokens + ((now - bucket.at) / 1000) * this.#limit.perSecond >= this.#limit.burst)
        this.#buckets.delete(address);
    }
  }
}

/** The bucket an address counts against: an IPv4 address (also IPv4-mapped IPv6) itself, an IPv6 address its /64. */
export function bucketOf(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1]!;
  if (!address.includes(":")) return address;
  const [head = "", tail = ""] = address.toLowerCase().split("::");
  const groups = head ? head.split(":") : [];
  const tailGroups = tail ? tail.split(":") : [];
  const missing = 8 - groups.length - tailGroups.length;
  const full = address.includes("::") ? [...groups, ...Array(Math.max(0, missing)).fill("0"), ...tailGroups] : groups;
  return `${full
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ""))
    .join(":")}::/64`;
}
