/** URL, Headers, Request and Response; bodies are read by serializeAsync from clones. */
import { describe, expect, test } from "vitest";
import { deserialize, serialize, serializeAsync } from "../src/shared/serialization/index.js";

const json = (value: unknown) => JSON.parse(JSON.stringify(value));

describe("serialization: Request and Response", () => {
  test("a Request keeps method, url, headers and body; the caller's Request stays readable", async () => {
    const request = new Request("https://x.test/hook?a=1", {
      method: "POST",
      headers: { "content-type": "application/json", "x-id": "7" },
      body: '{"a":1}',
    });
    const recorded = json(await serializeAsync({ request }, "payload"));
    expect(await request.text()).toBe('{"a":1}');
    const back = (deserialize(recorded) as { request: Request }).request;
    expect(back).toBeInstanceOf(Request);
    expect([back.method, back.url, back.headers.get("x-id"), back.headers.get("content-type")]).toStrictEqual([
      "POST",
      "https://x.test/hook?a=1",
      "7",
      "application/json",
    ]);
    expect(await back.json()).toStrictEqual({ a: 1 });
  });

  test("a Response keeps status, statusText, headers and body bytes", async () => {
    const bytes = new Uint8Array([0, 255, 128, 10]);
    const response = new Response(bytes, {
      status: 409,
      statusText: "Conflict",
      headers: { "content-type": "application/octet-stream" },
    });
    const back = deserialize(json(await serializeAsync(response))) as Response;
    expect(back).toBeInstanceOf(Response);
    expect([back.status, back.statusText, back.headers.get("content-type")]).toStrictEqual([
      409,
      "Conflict",
      "application/octet-stream",
    ]);
    expect(new Uint8Array(await back.arrayBuffer())).toStrictEqual(bytes);
    expect(await response.arrayBuffer()).toStrictEqual(bytes.buffer);
  });

  test("a null body stays null and an empty body stays an empty body, also through the synchronous serialize", async () => {
    const none = deserialize(json(serialize(new Response(null, { status: 204 })))) as Response;
    expect([none.status, none.body]).toStrictEqual([204, null]);
    const get = deserialize(json(serialize(new Request("https://x.test/", { headers: { a: "b" } })))) as Request;
    expect([get.method, get.body, get.headers.get("a")]).toStrictEqual(["GET", null, "b"]);
    const empty = deserialize(json(await serializeAsync(new Response("")))) as Response;
    expect(empty.body).not.toBeNull();
    expect(await empty.text()).toBe("");
  });

  test("bodies are read wherever the message sits: Map values, error fields, arrays, twice the same", async () => {
    const response = new Response("inner");
    const value = {
      map: new Map([["r", new Request("https://x.test/m", { method: "PUT", body: "in map" })]]),
      error: Object.assign(new Error("failed"), { response }),
      list: [response],
    };
    const back = deserialize(json(await serializeAsync(value))) as typeof value;
    expect(await back.map.get("r")!.text()).toBe("in map");
    const backResponse = (back.error as unknown as { response: Response }).response;
    expect(back.list[0]).toBe(backResponse);
    expect(await backResponse.text()).toBe("inner");
  });

  test("the url of a fetched Response is recorded and handed to a factory", async () => {
    // A Response's url can only be set by fetch; here its getter stands in for one.
    const response = new Response("x");
    Object.defineProperty(response, "url", { value: "https://api.test/v1" });
    const recorded = json(await serializeAsync(response)) as Record<string, unknown>;
    expect(recorded.url).toBe("https://api.test/v1");
    const made = deserialize(recorded, { createResponse: (init) => init }) as { url: string; body: Uint8Array };
    expect(made.url).toBe("https://api.test/v1");
    expect(new TextDecoder().decode(made.body)).toBe("x");
  });

  test("factories build the messages, Headers and URLs when given", () => {
    const data = json(
      serialize({
        h: new Headers({ a: "1" }),
        u: new URL("https://x.test/"),
        r: new Request("https://x.test/r", { method: "DELETE" }),
      }),
    );
    const out = deserialize(data, {
      createHeaders: (entries) => ({ headers: entries }),
      createURL: (href) => ({ href }),
      createRequest: (init) => ({ method: init.method, url: init.url, body: init.body }),
    });
    expect(out).toStrictEqual({
      h: { headers: [["a", "1"]] },
      u: { href: "https://x.test/" },
      r: { method: "DELETE", url: "https://x.test/r", body: null },
    });
  });

  test("Response.error() round-trips as an error response", () => {
    const back = deserialize(json(serialize(Response.error()))) as Response;
    expect([back.type, back.status]).toStrictEqual(["error", 0]);
  });

  test("a body that fails to read is reported, and the walk's other clones are released", async () => {
    const failing = new Response(
      new ReadableStream({
        pull(controller) {
          controller.error(new Error("connection reset"));
        },
      }),
    );
    await expect(serializeAsync({ ok: new Response("fine"), failing }, "result")).rejects.toThrow(
      "Cannot serialize result: reading the body of a Response in it failed: connection reset",
    );
  });

  test("serializeAsync gives what serialize gives when there is no body to read", async () => {
    const value = { a: [1, undefined], d: new Date(3), r: new Response(null, { status: 202 }) };
    expect(await serializeAsync(value)).toStrictEqual(serialize(value));
    await expect(serializeAsync(() => 1, "args")).rejects.toThrow("Cannot serialize args: a function");
  });
});
