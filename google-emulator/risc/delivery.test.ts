import { decodeJwt, decodeProtectedHeader } from "jose";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DEV_USER } from "../seed";
import { connect } from "../testing";
import { setupEmulator } from "../vitest-setup";
import { EVENT_TYPES } from "./events";
import { registerStreamForTests, serviceAccountJwt } from "./register-stream";
import type { SetFaultKind } from "./risc-state";
import { SetReceiver } from "./set-receiver";

const env = setupEmulator({ config: { riscRetryDelayMs: 20 } });
let receiver: SetReceiver;
beforeEach(async () => {
  receiver = await SetReceiver.start(env.url);
  await registerStreamForTests(env.url, receiver.url);
  await connect(env.url);
});
afterEach(async () => {
  await receiver.close();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const trigger = (type = "sessions-revoked") => env.control.riscTrigger({ email: DEV_USER.email, type });

async function deliveries() {
  expect(await env.control.riscFlush()).toEqual({ pending: 0 });
  return env.control.riscDeliveries();
}

async function setStatus(status: "enabled" | "disabled") {
  const response = await fetch(`${env.url}/v1beta/stream/status:update`, {
    method: "POST",
    headers: { Authorization: `Bearer ${await serviceAccountJwt()}`, "Content-Type": "application/json" },
    body: JSON.stringify({ status }),
  });
  expect(response.status).toBe(200);
}

describe("SET delivery", () => {
  it("signs with the ID-token key, typ per riscSetTyp, iss per riscIssuerTrailingSlash", async () => {
    const jwks = (await (await fetch(`${env.url}/oauth2/v3/certs`)).json()) as { keys: { kid: string }[] };
    await trigger();
    await env.control.configure({ riscSetTyp: "secevent+jwt", riscIssuerTrailingSlash: true });
    await trigger();
    await env.control.configure({ riscSetTyp: "JWT" });
    await trigger();
    const sets = (await deliveries()).map((d) => d.set);
    expect(sets.map((s) => decodeProtectedHeader(s))).toEqual([
      { alg: "RS256", kid: jwks.keys[0]?.kid },
      { alg: "RS256", kid: jwks.keys[0]?.kid, typ: "secevent+jwt" },
      { alg: "RS256", kid: jwks.keys[0]?.kid, typ: "JWT" },
    ]);
    const claims = decodeJwt(sets[1] ?? "");
    expect(claims).toEqual({
      iss: `${env.url}/`,
      aud: expect.any(String),
      iat: expect.any(Number),
      jti: expect.stringMatching(/^[0-9a-f]{32}$/),
      events: {
        [EVENT_TYPES["sessions-revoked"]]: {
          subject: { subject_type: "iss-sub", iss: `${env.url}/`, sub: DEV_USER.sub },
        },
      },
    });
    expect(new Set(sets.map((s) => decodeJwt(s).jti)).size).toBe(3);
  });

  it("a disabled stream drops events at once and never sends them later", async () => {
    await setStatus("disabled");
    await trigger("account-credential-change-required");
    expect(await deliveries()).toEqual([
      expect.objectContaining({ outcome: "dropped", error: "stream disabled", status: null, attempt: 0 }),
    ]);
    await setStatus("enabled");
    await trigger("sessions-revoked");
    await deliveries();
    expect(receiver.received.map((r) => r.eventType)).toEqual([EVENT_TYPES["sessions-revoked"]]);
  });

  it("retries 5xx and 429 with backoff until accepted", async () => {
    receiver.script.push(500, 429);
    await trigger();
    const rows = await deliveries();
    expect(rows.map((r) => [r.attempt, r.status, r.outcome])).toEqual([
      [1, 500, "retrying"],
      [2, 429, "retrying"],
      [3, 202, "accepted"],
    ]);
    expect(new Set(rows.map((r) => r.jti)).size).toBe(1);
    expect(receiver.received.map((r) => r.payload?.jti)).toEqual(rows.map((r) => r.jti));
  });

  it("gives up after riscMaxAttempts and drops; never retries a 400", async () => {
    receiver.script.push(503, 503, 503, 400);
    await trigger();
    await deliveries();
    await trigger();
    expect((await deliveries()).map((r) => [r.attempt, r.status, r.outcome])).toEqual([
      [1, 503, "retrying"],
      [2, 503, "retrying"],
      [3, 503, "failed"],
      [3, null, "dropped"],
      [1, 400, "failed"],
    ]);
  });

  it("counts 200 as delivered only with riscAcceptAny2xx, and does not retry it either way", async () => {
    receiver.script.push(200, 200);
    await trigger();
    await deliveries();
    await env.control.configure({ riscAcceptAny2xx: true });
    await trigger();
    const rows = await deliveries();
    expect(rows.map((r) => [r.status, r.outcome])).toEqual([
      [200, "failed"],
      [200, "accepted"],
    ]);
    expect(rows[0]?.error).toMatch(/202/);
  });

  it("retries after a timeout or a refused connection", async () => {
    await env.control.configure({ riscDeliveryTimeoutMs: 100 });
    receiver.script.push("hang");
    await trigger();
    expect((await deliveries()).map((r) => [r.status, r.error, r.outcome])).toEqual([
      [null, "timed out after 100 ms", "retrying"],
      [202, null, "accepted"],
    ]);
    await receiver.close();
    await env.control.reset();
    await registerStreamForTests(env.url, receiver.url);
    await connect(env.url);
    await trigger();
    const rows = await deliveries();
    expect(rows.map((r) => r.outcome)).toEqual(["retrying", "retrying", "failed", "dropped"]);
    expect(rows[0]?.error).toBe("ECONNREFUSED");
  });

  it("reset cancels pending retries", async () => {
    await env.control.configure({ riscRetryDelayMs: 150 });
    receiver.script.push(500);
    await trigger();
    await receiver.waitFor(1);
    await env.control.reset();
    expect(await env.control.riscFlush()).toEqual({ pending: 0 });
    await sleep(300);
    expect(receiver.received).toHaveLength(1);
    expect(await env.control.riscDeliveries()).toEqual([]);
  });
});

describe("SET faults", () => {
  const onNext = async (kind: SetFaultKind, delayMs?: number) => {
    await env.control.riscFault({ kind, ...(delayMs ? { delayMs } : {}) });
    await trigger();
    return deliveries();
  };

  it("lists and clears programmed faults", async () => {
    await env.control.riscFault({ kind: "drop", count: 2 });
    expect(await env.control.call("/risc/faults")).toEqual({ faults: [{ kind: "drop", count: 2 }] });
    await env.control.riscClearFaults();
    expect(await env.control.call("/risc/faults")).toEqual({ faults: [] });
    await expect(env.control.riscFault({ kind: "delay" })).rejects.toThrow(/400/);
  });

  it("duplicate delivers the same SET twice; drop never delivers it", async () => {
    await onNext("duplicate");
    expect(receiver.verified()).toHaveLength(2);
    expect(receiver.received[0]?.raw).toBe(receiver.received[1]?.raw);
    const rows = await onNext("drop");
    expect(rows.at(-1)).toMatchObject({ outcome: "dropped", fault: "drop", error: "fault: drop" });
    expect(receiver.received).toHaveLength(2);
  });

  it("reorder holds a SET until the next one has gone", async () => {
    await env.control.riscFault({ kind: "reorder" });
    await trigger("account-credential-change-required");
    await trigger("sessions-revoked");
    await deliveries();
    expect(receiver.verified().map((r) => r.eventType)).toEqual([
      EVENT_TYPES["sessions-revoked"],
      EVENT_TYPES["account-credential-change-required"],
    ]);
  });

  it("delay waits before the first attempt", async () => {
    await env.control.riscFault({ kind: "delay", delayMs: 150 });
    await trigger();
    await sleep(50);
    expect(receiver.received).toHaveLength(0);
    await deliveries();
    expect(receiver.verified()).toHaveLength(1);
  });

  it("bad-signature, unknown-kid, wrong-aud and wrong-iss fail verification; the 400 is not retried", async () => {
    for (const kind of ["bad-signature", "unknown-kid", "wrong-aud", "wrong-iss"] as const) await onNext(kind);
    expect(receiver.received.map((r) => r.error)).toEqual([
      "ERR_JWS_SIGNATURE_VERIFICATION_FAILED",
      "ERR_JWKS_NO_MATCHING_KEY",
      "ERR_JWT_CLAIM_VALIDATION_FAILED",
      "ERR_JWT_CLAIM_VALIDATION_FAILED",
    ]);
    expect((await deliveries()).map((r) => [r.fault, r.status, r.outcome])).toEqual([
      ["bad-signature", 400, "failed"],
      ["unknown-kid", 400, "failed"],
      ["wrong-aud", 400, "failed"],
      ["wrong-iss", 400, "failed"],
    ]);
  });

  it("expired-exp adds an exp in the past to an otherwise valid SET", async () => {
    const rows = await onNext("expired-exp");
    expect(rows[0]).toMatchObject({ outcome: "accepted", fault: "expired-exp" });
    const payload = receiver.verified()[0]?.payload;
    expect(payload?.exp).toBeLessThan(payload?.iat ?? 0);
  });
});
