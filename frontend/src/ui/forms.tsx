import { useId, useState, type ReactNode } from "react";
import { Dialog } from "./Dialog";
import { ErrorNotice } from "./bits";

/** A yes/no dialog for irreversible actions ("Delete Job"). */
export function ConfirmDialog({
  title,
  children,
  confirmLabel = "OK",
  danger,
  onConfirm,
  onClose,
}: {
  title: string;
  children: ReactNode;
  confirmLabel?: string;
  danger?: boolean;
  onConfirm: () => Promise<unknown>;
  onClose: () => void;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const run = async () => {
    setBusy(true);
    setError(null);
    try {
      await onConfirm();
      onClose();
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };
  return (
    <Dialog
      title={title}
      onClose={onClose}
      dismissable={!busy}
      width={440}
      footer={
        <>
          <button type="button" onClick={onClose} disabled={busy}>
            Cancel
          </button>
          <button type="button" className={danger ? "danger" : "primary"} onClick={run} disabled={busy} data-autofocus>
            {busy ? "Working…" : confirmLabel}
          </button>
        </>
      }
    >
      <div className="confirm-text">{children}</div>
      <ErrorNotice error={error} />
    </Dialog>
  );
}

/** A dialog asking for one name (Rename, Create Directory). */
export function NameDialog({
  title,
  label,
  initial = "",
  maxLength = 128,
  validate,
  onSubmit,
  onClose,
  children,
}: {
  title: string;
  label: string;
  initial?: string;
  maxLength?: number;
  validate?: (name: string) => string | null;
  onSubmit: (name: string) => Promise<unknown>;
  onClose: () => void;
  children?: ReactNode;
}) {
  const id = useId();
  const [name, setName] = useState(initial);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const problem = !name.trim() ? "Enter a name." : validate?.(name.trim()) ?? null;
  const submit = async (e?: React.FormEvent) => {
    e?.preventDefault();
    if (problem) return;
    setBusy(true);
    setError(null);
    try {
      await onSubmit(name.trim());
      onClose();
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };
  return (
    <Dialog
      title={title}
      onClose={onClose}
      dismissable={!busy}
      width={460}
      footer={
        <>
          <button type="button" onClick={onClose} disabled={busy}>
            Cancel
          </button>
          <button type="button" className="primary" onClick={() => submit()} disabled={busy || !!problem}>
            {busy ? "Working…" : "OK"}
          </button>
        </>
      }
    >
      <form onSubmit={submit} className="form">
        <div className="field">
          <label htmlFor={id}>{label}</label>
          <div className="field-control">
            <input id={id} value={name} maxLength={maxLength} onChange={(e) => setName(e.target.value)} data-autofocus />
            {name && problem && <div className="field-error">{problem}</div>}
          </div>
        </div>
        {children}
      </form>
      <ErrorNotice error={error} />
    </Dialog>
  );
}

export const NAME_PATTERN = /^[A-Za-z0-9_\-.\u4e00-\u9fa5]+$/;

export function validateObjectName(name: string): string | null {
  if (name.length > 128) return "At most 128 characters.";
  if (!NAME_PATTERN.test(name)) return "Use letters, digits, hyphens (-), underscores (_) and periods (.) only.";
  return null;
}
