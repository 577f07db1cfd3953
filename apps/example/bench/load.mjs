/**
 * The load generator of bench/throughput.ts, in a process of its own as an outside sender is:
 * autocannon against `urls`, either one fixed path or (with `tokens`) a random waiting run's
 * webhook per request, each with a webhook-id of its own. Prints autocannon's result as JSON.
 */
import { randomUUID } from "node:crypto";
import autocannon from "autocannon";

const { urls, path, tokens, seconds, connections } = JSON.parse(process.argv[2]);
const prefix = randomUUID().slice(0, 8);
let sent = 0;

const result = await autocannon({
  url: urls,
  connections,
  duration: seconds,
  method: "POST",
  body: '{"event":"bench"}',
  headers: { "content-type": "application/json" },
  requests: [
    {
      setupRequest(request) {
        if (!tokens) return { ...request, path };
        const token = tokens[Math.floor(Math.random() * tokens.length)];
        return { ...request, path: `/.well-known/workflow/v1/webhook/${token}`, headers: { ...request.headers, "webhook-id": `${prefix}-${sent++}` } };
      },
    },
  ],
});
process.stdout.write(`${JSON.stringify(result)}\n`);
