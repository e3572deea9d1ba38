import type { SequenceFormValues } from "@/lib/outreach/sequence-rules";

/** A two-step sequence's form as a user fills it: weekdays 9:00–17:00 in Paris, the follow-up 3 business days on. */
export const TWO_STEP_FORM: SequenceFormValues = {
  name: "Trial follow-up",
  timeZone: "Europe/Paris",
  days: ["1", "2", "3", "4", "5"],
  from: "9:00",
  to: "17:00",
  steps: [
    { subject: "Hello {{first_name | there}}", body: "Hi {{first_name | there}}, first.", delay: "", business: "on" },
    { subject: "", body: "Second.", delay: "3", business: "on" },
  ],
};
