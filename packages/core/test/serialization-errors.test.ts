/** Errors keep name, message, stack, cause and fields, and come back as this realm's classes. */
import { describe, expect, test } from "vitest";
import {
  ContextError,
  FatalError,
  HookConflictError,
  HooklineError,
  HookPayloadError,
  HookTimeoutError,
  RetryableError,
  SerializationError,
  WorldError,
} from "../src/shared/errors.js";
import { deserialize, serialize } from "../src/shared/serialization/index.js";
import { roundTrip } from "./serialization-support.js";

describe("serialization: errors", () => {
  test("standard errors come back as their own constructor with message and stack", () => {
    for (const Ctor of [Error, TypeError, RangeError, SyntaxError, ReferenceError, EvalError, URIError]) {
      const error = new Ctor("broke");
      const back = roundTrip(error);
      expect(Object.getPrototypeOf(back)).toBe(Ctor.prototype);
      expect([back.name, back.message, back.stack]).toStrictEqual([error.name, "broke", error.stack]);
      // Like the original, stack and message are not enumerable fields.
      expect(Object.keys(back)).toStrictEqual([]);
    }
  });

  test("cause is kept recursively, and may be any value", () => {
    const error = new Error("outer", { cause: new TypeError("middle", { cause: { code: 42, at: new Date(1) } }) });
    const back = roundTrip(error);
    expect(back.cause).toBeInstanceOf(TypeError);
    const inner = (back.cause as Error).cause as { code: number; at: Date };
    expect(inner.code).toBe(42);
    expect(inner.at).toBeInstanceOf(Date);
    expect(Object.hasOwn(roundTrip(new Error("u", { cause: undefined })), "cause")).toBe(true);
    expect(Object.hasOwn(roundTrip(new Error("none")), "cause")).toBe(false);
  });

  test("own enumerable fields (code, status, a Date, nested data) are kept", () => {
    const error = Object.assign(new Error("payment failed"), {
      code: "E_CARD",
      status: 402,
      at: new Date(9),
      details: { retry: false },
    });
    const back = roundTrip(error);
    expect(back).toBeInstanceOf(Error);
    expect(back.code).toBe("E_CARD");
    expect(back.status).toBe(402);
    expect(back.at).toBeInstanceOf(Date);
    expect(back.details).toStrictEqual({ retry: false });
    expect(Object.keys(back)).toStrictEqual(["code", "status", "at", "details"]);
  });

  test("an error class of the user's comes back as an Error with its name", () => {
    class PaymentError extends Error {
      override name = "PaymentError";
      constructor(readonly amount: number) {
        super(`declined: ${amount}`);
      }
    }
    const back = roundTrip(new PaymentError(12));
    expect(back).toBeInstanceOf(Error);
    expect(back.name).toBe("PaymentError");
    expect(back.message).toBe("declined: 12");
    expect((back as unknown as { amount: number }).amount).toBe(12);
    expect(String(back)).toBe("PaymentError: declined: 12");
  });

  test("AggregateError comes back with its errors", () => {
    const back = roundTrip(new AggregateError([new RangeError("a"), "b", { c: 1 }], "many"));
    expect(back).toBeInstanceOf(AggregateError);
    expect(back.message).toBe("many");
    expect(back.errors[0]).toBeInstanceOf(RangeError);
    expect(back.errors.slice(1)).toStrictEqual(["b", { c: 1 }]);
    expect(Object.getOwnPropertyDescriptor(back, "errors")?.enumerable).toBe(false);
  });

  test("an enumerable `errors` field on another error is kept as a field", () => {
    const back = roundTrip(Object.assign(new Error("invalid"), { errors: [{ field: "email" }] }));
    expect(back.errors).toStrictEqual([{ field: "email" }]);
    expect(Object.keys(back)).toStrictEqual(["errors"]);
  });

  test("a DOMException (an error whose toStringTag is not Error) keeps name and message", () => {
    const back = roundTrip(new DOMException("The operation timed out.", "TimeoutError"));
    expect(back).toBeInstanceOf(Error);
    expect([back.name, back.message]).toStrictEqual(["TimeoutError", "The operation timed out."]);
  });

  test("an error class that overrides Symbol.toStringTag is still an error", () => {
    class TaggedError extends Error {
      override name = "TaggedError";
      get [Symbol.toStringTag]() {
        return "Tagged";
      }
    }
    const back = roundTrip(new TaggedError("tagged"));
    expect(back).toBeInstanceOf(Error);
    expect([back.name, back.message]).toStrictEqual(["TaggedError", "tagged"]);
  });

  test("an error that is its own cause, or in its own fields", () => {
    const error = new Error("loop") as Error & { self?: unknown };
    error.cause = error;
    error.self = error;
    const back = roundTrip(error);
    expect(back.cause).toBe(back);
    expect(back.self).toBe(back);
  });

  test("an error with a field named $t or __proto__", () => {
    const error = Object.assign(new Error("odd"), { $t: "Date" });
    Object.defineProperty(error, "__proto__", { value: { x: 1 }, enumerable: true });
    const back = roundTrip(error) as unknown as Record<string, unknown>;
    expect(back.$t).toBe("Date");
    expect(Object.getOwnPropertyDescriptor(back, "__proto__")?.value).toStrictEqual({ x: 1 });
    expect(back).toBeInstanceOf(Error);
  });
});

describe("serialization: Hookline errors come back as Hookline classes", () => {
  test("FatalError and HookTimeoutError keep their class, code and .is()", () => {
    const fatal = roundTrip(new FatalError("declined"));
    expect(fatal).toBeInstanceOf(FatalError);
    expect(FatalError.is(fatal)).toBe(true);
    expect(HooklineError.is(fatal)).toBe(true);
    expect([fatal.name, fatal.message, fatal.code]).toStrictEqual(["FatalError", "declined", "HOOKLINE_FATAL"]);
    const timeout = roundTrip(new HookTimeoutError("late"));
    expect(timeout).toBeInstanceOf(HookTimeoutError);
    expect(HookTimeoutError.is(timeout) && FatalError.is(timeout)).toBe(true);
    expect(timeout.code).toBe("HOOKLINE_HOOK_TIMEOUT");
  });

  test("fields: retryAfter (also a Date), heldBy, issues, path, cause", () => {
    const retry = roundTrip(new RetryableError("soon", { retryAfter: "5s", cause: new TypeError("net") }));
    expect(RetryableError.is(retry)).toBe(true);
    expect(retry.retryAfter).toBe("5s");
    expect(retry.cause).toBeInstanceOf(TypeError);
    const at = roundTrip(new RetryableError("later", { retryAfter: new Date(60_000) }));
    expect(at.retryAfter).toBeInstanceOf(Date);
    expect((at.retryAfter as Date).getTime()).toBe(60_000);
    expect(roundTrip(new RetryableError("ms", { retryAfter: 250 })).retryAfter).toBe(250);
    const conflict = roundTrip(new HookConflictError("held", { heldBy: "wrun_1" }));
    expect(HookConflictError.is(conflict)).toBe(true);
    expect(conflict.heldBy).toBe("wrun_1");
    const payload = roundTrip(new HookPayloadError("bad", [{ message: "m", path: ["a", 0] }]));
    expect(HookPayloadError.is(payload)).toBe(true);
    expect(payload.issues).toStrictEqual([{ message: "m", path: ["a", 0] }]);
    expect(payload.code).toBe("HOOKLINE_HOOK_PAYLOAD_INVALID");
    const serialization = roundTrip(new SerializationError("Cannot serialize args[0]: …", "args[0]"));
    expect(SerializationError.is(serialization)).toBe(true);
    expect(serialization.path).toBe("args[0]");
    const context = roundTrip(new ContextError("no", "HOOKLINE_NOT_IN_STEP"));
    expect(ContextError.is(context) && context.code === "HOOKLINE_NOT_IN_STEP").toBe(true);
    const world = roundTrip(new WorldError("down", { code: "HOOKLINE_CONFIG" }));
    expect(WorldError.is(world) && world.code === "HOOKLINE_CONFIG").toBe(true);
  });

  test("a user subclass of FatalError stays a FatalError under its own name", () => {
    class PaymentDeclined extends FatalError {
      override name = "PaymentDeclined";
    }
    const back = roundTrip(new PaymentDeclined("card declined"));
    expect(FatalError.is(back)).toBe(true);
    expect(back).toBeInstanceOf(FatalError);
    expect(back.name).toBe("PaymentDeclined");
  });

  test("an ordinary error with a Hookline-like code stays ordinary", () => {
    const back = roundTrip(Object.assign(new Error("x"), { code: "HOOKLINE_FATAL" }));
    expect(FatalError.is(back)).toBe(false);
    expect(HooklineError.is(back)).toBe(false);
    expect(back.code).toBe("HOOKLINE_FATAL");
  });

  test("a Hookline error with a code this build does not know is still a HooklineError", () => {
    const back = deserialize({
      $t: "Error",
      name: "FutureError",
      message: "m",
      hookline: true,
      props: { code: "HOOKLINE_FUTURE" },
    }) as HooklineError;
    expect(HooklineError.is(back)).toBe(true);
    expect(FatalError.is(back)).toBe(false);
    expect([back.name, back.code]).toStrictEqual(["FutureError", "HOOKLINE_FUTURE"]);
  });

  test("an error recorded before this rewrite (committed history log) still reads", () => {
    const recorded = {
      $t: "Error",
      name: "RetryableError",
      message: "f later",
      stack: "RetryableError: f later\n    at Object.retriedOnce (/tmp/app/workflows/history.ts:25:29)",
      hookline: true,
      props: { code: "HOOKLINE_RETRYABLE", retryAfter: 10 },
    };
    const back = deserialize(recorded) as RetryableError;
    expect(RetryableError.is(back)).toBe(true);
    expect(back).toBeInstanceOf(RetryableError);
    expect([back.message, back.retryAfter, back.stack]).toStrictEqual(["f later", 10, recorded.stack]);
    expect(serialize(back)).toStrictEqual(recorded);
  });
});
