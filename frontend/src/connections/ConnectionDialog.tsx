import { useMemo, useState } from "react";
import {
  connectionCreate,
  connectionKeys,
  connectionTest,
  connectionUpdate,
  useConnectionTypes,
  useRoomMutation,
  type ConnectionTestResult,
  type ConnectionTypeField,
  type ConnectionTypeSpec,
} from "../api/connections";
import { errorMessage, isApiError } from "../api/client";
import type { Connection } from "../api/types";
import { useSessionWorkspace } from "../shell/ConsoleContext";
import { Dialog } from "../ui/Dialog";
import { ErrorNotice, Field, Spinner } from "../ui/bits";
import { formErrors, formPayload, initialValues, type FormValues } from "./logic";

function FieldInput({ f, id, value, set, disabled, stored }: { f: ConnectionTypeField; id: string; value: string | boolean; set: (v: string | boolean) => void; disabled: boolean; stored: boolean }) {
  if (f.widget === "boolean") return <input id={id} type="checkbox" checked={value === true} disabled={disabled} onChange={(e) => set(e.target.checked)} />;
  if (f.widget === "select")
    return (
      <select id={id} value={String(value)} disabled={disabled} onChange={(e) => set(e.target.value)}>
        {!f.required && <option value="">—</option>}
        {f.options.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
    );
  return (
    <input
      id={id}
      type={f.widget === "password" ? "password" : "text"}
      inputMode={f.widget === "number" ? "numeric" : undefined}
      autoComplete={f.widget === "password" ? "new-password" : "off"}
      placeholder={f.secret && stored ? "Set (leave blank to keep it)" : undefined}
      value={String(value)}
      disabled={disabled}
      onChange={(e) => set(e.target.value)}
    />
  );
}

function ConnectionForm({ spec, types, connection, onType, onClose }: { spec: ConnectionTypeSpec; types: ConnectionTypeSpec[]; connection: Connection | null; onType: (t: string) => void; onClose: () => void }) {
  const { workspace } = useSessionWorkspace();
  const readOnly = workspace.role === "viewer";
  const [name, setName] = useState(connection?.name ?? "");
  const [description, setDescription] = useState(connection?.description ?? "");
  const [values, setValues] = useState<FormValues>(() => initialValues(spec, connection));
  const [touched, setTouched] = useState(false);
  const [test, setTest] = useState<ConnectionTestResult | { ok: false; message: string; elapsedMs?: number } | null>(null);
  const [testing, setTesting] = useState(false);
  const errors = formErrors(spec, name, values);
  const serverFields = (e: unknown) => (isApiError(e) ? (e.fields as Record<string, unknown>) : {});
  const save = useRoomMutation(
    () => {
      const { config, secrets } = formPayload(spec, values, connection);
      const body = { name: name.trim(), type: spec.code, description, config, secrets };
      return connection ? connectionUpdate(workspace.id, connection.id, body) : connectionCreate(workspace.id, body);
    },
    connectionKeys(workspace.id),
  );
  const fieldError = (key: string) => {
    const server = serverFields(save.error)[key];
    return (touched ? errors[key] : undefined) ?? (Array.isArray(server) ? server.join(" ") : undefined);
  };
  const runTest = async () => {
    setTesting(true);
    setTest(null);
    try {
      const { config, secrets } = formPayload(spec, values, connection);
      setTest(await connectionTest(workspace.id, { type: spec.code, config, secrets, connectionId: connection?.id ?? null }));
    } catch (e) {
      setTest({ ok: false, message: errorMessage(e) });
    } finally {
      setTesting(false);
    }
  };
  const submit = (e?: React.FormEvent) => {
    e?.preventDefault();
    setTouched(true);
    if (Object.keys(errors).length) return;
    save.mutate(undefined, { onSuccess: onClose });
  };
  const set = (key: string) => (v: string | boolean) => setValues((old) => ({ ...old, [key]: v }));
  const busy = save.isPending;
  return (
    <Dialog
      title={connection ? `Data Connection ${connection.name}` : "Create Data Connection"}
      onClose={onClose}
      dismissable={!busy}
      width={620}
      footer={
        <>
          {spec.test !== "none" && !readOnly && (
            <button type="button" onClick={() => void runTest()} disabled={testing || busy}>
              {testing ? "Testing…" : "Test"}
            </button>
          )}
          <span className="toolbar-fill" />
          <button type="button" onClick={onClose} disabled={busy}>
            {readOnly ? "Close" : "Cancel"}
          </button>
          {!readOnly && (
            <button type="button" className="primary" onClick={() => submit()} disabled={busy}>
              {busy ? "Saving…" : "Save"}
            </button>
          )}
        </>
      }
    >
      <form className="form" onSubmit={submit} aria-label="Data connection">
        <Field label="Data Connection Type" htmlFor="conn-type">
          <select id="conn-type" value={spec.code} disabled={!!connection || readOnly} onChange={(e) => onType(e.target.value)}>
            {types.map((t) => (
              <option key={t.code} value={t.code}>
                {t.label}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Name" htmlFor="conn-name" error={fieldError("name")}>
          <input id="conn-name" value={name} maxLength={100} disabled={readOnly} onChange={(e) => setName(e.target.value)} data-autofocus />
        </Field>
        {spec.fields.map((f) => (
          <Field key={f.name} label={f.label} htmlFor={`conn-f-${f.name}`} hint={f.help || undefined} error={fieldError(f.name)}>
            <FieldInput f={f} id={`conn-f-${f.name}`} value={values[f.name] ?? ""} set={set(f.name)} disabled={readOnly} stored={!!connection?.secretFields.includes(f.name)} />
          </Field>
        ))}
        <Field label="Description" htmlFor="conn-desc">
          <input id="conn-desc" value={description} maxLength={255} disabled={readOnly} onChange={(e) => setDescription(e.target.value)} />
        </Field>
        <button type="submit" hidden />
      </form>
      {test && (
        <div className={`notice ${test.ok ? "notice-success" : "notice-error"}`} role="status" aria-label="Test result">
          <strong>{test.ok ? "Test succeeded: " : "Test failed: "}</strong>
          {test.message}
          {test.elapsedMs != null && <span className="muted"> ({test.elapsedMs} ms)</span>}
        </div>
      )}
      <ErrorNotice error={save.error} />
    </Dialog>
  );
}

/** Create (connection null) or open a data connection; the form is the server's definition of its type. */
export function ConnectionDialog({ connection, onClose }: { connection: Connection | null; onClose: () => void }) {
  const types = useConnectionTypes();
  const [code, setCode] = useState<string>(connection?.type ?? "DWS");
  const spec = useMemo(() => types.data?.find((t) => t.code === code), [types.data, code]);
  if (!types.data || !spec)
    return (
      <Dialog title={connection ? `Data Connection ${connection.name}` : "Create Data Connection"} onClose={onClose}>
        {types.isPending ? <Spinner /> : <ErrorNotice error={types.error ?? `Unknown connection type ${code}.`} />}
      </Dialog>
    );
  // Keyed by type: another type starts its own form from its defaults.
  return <ConnectionForm key={spec.code} spec={spec} types={types.data} connection={connection} onType={setCode} onClose={onClose} />;
}
