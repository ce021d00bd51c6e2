import { useEffect, useId, useState } from "react";
import { useConnections, useElementSearch, useExternalObjects, useResources } from "../api/hooks";
import type { Id, JobDocument, NodeField, NodeType, UnresolvedReference } from "../api/types";
import { ErrorNotice } from "../ui/bits";
import { ChoiceSelect, DeferredText, SettingInput } from "./fieldControls";
import type { CanvasSelection } from "./FlowCanvas";
import { unresolvedByProperty } from "./unresolved";
import { conditionFor, NODE_SETTINGS, isSensitiveProperty, nodeBadge, nodeProperties, nodeSecretKey, renameNode, secretIsSet, secretLabel, setCondition, setNodeField, setNodeProperty, deleteNodes, disconnectNodes } from "./transforms";

const EXTERNAL_KINDS = new Set(["dli_queue", "ges_graph", "dis_stream", "cdm_cluster", "mrs_cluster"]);

/** A drop-down of existing objects of the kind a reference field points to. */
function ReferenceInput({ ws, field, id, value, disabled, onChange }: { ws: Id; field: NodeField; id: string; value: string; disabled: boolean; onChange: (v: string) => void }) {
  const kind = field.refersTo ?? "";
  const connections = useConnections(ws);
  const external = useExternalObjects(ws, kind, EXTERNAL_KINDS.has(kind));
  const resources = useResources(ws, kind === "resource");
  const [typed, setTyped] = useState(value);
  useEffect(() => setTyped(value), [value]);
  const searchCategory = kind === "job" ? "job" : "script";
  const search = useElementSearch(ws, searchCategory, typed, (kind === "script" || kind === "job") && !disabled);
  const listId = `${id}-list`;

  if (kind === "connection") {
    const all = connections.data ?? [];
    const matching = all.filter((c) => !field.connectionType || c.type.toUpperCase() === field.connectionType.toUpperCase());
    return (
      <>
        <ChoiceSelect id={id} value={value} options={matching.map((c) => c.name)} disabled={disabled} onChange={onChange} required={field.required} />
        {connections.error && <ErrorNotice error={connections.error} />}
      </>
    );
  }
  if (EXTERNAL_KINDS.has(kind)) {
    return (
      <>
        <ChoiceSelect id={id} value={value} options={(external.data ?? []).map((o) => o.name)} disabled={disabled} onChange={onChange} required={field.required} />
        {external.error && <ErrorNotice error={external.error} />}
      </>
    );
  }
  if (kind === "resource") {
    return <ChoiceSelect id={id} value={value} options={(resources.data ?? []).map((r) => r.name)} disabled={disabled} onChange={onChange} required={field.required} />;
  }
  // Scripts and jobs can be thousands: type to search, pick from the suggestions.
  return (
    <>
      <input
        id={id}
        list={listId}
        value={typed}
        disabled={disabled}
        autoComplete="off"
        aria-required={field.required || undefined}
        onChange={(e) => setTyped(e.target.value)}
        onBlur={() => typed !== value && onChange(typed.trim())}
        onKeyDown={(e) => {
          if (e.key === "Enter") onChange(typed.trim());
        }}
      />
      <datalist id={listId}>
        {(search.data?.elements ?? []).map((e) => (
          <option key={e.id} value={e.name} />
        ))}
      </datalist>
    </>
  );
}

function FieldInput({ ws, field, value, disabled, onChange, sensitive = false, secretSet = false, problem }: { ws: Id; field: NodeField; value: unknown; disabled: boolean; onChange: (v: unknown) => void; sensitive?: boolean; secretSet?: boolean; problem?: string }) {
  const id = useId();
  const str = value === undefined || value === null ? "" : String(value);
  let control: React.ReactNode;
  switch (field.widget) {
    case "reference":
      control = <ReferenceInput ws={ws} field={field} id={id} value={str} disabled={disabled} onChange={onChange} />;
      break;
    case "select":
      control = <ChoiceSelect id={id} value={str} options={field.options ?? []} disabled={disabled} onChange={onChange} required={field.required} />;
      break;
    case "boolean":
      control = <input id={id} type="checkbox" checked={str === "true"} disabled={disabled} onChange={(e) => onChange(e.target.checked ? "true" : "false")} />;
      break;
    case "textarea":
      control = <DeferredText id={id} value={str} disabled={disabled} onCommit={onChange} multiline />;
      break;
    case "number":
      control = <DeferredText id={id} value={str} disabled={disabled} onCommit={onChange} type="number" />;
      break;
    default:
      control = sensitive ? (
        <DeferredText id={id} value={str} disabled={disabled} onCommit={onChange} type="password" placeholder={secretSet ? "set" : undefined} autoComplete="new-password" />
      ) : (
        <DeferredText id={id} value={str} disabled={disabled} onCommit={onChange} />
      );
  }
  return (
    <div className={problem ? "field invalid" : "field"}>
      <div className="field-label">
        {field.required && <span className="required" aria-hidden="true">*</span>}
        <label htmlFor={id}>{field.label}</label>
      </div>
      <div className="field-control">
        {control}
        {problem && (
          <div className="field-error" role="note" aria-label={`${field.label}: ${problem}`}>
            {problem}. The node fails when scheduled until it exists.
          </div>
        )}
        {sensitive && <div className="field-hint">Sensitive: stored encrypted, never shown or exported.{secretSet && " A value is set; leave empty to keep it."}</div>}
      </div>
    </div>
  );
}

interface PanelProps {
  ws: Id;
  doc: JobDocument;
  /** The job's secrets the server holds (node:<node>:<property>, param:<name>); their values come empty. */
  secretFields?: readonly string[];
  /** Node properties naming objects the workspace does not hold (the server's list for the saved job). */
  unresolved?: readonly UnresolvedReference[];
  nodeTypes: NodeType[];
  selection: CanvasSelection;
  editable: boolean;
  onChange: (doc: JobDocument) => void;
  onSelect: (s: CanvasSelection) => void;
  jobInfo: React.ReactNode;
}

/** The right-hand panel: the selected node's properties, the selected edge's condition, or the job. */
export function PropertyPanel({ ws, doc, secretFields, unresolved, nodeTypes, selection, editable, onChange, onSelect, jobInfo }: PanelProps) {
  const [renameError, setRenameError] = useState<string | null>(null);
  const nameId = useId();
  const condId = useId();

  if (selection?.type === "edge") {
    const target = doc.nodes.find((n) => n.name === selection.target);
    if (!target) return <aside className="property-panel">{jobInfo}</aside>;
    const cond = conditionFor(target, selection.source) ?? "";
    return (
      <aside className="property-panel" aria-label="Connection properties">
        <h3>
          {selection.source} → {selection.target}
        </h3>
        <div className="field">
          <label htmlFor={condId}>Condition</label>
          <div className="field-control">
            <DeferredText id={condId} value={cond} disabled={!editable} multiline onCommit={(v) => onChange(setCondition(doc, selection.source, selection.target, v))} />
            <div className="field-hint">An EL expression; the downstream node runs when it is true, e.g. #{'{'}Job.getNodeStatus("{selection.source}") == "success" ? "true" : "false"{'}'}</div>
          </div>
        </div>
        {editable && (
          <button
            type="button"
            className="danger"
            onClick={() => {
              onChange(disconnectNodes(doc, selection.source, selection.target));
              onSelect(null);
            }}
          >
            Delete Connection
          </button>
        )}
      </aside>
    );
  }

  const node = selection?.type === "node" ? doc.nodes.find((n) => n.name === selection.name) : undefined;
  if (!node) return <aside className="property-panel" aria-label="Job properties">{jobInfo}</aside>;
  const type = nodeTypes.find((t) => t.code === node.type);
  const props = nodeProperties(node);
  const fields = type?.fields ?? [];
  const extra = Object.keys(props).filter((k) => !fields.some((f) => f.name === k));
  const problems = unresolvedByProperty(node, unresolved);

  return (
    <aside className="property-panel" aria-label="Node properties">
      <h3>
        <span className="flow-node-badge small" aria-hidden="true">
          {nodeBadge(node.type)}
        </span>
        {type?.label ?? node.type}
      </h3>
      <div className="field">
        <div className="field-label">
          <span className="required" aria-hidden="true">*</span>
          <label htmlFor={nameId}>Node Name</label>
        </div>
        <div className="field-control">
          <DeferredText
            id={nameId}
            value={node.name}
            disabled={!editable}
            onCommit={(v) => {
              const r = renameNode(doc, node.name, v);
              if (!r.ok) {
                setRenameError(r.reason);
                return;
              }
              setRenameError(null);
              onChange(r.doc);
              onSelect({ type: "node", name: v.trim() });
            }}
          />
          {renameError && <div className="field-error">{renameError}</div>}
        </div>
      </div>
      {fields.map((f) => (
        <FieldInput
          key={f.name}
          ws={ws}
          field={f}
          value={props[f.name] ?? ""}
          disabled={!editable}
          sensitive={isSensitiveProperty(node, f.name, f)}
          secretSet={secretIsSet(secretFields, nodeSecretKey(node.name, f.name), props[f.name])}
          problem={problems[f.name]}
          onChange={(v) => onChange(setNodeProperty(doc, node.name, f.name, v))}
        />
      ))}
      {extra.length > 0 && (
        <details className="extra-props">
          <summary>Other properties ({extra.length})</summary>
          <dl>
            {extra.map((k) => (
              <div key={k}>
                <dt>{k}</dt>
                <dd>
                  {isSensitiveProperty(node, k)
                    ? secretLabel(secretFields, nodeSecretKey(node.name, k), props[k])
                    : typeof props[k] === "string"
                      ? (props[k] as string)
                      : JSON.stringify(props[k])}
                </dd>
              </div>
            ))}
          </dl>
        </details>
      )}
      <h4>Advanced</h4>
      {NODE_SETTINGS.map((s) => (
        <SettingInput key={s.field} setting={s} value={node[s.field]} disabled={!editable} onChange={(v) => onChange(setNodeField(doc, node.name, s.field, v))} />
      ))}
      {editable && (
        <button
          type="button"
          className="danger"
          onClick={() => {
            onChange(deleteNodes(doc, [node.name]));
            onSelect(null);
          }}
        >
          Delete Node
        </button>
      )}
    </aside>
  );
}
