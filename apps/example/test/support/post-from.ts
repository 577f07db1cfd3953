/** A POST from a loopback address of the test's choosing (127.x.y.z), as a distinct caller; the path is sent exactly as given. */
import { request } from "node:http";

export function postFrom(base: string, path: string, from: string): Promise<number> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, path, method: "POST", localAddress: from, agent: false }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", reject);
    req.end();
  });
}

/** The burst the dev and standalone tests set with withWorkflow's options (EXAMPLE_WEBHOOK_BURST): room for the app's own webhook calls. */
export const TEST_BURST = 30;

/** TEST_BURST + 1 POSTs from one address to made-up tokens: the statuses, in order (the last one is limited). */
export async function overTheBurst(base: string, basePath: string, from: string): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i <= TEST_BURST; i++)
    statuses.push(
      await postFrom(base, `${basePath}/.well-known/workflow/v1/webhook/abcdefghijklmnopqrstuvwxyz${i}`, from),
    );
  return statuses;
}

/** A form POST from a loopback address of the test's choosing, with headers: the status and the answer's headers. */
export function postFormFrom(
  url: string,
  fields: Record<string, string>,
  from: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined> }> {
  const { hostname, port, pathname, search } = new URL(url);
  const body = new URLSearchParams(fields).toString();
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: hostname,
        port,
        path: pathname + search,
        method: "POST",
        localAddress: from,
        agent: false,
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          "content-length": Buffer.byteLength(body),
          ...headers,
        },
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}
