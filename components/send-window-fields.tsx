"use client";

import { useMemo, useState, useSyncExternalStore } from "react";
import { Field, inputClass } from "@/components/action-form";

const subscribeToNothing = () => () => {};

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

/**
 * A weekly send window's fields, as the merge timing and sequence forms post them: `days` (0–6, one
 * checkbox a day, Sunday first), `from`, `to` and `timeZone`. The zone list is the browser's, with
 * the browser's own zone chosen unless `initial.timeZone` is set.
 */
export function SendWindowFields({
  idPrefix,
  legend,
  initial,
  errors,
  zoneHint,
}: {
  idPrefix: string;
  legend: string;
  /** Days as a bitmask (bit 0 Sunday). */
  initial: { days: number; from: string; to: string; timeZone?: string };
  errors: Record<string, string[] | undefined>;
  zoneHint?: string;
}) {
  // The browser knows the sender's zone and the full list; the server renders UTC until it hydrates.
  const inBrowser = useSyncExternalStore(
    subscribeToNothing,
    () => true,
    () => false,
  );
  const browserZone = inBrowser ? Intl.DateTimeFormat().resolvedOptions().timeZone : "UTC";
  const [chosenZone, setTimeZone] = useState(initial.timeZone);
  const timeZone = chosenZone ?? browserZone;
  const zones = useMemo(() => {
    const all = inBrowser && typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [];
    return [...new Set(["UTC", browserZone, initial.timeZone ?? "UTC", ...all])];
  }, [inBrowser, browserZone, initial.timeZone]);
  return (
    <fieldset
      className="space-y-3 rounded-md border border-slate-200 p-3"
      aria-describedby={errors.days ? `${idPrefix}-days-error` : undefined}
    >
      <legend className="px-1 text-sm font-medium text-slate-700">{legend}</legend>
      <div className="flex flex-wrap gap-3">
        {DAYS.map((day, index) => (
          <label key={day} className="flex items-center gap-1 text-sm">
            <input type="checkbox" name="days" value={index} defaultChecked={(initial.days & (1 << index)) !== 0} />{" "}
            {day}
          </label>
        ))}
      </div>
      <p id={`${idPrefix}-days-error`} className="text-sm text-red-700">
        {errors.days?.[0] ?? ""}
      </p>
      <div className="grid gap-3 sm:grid-cols-3">
        <Field id={`${idPrefix}-from`} label="From" hint="Like 9:00" errors={errors.from}>
          {(props) => (
            <input {...props} name="from" defaultValue={initial.from} className={inputClass(Boolean(errors.from))} />
          )}
        </Field>
        <Field id={`${idPrefix}-to`} label="To" hint="Like 17:00" errors={errors.to}>
          {(props) => (
            <input {...props} name="to" defaultValue={initial.to} className={inputClass(Boolean(errors.to))} />
          )}
        </Field>
        <Field id={`${idPrefix}-zone`} label="Time zone" hint={zoneHint} errors={errors.timeZone}>
          {(props) => (
            <select
              {...props}
              name="timeZone"
              value={timeZone}
              onChange={(event) => setTimeZone(event.target.value)}
              className={inputClass(Boolean(errors.timeZone))}
            >
              {zones.map((zone) => (
                <option key={zone} value={zone}>
                  {zone}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
    </fieldset>
  );
}
