import { useId, useState, type ReactNode } from "react";
import { useWrite, type Invalidates } from "../api/mutations";
import { WriteDialog } from "./WriteDialog";

/** A yes/no dialog for irreversible actions ("Delete Job"); `invalidates`: the queries the write changes. */
export function ConfirmDialog({
  title,
  children,
  confirmLabel = "OK",
  danger,
  onConfirm,
  invalidates,
  onClose,
}: {
  title: string;
  children: ReactNode;
  confirmLabel?: string;
  danger?: boolean;
  onConfirm: () => Promise<unknown>;
  invalidates?: Invalidates<void, unknown>;
  onClose: () => void;
}) {
  const write = useWrite(onConfirm, { invalidates, onDone: onClose });
  return (
    <WriteDialog title={title} width={440} write={write} onSubmit={() => write.mutate()} onClose={onClose} submitLabel={confirmLabel} danger={danger} autoFocusSubmit>
      <div className="confirm-text">{children}</div>
    </WriteDialog>
  );
}

/** A dialog asking for one name (Rename, Create Directory); `invalidates`: the queries the write changes. */
export function NameDialog({
  title,
  label,
  initial = "",
  maxLength = 128,
  validate,
  onSubmit,
  invalidates,
  onClose,
  children,
}: {
  title: string;
  label: string;
  initial?: string;
  maxLength?: number;
  validate?: (name: string) => string | null;
  onSubmit: (name: string) => Promise<unknown>;
  invalidates?: Invalidates<string, unknown>;
  onClose: () => void;
  children?: ReactNode;
}) {
  const id = useId();
  const [name, setName] = useState(initial);
  const write = useWrite(onSubmit, { invalidates, onDone: onClose });
  const problem = !name.trim() ? "Enter a name." : validate?.(name.trim()) ?? null;
  const submit = (e?: React.FormEvent) => {
    e?.preventDefault();
    if (!problem && !write.isPending) write.mutate(name.trim());
  };
  return (
    <WriteDialog title={title} width={460} write={write} onSubmit={submit} onClose={onClose} disabled={!!problem}>
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
    </WriteDialog>
  );
}

export const NAME_PATTERN = /^[A-Za-z0-9_\-.\u4e00-\u9fa5]+$/;

export function validateObjectName(name: string): string | null {
  if (name.length > 128) return "At most 128 characters.";
  if (!NAME_PATTERN.test(name)) return "Use letters, digits, hyphens (-), underscores (_) and periods (.) only.";
  return null;
}
