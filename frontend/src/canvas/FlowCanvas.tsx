import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import {
  Background,
  Controls,
  MiniMap,
  ReactFlow,
  ReactFlowProvider,
  applyNodeChanges,
  useReactFlow,
  type Connection,
  type EdgeChange,
  type NodeChange,
  type OnSelectionChangeParams,
} from "@xyflow/react";
import "@xyflow/react/dist/style.css";
import type { JobDocument, NodeType, UnresolvedReference } from "../api/types";
import { JobNodeView } from "./JobNodeView";
import {
  addNode,
  connectNodes,
  deleteNodes,
  disconnectNodes,
  documentToFlow,
  moveNode,
  type JobFlowEdge,
  type JobFlowNode,
} from "./transforms";

export type CanvasSelection = { type: "node"; name: string } | { type: "edge"; source: string; target: string } | null;

export const NODE_TYPE_MIME = "application/x-dataarts-node-type";

const nodeTypesMap = { job: JobNodeView };
const NONE: readonly UnresolvedReference[] = [];

interface FlowCanvasProps {
  document: JobDocument;
  nodeTypes: NodeType[];
  editable: boolean;
  onChange?: (doc: JobDocument) => void;
  selection?: CanvasSelection;
  onSelect?: (s: CanvasSelection) => void;
  onProblem?: (message: string) => void;
  /** Called with a function that adds a node of a type at the viewport's centre (for the palette). */
  registerAdd?: (add: (type: NodeType) => void) => void;
  label: string;
  /** The server's list of node properties naming objects the workspace does not hold. */
  unresolved?: readonly UnresolvedReference[];
  /** A class per node name and per edge id ("source->target"): a diff colours what changed. */
  nodeClassNames?: Readonly<Record<string, string>>;
  edgeClassNames?: Readonly<Record<string, string>>;
}

function Inner({ document: doc, nodeTypes, editable, onChange, selection, onSelect, onProblem, registerAdd, label, unresolved = NONE, nodeClassNames, edgeClassNames }: FlowCanvasProps) {
  const flow = useReactFlow();
  const wrapper = useRef<HTMLDivElement>(null);
  const derived = useMemo(() => documentToFlow(doc, nodeTypes, unresolved), [doc, nodeTypes, unresolved]);
  const selectedNode = selection?.type === "node" ? selection.name : null;
  const selectedEdge = selection?.type === "edge" ? `${selection.source}->${selection.target}` : null;
  const [nodes, setNodes] = useState<JobFlowNode[]>(() => derived.nodes);
  const docRef = useRef(doc);
  docRef.current = doc;

  useEffect(() => {
    setNodes(derived.nodes.map((n) => ({ ...n, selected: n.id === selectedNode, className: nodeClassNames?.[n.id] })));
  }, [derived, selectedNode, nodeClassNames]);

  const edges = useMemo<JobFlowEdge[]>(
    () =>
      derived.edges.map((e) => {
        const className = [e.data?.condition ? "has-condition" : "", edgeClassNames?.[e.id] ?? ""].filter(Boolean).join(" ");
        return { ...e, selected: e.id === selectedEdge, className: className || undefined };
      }),
    [derived, selectedEdge, edgeClassNames],
  );

  const onNodesChange = useCallback(
    (changes: NodeChange<JobFlowNode>[]) => {
      const allowed = editable ? changes : changes.filter((c) => c.type === "select" || c.type === "dimensions");
      setNodes((ns) => applyNodeChanges(allowed, ns));
      if (!editable || !onChange) return;
      // Moves are committed once, when the drag stops (onNodeDragStop).
      const removed = allowed.filter((c) => c.type === "remove").map((c) => c.id);
      if (removed.length) onChange(deleteNodes(docRef.current, removed));
    },
    [editable, onChange],
  );

  const onNodeDragStop = useCallback(
    (_: unknown, _node: JobFlowNode, dragged: JobFlowNode[]) => {
      if (!editable || !onChange) return;
      let next = docRef.current;
      for (const n of dragged) next = moveNode(next, n.id, n.position);
      onChange(next);
    },
    [editable, onChange],
  );

  const onEdgesChange = useCallback(
    (changes: EdgeChange<JobFlowEdge>[]) => {
      if (!editable || !onChange) return;
      let next = docRef.current;
      for (const c of changes) {
        if (c.type === "remove") {
          const [source, target] = c.id.split("->");
          next = disconnectNodes(next, source, target);
        }
      }
      if (next !== docRef.current) onChange(next);
    },
    [editable, onChange],
  );

  const onConnect = useCallback(
    (c: Connection) => {
      if (!editable || !onChange || !c.source || !c.target) return;
      const r = connectNodes(docRef.current, c.source, c.target);
      if (r.ok) onChange(r.doc);
      else onProblem?.(r.reason);
    },
    [editable, onChange, onProblem],
  );

  const onSelectionChange = useCallback(
    ({ nodes: ns, edges: es }: OnSelectionChangeParams) => {
      if (!onSelect) return;
      if (ns.length === 1 && es.length === 0) onSelect({ type: "node", name: ns[0].id });
      else if (es.length === 1 && ns.length === 0) onSelect({ type: "edge", source: es[0].source, target: es[0].target });
      else if (ns.length === 0 && es.length === 0) onSelect(null);
    },
    [onSelect],
  );

  const add = useCallback(
    (type: NodeType, position?: { x: number; y: number }) => {
      if (!editable || !onChange) return;
      let pos = position;
      if (!pos) {
        const r = wrapper.current?.getBoundingClientRect();
        pos = flow.screenToFlowPosition({ x: (r?.left ?? 0) + (r?.width ?? 400) / 2, y: (r?.top ?? 0) + (r?.height ?? 300) / 2 });
      }
      const { doc: next, name } = addNode(docRef.current, type, pos);
      onChange(next);
      onSelect?.({ type: "node", name });
    },
    [editable, onChange, onSelect, flow],
  );

  useEffect(() => {
    registerAdd?.((t) => add(t));
  }, [registerAdd, add]);

  const onDrop = (e: React.DragEvent) => {
    e.preventDefault();
    const code = e.dataTransfer.getData(NODE_TYPE_MIME);
    const type = nodeTypes.find((t) => t.code === code);
    if (!type) return;
    add(type, flow.screenToFlowPosition({ x: e.clientX, y: e.clientY }));
  };

  // Fit the view once the first nodes are there.
  const fitted = useRef(false);
  useEffect(() => {
    if (!fitted.current && nodes.length) {
      fitted.current = true;
      requestAnimationFrame(() => flow.fitView({ padding: 0.2, maxZoom: 1.2 }));
    }
  }, [nodes.length, flow]);

  return (
    <div
      ref={wrapper}
      className="flow-wrapper"
      aria-label={label}
      role="application"
      onDragOver={(e) => {
        if (editable) {
          e.preventDefault();
          e.dataTransfer.dropEffect = "copy";
        }
      }}
      onDrop={onDrop}
    >
      <ReactFlow<JobFlowNode, JobFlowEdge>
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypesMap}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onNodeDragStop={onNodeDragStop}
        onConnect={onConnect}
        onSelectionChange={onSelectionChange}
        onPaneClick={() => onSelect?.(null)}
        nodesDraggable={editable}
        nodesConnectable={editable}
        elementsSelectable
        deleteKeyCode={editable ? ["Delete", "Backspace"] : null}
        minZoom={0.1}
        maxZoom={2}
        proOptions={{ hideAttribution: true }}
        defaultEdgeOptions={{ type: "smoothstep" }}
      >
        <Background gap={16} size={1} />
        <MiniMap
          pannable
          zoomable
          ariaLabel="Mini map"
          nodeColor="#beccfa"
          nodeStrokeColor="#5e7ce0"
          nodeStrokeWidth={2}
          nodeBorderRadius={3}
          maskColor="rgba(243, 246, 248, 0.7)"
          className="flow-minimap"
        />
        <Controls showInteractive={false} />
      </ReactFlow>
    </div>
  );
}

/** The job's DAG on a pannable, zoomable canvas, edited in place when `editable`. */
export function FlowCanvas(props: FlowCanvasProps) {
  return (
    <ReactFlowProvider>
      <Inner {...props} />
    </ReactFlowProvider>
  );
}
