/**
 * The dependency rule `npm test` enforces: no high or critical advisory in a production dependency,
 * unless scripts/audit-exceptions.json names it with a reason and a date to look again. An exception
 * past its date fails the run too, so none is forgotten.
 */

export type AuditException = { package: string; advisory: string; reason: string; revisit: string };

type Advisory = { title?: string; url?: string; severity?: string; source?: number };
type Vulnerability = { name: string; severity: string; via: Array<string | Advisory> };
export type NpmAuditReport = { vulnerabilities?: Record<string, Vulnerability>; message?: string; statusCode?: number };

export type AuditFinding = { package: string; severity: string; advisory: string; title: string };
export type AuditVerdict =
  | { kind: "unavailable"; reason: string }
  | { kind: "checked"; blocking: AuditFinding[]; excepted: AuditFinding[]; expired: AuditException[] };

const BLOCKING = new Set(["high", "critical"]);

export function judgeAudit(report: NpmAuditReport, exceptions: AuditException[], today: string): AuditVerdict {
  if (!report.vulnerabilities) return { kind: "unavailable", reason: report.message ?? "npm audit gave no report" };
  // Each advisory is listed under the package it is about; other entries only point at it ("via": "name").
  const findings = Object.values(report.vulnerabilities).flatMap((vulnerability) =>
    vulnerability.via
      .filter((via): via is Advisory => typeof via === "object" && BLOCKING.has(via.severity ?? ""))
      .map((via) => ({
        package: vulnerability.name,
        severity: via.severity!,
        advisory: via.url ?? `npm advisory ${via.source}`,
        title: via.title ?? "",
      })),
  );
  const isExcepted = (finding: AuditFinding) =>
    exceptions.some((e) => e.package === finding.package && e.advisory === finding.advisory);
  return {
    kind: "checked",
    blocking: findings.filter((finding) => !isExcepted(finding)),
    excepted: findings.filter(isExcepted),
    expired: exceptions.filter((e) => e.revisit < today),
  };
}

export function isValidException(value: unknown): value is AuditException {
  const e = value as Partial<AuditException>;
  return (
    typeof e?.package === "string" &&
    typeof e.advisory === "string" &&
    typeof e.reason === "string" &&
    e.reason.trim().length > 0 &&
    typeof e.revisit === "string" &&
    /^\d{4}-\d{2}-\d{2}$/.test(e.revisit)
  );
}
