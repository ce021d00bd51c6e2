/** The property panel's plain controls: a drop-down, a text input that commits on blur, a node setting. */
import { useEffect, useId, useState } from "react";
import { NODE_SETTINGS } from "./transforms";

export function ChoiceSelect({ id, value, options, disabled, onChange, required }: { id: string; value: string; options: string[]; disabled: boolean; onChange: (v: string) => void; required?: boolean }) {
  const known = options.includes(value);
  return (
    <select id={id} value={value} disabled={disabled} onChange={(e) => onChange(e.target.value)} aria-required={required || undefined}>
      <option value="">-- Select --</option>
      {value && !known && <option value={value}>{value} (not found)</option>}
      {options.map((o) => (
        <option key={o} value={o}>
          {o}
        </option>
      ))}
    </select>
  );
}

/** A text input that reports its value when it loses focus (one document change per edit, not per key). */
export function DeferredText({ id, value, disabled, onCommit, multiline, type = "text", placeholder, autoComplete }: { id: string; value: string; disabled: boolean; onCommit: (v: string) => void; multiline?: boolean; type?: string; placeholder?: string; autoComplete?: string }) {
  const [v, setV] = useState(value);
  useEffect(() => setV(value), [value]);
  const commit = () => v !== value && onCommit(v);
  return multiline ? (
    <textarea id={id} value={v} disabled={disabled} rows={4} onChange={(e) => setV(e.target.value)} onBlur={commit} />
  ) : (
    <input
      id={id}
      type={type}
      value={v}
      placeholder={placeholder}
      autoComplete={autoComplete}
      disabled={disabled}
      onChange={(e) => setV(e.target.value)}
      onBlur={commit}
      onKeyDown={(e) => {
        if (e.key === "Enter") commit();
      }}
    />
  );
}

export function SettingInput({ setting, value, disabled, onChange }: { setting: (typeof NODE_SETTINGS)[number]; value: unknown; disabled: boolean; onChange: (v: unknown) => void }) {
  const id = useId();
  const str = value === undefined || value === null ? "" : String(value);
  return (
    <div className="field">
      <label htmlFor={id}>{setting.label}</label>
      <div className="field-control">
        {setting.kind === "select" ? (
          <ChoiceSelect id={id} value={str} options={setting.options ?? []} disabled={disabled} onChange={onChange} />
        ) : (
          <DeferredText
            id={id}
            type="number"
            value={str}
            disabled={disabled}
            onCommit={(v) => {
              const n = Number(v);
              onChange(v === "" ? undefined : Number.isFinite(n) ? Math.min(setting.max ?? n, Math.max(setting.min ?? n, n)) : value);
            }}
          />
        )}
      </div>
    </div>
  );
}
