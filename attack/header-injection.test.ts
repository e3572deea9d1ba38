import { it } from "vitest";
import { PROPERTY_TIMEOUT_MS, VALUES_PER_FIELD } from "./compose-round-trip";
import { checkTopLevelHeaders, TOP_LEVEL_RUNS_PER_SHARD } from "./header-injection-property";

// First half of the runs; the second is in header-injection-shard-2.test.ts (a fork of its own).
const share = `${TOP_LEVEL_RUNS_PER_SHARD.toLocaleString("en")} of ${VALUES_PER_FIELD.toLocaleString("en")}`;

it(
  `no value of To, Cc, Bcc, Subject, In-Reply-To or the sender's name adds a header or a recipient (${share} values each)`,
  () => checkTopLevelHeaders(12_0001),
  PROPERTY_TIMEOUT_MS,
);
