/**
 * The load generator of bench/throughput.ts, in a process of its own as an outside sender is:
 * autocannon against `urls`, either one fixed path or (with `tokens`) a random waiting run's
 * webhook per request, each with a webhook-id of its own. Prints autocannon's result as JSON,
 * with `accepted`: the webhook-ids answered 202.
 */
import { randomUUID } from "node:crypto";
import autocannon from "autocannon";

const { urls, path, tokens, seconds, connections } = JSON.parse(process.argv[2]);
const prefix = randomUUID().slice(0, 8);
let sent = 0;
const accepted = [];

const result = await autocannon({
  url: urls,
  connections,
  duration: seconds,
  method: "POST",
  body: '{"event":"bench"}',
  headers: { "content-type": "application/json" },
  requests: [
    {
      setupRequest(request, context) {
        if (!tokens) return { ...request, path };
        const token = tokens[Math.floor(Math.random() * tokens.length)];
        context.id = `${prefix}-${sent++}`;
        return {
          ...request,
          path: `/.well-known/workflow/v1/webhook/${token}`,
          headers: { ...request.headers, "webhook-id": context.id },
        };
      },
      onResponse(status, _body, context) {
        if (status === 202 && context.id) accepted.push(context.id);
      },
    },
  ],
});
process.stdout.write(`${JSON.stringify({ ...result, accepted })}\n`);
