"use client";

import { formatBytes, totalBytes, type AttachmentLimits } from "@/lib/mail/attachment-limits";

type Props = {
  files: File[];
  limits: AttachmentLimits;
  onAdd: (files: File[]) => void;
  onRemove: (index: number) => void;
  /** Files refused when added, or the server's word on the attachments. */
  errors?: string[];
};

/** The file picker, the files attached with their sizes and the total against Gmail's limit. */
export function AttachmentsField({ files, limits, onAdd, onRemove, errors }: Props) {
  const total = totalBytes(files);
  const hasError = (errors?.length ?? 0) > 0;
  return (
    <div className="space-y-2">
      <div className="flex flex-wrap items-center gap-x-3 gap-y-1">
        <input
          id="attachments"
          type="file"
          multiple
          className="peer sr-only"
          aria-describedby={`attachments-hint${hasError ? " attachments-error" : ""}`}
          aria-invalid={hasError || undefined}
          onChange={(event) => {
            onAdd([...(event.currentTarget.files ?? [])]);
            event.currentTarget.value = "";
          }}
        />
        <label
          htmlFor="attachments"
          className="inline-flex cursor-pointer items-center gap-1.5 rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium text-slate-800 hover:bg-slate-50 peer-focus-visible:outline-2 peer-focus-visible:outline-offset-2 peer-focus-visible:outline-brand-600"
        >
          <svg aria-hidden viewBox="0 0 20 20" fill="none" stroke="currentColor" strokeWidth="1.6" className="size-4">
            <path d="M13.5 6.5 7.8 12.2a1.6 1.6 0 0 0 2.3 2.3l6-6a3.2 3.2 0 0 0-4.6-4.6l-6 6a4.8 4.8 0 0 0 6.8 6.8l5.2-5.2" />
          </svg>
          Attach files
        </label>
        <span id="attachments-hint" className="text-sm text-slate-500">
          or drop them here. Up to {formatBytes(limits.maxBytes)} in total and {limits.maxCount} files; attachments are
          not kept in the saved draft.
        </span>
      </div>
      {files.length > 0 ? (
        <div className="rounded-md border border-slate-200">
          <ul aria-label="Attachments" className="divide-y divide-slate-100">
            {files.map((file, index) => (
              <li key={`${index}-${file.name}-${file.size}`} className="flex items-center gap-3 px-3 py-1.5 text-sm">
                <span className="min-w-0 flex-1 truncate" title={file.name}>
                  {file.name}
                </span>
                <span className="shrink-0 text-slate-500 tabular-nums">{formatBytes(file.size)}</span>
                <button
                  type="button"
                  onClick={() => onRemove(index)}
                  aria-label={`Remove ${file.name}`}
                  className="shrink-0 rounded px-1.5 text-slate-500 hover:bg-slate-100 hover:text-slate-900"
                >
                  <span aria-hidden>×</span>
                </button>
              </li>
            ))}
          </ul>
          <p className="flex items-center gap-3 border-t border-slate-100 px-3 py-1.5 text-sm text-slate-600">
            <span>
              {files.length} {files.length === 1 ? "file" : "files"}, {formatBytes(total)} of{" "}
              {formatBytes(limits.maxBytes)}
            </span>
            <span aria-hidden className="h-1.5 max-w-40 flex-1 overflow-hidden rounded-full bg-slate-100">
              <span
                className="block h-full rounded-full bg-brand-600"
                style={{ width: `${Math.min(100, (total / limits.maxBytes) * 100)}%` }}
              />
            </span>
          </p>
        </div>
      ) : null}
      <div id="attachments-error" aria-live="polite" className="text-sm text-red-700">
        {errors?.map((error) => (
          <p key={error}>{error}</p>
        ))}
      </div>
    </div>
  );
}
