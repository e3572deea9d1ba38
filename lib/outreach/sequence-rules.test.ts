import { describe, expect, it } from "vitest";
import { UserError } from "../platform/errors";
import {
  MAX_STEP_DELAY_DAYS,
  MAX_STEPS,
  parseSequence,
  readSequenceForm,
  sequenceFormValues,
  type SequenceFormValues,
} from "./sequence-rules";

// The sequence form's rules: each refusal names its field (the form marks it) and says the fix.

const VALID: SequenceFormValues = {
  name: "Trial follow-up",
  timeZone: "europe/paris",
  days: ["1", "2", "3", "4", "5"],
  from: "9:00",
  to: "17:30",
  steps: [
    {
      subject: "Hello {{first_name | there}}",
      body: "Hi {{first_name | there}},\r\nfirst.",
      delay: "",
      business: "on",
    },
    { subject: "ignored for a follow-up", body: "Second.", delay: "3", business: "" },
  ],
};

function refusal(values: Partial<SequenceFormValues>): { field?: string; message: string } {
  try {
    parseSequence({ ...VALID, ...values });
  } catch (error) {
    if (error instanceof UserError) return { field: error.field, message: error.message };
    throw error;
  }
  throw new Error("the form was accepted");
}

const withStep = (index: number, change: Partial<SequenceFormValues["steps"][number]>) => ({
  steps: VALID.steps.map((step, at) => (at === index ? { ...step, ...change } : step)),
});

describe("a valid form", () => {
  it("becomes the window (days as a mask, minutes, Intl's spelling of the zone) and the steps", () => {
    expect(parseSequence(VALID)).toEqual({
      name: "Trial follow-up",
      window: { days: 0b0111110, startMinute: 540, endMinute: 1050, timeZone: "Europe/Paris" },
      steps: [
        {
          subject: "Hello {{first_name | there}}",
          body: "Hi {{first_name | there}},\nfirst.",
          days: 0,
          businessDays: true,
        },
        { subject: "", body: "Second.", days: 3, businessDays: false },
      ],
    });
  });

  it("reads the form's fields, step by step until the first missing body, and gives them back for an edit", () => {
    const form = new FormData();
    for (const [name, value] of [
      ["name", "Trial"],
      ["timeZone", "UTC"],
      ["days", "1"],
      ["days", "3"],
      ["from", "9:00"],
      ["to", "17:00"],
      ["step-0-subject", "Hello"],
      ["step-0-body", "First."],
      ["step-1-body", "Second."],
      ["step-1-delay", "4"],
      ["step-1-business", "on"],
      ["step-3-body", "Not read: step 2 is missing."],
    ])
      form.append(name!, value!);
    const values = readSequenceForm(form);
    expect(values.days).toEqual(["1", "3"]);
    expect(values.steps).toEqual([
      { subject: "Hello", body: "First.", delay: "", business: "" },
      { subject: "", body: "Second.", delay: "4", business: "on" },
    ]);
    const parsed = parseSequence(values);
    expect(
      sequenceFormValues({
        name: parsed.name,
        timeZone: parsed.window.timeZone,
        windowDays: parsed.window.days,
        windowStartMinute: parsed.window.startMinute,
        windowEndMinute: parsed.window.endMinute,
        steps: parsed.steps.map((step) => ({ ...step, delayDays: step.days })),
      }),
    ).toEqual({ ...values, steps: [{ ...values.steps[0]!, delay: "0", business: "on" }, values.steps[1]] });
  });
});

describe("refusals name the field", () => {
  it.each([
    [{ name: "  " }, "name", /^Name is required/],
    [{ name: "x".repeat(101) }, "name", /^Name is too long/],
    [{ timeZone: "Mars/Olympus" }, "timeZone", /^Time zone: pick one/],
    [{ timeZone: "+01:00" }, "timeZone", /^Time zone/],
    [{ days: [] }, "days", /^Days: tick at least one day/],
    [{ days: ["7", "x"] }, "days", /^Days/],
    [{ from: "nine" }, "from", /^From: type a time like 9:00/],
    [{ to: "25:00" }, "to", /^To: type a time/],
    [{ from: "17:00", to: "9:00" }, "to", /must end after it starts/],
    [{ steps: [] }, "step-0-body", /^Steps: add the first email/],
  ])("%j → %s", (values, field, message) => {
    const { field: named, message: text } = refusal(values);
    expect(named).toBe(field);
    expect(text).toMatch(message);
  });

  it("names the first step's subject as “Step 1 subject”", () => {
    expect(refusal(withStep(0, { subject: " " }))).toEqual({
      field: "step-0-subject",
      message: "Step 1 subject is required: the first email needs one.",
    });
    expect(refusal(withStep(0, { subject: "Line\nbreak" })).field).toBe("step-0-subject");
    expect(refusal(withStep(0, { subject: "Hi {{nickname}}" })).message).toMatch(/^Step 1 subject: /);
  });

  it("names each step's message and wait by its number", () => {
    expect(refusal(withStep(1, { body: "  " }))).toEqual({
      field: "step-1-body",
      message: "Step 2 message is required: write what this email says.",
    });
    expect(refusal(withStep(0, { body: "Bell \u0007" })).field).toBe("step-0-body");
    expect(refusal(withStep(1, { body: "Hi {{first_name" })).message).toMatch(/^Step 2 message: /);
    for (const delay of ["", "0", "1.5", "-1", String(MAX_STEP_DELAY_DAYS + 1), "three"])
      expect(refusal(withStep(1, { delay }))).toEqual({
        field: "step-1-delay",
        message: `Step 2 wait: type a whole number of days from 1 to ${MAX_STEP_DELAY_DAYS}, like 3.`,
      });
  });

  it(`refuses more than ${MAX_STEPS} steps at the step past the limit`, () => {
    const steps = Array.from({ length: MAX_STEPS + 1 }, (_, index) => ({
      subject: index === 0 ? "Hello" : "",
      body: `Step ${index + 1}.`,
      delay: "1",
      business: "on",
    }));
    expect(refusal({ steps }).field).toBe(`step-${MAX_STEPS}-body`);
    expect(parseSequence({ ...VALID, steps: steps.slice(0, MAX_STEPS) }).steps).toHaveLength(MAX_STEPS);
  });
});
