import { METADATA_SCOPE_LABEL, type StatusCopy } from "../connection/copy";
import type { ReplyDetectionState } from "./reply-detection";

/** Reply detection in the words the pages show (lib/outreach/reply-detection.ts decides). */

export const REPLIED_STOP_REASON = "Replied";
export const BOUNCED_STOP_REASON = "A step failed: the email bounced (delivery failure)";

/** Said wherever a sequence's stops are shown while reply detection is not on. */
export const MANUAL_STOPS = "Sequence stops are manual: use Mark as replied when someone answers.";

/** What Evergreen reads, in plain words, before anyone turns it on. */
export const WHAT_IS_READ =
  "Evergreen looks at the threads its sequences started, about once an hour and before each follow-up. It reads only each message's sender, date and the headers that mark automatic mail (out-of-office replies, delivery failures). It never reads or stores what anyone wrote.";

export const REPLY_DETECTION_COPY: Record<
  ReplyDetectionState,
  { status: string; tone: StatusCopy["tone"]; detail: string }
> = {
  "off-by-deployment": {
    status: "Not available",
    tone: "off",
    detail: "Sequence stops are manual: reply detection is not enabled on this server.",
  },
  off: {
    status: "Off",
    tone: "off",
    detail: `${MANUAL_STOPS} Turn this on and Google will ask you to allow “${METADATA_SCOPE_LABEL}”.`,
  },
  "needs-permission": {
    status: "Waiting for Google's permission",
    tone: "warning",
    detail: `Google has not granted “${METADATA_SCOPE_LABEL}”, so Evergreen cannot see replies: sequence stops are manual (use Mark as replied) until you ask Google again and tick that box.`,
  },
  on: {
    status: "On",
    tone: "ok",
    detail:
      "A sequence stops when the contact replies; an out-of-office reply does not stop it, and a delivery failure stops it as a failed step.",
  },
};

export const REPLY_DETECTION_MESSAGES = {
  turnedOn: "Stop when they reply is on.",
  notGranted: `Google did not grant “${METADATA_SCOPE_LABEL}”, so stop when they reply is not working yet: sequence stops are manual. Ask Google again and tick that box, or turn it off.`,
  turnedOff: `Stop when they reply is off. ${MANUAL_STOPS}`,
  notAvailable: REPLY_DETECTION_COPY["off-by-deployment"].detail,
} as const;
