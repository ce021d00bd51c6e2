import type { ReactNode } from "react";
import { Dialog } from "./Dialog";
import { ErrorNotice } from "./bits";

/** What a write dialog needs of its mutation (useWrite's result). */
export interface WriteState {
  isPending: boolean;
  error: unknown;
}

/**
 * The dialog every write shares: Cancel, and a submit button that shows the write running; the write's
 * error below the body; not dismissable while the write runs.
 */
export function WriteDialog({
  title,
  width,
  write,
  onSubmit,
  onClose,
  submitLabel = "OK",
  busyLabel = "Working…",
  danger,
  disabled,
  autoFocusSubmit,
  shownError,
  children,
}: {
  title: string;
  width?: number | string;
  write: WriteState;
  onSubmit: () => void;
  onClose: () => void;
  submitLabel?: string;
  busyLabel?: string;
  danger?: boolean;
  /** The form is not ready (a field's problem): submit stays disabled. */
  disabled?: boolean;
  autoFocusSubmit?: boolean;
  /** Instead of the write's error (when the body shows some errors at their field). */
  shownError?: unknown;
  children: ReactNode;
}) {
  const busy = write.isPending;
  return (
    <Dialog
      title={title}
      onClose={onClose}
      dismissable={!busy}
      width={width}
      footer={
        <>
          <button type="button" onClick={onClose} disabled={busy}>
            Cancel
          </button>
          <button type="button" className={danger ? "danger" : "primary"} onClick={onSubmit} disabled={busy || !!disabled} data-autofocus={autoFocusSubmit || undefined}>
            {busy ? busyLabel : submitLabel}
          </button>
        </>
      }
    >
      {children}
      <ErrorNotice error={shownError !== undefined ? shownError : write.error} />
    </Dialog>
  );
}
