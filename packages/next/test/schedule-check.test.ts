/**
 * `next build` checks the schedules declared beside workflows (src/schedule-check.ts), from the
 * manifests the transform writes for the workflow bundle: a cron or timezone that does not parse,
 * or two schedules under one id, fail the build naming the file, the line and the field.
 */
import { transform } from "@hookline/transform";
import { describe, expect, test } from "vitest";
import { checkDeclaredSchedules } from "../src/schedule-check.js";

function manifestOf(source: string) {
  return transform(source, { filename: "/app/workflows/report.ts", root: "/app", mode: "workflow" }).manifest;
}

const workflow = (schedules: string) => `
import { schedule } from "hookline";
export async function report(team: string) { "use workflow"; return team; }
export async function digest() { "use workflow"; }
${schedules}
`;

function failure(schedules: string): string {
  try {
    checkDeclaredSchedules([manifestOf(workflow(schedules))]);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error("the build accepted it");
}

describe("declared schedules at build time", () => {
  test("a cron that does not parse fails the build, naming the schedule, field, position, file and line", () => {
    expect(
      failure(
        `export const s = schedule(report, { id: "weekly", cron: "0 9 * * 1-8", timezone: "Europe/Berlin", args: ["ops"] });`,
      ),
    ).toBe(
      'schedule() (schedule "weekly"): cron "0 9 * * 1-8": field 5 (day of week) "1-8" at position 9 is invalid: Invalid value for dayOfWeek: 8 (workflows/report.ts:5:18)',
    );
    expect(failure("schedule(report, { cron: `61 * * * *` });")).toMatch(
      /^schedule\(\): cron "61 \* \* \* \*": field 1 \(minute\) "61" at position 1 .*\(workflows\/report.ts:5:1\)$/,
    );
  });

  test("an unknown timezone fails the build, also when the cron is only known at run time", () => {
    expect(failure(`schedule(report, { cron: "0 9 * * *", timezone: "Europe/Berlim" });`)).toMatch(
      /unknown timezone "Europe\/Berlim".*\(workflows\/report.ts:5:1\)$/,
    );
    expect(failure(`schedule(report, { cron: process.env.CRON ?? "0 9 * * *", timezone: "Mars/Base" });`)).toMatch(
      /unknown timezone "Mars\/Base"/,
    );
  });

  test("two schedules under one id, or two of one workflow without ids, fail the build", () => {
    expect(
      failure(`schedule(report, { id: "a", cron: "0 9 * * *" });\nschedule(digest, { id: "a", cron: "0 10 * * *" });`),
    ).toMatch(
      /schedule id "a" is already declared \(first at workflows\/report.ts:5:1\). Give each schedule its own id. \(workflows\/report.ts:6:1\)/,
    );
    expect(
      failure(`schedule(report, { cron: "0 9 * * *" });\nschedule(report, { cron: "0 10 * * *", args: ["x"] });`),
    ).toMatch(/a second schedule of the workflow report/);
  });

  test("valid declarations, and ones computed at run time, pass", () => {
    expect(() =>
      checkDeclaredSchedules([
        manifestOf(
          workflow(
            `schedule(report, { id: "a", cron: "0 9 * * 1-5", timezone: "Europe/Berlin" });\nschedule(digest, { cron: process.env.DIGEST_CRON ?? "0 9 * * *" });`,
          ),
        ),
      ]),
    ).not.toThrow();
  });
});
