import type { SequenceFormValues } from "@/lib/outreach/sequence-rules";

/**
 * The sequence form's values as an ActionState echoes them (flat strings: `days` comma-joined, each
 * step's fields under their form names) and back, so a refused form refills with what was typed.
 */

export function echoSequenceValues(values: SequenceFormValues): Record<string, string> {
  const echo: Record<string, string> = {
    name: values.name,
    timeZone: values.timeZone,
    days: values.days.join(","),
    from: values.from,
    to: values.to,
  };
  values.steps.forEach((step, index) => {
    echo[`step-${index}-subject`] = step.subject;
    echo[`step-${index}-body`] = step.body;
    echo[`step-${index}-delay`] = step.delay;
    echo[`step-${index}-business`] = step.business;
  });
  return echo;
}

export function sequenceValuesFromEcho(echo: Record<string, string>): SequenceFormValues {
  const steps: SequenceFormValues["steps"] = [];
  for (let index = 0; `step-${index}-body` in echo; index += 1)
    steps.push({
      subject: echo[`step-${index}-subject`] ?? "",
      body: echo[`step-${index}-body`] ?? "",
      delay: echo[`step-${index}-delay`] ?? "",
      business: echo[`step-${index}-business`] ?? "",
    });
  return {
    name: echo.name ?? "",
    timeZone: echo.timeZone ?? "",
    days: (echo.days ?? "").split(",").filter(Boolean),
    from: echo.from ?? "",
    to: echo.to ?? "",
    steps,
  };
}
