/** The floor the throughput benchmark compares webhook deliveries with: a route handler that does nothing. */
export function POST(): Response {
  return new Response(null, { status: 202 });
}
