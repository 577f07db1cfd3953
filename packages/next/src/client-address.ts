/**
 * The webhook caller's own address, for its rate limit. Trust model: the peer of the socket
 * (stamped by request-stamp.ts) is the caller, unless `hops` proxies are declared in front of
 * the app (HOOKLINE_TRUST_PROXY_HOPS / withWorkflow's `webhooks.trustProxyHops`): each appends the
 * address it received from to X-Forwarded-For, so the caller is the entry `hops` back from the
 * peer. Entries further left were written by whoever sent the request and are never trusted.
 */

/** `[1.2.3.4]:80`, `1.2.3.4:80`, `::ffff:1.2.3.4` → the bare address. */
function bare(entry: string): string {
  let address = entry.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(address);
  if (bracketed) address = bracketed[1]!;
  else if (/^\d+\.\d+\.\d+\.\d+:\d+$/.test(address)) address = address.slice(0, address.lastIndexOf(":"));
  return address.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, "");
}

/** The caller's address; undefined when the peer is unknown (the stamp was not installed yet). */
export function clientAddress(
  peer: string | null | undefined,
  forwardedFor: string | null,
  hops: number,
): string | undefined {
  if (!peer) return undefined;
  const chain = [
    peer,
    ...(forwardedFor ?? "")
      .split(",")
      .filter((entry) => entry.trim())
      .reverse(),
  ];
  // Fewer entries than declared proxies: the request skipped some of them; the furthest known hop it is.
  return bare(chain[Math.min(hops, chain.length - 1)]!);
}
